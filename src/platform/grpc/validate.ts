import { invalid } from '../errors.js';
import { checkAgainst } from '../http/validation.js';

/**
 * A gRPC message checked against the REST API's own schema for the same input, so both
 * edges accept and refuse exactly the same things. Throws `validation_failed` (INVALID_ARGUMENT
 * with a BadRequest detail per field).
 */
export function validatorFor<T>(schema: object): (value: unknown) => T {
  const check = checkAgainst(schema);
  return (value) => {
    const fields = check(value);
    if (fields) throw invalid('validation_failed', fields[0]?.message ?? 'invalid request', fields);
    return value as T;
  };
}

/** A proto3 message with its unset optional fields removed (absent, as JSON would have them). */
export function present<T extends object>(message: T): T {
  return Object.fromEntries(
    Object.entries(message).filter(([, value]) => value !== undefined && value !== null),
  ) as T;
}
