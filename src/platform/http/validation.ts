import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import * as ajvFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { FieldError } from '../errors.js';
import { UNSTORABLE_TEXT, unstorableText } from './unstorable-text.js';

// ajv-formats is CommonJS; its callable export sits on `default` under ESM.
const addFormats = ((ajvFormatsModule as unknown as { default: unknown }).default ??
  ajvFormatsModule) as unknown as (ajv: Ajv) => Ajv;

const shared: Options = { allErrors: true, removeAdditional: false, useDefaults: true, strict: false };

/**
 * Bodies are validated strictly: `{"quantity": "2"}` is a mistyped field, not a 2. Query
 * strings and path params are text by nature, so they are coerced to the schema's types.
 */
const strictAjv = addFormats(new Ajv({ ...shared, coerceTypes: false }));
const coercingAjv = addFormats(new Ajv({ ...shared, coerceTypes: 'array' }));

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  refusingUnstorableText(() => (httpPart === 'body' ? strictAjv : coercingAjv).compile(schema as object));

type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/**
 * Every validator first refuses text no database can hold (see unstorableText), wherever it
 * sits: a field the schema names, one it lets through untyped (a Midtrans notification's
 * extras, kept raw as jsonb) or a property name. Fastify reads `errors` off the function,
 * as it does off an Ajv validator. The schema is compiled on the first value to check, not
 * when the route is registered: a server then starts without compiling the few hundred
 * schemas of every REST route and RPC (about a third of a second), and pays a few
 * milliseconds on each one's first request instead.
 */
function refusingUnstorableText(compile: () => ValidateFunction): Validator {
  let validate: ValidateFunction | undefined;
  const check: Validator = (data) => {
    const refused = unstorableText(data);
    if (refused.length) {
      check.errors = refused;
      return false;
    }
    validate ??= compile();
    const valid = validate(data);
    check.errors = validate.errors ?? null;
    return valid;
  };
  return check;
}

const pointerToField = (pointer: string) =>
  pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');

function describe(error: ErrorObject): FieldError {
  const base = pointerToField(error.instancePath);
  const join = (name: string) => (base ? `${base}.${name}` : name);
  switch (error.keyword) {
    case 'required': {
      const field = join(String(error.params.missingProperty));
      return { field, code: 'required', message: `${field} is required` };
    }
    case 'additionalProperties': {
      const field = join(String(error.params.additionalProperty));
      return { field, code: 'unknown_field', message: `${field} is not a known field` };
    }
    case 'type':
      return { field: base, code: 'invalid_type', message: `${base || 'body'} must be ${error.params.type}` };
    case 'format':
      return {
        field: base,
        code: 'invalid_format',
        message: `${base} must be a valid ${error.params.format}`,
      };
    case 'enum':
      return {
        field: base,
        code: 'invalid_value',
        message: `${base} must be one of ${(error.params.allowedValues as unknown[]).join(', ')}`,
      };
    case UNSTORABLE_TEXT:
      return {
        field: base,
        code: 'invalid_characters',
        message: `${base || 'body'} must not contain NUL characters or unpaired UTF-16 surrogates`,
      };
    case 'minLength':
    case 'maxLength':
    case 'minimum':
    case 'maximum':
    case 'pattern':
      return { field: base, code: 'out_of_range', message: `${base} ${error.message}` };
    default:
      return { field: base, code: 'invalid', message: `${base || 'value'} ${error.message ?? 'is invalid'}` };
  }
}

/** One entry per field, in the order ajv reported them. */
export function fieldErrors(errors: ErrorObject[], part: string | undefined): FieldError[] {
  const seen = new Set<string>();
  const fields: FieldError[] = [];
  for (const error of errors) {
    const described = describe(error);
    if (part && part !== 'body' && !described.field) described.field = part;
    const key = `${described.field}:${described.code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    fields.push(described);
  }
  return fields;
}

/**
 * The same strict validation as request bodies, for input that arrives another way (a gRPC
 * message): the list of field errors, or undefined when the value is valid.
 */
export function checkAgainst(schema: object): (value: unknown) => FieldError[] | undefined {
  const validate = refusingUnstorableText(() => strictAjv.compile(schema));
  return (value) => (validate(value) ? undefined : fieldErrors(validate.errors ?? [], 'body'));
}
