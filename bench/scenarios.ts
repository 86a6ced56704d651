import { randomUUID } from 'node:crypto';

export type ServerName = 'baseline' | 'mamlaka';

export interface Scenario {
  name: string;
  server: ServerName;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** When given, requests cycle through these paths (e.g. many product ids) instead of `path`. */
  paths?: string[];
  /** Runs just before the scenario (after the previous one), e.g. to warm a cache. */
  prepare?: (url: string) => Promise<void>;
  headers?: Record<string, string>;
  body?: unknown;
}

/** What the scenarios need from Mamlaka before measuring: an account and its access token. */
export interface Fixture {
  email: string;
  password: string;
  token: string;
  userId: string;
  productIds: string[];
}

/** How many products the catalog scenarios read from. */
export const CATALOG_SIZE = 10_000;

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
    {
      name: 'GET /products/:id',
      server: 'mamlaka',
      method: 'GET',
      path: `/products/${fixture.productIds[0]}`,
      paths: fixture.productIds.map((id) => `/products/${id}`),
      // Every product read once first: the scenario measures a warm read cache, not 10,000
      // first reads (those run at the database's speed, as GET /users/me shows).
      prepare: (url) => readAll(url, fixture.productIds),
    },
    { name: 'GET /products?limit=20', server: 'mamlaka', method: 'GET', path: '/products?limit=20' },
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
export async function createFixture(mamlakaUrl: string, catalogSize = CATALOG_SIZE): Promise<Fixture> {
  // Unique per run: with DATABASE_URL the database outlives the bench.
  const email = `bench-${randomUUID()}@example.com`;
  const password = 'bench-password-1234';
  await postJson(
    `${mamlakaUrl}/users/register`,
    { name: 'Bench User', email, role: 'buyer', password, confirm_password: password },
    201,
  );
  const login = (await postJson(`${mamlakaUrl}/users/login`, { email, password }, 200)) as {
    results?: { token?: string; id?: string };
  };
  const token = login.results?.token;
  if (!token || !login.results?.id) throw new Error('POST /users/login answered without results.token');
  return {
    email,
    password,
    token,
    userId: login.results.id,
    productIds: await createCatalog(mamlakaUrl, catalogSize),
  };
}

/** A seller and `size` products, created through the API with a few requests in flight. */
async function createCatalog(mamlakaUrl: string, size: number): Promise<string[]> {
  const email = `bench-seller-${randomUUID()}@example.com`;
  const password = 'bench-password-1234';
  await postJson(
    `${mamlakaUrl}/users/register`,
    { name: 'Bench Seller', email, role: 'seller', password, confirm_password: password },
    201,
  );
  const login = (await postJson(`${mamlakaUrl}/users/login`, { email, password }, 200)) as {
    results: { token: string };
  };
  const ids: string[] = [];
  const inFlight = 16;
  let next = 0;
  const worker = async () => {
    while (next < size) {
      const n = next++;
      const response = await fetch(`${mamlakaUrl}/products`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${login.results.token}` },
        body: JSON.stringify({
          name: `Bench product ${n}`,
          description: `Product number ${n} of the benchmark catalog`,
          price: String(1000 + (n % 997) * 500),
          stock: n % 50,
        }),
      });
      const body = (await response.json()) as { results?: { id: string } };
      if (response.status !== 201 || !body.results) throw new Error(`create product: ${response.status}`);
      ids.push(body.results.id);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return ids;
}

async function readAll(mamlakaUrl: string, ids: string[]): Promise<void> {
  let read = 0;
  const reader = async () => {
    while (read < ids.length) {
      const response = await fetch(`${mamlakaUrl}/products/${ids[read++]}`);
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`read product: ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, reader));
}
