/**
 * Generates docs/mamlaka.postman_collection.json and docs/api-routes.md (every route, who may
 * call it) from the gateway's OpenAPI document.
 *
 *   npm run docs:postman             writes both files
 *   npm run docs:postman -- --check  exits 1 when either committed file is out of date
 *
 * The app is built in-process on an in-memory database and never listens. The output is
 * deterministic (no timestamps, no random ids), so regenerating an unchanged API gives
 * byte-identical files and `--check` can guard against drift in CI.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { createPlatform } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { pgliteDatabase } from '../src/platform/db/database.js';
import { createLogger } from '../src/platform/logging/logger.js';

const OUTPUT = fileURLToPath(new URL('../docs/mamlaka.postman_collection.json', import.meta.url));
const ROUTES_OUTPUT = fileURLToPath(new URL('../docs/api-routes.md', import.meta.url));
// The web app's API types: it cannot call a route or read a field the API does not have.
const WEB_CLIENT_OUTPUT = fileURLToPath(new URL('../web/src/api/schema.d.ts', import.meta.url));
const DEFAULT_BASE_URL = 'http://localhost:8080';
const POSTMAN_SCHEMA = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json';
const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'options', 'head', 'trace'] as const;
const UNTAGGED = 'other';

// ---- the parts of OpenAPI 3.1 this converter reads ----

interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  example?: unknown;
  examples?: unknown[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  allOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  description?: string;
}

interface Parameter {
  $ref?: string;
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  description?: string;
  example?: unknown;
  schema?: JsonSchema;
}

interface Operation {
  tags?: string[];
  summary?: string;
  description?: string;
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { $ref?: string; content?: Record<string, { schema?: JsonSchema }> };
  security?: Record<string, string[]>[];
  /** The roles the route lets through, copied from its `config.roles` (see createHttpApp). */
  'x-roles'?: string[];
}

type PathItem = Partial<Record<(typeof METHODS)[number], Operation>> & { parameters?: Parameter[] };

export interface OpenApiDocument {
  info: { title: string; description?: string };
  tags?: { name: string; description?: string }[];
  security?: Record<string, string[]>[];
  paths?: Record<string, PathItem>;
}

// ---- the parts of Postman Collection v2.1 this converter writes ----

interface PostmanVariable {
  key: string;
  value: string;
  type?: 'string';
  description?: string;
}

interface PostmanQuery {
  key: string;
  value: string;
  description?: string;
  disabled?: boolean;
}

interface PostmanRequestItem {
  name: string;
  request: {
    method: string;
    header: { key: string; value: string; type: 'text'; description?: string; disabled?: boolean }[];
    url: {
      raw: string;
      host: string[];
      path: string[];
      query?: PostmanQuery[];
      variable?: PostmanVariable[];
    };
    auth?: { type: 'bearer'; bearer: PostmanVariable[] } | { type: 'noauth' };
    body?:
      | { mode: 'raw'; raw: string; options: { raw: { language: 'json' } } }
      | {
          mode: 'formdata';
          formdata: { key: string; type: 'text' | 'file'; value?: string; src?: string }[];
        };
    description?: string;
  };
  response: [];
}

interface PostmanFolder {
  name: string;
  description?: string;
  item: PostmanRequestItem[];
}

export interface PostmanCollection {
  info: { _postman_id: string; name: string; description?: string; schema: string };
  item: PostmanFolder[];
  variable: PostmanVariable[];
}

// ---- example values ----

const EXAMPLE_UUID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const EXAMPLE_PASSWORD = 'correct horse battery';
const BY_FORMAT: Record<string, string> = {
  email: 'buyer@example.com',
  uuid: EXAMPLE_UUID,
  'date-time': '2026-01-01T00:00:00.000Z',
  date: '2026-01-01',
  time: '00:00:00Z',
  uri: 'https://example.com',
  url: 'https://example.com',
  hostname: 'example.com',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  binary: '',
};
const BY_KEY: Record<string, string> = { name: 'Jane Doe', currency: 'IDR' };

/** Follows a local `#/a/b` reference inside the document. */
function resolve<T>(doc: OpenApiDocument, value: T & { $ref?: string }): T {
  if (!value.$ref) return value;
  let target: unknown = doc;
  for (const part of value.$ref.replace(/^#\//, '').split('/')) {
    target = (target as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  if (target === undefined) throw new Error(`unresolvable $ref ${value.$ref}`);
  return resolve(doc, target as T & { $ref?: string });
}

function primaryType(schema: JsonSchema): string | undefined {
  if (Array.isArray(schema.type)) return schema.type.find((t) => t !== 'null') ?? 'null';
  if (schema.type) return schema.type;
  if (schema.properties) return 'object';
  if (schema.items) return 'array';
  return undefined;
}

function exampleString(schema: JsonSchema, key: string | undefined): string {
  let value: string;
  if (key && /pass(word|phrase)/i.test(key)) value = EXAMPLE_PASSWORD;
  else if (schema.format && schema.format in BY_FORMAT) value = BY_FORMAT[schema.format]!;
  else value = (key && BY_KEY[key]) ?? 'string';
  if (schema.minLength && value.length < schema.minLength) value = value.padEnd(schema.minLength, 'x');
  if (schema.maxLength !== undefined && value.length > schema.maxLength)
    value = value.slice(0, schema.maxLength);
  return value;
}

function exampleNumber(schema: JsonSchema): number {
  let value = 1;
  if (schema.minimum !== undefined && value < schema.minimum) value = schema.minimum;
  if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum)
    value = schema.exclusiveMinimum + 1;
  if (schema.maximum !== undefined && value > schema.maximum) value = schema.maximum;
  return value;
}

/** A plausible value for `schema`; `key` is the property name it sits under, if any. */
export function exampleFor(
  doc: OpenApiDocument,
  schema: JsonSchema | undefined,
  key?: string,
  depth = 0,
): unknown {
  if (!schema || depth > 10) return null;
  if (schema.$ref) return exampleFor(doc, resolve(doc, schema), key, depth + 1);
  if (schema.example !== undefined) return schema.example;
  if (schema.examples?.length) return schema.examples[0];
  if (schema.const !== undefined) return schema.const;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum?.length) return schema.enum[0];
  if (schema.allOf?.length) {
    const parts = schema.allOf.map((part) => exampleFor(doc, part, key, depth + 1));
    const objects = parts.filter((p): p is Record<string, unknown> => !!p && typeof p === 'object');
    return objects.length === parts.length ? Object.assign({}, ...objects) : parts.at(-1);
  }
  const variants = schema.oneOf ?? schema.anyOf;
  if (variants?.length) {
    const chosen = variants.find((v) => primaryType(resolve(doc, v)) !== 'null') ?? variants[0];
    return exampleFor(doc, chosen, key, depth + 1);
  }
  switch (primaryType(schema)) {
    case 'string':
      return exampleString(schema, key);
    case 'integer':
    case 'number':
      return exampleNumber(schema);
    case 'boolean':
      return true;
    case 'array':
      return [exampleFor(doc, schema.items, undefined, depth + 1)];
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([name, property]) => [
          name,
          exampleFor(doc, property, name, depth + 1),
        ]),
      );
    default:
      return null;
  }
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

// ---- conversion ----

/** A UUID-shaped (version 5 layout) hash, so the collection id is stable across runs. */
export function stableUuid(seed: string): string {
  const hex = createHash('sha1').update(seed).digest('hex');
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** `/users/{id}` and `/users/:id` both become Postman's `/users/:id`. */
function postmanPath(openApiPath: string): string[] {
  return openApiPath
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => segment.replace(/\{([^}]+)\}/g, ':$1'));
}

function requestItem(
  doc: OpenApiDocument,
  method: string,
  openApiPath: string,
  item: PathItem,
  op: Operation,
) {
  // Operation parameters override path-level ones with the same name and location.
  const parameters = new Map<string, Parameter>();
  for (const raw of [...(item.parameters ?? []), ...(op.parameters ?? [])]) {
    const parameter = resolve(doc, raw);
    parameters.set(`${parameter.in}:${parameter.name}`, parameter);
  }
  const parameterValue = (p: Parameter) => asText(p.example ?? exampleFor(doc, p.schema, p.name));
  const withDescription = (p: Parameter) => {
    const description = p.description ?? p.schema?.description;
    return description ? { description } : {};
  };

  const segments = postmanPath(openApiPath);
  const pathVariables = segments
    .filter((segment) => segment.startsWith(':'))
    .map((segment): PostmanVariable => {
      const name = segment.slice(1);
      const parameter = parameters.get(`path:${name}`);
      return {
        key: name,
        value: parameter ? parameterValue(parameter) : '',
        ...(parameter ? withDescription(parameter) : {}),
      };
    });
  const query = [...parameters.values()]
    .filter((p) => p.in === 'query')
    .map((p): PostmanQuery => ({
      key: p.name,
      value: parameterValue(p),
      ...withDescription(p),
      ...(p.required ? {} : { disabled: true }),
    }));
  const header: PostmanRequestItem['request']['header'] = [...parameters.values()]
    .filter((p) => p.in === 'header')
    .map((p) => ({
      key: p.name,
      value: parameterValue(p),
      type: 'text',
      ...withDescription(p),
      ...(p.required ? {} : { disabled: true }),
    }));

  let body: PostmanRequestItem['request']['body'];
  const content = op.requestBody ? resolve(doc, op.requestBody).content : undefined;
  const json = content?.['application/json'];
  const multipart = content?.['multipart/form-data'];
  if (json) {
    header.unshift({ key: 'Content-Type', value: 'application/json', type: 'text' });
    body = {
      mode: 'raw',
      raw: JSON.stringify(exampleFor(doc, json.schema), null, 2),
      options: { raw: { language: 'json' } },
    };
  } else if (multipart?.schema) {
    const schema = resolve(doc, multipart.schema);
    body = {
      mode: 'formdata',
      formdata: Object.entries(schema.properties ?? {}).map(([key, property]) => {
        const resolved = resolve(doc, property);
        const isFile = resolved.format === 'binary' || resolved.items?.format === 'binary';
        return isFile
          ? { key, type: 'file' as const, src: '' }
          : { key, type: 'text' as const, value: asText(exampleFor(doc, resolved, key)) };
      }),
    };
  }

  const security = op.security ?? doc.security;
  let auth: PostmanRequestItem['request']['auth'];
  if (security?.length)
    auth = { type: 'bearer', bearer: [{ key: 'token', value: '{{token}}', type: 'string' }] };
  else if (op.security) auth = { type: 'noauth' }; // explicitly public (`security: []`)

  const rawPath = segments.length ? `/${segments.join('/')}` : '/';
  const queryString = query.filter((q) => !q.disabled).map((q) => `${q.key}=${q.value}`);
  const result: PostmanRequestItem = {
    name: op.summary ?? op.operationId ?? `${method.toUpperCase()} ${openApiPath}`,
    request: {
      method: method.toUpperCase(),
      header,
      url: {
        raw: `{{baseUrl}}${rawPath}${queryString.length ? `?${queryString.join('&')}` : ''}`,
        host: ['{{baseUrl}}'],
        path: segments,
        ...(query.length ? { query } : {}),
        ...(pathVariables.length ? { variable: pathVariables } : {}),
      },
      ...(auth ? { auth } : {}),
      ...(body ? { body } : {}),
      ...(op.description ? { description: op.description } : {}),
    },
    response: [],
  };
  return result;
}

/** One folder per tag (in the document's tag order, then first use), one request per operation. */
export function toPostmanCollection(doc: OpenApiDocument): PostmanCollection {
  const folders = new Map<string, PostmanFolder>();
  const folder = (name: string) => {
    let found = folders.get(name);
    if (!found) {
      const description = doc.tags?.find((t) => t.name === name)?.description;
      found = { name, ...(description ? { description } : {}), item: [] };
      folders.set(name, found);
    }
    return found;
  };
  for (const tag of doc.tags ?? []) folder(tag.name);

  for (const [openApiPath, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      folder(op.tags?.[0] ?? UNTAGGED).item.push(requestItem(doc, method, openApiPath, item, op));
    }
  }

  return {
    info: {
      _postman_id: stableUuid(`mamlaka-postman:${doc.info.title}`),
      name: doc.info.title,
      ...(doc.info.description ? { description: doc.info.description } : {}),
      schema: POSTMAN_SCHEMA,
    },
    item: [...folders.values()].filter((f) => f.item.length > 0),
    variable: [
      { key: 'baseUrl', value: DEFAULT_BASE_URL, type: 'string' },
      { key: 'token', value: '', type: 'string', description: 'access token from POST /users/login' },
    ],
  };
}

// ---- the route table ----

interface RouteRow {
  method: string;
  path: string;
  who: string;
  summary: string;
}

/** Public (no security requirement), any signed-in user, or only the roles in `x-roles`. */
function whoMayCall(doc: OpenApiDocument, op: Operation): string {
  const security = op.security ?? doc.security;
  if (!security?.length) return 'public';
  const roles = op['x-roles'];
  return roles?.length ? roles.join(', ') : 'signed in';
}

const cell = (text: string) => text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();

/**
 * A Markdown page of every operation, one table per tag (or per first path segment when
 * untagged), groups and rows sorted so the page only changes when the API does.
 */
export function toRouteTable(doc: OpenApiDocument): string {
  const groups = new Map<string, RouteRow[]>();
  for (const [openApiPath, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const group = op.tags?.[0] ?? openApiPath.split('/').find((segment) => segment !== '') ?? '/';
      const rows = groups.get(group) ?? [];
      rows.push({
        method: method.toUpperCase(),
        path: openApiPath,
        who: whoMayCall(doc, op),
        summary: op.summary ?? op.description?.split('\n')[0] ?? '',
      });
      groups.set(group, rows);
    }
  }
  const methodRank = (method: string) => METHODS.indexOf(method.toLowerCase() as (typeof METHODS)[number]);
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const names = [...groups.keys()].sort(byName);
  const total = [...groups.values()].reduce((sum, rows) => sum + rows.length, 0);

  const lines = [
    '# API routes',
    '',
    '> Generated by `npm run docs:postman` from the OpenAPI document (`GET /openapi.json`) and checked by CI',
    '> (`npm run docs:postman -- --check` fails when it is stale). Do not edit by hand.',
    '',
    `${total} routes. **Who may call**: _public_ needs no token; _signed in_ needs a bearer access token`,
    '(from `POST /users/login`) of any role; otherwise only users with one of the roles listed. A route on',
    'one object also answers 404 to a signed-in caller who is neither its owner nor an admin.',
  ];
  for (const name of names) {
    const rows = groups
      .get(name)!
      .sort((a, b) => byName(a.path, b.path) || methodRank(a.method) - methodRank(b.method));
    const description = doc.tags?.find((t) => t.name === name)?.description;
    lines.push('', `## ${name}`, '');
    if (description) lines.push(cell(description), '');
    lines.push('| Method | Path | Who may call | Summary |', '| --- | --- | --- | --- |');
    for (const row of rows)
      lines.push(`| ${row.method} | \`${row.path}\` | ${row.who} | ${cell(row.summary)} |`);
  }
  return `${lines.join('\n')}\n`;
}

// ---- the app ----

/** Builds the platform on a throwaway in-memory database (nothing listens) and returns its OpenAPI document. */
async function openApiDocument(): Promise<OpenApiDocument> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mamlaka-postman-'));
  try {
    // Midtrans configured (never called) so that its webhook route is documented too.
    const config = loadConfig({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      MIDTRANS_SERVER_KEY: 'documentation',
      MIDTRANS_SNAP_URL: 'http://127.0.0.1:9',
      MIDTRANS_API_URL: 'http://127.0.0.1:9',
    });
    const database = pgliteDatabase(await PGlite.create());
    try {
      const platform = await createPlatform(config, createLogger(config), database);
      try {
        return structuredClone(platform.app.swagger()) as unknown as OpenApiDocument;
      } finally {
        await platform.close();
      }
    } finally {
      await database.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function render(collection: PostmanCollection): string {
  return `${JSON.stringify(collection, null, 2)}\n`;
}

async function main(argv: string[]) {
  const check = argv.includes('--check');
  const doc = await openApiDocument();
  const collection = render(toPostmanCollection(doc));
  const { default: openapiTS, astToString } = await import('openapi-typescript');
  const webClient =
    '// Generated by `npm run docs:postman` from the OpenAPI document; checked by CI. Do not edit.\n' +
    astToString(await openapiTS(structuredClone(doc) as unknown as Parameters<typeof openapiTS>[0]));
  const outputs = [
    {
      file: OUTPUT,
      text: collection,
      count: `${collection.match(/"request":/g)?.length ?? 0} requests`,
    },
    { file: ROUTES_OUTPUT, text: toRouteTable(doc), count: 'every route' },
    { file: WEB_CLIENT_OUTPUT, text: webClient, count: 'the web app’s API types' },
  ];
  for (const { file, text, count } of outputs) {
    const relative = path.relative(process.cwd(), file);
    if (check) {
      const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
      if (current === text) {
        console.log(`${relative} is up to date`);
      } else {
        console.error(`${relative} is out of date: run \`npm run docs:postman\` and commit the result`);
        process.exitCode = 1;
      }
      continue;
    }
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    console.log(`wrote ${relative} (${count})`);
  }
}

// Runs when executed (`tsx scripts/postman.ts`), not when imported for its converter.
const entry = process.argv[1] ? realpathSync(path.resolve(process.argv[1])) : undefined;
if (entry && entry === realpathSync(fileURLToPath(import.meta.url))) {
  await main(process.argv.slice(2));
}
