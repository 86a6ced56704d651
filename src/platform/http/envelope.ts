import Type, { type TSchema } from 'typebox';

/**
 * The seed's response envelope: `{meta: {success, message}, results}` on success and
 * `{meta: {success: false, message}}` on failure. Added keys (`code`, `errors`,
 * `request_id`, `sandbox`) never change the meaning of the original ones.
 */
const FieldErrorSchema = Type.Object({ field: Type.String(), code: Type.String(), message: Type.String() });

const SuccessMeta = Type.Object({
  success: Type.Literal(true),
  message: Type.String(),
  sandbox: Type.Optional(Type.Boolean()),
});

export const ErrorEnvelope = Type.Object(
  {
    meta: Type.Object({
      success: Type.Literal(false),
      message: Type.String(),
      code: Type.String({ description: 'stable machine-readable error code' }),
      request_id: Type.Optional(Type.String()),
      sandbox: Type.Optional(Type.Boolean()),
      errors: Type.Optional(Type.Array(FieldErrorSchema)),
    }),
  },
  { description: 'failure envelope' },
);

export const envelope = <T extends TSchema>(results: T) => Type.Object({ meta: SuccessMeta, results });

/** A page of a keyset-paginated listing: the items in `results`, the cursor in `meta.pagination`. */
export const paginatedEnvelope = <T extends TSchema>(item: T) =>
  Type.Object({
    meta: Type.Object({
      success: Type.Literal(true),
      message: Type.String(),
      sandbox: Type.Optional(Type.Boolean()),
      pagination: Type.Object({
        limit: Type.Integer(),
        next_cursor: Type.Union([Type.String(), Type.Null()]),
        has_more: Type.Boolean(),
      }),
    }),
    results: Type.Array(item),
  });

export const ok = <T>(message: string, results: T) => ({
  meta: { success: true as const, message },
  results,
});

/** Error responses every route may give, for the OpenAPI document. */
export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, ErrorEnvelope]));
