import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onCommit } from '../../src/platform/db/commit-watch.js';
import { withTransactionRetry } from '../../src/platform/db/retry.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/** What must follow only kept work (counting payments) runs after commit, once, or never. */
describe('onCommit', () => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDatabase();
  });

  afterAll(async () => {
    await t.drop();
  });

  it('runs a hook after its transaction commits, not before, and in the order registered', async () => {
    const ran: string[] = [];
    await t.database.db.transaction().execute(async (trx) => {
      await onCommit(trx, () => ran.push('first'));
      await sql`SELECT 1`.execute(trx);
      await onCommit(trx, () => ran.push('second'));
      expect(ran).toEqual([]);
    });
    expect(ran).toEqual(['first', 'second']);
  });

  it('never runs the hook of a transaction that rolled back, nor carries it into the next one', async () => {
    const ran: string[] = [];
    await expect(
      t.database.db.transaction().execute(async (trx) => {
        await onCommit(trx, () => ran.push('rolled back'));
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    // The next transaction on a connection starts with no hooks of the last one.
    for (let i = 0; i < 3; i++)
      await t.database.db.transaction().execute(async (trx) => sql`SELECT 1`.execute(trx));
    expect(ran).toEqual([]);
  });

  it('runs the hook once for a transaction retried after a serialization failure', async () => {
    const ran: number[] = [];
    let attempt = 0;
    await withTransactionRetry(() =>
      t.database.db.transaction().execute(async (trx) => {
        attempt += 1;
        const mine = attempt;
        await onCommit(trx, () => ran.push(mine));
        if (mine === 1) throw Object.assign(new Error('could not serialize access'), { code: '40001' });
      }),
    );
    expect(ran).toEqual([2]);
  });

  it('runs at once outside a transaction', async () => {
    const ran: string[] = [];
    await onCommit(t.database.db, () => ran.push('now'));
    expect(ran).toEqual(['now']);
  });

  it('does not fail a committed transaction when a hook throws, and runs the hooks after it', async () => {
    const ran: string[] = [];
    await t.database.db.transaction().execute(async (trx) => {
      await onCommit(trx, () => {
        throw new Error('hook failed');
      });
      await onCommit(trx, () => ran.push('after'));
    });
    expect(ran).toEqual(['after']);
  });
});
