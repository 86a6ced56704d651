import { type Kysely, sql } from 'kysely';

/** A queue row a sender claimed, with the attempt count it was claimed at. */
export interface Claim {
  id: string;
  attempts: number;
}

/**
 * Moves the lease of claimed rows of a queue table (id, status, attempts, next_attempt_at)
 * `leaseMs` ahead of now. Only rows still pending at the count they were claimed with
 * move: one whose attempt is recorded since, or that another sender took after the lease
 * ran out, is left alone. The caller names its own table.
 */
export async function extendClaims(
  db: Kysely<object>,
  table: string,
  claims: readonly Claim[],
  leaseMs: number,
): Promise<void> {
  if (claims.length === 0) return;
  await sql`
    UPDATE ${sql.table(table)} q
    SET next_attempt_at = now() + ${leaseMs} * interval '1 millisecond'
    FROM unnest(${claims.map((c) => c.id)}::uuid[], ${claims.map((c) => c.attempts)}::int[]) AS c(id, attempts)
    WHERE q.id = c.id AND q.status = 'pending' AND q.attempts = c.attempts`.execute(db);
}

/**
 * Runs `work` on a claimed batch while keeping the claim: every third of the lease,
 * `extend` moves it ahead again, until the work and the record of its outcomes are done.
 * A fixed lease is outlasted by a batch sent against a slow server (every send taking up
 * to its deadline), and another sender would then send the same rows again; the lease
 * only has to outlast a sender that died. Extensions never overlap, and one that fails
 * is reported and tried again at the next tick.
 */
export async function keepingClaim<T>(
  leaseMs: number,
  extend: () => Promise<unknown>,
  onError: (error: unknown) => void,
  work: () => Promise<T>,
): Promise<T> {
  let extending: Promise<void> | undefined;
  const timer = setInterval(
    () => {
      extending ??= extend()
        .then(
          () => undefined,
          (error: unknown) => onError(error),
        )
        .finally(() => {
          extending = undefined;
        });
    },
    Math.max(1, Math.floor(leaseMs / 3)),
  );
  timer.unref();
  try {
    return await work();
  } finally {
    clearInterval(timer);
    await extending;
  }
}
