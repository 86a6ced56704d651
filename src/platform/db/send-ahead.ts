import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';

// A transaction waits for every statement's answer before sending the next, even for a
// write whose answer nobody reads (an event appended to the outbox). Such a write can go
// out and let the next statement follow it at once: on PostgreSQL, whose client runs in
// pipeline mode, both are answered in one round trip. Its failure is not lost: the
// statement or COMMIT after it throws it, and a transaction whose write failed commits
// nothing, as PostgreSQL refuses everything after an error in a transaction.

const AHEAD = Symbol('sendAhead');
const ANSWER = Symbol('sendAhead.answer');

type AheadMarker = CompiledQuery & {
  [AHEAD]: true;
  /** Given the statement's answer when it was sent ahead (sendForLater). */
  [ANSWER]?: (answer: Promise<QueryResult<unknown>>) => void;
};

/**
 * Sends `query` inside the transaction `trx` without waiting for its answer. Needs a
 * database opened by this platform (its driver is a CommitWatchDriver); outside a
 * transaction the statement runs and is waited for like any other.
 */
export async function sendAhead(trx: Kysely<object>, query: Compilable | CompiledQuery): Promise<void> {
  const marker: AheadMarker = { ...('sql' in query ? query : query.compile()), [AHEAD]: true };
  await trx.executeQuery(marker);
}

/**
 * Sends `query` as sendAhead does, and hands back its answer to wait for later: a read
 * whose rows are needed only after other statements went out (a lock taken early) shares
 * their round trip. A failure is reported by the answer, and also by the statement sent
 * after it, as for sendAhead. Outside a transaction the answer is waited for at once.
 */
export async function sendForLater<R>(
  trx: Kysely<object>,
  query: CompiledQuery,
): Promise<{ answer: Promise<QueryResult<R>> }> {
  let answer: Promise<QueryResult<R>> | undefined;
  const marker: AheadMarker = {
    ...query,
    [AHEAD]: true,
    [ANSWER]: (sent) => (answer = sent as Promise<QueryResult<R>>),
  };
  const result = await trx.executeQuery<R>(marker);
  return { answer: answer ?? Promise.resolve(result) };
}

export const isSentAhead = (compiled: CompiledQuery): boolean =>
  (compiled as Partial<AheadMarker>)[AHEAD] === true;

/** Hands a statement sent ahead its answer, when its sender waits for it (sendForLater). */
export const handOver = (compiled: CompiledQuery, answer: Promise<QueryResult<unknown>>): void =>
  (compiled as Partial<AheadMarker>)[ANSWER]?.(answer);

const ignore = () => {};

/**
 * The answers of a connection's statements sent ahead and not yet waited for, in the order
 * they were sent.
 */
export class PendingAnswers {
  #answers: Promise<unknown>[] = [];

  add(answer: Promise<unknown>): void {
    // Waited for by whatever is sent next; a failure must not count as unhandled meanwhile.
    answer.catch(ignore);
    this.#answers.push(answer);
  }

  /**
   * `next`'s answer, once every answer before it has come: the first failure among those
   * is thrown instead of `next`'s outcome.
   */
  async before<T>(next: Promise<T>): Promise<T> {
    if (this.#answers.length === 0) return next;
    next.catch(ignore);
    const answers = this.#answers;
    this.#answers = [];
    for (const answer of answers) await answer;
    return next;
  }

  /** Waits for every answer, failed or not (a rollback does not report them). */
  async settle(): Promise<void> {
    const answers = this.#answers;
    this.#answers = [];
    await Promise.allSettled(answers);
  }
}
