import type { TestApp } from '../helpers/test-app.js';

/**
 * The access table: for every route, the request each caller makes and the status each
 * must get. Callers: nobody signed in, the buyer and the seller who own the fixtures'
 * objects, another buyer and another seller who own none of them, and an admin.
 */
export const ACTORS = ['anonymous', 'buyer', 'otherBuyer', 'seller', 'otherSeller', 'admin'] as const;
export type Actor = (typeof ACTORS)[number];

export interface Person {
  id: string;
  email: string;
  password: string;
  token: string;
}

/** The objects the table's requests point at: each owned by the buyer or the seller. */
export interface MatrixWorld {
  app: TestApp;
  tokens: Record<Actor, string | undefined>;
  people: Record<Exclude<Actor, 'anonymous'>, Person>;
  productId: string;
  paymentId: string;
  refundId: string;
  topUpId: string;
  webhookId: string;
  deliveryId: string;
  uploadPath: string;
}

export interface MatrixRequest {
  path: string;
  body?: unknown;
  form?: FormData;
  /** Overrides the caller's own token (e.g. a fresh session to log out). */
  token?: string;
  headers?: Record<string, string>;
}

export interface RouteEntry {
  request(world: MatrixWorld, actor: Actor): MatrixRequest | Promise<MatrixRequest>;
  expect: Record<Actor, number>;
}

export const all = (status: number): Record<Actor, number> => ({
  anonymous: status,
  buyer: status,
  otherBuyer: status,
  seller: status,
  otherSeller: status,
  admin: status,
});
/** Signed in: anyone but the anonymous caller gets `status`. */
export const signedIn = (status: number) => ({ ...all(status), anonymous: 401 });
/** Sellers and admins (two-factor sign-in); buyers are refused. */
export const mfaRoles = (status: number) => ({ ...all(status), anonymous: 401, buyer: 403, otherBuyer: 403 });
/** Admins only. */
export const adminOnly = (status: number) => ({ ...all(403), anonymous: 401, admin: status });
/** The buyer's object: the buyer, its seller (where `seller` says) and admins see it; others get 404. */
export const buyersObject = (status: number, seller: number) => ({
  anonymous: 401,
  buyer: status,
  otherBuyer: 404,
  seller,
  otherSeller: 404,
  admin: status,
});
/** The seller's object: the seller and admins; everyone else gets 404, never 403 (no existence leak). */
export const sellersObject = (status: number) => ({
  anonymous: 401,
  buyer: 404,
  otherBuyer: 404,
  seller: status,
  otherSeller: 404,
  admin: status,
});

export const get = (path: (w: MatrixWorld) => string) => (w: MatrixWorld) => ({ path: path(w) });

/** A pending manual payment of the fixture buyer for the fixture product, made for one cell. */
