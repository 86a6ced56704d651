import type { RefreshTokenRow } from './users.tables.js';

/**
 * What a refresh token that could not be spent means:
 * - `invalid`: unknown, or never used (expired, or revoked: by a logout, a disable, or a
 *   retry that replaced it); refused, and nothing else happens.
 * - `retry`: spent moments ago and nothing issued after it has been used, so most likely
 *   the client never received the answer (a reload while the refresh was in flight);
 *   the family's unused token is replaced by a new one.
 * - `reuse`: spent and presented again otherwise; it leaked, so the family is revoked.
 */
export type SpentRefreshVerdict = 'invalid' | 'retry' | 'reuse';

type TokenState = Pick<RefreshTokenRow, 'used_at' | 'revoked_at' | 'expires_at'>;

/**
 * Whether `token` was spent less than `graceMs` before `now` and may still be retried: not
 * revoked (a revoked family stays revoked) and not expired (an expired token buys nothing).
 * The grace counts from the first spend, so retries cannot stretch it.
 */
export function spentWithinGrace(token: TokenState, now: Date, graceMs: number): boolean {
  if (graceMs <= 0 || token.used_at === null || token.revoked_at !== null) return false;
  if (token.expires_at.getTime() <= now.getTime()) return false;
  return now.getTime() - token.used_at.getTime() < graceMs;
}

/**
 * Judges a refresh token presented but not spendable. `later` are the tokens of its family
 * issued after it: once any of them has been used, the client that holds the family has
 * moved on, and the old token in other hands is theft whatever the time.
 */
export function judgeSpentRefresh(
  token: TokenState | undefined,
  later: readonly Pick<RefreshTokenRow, 'used_at'>[],
  now: Date,
  graceMs: number,
): SpentRefreshVerdict {
  if (!token || token.used_at === null) return 'invalid';
  const retry = spentWithinGrace(token, now, graceMs) && later.every((next) => next.used_at === null);
  return retry ? 'retry' : 'reuse';
}
