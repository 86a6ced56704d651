// The goals of issue 17 (and the earlier ones still standing), in one place: the adapters
// judge each figure against these, and the document quotes their text.
import type { Goal } from './types.js';

export const atLeast = (value: number | undefined, min: number, text: string): Goal => ({
  text,
  pass: value !== undefined && Number.isFinite(value) && value >= min,
});

export const below = (value: number | undefined, max: number, text: string): Goal => ({
  text,
  pass: value !== undefined && Number.isFinite(value) && value < max,
});

export const atMost = (value: number | undefined, max: number, text: string): Goal => ({
  text,
  pass: value !== undefined && Number.isFinite(value) && value <= max,
});

/** REST reads as a ratio to bare Fastify (median of the runs). */
export const READ_GOALS: Record<string, number> = {
  'GET /products/:id': 0.5,
  'GET /products?limit=20': 0.35,
  'GET /users/me': 0.25,
};

/** gRPC calls as a ratio to the REST route they mirror. */
export const GRPC_GOALS: Record<string, number> = {
  'gRPC GetProduct': 0.5,
  'gRPC GetUserByID': 1.0,
};

export const SPLIT_GOALS: Record<string, number> = { 'GET /users/me': 0.8 };

export const LEDGER_BATCH_ENTRIES_PER_SEC = 100_000;
export const EVENTS_PER_SEC = 10_000;
export const EVENTS_P99_MS = 50;
export const EVENTS_P99_AT_RATE = 1_000;
export const RECONCILE_PAYMENTS_PER_SEC = 20_000;
/** p99 under 2× p50 at 70 % of the peak; the login storm raises checkout p99 by under 2×. */
export const P99_OVER_P50 = 2;
export const STORM_P99_RAISE = 2;

export const FIRST_START_SECONDS = 5;
export const REOPEN_SECONDS = 2;
export const IDLE_RSS_PGLITE_MB = 300;
export const IDLE_RSS_POSTGRES_MB = 150;
