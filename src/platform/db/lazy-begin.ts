import type pg from 'pg';

// A transaction's BEGIN costs a round trip of its own, one of the checkout's nine, though
// nothing waits on its answer. pgjdbc has long sent it with the transaction's first
// statement; here the pg client runs in pipeline mode (`pipeline: true`, node-postgres'
// own), and a BEGIN is held back until the next statement, then written just before it:
// one round trip for both, answered in order. A transaction that ends before any statement
// sends nothing at all.

const BEGIN = /^\s*(?:begin|start\s+transaction)\b[^;]*;?\s*$/i;
const END = /^\s*(commit|end|rollback|abort)\s*;?\s*$/i;

type Query = (...args: unknown[]) => unknown;

/** What pg answers for a statement without rows, for the ones never sent. */
const noRows = (command: string) => ({ command, rowCount: null, oid: null, rows: [], fields: [] });

const isPlain = (args: unknown[]): args is [string] | [string, unknown[]] =>
  typeof args[0] === 'string' &&
  args.length <= 2 &&
  (args[1] === undefined || (Array.isArray(args[1]) && args[1].length === 0));

const held = new WeakMap<pg.ClientBase, string>();

/**
 * Makes `client` (one in pipeline mode) hold back BEGIN and START TRANSACTION until its
 * next statement. A COMMIT or ROLLBACK that follows a held BEGIN directly answers at once,
 * as PostgreSQL would, without a round trip. A query given a callback or a query object is
 * sent as it is, after the held BEGIN.
 */
export function holdBegins(client: pg.ClientBase): void {
  const send = client.query.bind(client) as Query;
  const query: Query = (...args) => {
    const begin = held.get(client);
    if (begin === undefined) {
      if (!isPlain(args) || !BEGIN.test(args[0])) return send(...args);
      held.set(client, args[0]);
      return Promise.resolve(noRows('BEGIN'));
    }
    held.delete(client);
    const ended = isPlain(args) ? END.exec(args[0]) : null;
    if (ended) return Promise.resolve(noRows(/^(commit|end)$/i.test(ended[1]!) ? 'COMMIT' : 'ROLLBACK'));
    // Answered before the statement behind it; a broken connection fails both.
    (send(begin) as Promise<unknown>).catch(() => {});
    return send(...args);
  };
  (client as unknown as { query: Query }).query = query;
}

/** Forgets a BEGIN held when its client went back to the pool without ending the transaction. */
export function dropHeldBegin(client: pg.ClientBase): void {
  held.delete(client);
}
