/** A JSON envelope as the API answers it. */
export interface Envelope<T> {
  meta: { success: boolean; message: string; code?: string; pagination?: { next_cursor: string | null } };
  results: T;
}

export interface Reply<T> {
  status: number;
  replayed: boolean;
  body: Envelope<T>;
}

/**
 * One HTTP call to a server running in another process (crash and split-deployment
 * suites): a dropped connection (the server died under it) rejects, and a body that is not
 * the envelope is reported in one, so a test's assertion shows what came back.
 */
export async function callApi<T>(
  url: string,
  method: string,
  route: string,
  options: { token?: string; body?: unknown; key?: string; timeoutMs?: number } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.key) headers['idempotency-key'] = options.key;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url + route, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  });
  const text = await res.text();
  let body: Envelope<T>;
  try {
    body = JSON.parse(text) as Envelope<T>;
  } catch {
    body = {
      meta: { success: false, message: text.slice(0, 300), code: 'not_json' },
      results: undefined as T,
    };
  }
  body.meta ??= { success: false, message: text.slice(0, 300), code: 'no_envelope' };
  return { status: res.status, replayed: res.headers.get('idempotent-replayed') === 'true', body };
}

const SIGN_UP_PASSWORD = 'correct horse battery';

/** Registers a new user of `role` on the server at `url` and logs them in. */
export async function signUpAt(url: string, role: 'buyer' | 'seller') {
  const email = `${role}.${crypto.randomUUID()}@example.com`;
  const body = { name: role, email, role, password: SIGN_UP_PASSWORD, confirm_password: SIGN_UP_PASSWORD };
  const registered = await callApi<{ id: string }>(url, 'POST', '/users/register', { body });
  if (registered.status !== 201) throw new Error(`register failed: ${JSON.stringify(registered.body)}`);
  const login = await callApi<{ token: string }>(url, 'POST', '/users/login', {
    body: { email, password: SIGN_UP_PASSWORD },
  });
  if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
  return { id: registered.body.results.id, email, token: login.body.results.token };
}
