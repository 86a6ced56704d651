import { randomUUID } from 'node:crypto';

export type ServerName = 'baseline' | 'mamlaka';

export interface Scenario {
  name: string;
  server: ServerName;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/** What the scenarios need from Mamlaka before measuring: an account and its access token. */
export interface Fixture {
  email: string;
  password: string;
  token: string;
}

/** The first entry is the baseline every other ratio is taken against. */
export function scenarios(fixture: Fixture): Scenario[] {
  return [
    { name: 'baseline GET /', server: 'baseline', method: 'GET', path: '/' },
    { name: 'GET /health', server: 'mamlaka', method: 'GET', path: '/health' },
    {
      name: 'POST /users/login',
      server: 'mamlaka',
      method: 'POST',
      path: '/users/login',
      headers: { 'content-type': 'application/json' },
      body: { email: fixture.email, password: fixture.password },
    },
    {
      name: 'GET /users/me',
      server: 'mamlaka',
      method: 'GET',
      path: '/users/me',
      headers: { authorization: `Bearer ${fixture.token}` },
    },
  ];
}

async function postJson(url: string, body: unknown, expected: number): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== expected) {
    throw new Error(`POST ${url}: expected ${expected}, got ${response.status}: ${text.slice(0, 500)}`);
  }
  return JSON.parse(text);
}

/** Goes through the public API, as a client would, so the fixture also proves the flow works. */
export async function createFixture(mamlakaUrl: string): Promise<Fixture> {
  // Unique per run: with DATABASE_URL the database outlives the bench.
  const email = `bench-${randomUUID()}@example.com`;
  const password = 'bench-password-1234';
  await postJson(
    `${mamlakaUrl}/users/register`,
    { name: 'Bench User', email, role: 'buyer', password, confirm_password: password },
    201,
  );
  const login = (await postJson(`${mamlakaUrl}/users/login`, { email, password }, 200)) as {
    results?: { token?: string };
  };
  const token = login.results?.token;
  if (!token) throw new Error('POST /users/login answered without results.token');
  return { email, password, token };
}
