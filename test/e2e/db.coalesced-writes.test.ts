import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { coalesceWrites } from '../../src/platform/db/coalesced-writes.js';
import { serviceUrl, testDatabase } from '../helpers/services.js';

type Write = (...args: unknown[]) => unknown;

/** A connected pipeline-mode client, as the platform's pool makes, and its socket's writes. */
async function connect(coalesce: boolean) {
  const client = new pg.Client({
    connectionString: serviceUrl('TEST_DATABASE_URL')!,
    pipeline: true,
  } as pg.ClientConfig);
  await client.connect();
  if (coalesce) coalesceWrites(client);
  const socket = (client as unknown as { connection: { stream: { _writev: Write; _write: Write } } })
    .connection.stream;
  const writes = { count: 0 };
  for (const method of ['_writev', '_write'] as const) {
    const original = socket[method].bind(socket);
    socket[method] = (...args: unknown[]) => {
      writes.count += 1;
      return original(...args);
    };
  }
  return { client, writes };
}

/**
 * What one piece of work sends without waiting for an answer leaves in one write
 * (coalesced-writes.ts); a statement that waits for its answer is never held back.
 */
describe.runIf(testDatabase() === 'postgres')('writes coalesced per turn of the event loop', () => {
  const clients: pg.Client[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.end();
  });

  const three = (client: pg.Client) =>
    Promise.all([
      client.query('SELECT $1::int AS n', [1]),
      client.query('SELECT $1::int AS n', [2]),
      client.query('SELECT $1::text AS n', ['three']),
    ]);

  it('sends statements queued together in one write, answered each in order', async () => {
    const { client, writes } = await connect(true);
    clients.push(client);
    const answers = await three(client);
    expect(answers.map((answer) => answer.rows[0].n)).toEqual([1, 2, 'three']);
    expect(writes.count).toBe(1);
  });

  it('gathers statements queued by the promise continuations of one piece of work', async () => {
    const { client, writes } = await connect(true);
    clients.push(client);
    const sent: Promise<pg.QueryResult>[] = [];
    // As a transaction's code does: each statement queued after an await that needs no I/O.
    await (async () => {
      sent.push(client.query('BEGIN'));
      await Promise.resolve();
      sent.push(client.query('SELECT $1::int AS n', [7]));
      await Promise.resolve().then(() => undefined);
      sent.push(client.query('COMMIT'));
    })();
    const answers = await Promise.all(sent);
    expect(answers[1]!.rows[0].n).toBe(7);
    expect(writes.count).toBe(1);
  });

  it('never holds back a statement whose answer is awaited before the next is sent', async () => {
    const { client, writes } = await connect(true);
    clients.push(client);
    for (let n = 0; n < 5; n++) expect((await client.query('SELECT $1::int AS n', [n])).rows[0].n).toBe(n);
    expect(writes.count).toBe(5);
  });

  it('without it, node-postgres writes every statement on its own', async () => {
    const { client, writes } = await connect(false);
    clients.push(client);
    await three(client);
    expect(writes.count).toBe(3);
  });

  it('passes a failure through to its statement and keeps the connection usable', async () => {
    const { client } = await connect(true);
    clients.push(client);
    const [bad, good] = await Promise.allSettled([
      client.query('SELECT $1::int / 0 AS n', [1]),
      client.query('SELECT $1::int AS n', [2]),
    ]);
    expect(bad.status).toBe('rejected');
    expect(good.status === 'fulfilled' && good.value.rows[0].n).toBe(2);
    expect((await client.query('SELECT $1::int AS n', [3])).rows[0].n).toBe(3);
  });
});
