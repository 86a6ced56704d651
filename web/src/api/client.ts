import createClient from 'openapi-fetch';
import type { paths } from './schema';
import { session } from '../auth/tokens';

/** An API failure as the envelope reports it: `meta.code`, `meta.message`, field errors. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: { field: string; code: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A request that could not reach the server (offline, or the server is down). */
export class OfflineError extends Error {
  constructor() {
    super('offline');
    this.name = 'OfflineError';
  }
}

// Adds the access token and, once per request, renews it and retries when the server says it
// expired: the access token lives only in memory (see auth/tokens.ts).
async function authFetch(input: Request): Promise<Response> {
  const retry = input.clone();
  let response: Response;
  try {
    response = await fetch(await session.authorize(input));
    if (response.status !== 401 || !session.canRefresh()) return response;
    if (!(await session.refresh())) return response;
    return await fetch(await session.authorize(retry));
  } catch (error) {
    if (error instanceof TypeError) throw new OfflineError();
    throw error;
  }
}

/** The typed client of the gateway's REST API, generated from its OpenAPI document. */
export const api = createClient<paths>({ baseUrl: globalThis.location?.origin ?? '', fetch: authFetch });

interface Envelope {
  meta?: { message?: string; code?: string; errors?: { field: string; code: string; message: string }[] };
}

/** The `results` of a successful call, or an ApiError with the envelope's code and message. */
export async function unwrap<T>(
  call: Promise<{ data?: { results: T }; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call;
  if (data !== undefined && response.ok) return data.results;
  const meta = (error as Envelope | undefined)?.meta;
  throw new ApiError(
    response.status,
    meta?.code ?? 'http_' + response.status,
    meta?.message ?? response.statusText,
    meta?.errors ?? [],
  );
}

/** Like unwrap, for listings: the items and the cursor of the next page. */
export async function unwrapPage<T>(
  call: Promise<{
    data?: { results: T[]; meta: { pagination: { next_cursor: string | null; has_more: boolean } } };
    error?: unknown;
    response: Response;
  }>,
): Promise<{ items: T[]; nextCursor: string | null }> {
  const { data, error, response } = await call;
  if (data !== undefined && response.ok)
    return {
      items: data.results,
      nextCursor: data.meta.pagination.has_more ? data.meta.pagination.next_cursor : null,
    };
  const meta = (error as Envelope | undefined)?.meta;
  throw new ApiError(
    response.status,
    meta?.code ?? 'http_' + response.status,
    meta?.message ?? response.statusText,
  );
}

/** A fresh Idempotency-Key for a money-moving POST, kept by the caller across its retries. */
export const idempotencyKey = (): string => crypto.randomUUID();
