import type pg from 'pg';

// Sent unnamed, as node-postgres sends every statement unless told otherwise, a statement is
// parsed, analysed and planned again on every run: a fifth of the machine's CPU in the
// marketplace checkout bench, more than the statements' own execution. pgjdbc (after five
// runs of a statement), pgx and postgres.js prepare what repeats on each connection; here a
// parameterised statement is named on its second run on a connection, then only bound and
// executed, and PostgreSQL keeps its plan (a generic one where that costs no more than
// planning each run, its own choice under plan_cache_mode). A connection names at most
// `max` statements and sends the rest unnamed; named statements live as long as the
// connection, and a rolled-back transaction keeps them.

/** DATABASE_STATEMENT_CACHE's default: statements named per connection. */
export const DEFAULT_STATEMENT_CACHE = 200;

/** What PostgreSQL answers when DDL changed the row type of a statement prepared before it. */
const RESULT_TYPE_CHANGED = /cached plan must not change result type/;

type Query = (...args: unknown[]) => unknown;

export interface StatementCacheOptions {
  /** Statements named per connection; 0 sends every statement unnamed. */
  max: number;
  /** Runs of a statement on a connection before it is named (pgjdbc's prepareThreshold). */
  prepareAfter?: number;
}

const isParameterised = (args: unknown[]): args is [string, unknown[]] =>
  args.length === 2 && typeof args[0] === 'string' && Array.isArray(args[1]) && args[1].length > 0;

/**
 * Makes `client` name each parameterised statement it runs repeatedly, so that PostgreSQL
 * parses it once per connection. Statements without parameters keep the simple protocol
 * (several statements in one text, as migrations send); a query given a callback or a
 * query object is sent as it is.
 */
export function prepareRepeatedStatements(client: pg.ClientBase, options: StatementCacheOptions): void {
  const { max, prepareAfter = 2 } = options;
  if (max <= 0) return;
  const send = client.query.bind(client) as Query;
  const names = new Map<string, string>();
  // Runs of statements not named yet; bounded, since most texts never come back.
  const runs = new Map<string, number>();
  let made = 0;
  const nameOf = (text: string): string | undefined => {
    const name = names.get(text);
    if (name !== undefined || names.size >= max) return name;
    const seen = (runs.get(text) ?? 0) + 1;
    if (seen < prepareAfter) {
      if (runs.size >= 4 * max) runs.clear();
      runs.set(text, seen);
      return undefined;
    }
    runs.delete(text);
    const fresh = `mamlaka_${(made++).toString(36)}`;
    names.set(text, fresh);
    return fresh;
  };
  const query: Query = (...args) => {
    if (!isParameterised(args)) return send(...args);
    const [text, values] = args;
    const name = nameOf(text);
    if (name === undefined) return send(text, values);
    return (send({ name, text, values }) as Promise<unknown>).catch((error: unknown) => {
      // The server keeps the stale statement under its name: the next run prepares the text
      // afresh under a new one (this run has failed, and with it its transaction).
      if (error instanceof Error && RESULT_TYPE_CHANGED.test(error.message)) names.delete(text);
      throw error;
    });
  };
  (client as unknown as { query: Query }).query = query;
}
