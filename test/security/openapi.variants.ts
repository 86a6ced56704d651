/**
 * Malformed requests derived from an OpenAPI 3.1 document: for each operation, a base
 * request built from its own schemas, then variants that break one thing each. The list is
 * shuffled with a seeded generator and cut to a bound, so a run is repeatable.
 */

interface Schema {
  type?: string | string[];
  format?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
}

interface OpenApiOperation {
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
}

export interface Operation {
  method: string;
  path: string;
}

export interface Variant {
  label: string;
  path: string;
  body?: string | FormData;
  headers?: Record<string, string>;
}

/** Values that are wrong for most fields: wrong types, edge numbers, hostile strings. */
const HOSTILE: readonly unknown[] = [
  123,
  -1,
  0,
  1e308,
  2 ** 53 + 2,
  'text',
  '',
  ' ',
  'null\u0000byte',
  'lone \ud800 surrogate',
  'x'.repeat(10_000),
  '1e400',
  '99999999999999999999999999',
  '-0',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  true,
  null,
  [],
  [1, 2, 3],
  {},
  { nested: { deeper: [null] } },
];

const BAD_PATH_SEGMENTS = [
  'not-a-uuid',
  '00000000-0000-0000-0000-000000000000',
  '%00',
  'a'.repeat(300),
  '..%2F..%2Fetc',
  '%ff',
  '%E2%80%AE',
];
const BAD_QUERY_VALUES = ['abc', '-1', '1e9', '', '%00', '99999999999999999999', 'true', '[]'];
const BROKEN_JSON = ['{', '{"a":', 'null', '[]', '"text"', '{"a":1}}', '['.repeat(5_000), '\u0000'];

/** mulberry32: a small seeded generator, enough to shuffle repeatably. */
function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function sample(schema: Schema | undefined, depth = 0): unknown {
  if (!schema || depth > 4) return 'x';
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  const choice = schema.anyOf?.[0] ?? schema.oneOf?.[0];
  if (choice) return sample(choice, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([key, value]) => [key, sample(value, depth + 1)]),
      );
    case 'array':
      return [sample(schema.items, depth + 1)];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    default:
      return schema.format === 'uuid' ? '00000000-0000-4000-8000-000000000000' : '1';
  }
}

/** A real id for a path parameter where the path says whose it is. */
function pathValue(path: string, name: string, ids: Record<string, string>): string {
  if (name !== 'id') return 'file.png';
  if (path.startsWith('/products')) return ids.product ?? '';
  if (path.startsWith('/payments')) return ids.payment ?? '';
  if (path.startsWith('/users')) return ids.user ?? '';
  return '00000000-0000-4000-8000-000000000000';
}

function variantsOf(path: string, op: OpenApiOperation, ids: Record<string, string>): Variant[] {
  const params = op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path').map((p) => p.name);
  const fill = (overrides: Record<string, string> = {}) =>
    path.replace(
      /\{(\w+)\}/g,
      (_m, name: string) => overrides[name] ?? encodeURIComponent(pathValue(path, name, ids)),
    );
  const json = { 'content-type': 'application/json' };
  const schema = op.requestBody?.content?.['application/json']?.schema;
  const base = (schema ? sample(schema) : undefined) as Record<string, unknown> | undefined;
  const out: Variant[] = [];

  for (const name of pathParams) {
    for (const bad of BAD_PATH_SEGMENTS)
      out.push({ label: `path ${name}=${bad.slice(0, 20)}`, path: fill({ [name]: bad }) });
  }
  for (const param of params.filter((p) => p.in === 'query')) {
    for (const bad of BAD_QUERY_VALUES) {
      out.push({
        label: `query ${param.name}=${bad.slice(0, 20)}`,
        path: `${fill()}?${param.name}=${encodeURIComponent(bad)}`,
      });
    }
    out.push({ label: `query ${param.name} twice`, path: `${fill()}?${param.name}=1&${param.name}=2` });
  }
  if (op.requestBody) {
    for (const text of BROKEN_JSON)
      out.push({ label: `json ${text.slice(0, 12)}`, path: fill(), body: text, headers: json });
    out.push({
      label: 'json as text/plain',
      path: fill(),
      body: JSON.stringify(base ?? {}),
      headers: { 'content-type': 'text/plain' },
    });
    out.push({
      label: 'unknown content type',
      path: fill(),
      body: 'a=1',
      headers: { 'content-type': 'application/x-unknown' },
    });
    out.push({
      label: 'broken multipart',
      path: fill(),
      body: '--xyz\r\nContent-Disposition: form-data; name="name"\r\n\r\nhalf',
      headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
    });
    out.push({
      label: 'multipart without boundary',
      path: fill(),
      body: 'whatever',
      headers: { 'content-type': 'multipart/form-data' },
    });
  }
  if (base && typeof base === 'object' && !Array.isArray(base)) {
    out.push({
      label: 'unknown field',
      path: fill(),
      body: JSON.stringify({ ...base, unexpected: 1 }),
      headers: json,
    });
    for (const key of Object.keys(base)) {
      const { [key]: _dropped, ...without } = base;
      out.push({ label: `without ${key}`, path: fill(), body: JSON.stringify(without), headers: json });
      for (const value of HOSTILE) {
        const shown = JSON.stringify(value)?.slice(0, 20);
        out.push({
          label: `${key}=${shown}`,
          path: fill(),
          body: JSON.stringify({ ...base, [key]: value }),
          headers: json,
        });
      }
    }
  }
  return out;
}

/** Every operation with at most `perOperation` of its malformed variants, in a seeded order. */
export function malformedVariants(
  doc: OpenApiDocument,
  options: { seed: number; perOperation: number; ids: Record<string, string> },
): { operation: Operation; variants: Variant[] }[] {
  const random = seeded(options.seed);
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      const variants = variantsOf(path, op, options.ids);
      for (let i = variants.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [variants[i], variants[j]] = [variants[j]!, variants[i]!];
      }
      return {
        operation: { method: method.toUpperCase(), path },
        variants: variants.slice(0, options.perOperation),
      };
    }),
  );
}
