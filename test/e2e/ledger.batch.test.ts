import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedgerModule } from '../../src/modules/ledger/ledger.module.js';
import {
  type LedgerService,
  MAX_BATCH_TRANSACTIONS,
  type PostInput,
} from '../../src/modules/ledger/ledger.service.js';
import { uuidArray } from '../../src/platform/db/array-parameter.js';
import { testDatabase } from '../helpers/services.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const clearing = { kind: 'gateway_clearing' as const, currency: 'IDR' };
const fees = { kind: 'platform_fees' as const, currency: 'IDR' };
const wallet = (ownerId: string) => ({ kind: 'user_wallet' as const, ownerId, currency: 'IDR' });

const LEDGER_TABLES = ['ledger_transactions', 'ledger_accounts', 'ledger_account_shards'] as const;

const topUp = (owner: string, amountMinor: bigint, reference: string): PostInput => ({
  kind: 'top_up',
  reference,
  currency: 'IDR',
  entries: [
    { account: clearing, direction: 'debit', amountMinor },
    { account: wallet(owner), direction: 'credit', amountMinor },
  ],
});
const purchase = (
  buyer: string,
  seller: string,
  amountMinor: bigint,
  feeMinor: bigint,
  reference: string,
): PostInput => ({
  kind: 'purchase',
  reference,
  currency: 'IDR',
  entries: [
    { account: wallet(buyer), direction: 'debit', amountMinor },
    { account: wallet(seller), direction: 'credit', amountMinor: amountMinor - feeMinor },
    { account: fees, direction: 'credit', amountMinor: feeMinor },
  ],
});

/** Each owner gets `tops` top-ups of 1,000 and then spends 900 (fee 9) `buys` times at the seller. */
const shoppingBatch = (owners: readonly string[], seller: string, prefix: string, tops = 5, buys = 5) =>
  owners.flatMap((owner, i) => [
    ...Array.from({ length: tops }, (_, n) => topUp(owner, 1_000n, `${prefix}-${i}-top-${n}`)),
    ...Array.from({ length: buys }, (_, n) => purchase(owner, seller, 900n, 9n, `${prefix}-${i}-buy-${n}`)),
  ]);

const inTransaction = <T>(t: TestDatabase, fn: (trx: Transaction<object>) => Promise<T>) =>
  t.database.db.transaction().execute(fn);

const rowCounts = async (t: TestDatabase) => {
  const { rows } = await sql<{ accounts: bigint; transactions: bigint; entries: bigint }>`
    SELECT (SELECT count(*) FROM ledger_accounts) AS accounts,
      (SELECT count(*) FROM ledger_transactions) AS transactions,
      (SELECT count(*) FROM ledger_entries) AS entries`.execute(t.database.db);
  return rows[0]!;
};

/** Each wallet's posted balance as the sum of its entries, by owner. */
const walletSums = async (t: TestDatabase, owners: readonly string[]) => {
  const { rows } = await sql<{ owner_id: string; net: string }>`
    SELECT a.owner_id, sum(CASE e.direction WHEN 'credit' THEN e.amount ELSE -e.amount END)::text AS net
    FROM ledger_accounts a JOIN ledger_entries e ON e.account_id = a.id
    WHERE a.kind = 'user_wallet' AND a.owner_id = ANY(${owners}::uuid[])
    GROUP BY a.owner_id`.execute(t.database.db);
  return new Map(rows.map((row) => [row.owner_id, BigInt(row.net)]));
};

describe('ledger batches', () => {
  let t: TestDatabase;
  let ledger: LedgerService;
  const postBatch = (inputs: PostInput[]) => inTransaction(t, (trx) => ledger.postBatch(trx, inputs));
  const available = async (owner: string) => (await ledger.wallets(owner))[0]?.available;

  beforeAll(async () => {
    t = await createTestDatabase();
    ledger = createLedgerModule({ db: t.database.db }).ledger;
  });
  afterAll(() => t.drop());

  it('posts 5,000 transactions in one batch, every balance the sum of its entries, and skips them all when posted again', async () => {
    const owners = Array.from({ length: 500 }, () => randomUUID());
    const seller = randomUUID();
    const batch = shoppingBatch(owners, seller, randomUUID());
    expect(batch).toHaveLength(MAX_BATCH_TRANSACTIONS);
    const before = await rowCounts(t);

    const first = await postBatch(batch);
    expect(first).toMatchObject({ posted: 5_000, skipped: 0, rejected: 0 });
    expect(first.results.map((r) => [r.index, r.status])).toEqual(batch.map((_, i) => [i, 'posted']));
    const after = await rowCounts(t);
    expect(after.transactions - before.transactions).toBe(5_000n);
    expect(after.entries - before.entries).toBe(2_500n * 2n + 2_500n * 3n);
    expect(await available(owners[42]!)).toBe(500n);
    expect(await available(seller)).toBe(2_500n * 891n);
    const sums = await walletSums(t, [...owners, seller]);
    for (const owner of [...owners, seller])
      expect((await ledger.wallets(owner))[0]!.posted).toBe(sums.get(owner));
    expect(await ledger.check()).toMatchObject({ ok: true, violations: [] });

    const again = await postBatch(batch);
    expect(again).toMatchObject({ posted: 0, skipped: 5_000, rejected: 0 });
    // Each skipped item names the transaction posted the first time.
    expect(again.results).toEqual(first.results.map((r) => ({ ...r, status: 'skipped' })));
    expect(await rowCounts(t)).toEqual(after);
  });

  it('writes a batch too large for one statement in several, each entry with its own transaction', async () => {
    // 4,001 transactions of 5 entries: 20,005 entries, over one statement's 20,000.
    const owners = Array.from({ length: 4 }, () => randomUUID());
    const prefix = randomUUID();
    const batch: PostInput[] = Array.from({ length: 4_001 }, (_, i) => ({
      kind: 'split_payout',
      reference: `${prefix}-${i}`,
      currency: 'IDR',
      entries: [
        { account: clearing, direction: 'debit', amountMinor: BigInt(4 * (i + 1)) },
        ...owners.map((owner) => ({
          account: wallet(owner),
          direction: 'credit' as const,
          amountMinor: BigInt(i + 1),
        })),
      ],
    }));
    const result = await postBatch(batch);
    expect(result).toMatchObject({ posted: 4_001, rejected: 0 });
    // Every transaction holds exactly its own five entries, whichever statement wrote them.
    const { rows } = await sql<{ reference: string; entries: number; debited: string; credited: string }>`
      SELECT t.reference, count(*)::int AS entries,
        sum(e.amount) FILTER (WHERE e.direction = 'debit')::text AS debited,
        sum(e.amount) FILTER (WHERE e.direction = 'credit')::text AS credited
      FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_id = t.id
      WHERE t.kind = 'split_payout' AND t.reference LIKE ${`${prefix}-%`}
      GROUP BY t.reference`.execute(t.database.db);
    expect(rows).toHaveLength(4_001);
    const wrong = rows.filter((row) => {
      const amount = 4n * (BigInt(row.reference.slice(prefix.length + 1)) + 1n);
      return row.entries !== 5 || BigInt(row.debited) !== amount || BigInt(row.credited) !== amount;
    });
    expect(wrong).toEqual([]);
    expect(await available(owners[0]!)).toBe((4_001n * 4_002n) / 2n);
  });

  it('reads no reference of a batch whose references are all new, and skips those taken among new ones', async () => {
    const owner = randomUUID();
    const prefix = randomUUID();
    const topUps = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => topUp(owner, 1n, `${prefix}-${from + i}`));
    // Index scans of the references' unique index by the batch's own transaction (the
    // insert's uniqueness check is not one).
    const posted = (inputs: PostInput[]) =>
      inTransaction(t, async (trx) => {
        const scans = async () => {
          const { rows } = await sql<{ n: string }>`
            SELECT pg_stat_get_xact_numscans('ledger_transactions_reference_key'::regclass)::text AS n`.execute(
            trx,
          );
          return Number(rows[0]!.n);
        };
        const before = await scans();
        const result = await ledger.postBatch(trx, inputs);
        return { result, probes: (await scans()) - before };
      });
    const fresh = await posted(topUps(0, 10));
    expect(fresh).toMatchObject({ result: { posted: 10, skipped: 0 }, probes: 0 });
    const before = await rowCounts(t);
    const mixed = await posted(topUps(5, 15));
    expect(mixed.result).toMatchObject({ posted: 5, skipped: 5, rejected: 0 });
    expect(mixed.probes).toBeGreaterThan(0);
    // Only the five new ones were written: nothing of the first attempt is left.
    expect((await rowCounts(t)).transactions - before.transactions).toBe(5n);
    expect(mixed.result.results.slice(0, 5)).toEqual(
      fresh.result.results.slice(5).map((r, i) => ({ ...r, index: i, status: 'skipped' })),
    );
    expect(await available(owner)).toBe(15n);
    expect(await ledger.check()).toMatchObject({ ok: true, violations: [] });
  });

  it('writes a batch of new references without a savepoint, and fails the whole transaction if one was taken after all', async () => {
    const owner = randomUUID();
    const prefix = randomUUID();
    const topUps = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => topUp(owner, 1n, `${prefix}-${from + i}`));
    const fresh = await inTransaction(t, (trx) =>
      ledger.postBatch(trx, topUps(0, 3), { newReferences: true }),
    );
    expect(fresh).toMatchObject({ posted: 3, skipped: 0, rejected: 0 });
    expect(await available(owner)).toBe(3n);
    const before = await rowCounts(t);
    // Two new references and one taken: not skipped, as without the promise, but the
    // transaction fails, at the latest at the statement after the batch.
    const attempt = inTransaction(t, async (trx) => {
      await ledger.postBatch(trx, topUps(2, 5), { newReferences: true });
      await sql`SELECT 1`.execute(trx);
    });
    await expect(attempt).rejects.toMatchObject({ code: '23505' });
    expect(await rowCounts(t)).toEqual(before);
    expect(await available(owner)).toBe(3n);
    expect(await ledger.check()).toMatchObject({ ok: true, violations: [] });
  });

  it('locks every wallet of the buyers ahead, in any currency, and decides the batch on the balances it read', async () => {
    const [rich, poor, walletless, seller] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const usd = { kind: 'user_wallet' as const, ownerId: rich, currency: 'USD' };
    const usdTopUp: PostInput = {
      kind: 'top_up',
      reference: randomUUID(),
      currency: 'USD',
      entries: [
        { account: { kind: 'gateway_clearing', currency: 'USD' }, direction: 'debit', amountMinor: 5n },
        { account: usd, direction: 'credit', amountMinor: 5n },
      ],
    };
    // Top-ups credit through shards: the lock must fold them in to see the balances.
    await postBatch([topUp(rich, 100n, randomUUID()), topUp(poor, 50n, randomUUID()), usdTopUp]);
    const heldElsewhere = async (owner: string) => {
      if (testDatabase() !== 'postgres') return undefined;
      // Another connection, which must not get the rows while the batch's transaction holds them.
      return inTransaction(t, async (other) => {
        const { rows } = await sql<{ held: boolean }>`
          SELECT count(*) = 0 AS held FROM (
            SELECT id FROM ledger_accounts WHERE kind = 'user_wallet' AND owner_id = ${owner}::uuid
            FOR NO KEY UPDATE SKIP LOCKED) free`.execute(other);
        return rows[0]!.held;
      });
    };
    const result = await inTransaction(t, async (trx) => {
      const locked = await ledger.lockWalletsAhead(trx, [rich, poor, walletless, rich]);
      await sql`SELECT 1`.execute(trx);
      if (testDatabase() === 'postgres') {
        expect(await heldElsewhere(rich)).toBe(true);
        expect(await heldElsewhere(poor)).toBe(true);
      }
      // Both of the rich buyer's wallets and the poor one's; the walletless buyer has none.
      expect((await locked()).size).toBe(3);
      return ledger.postBatch(
        trx,
        [
          purchase(rich, seller, 80n, 2n, randomUUID()),
          purchase(poor, seller, 60n, 2n, randomUUID()),
          purchase(walletless, seller, 2n, 1n, randomUUID()),
          purchase(rich, seller, 21n, 1n, randomUUID()),
        ],
        { newReferences: true, locked },
      );
    });
    expect(result.results.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual([
      'posted',
      'insufficient_funds',
      'insufficient_funds',
      'insufficient_funds',
    ]);
    const idr = async (owner: string) =>
      (await ledger.wallets(owner)).find((w) => w.currency === 'IDR')?.available;
    expect(await idr(rich)).toBe(20n);
    expect(await available(poor)).toBe(50n);
    expect(await available(seller)).toBe(78n);
    expect((await ledger.wallets(rich)).find((w) => w.currency === 'USD')?.available).toBe(5n);
    if (testDatabase() === 'postgres') expect(await heldElsewhere(rich)).toBe(false);
    expect(await ledger.check()).toMatchObject({ ok: true, violations: [] });
  });

  // PGlite has one connection: nothing runs side by side there.
  it.skipIf(testDatabase() !== 'postgres')(
    'skips a reference another batch is posting at the same moment, once that one commits',
    async () => {
      const owners = Array.from({ length: 5 }, () => randomUUID());
      const prefix = randomUUID();
      await postBatch(owners.map((owner, i) => topUp(owner, 1n, `${prefix}-open-${i}`)));
      // Top-ups lock no account: only the references' unique index sets the two apart.
      const shared = owners.map((owner, i) => topUp(owner, 10n, `${prefix}-shared-${i}`));
      let commitFirst!: () => void;
      const firstMayCommit = new Promise<void>((resolve) => (commitFirst = resolve));
      let firstPosted!: () => void;
      const firstHasPosted = new Promise<void>((resolve) => (firstPosted = resolve));
      const first = inTransaction(t, async (trx) => {
        const result = await ledger.postBatch(trx, shared);
        firstPosted();
        await firstMayCommit;
        return result;
      });
      await firstHasPosted;
      const second = postBatch([...shared, topUp(owners[0]!, 1n, `${prefix}-own`)]);
      // The second waits on the first's uncommitted references until it commits.
      await new Promise((resolve) => setTimeout(resolve, 200));
      commitFirst();
      const [a, b] = await Promise.all([first, second]);
      expect(a).toMatchObject({ posted: 5, skipped: 0 });
      expect(b).toMatchObject({ posted: 1, skipped: 5, rejected: 0 });
      expect(b.results.slice(0, 5)).toEqual(a.results.map((r) => ({ ...r, status: 'skipped' })));
      expect(await available(owners[0]!)).toBe(12n);
    },
  );

  it('stores kinds and references exactly as given, whatever characters they hold, and finds them taken again', async () => {
    const owner = randomUUID();
    const awkward = ['a,b', '{braces}', 'say "hi"', 'back\\slash', 'NULL', ' padded ', 'ünï©ødé ✓', "it's"];
    const batch = awkward.map((text, i) => ({
      ...topUp(owner, 1n, `${text}:${owner}`),
      kind: `k ${text} ${i}`,
    }));
    expect(await postBatch(batch)).toMatchObject({ posted: awkward.length });
    const { rows } = await sql<{ kind: string; reference: string }>`
      SELECT kind, reference FROM ledger_transactions
      WHERE reference = ANY(${batch.map((b) => b.reference)}::text[])`.execute(t.database.db);
    expect(rows.map((r) => [r.kind, r.reference]).sort()).toEqual(
      batch.map((b) => [b.kind, b.reference]).sort(),
    );
    expect(await postBatch(batch)).toMatchObject({ posted: 0, skipped: awkward.length });
  });

  it('rejects an unbalanced and an overdrawing transaction with their codes and posts the others', async () => {
    const [buyer, seller] = [randomUUID(), randomUUID()];
    const unbalanced = topUp(buyer, 100n, randomUUID());
    unbalanced.entries[1]!.amountMinor = 99n;
    const batch = [
      purchase(buyer, seller, 50n, 1n, randomUUID()), // before the top-up that would pay for it
      topUp(buyer, 100n, randomUUID()),
      unbalanced,
      purchase(buyer, seller, 60n, 1n, randomUUID()),
      purchase(buyer, seller, 41n, 1n, randomUUID()), // 40 left
      purchase(buyer, seller, 40n, 1n, randomUUID()),
    ];
    const before = await rowCounts(t);
    const result = await postBatch(batch);
    expect(result).toMatchObject({ posted: 3, skipped: 0, rejected: 3 });
    expect(result.results.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual([
      'insufficient_funds',
      'posted',
      'unbalanced_transaction',
      'posted',
      'insufficient_funds',
      'posted',
    ]);
    const after = await rowCounts(t);
    expect(after.transactions - before.transactions).toBe(3n);
    expect(after.entries - before.entries).toBe(2n + 3n + 3n);
    expect(await available(buyer)).toBe(0n);
    expect(await available(seller)).toBe(59n + 39n);

    // Posted again: the posted ones are skipped, the refused ones refused again, nothing moves.
    const again = await postBatch(batch);
    expect(again.results.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual([
      'insufficient_funds',
      'skipped',
      'unbalanced_transaction',
      'skipped',
      'insufficient_funds',
      'skipped',
    ]);
    expect(await rowCounts(t)).toEqual(after);
    expect(await ledger.check()).toMatchObject({ ok: true });
  });

  it('rejects an item naming an invalid account without creating any account for it', async () => {
    const owner = randomUUID();
    await postBatch([topUp(randomUUID(), 1n, randomUUID())]); // the clearing account exists
    const before = await rowCounts(t);
    const result = await postBatch([topUp('not-a-uuid', 5n, randomUUID()), topUp(owner, 5n, randomUUID())]);
    expect(result.results[0]).toMatchObject({ status: 'rejected', code: 'invalid_ledger_account' });
    expect(result.results[1]).toMatchObject({ status: 'posted' });
    // Only the valid item's wallet is new.
    expect((await rowCounts(t)).accounts - before.accounts).toBe(1n);
  });

  it('posts two batches on the same accounts at once, each reference once, with exact balances', async () => {
    if (t.database.kind === 'postgres') {
      // Open connections up front, so the two batches really overlap.
      await Promise.all(Array.from({ length: 4 }, () => sql`SELECT pg_sleep(0.02)`.execute(t.database.db)));
    }
    const owners = Array.from({ length: 200 }, () => randomUUID());
    const seller = randomUUID();
    const before = await rowCounts(t);
    // Round 0 creates the wallets as both batches race to use them; round 1 finds them all.
    for (const round of [0, 1]) {
      const shared = shoppingBatch(owners.slice(0, 20), seller, `shared-${round}-${seller}`, 1, 1);
      const a = [...shoppingBatch(owners, seller, `a-${round}-${seller}`, 2, 1), ...shared];
      const b = [...shared, ...shoppingBatch(owners, seller, `b-${round}-${seller}`, 2, 1)];
      const [ra, rb] = await Promise.all([postBatch(a), postBatch(b)]);
      expect(ra.rejected + rb.rejected).toBe(0);
      // Whichever locked the accounts second found the shared references taken.
      expect(ra.posted + rb.posted).toBe(a.length + b.length - shared.length);
      expect(ra.skipped + rb.skipped).toBe(shared.length);
    }
    const after = await rowCounts(t);
    expect(after.transactions - before.transactions).toBe(2n * BigInt(2 * (200 * 3) + 20 * 2));
    for (const [i, owner] of owners.entries()) expect(await available(owner)).toBe(i < 20 ? 4_600n : 4_400n);
    expect(await available(seller)).toBe(2n * BigInt(2 * 200 + 20) * 891n);
    expect(await ledger.check()).toMatchObject({ ok: true, violations: [] });
  });

  // PGlite has one connection: nothing runs side by side there.
  it.skipIf(testDatabase() !== 'postgres')(
    'credits wallets from the clearing account without locking either row, in batches that run side by side',
    async () => {
      const owners = Array.from({ length: 50 }, () => randomUUID());
      const prefix = randomUUID();
      await postBatch(owners.map((owner, i) => topUp(owner, 1_000n, `${prefix}-open-${i}`)));
      // Another transaction holds the rows of the clearing account and of every wallet, as a
      // debit of each would, and a batch of top-ups is posted meanwhile: it must not wait.
      const { rows: held } = await sql<{ id: string }>`
      SELECT id FROM ledger_accounts
      WHERE (kind = 'user_wallet' AND owner_id = ANY(${owners}::uuid[]))
        OR (kind = 'gateway_clearing' AND currency = 'IDR')`.execute(t.database.db);
      expect(held).toHaveLength(owners.length + 1);
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const holder = inTransaction(t, async (trx) => {
        await sql`SELECT 1 FROM ledger_accounts WHERE id = ANY(${held.map((r) => r.id)}::uuid[])
        ORDER BY id FOR NO KEY UPDATE`.execute(trx);
        locked();
        await released;
      });
      try {
        await isLocked;
        const batches = [0, 1, 2].map((n) =>
          owners.map((owner, i) => topUp(owner, 10n, `${prefix}-${n}-${i}`)),
        );
        const results = await Promise.all(
          batches.map((batch) =>
            inTransaction(t, async (trx) => {
              await sql`SET LOCAL lock_timeout = '5s'`.execute(trx);
              return ledger.postBatch(trx, batch);
            }),
          ),
        );
        expect(results.map((r) => r.posted)).toEqual([50, 50, 50]);
      } finally {
        release();
        await holder;
      }
      // The credits are in the balances, and a debit (which locks the row and folds the
      // shards into it) can spend all of them and no more.
      expect(await available(owners[7]!)).toBe(1_030n);
      await inTransaction(t, (trx) =>
        ledger.post(trx, purchase(owners[7]!, randomUUID(), 1_030n, 1n, `${prefix}-buy`)),
      );
      await expect(
        inTransaction(t, (trx) =>
          ledger.post(trx, purchase(owners[7]!, randomUUID(), 2n, 1n, `${prefix}-buy-2`)),
        ),
      ).rejects.toMatchObject({ code: 'insufficient_funds' });
      expect(await available(owners[7]!)).toBe(0n);
      expect(await ledger.check()).toMatchObject({ ok: true, violations: [] });
    },
  );

  it('credits wallets it opens through a shard, leaving their rows untouched, as it does for wallets that exist', async () => {
    const owners = [randomUUID(), randomUUID(), randomUUID()];
    const prefix = randomUUID();
    // First batch: the wallets do not exist yet and are created on the way.
    await postBatch(owners.map((owner, i) => topUp(owner, 100n + BigInt(i), `${prefix}-open-${i}`)));
    // Second: they exist.
    await postBatch(owners.map((owner, i) => topUp(owner, 10n, `${prefix}-again-${i}`)));
    const { rows } = await sql<{ owner_id: string; row_credits: bigint; shard_credits: bigint }>`
      SELECT a.owner_id, a.posted_credits AS row_credits,
        (SELECT coalesce(sum(s.posted_credits), 0)::bigint FROM ledger_account_shards s WHERE s.account_id = a.id) AS shard_credits
      FROM ledger_accounts a
      WHERE a.kind = 'user_wallet' AND a.owner_id = ANY(${owners}::uuid[])`.execute(t.database.db);
    expect(rows.map((r) => [r.owner_id, r.row_credits, r.shard_credits]).sort()).toEqual(
      owners.map((owner, i) => [owner, 0n, 110n + BigInt(i)]).sort(),
    );
    expect(await ledger.check()).toMatchObject({ ok: true, violations: [] });
  });

  it('lets a debit spend what a batch credited to the wallet, and never more', async () => {
    const owner = randomUUID();
    const prefix = randomUUID();
    const credits = Array.from({ length: 20 }, (_, i) => topUp(owner, 50n, `${prefix}-${i}`));
    expect(await postBatch(credits)).toMatchObject({ posted: 20 });
    const spend = (amount: bigint, reference: string) =>
      postBatch([purchase(owner, randomUUID(), amount, 1n, reference)]);
    expect(await spend(1_001n, `${prefix}-too-much`)).toMatchObject({
      posted: 0,
      results: [{ status: 'rejected', code: 'insufficient_funds' }],
    });
    expect(await spend(1_000n, `${prefix}-all`)).toMatchObject({ posted: 1, rejected: 0 });
    expect(await available(owner)).toBe(0n);
    expect(await ledger.check()).toMatchObject({ ok: true, violations: [] });
  });

  it('refuses a batch above the limit or naming a reference twice, writing nothing', async () => {
    const owner = randomUUID();
    const before = await rowCounts(t);
    const tooLarge = Array.from({ length: MAX_BATCH_TRANSACTIONS + 1 }, () => topUp(owner, 1n, randomUUID()));
    await expect(postBatch(tooLarge)).rejects.toMatchObject({ kind: 'invalid', code: 'batch_too_large' });
    const twice = [topUp(owner, 1n, `dup-${owner}`), topUp(randomUUID(), 2n, `dup-${owner}`)];
    await expect(postBatch(twice)).rejects.toMatchObject({ kind: 'invalid', code: 'duplicate_reference' });
    expect(await rowCounts(t)).toEqual(before);
    expect(await ledger.wallets(owner)).toEqual([]);
  });

  it('keeps every entry pointing at a real account and transaction, checked once per statement', async () => {
    const owner = randomUUID();
    const posted = await postBatch([topUp(owner, 10n, randomUUID())]);
    const { transactionId } = posted.results[0] as { transactionId: string };
    const { rows } = await sql<{ id: string }>`
      SELECT id FROM ledger_accounts WHERE kind = 'user_wallet' AND owner_id = ${owner}::uuid`.execute(
      t.database.db,
    );
    const accountId = rows[0]!.id;
    const insertEntry = (tx: string, acc: string) =>
      sql`INSERT INTO ledger_entries (transaction_id, account_id, direction, amount)
        VALUES (${tx}::uuid, ${acc}::uuid, 'debit', 1)`.execute(t.database.db);
    await expect(insertEntry(transactionId, randomUUID())).rejects.toMatchObject({ code: '23503' });
    await expect(insertEntry(randomUUID(), accountId)).rejects.toMatchObject({ code: '23503' });
    // Within a statement of many rows, one missing id among existing (and repeated) ones is
    // enough; a statement that inserts no row passes.
    const insertEntries = (pairs: readonly (readonly [string, string])[]) =>
      sql`INSERT INTO ledger_entries (transaction_id, account_id, direction, amount)
        SELECT tx, acc, 'debit', 1
        FROM unnest(${uuidArray(pairs.map(([tx]) => tx))}::uuid[], ${uuidArray(pairs.map(([, acc]) => acc))}::uuid[]) AS p(tx, acc)`.execute(
        t.database.db,
      );
    const before = await rowCounts(t);
    await expect(
      insertEntries([
        [transactionId, accountId],
        [transactionId, accountId],
        [transactionId, randomUUID()],
      ]),
    ).rejects.toMatchObject({ code: '23503', message: expect.stringMatching(/names an account/) });
    await expect(
      insertEntries([
        [transactionId, accountId],
        [randomUUID(), accountId],
        [transactionId, accountId],
      ]),
    ).rejects.toMatchObject({ code: '23503', message: expect.stringMatching(/names a transaction/) });
    await insertEntries([]);
    expect(await rowCounts(t)).toEqual(before);
    await expect(
      sql`DELETE FROM ledger_accounts WHERE id = ${accountId}::uuid`.execute(t.database.db),
    ).rejects.toMatchObject({ code: '23001' });
    await expect(
      sql`UPDATE ledger_accounts SET id = ${randomUUID()}::uuid WHERE id = ${accountId}::uuid`.execute(
        t.database.db,
      ),
    ).rejects.toMatchObject({ code: '23001' });
    await expect(sql`TRUNCATE ledger_accounts CASCADE`.execute(t.database.db)).rejects.toThrow(
      /never truncated/,
    );
    // Nor does an account's identity change: a process may remember the id it names.
    for (const change of [
      sql`kind = 'platform_fees'`,
      sql`owner_id = ${randomUUID()}::uuid`,
      sql`currency = 'KES'`,
      sql`no_overdraft = false`,
    ])
      await expect(
        sql`UPDATE ledger_accounts SET ${change} WHERE id = ${accountId}::uuid`.execute(t.database.db),
      ).rejects.toMatchObject({ code: '23001' });
    // Accounts are permanent, even one nothing points at yet: that is what lets new entries
    // check their accounts without locking them.
    const { rows: spare } = await sql<{ id: string }>`
      INSERT INTO ledger_accounts (kind, currency, no_overdraft) VALUES ('platform_fees', 'KES', false)
      RETURNING id`.execute(t.database.db);
    await expect(
      sql`DELETE FROM ledger_accounts WHERE id = ${spare[0]!.id}::uuid`.execute(t.database.db),
    ).rejects.toThrow(/ledger accounts are permanent/);
    expect(await ledger.check()).toMatchObject({ ok: true });
  });

  it('finds references, accounts and shards and checks new entries by index, never reading a whole ledger table', async () => {
    // Tables of thousands of transactions and tens of thousands of accounts with shard rows,
    // with statistics, as the planner sees a live ledger. The extra accounts and shards hold
    // nothing, so every balance still equals its entries.
    await postBatch(
      shoppingBatch(
        Array.from({ length: 300 }, () => randomUUID()),
        randomUUID(),
        randomUUID(),
      ),
    );
    const db = t.database.db;
    await sql`
      INSERT INTO ledger_accounts (kind, owner_id, currency, no_overdraft)
      SELECT 'user_wallet', gen_random_uuid(), 'IDR', true FROM generate_series(1, 50000)`.execute(db);
    await sql`
      INSERT INTO ledger_account_shards (account_id, shard)
      SELECT id, shard FROM ledger_accounts, generate_series(0, 3) shard WHERE kind = 'user_wallet'
      ON CONFLICT DO NOTHING`.execute(db);
    for (const table of LEDGER_TABLES) await sql`ANALYZE ${sql.table(table)}`.execute(db);
    const owners = Array.from({ length: 1_000 }, () => randomUUID());
    const prefix = randomUUID();
    await postBatch(owners.slice(0, 10).map((owner, i) => topUp(owner, 100n, `${prefix}-${i}`)));
    // Whole-table reads, as counted for this backend: the view also holds counts of earlier
    // transactions not yet flushed, so the batch's own are the difference.
    const seqScans = async (trx: Transaction<object>) => {
      const { rows } = await sql<{ relname: string; seq_scan: bigint }>`
        SELECT relname, seq_scan FROM pg_stat_xact_user_tables
        WHERE relname = ANY(${[...LEDGER_TABLES]}::text[])`.execute(trx);
      return new Map(rows.map((row) => [row.relname, Number(row.seq_scan)]));
    };
    const { result, scans } = await inTransaction(t, async (trx) => {
      const before = await seqScans(trx);
      const result = await ledger.postBatch(
        trx,
        owners.map((owner, i) => topUp(owner, 100n, `${prefix}-${i}`)),
      );
      const after = await seqScans(trx);
      return {
        result,
        scans: Object.fromEntries(
          LEDGER_TABLES.map((table) => [table, after.get(table)! - before.get(table)!]),
        ),
      };
    });
    expect(result).toMatchObject({ posted: 990, skipped: 10, rejected: 0 });
    expect(scans).toEqual(Object.fromEntries(LEDGER_TABLES.map((table) => [table, 0])));
  });

  it('remembers accounts committed before its transaction and does not look them up again', async () => {
    const owners = Array.from({ length: 20 }, () => randomUUID());
    const batch = () => owners.map((owner) => topUp(owner, 5n, randomUUID()));
    await postBatch(batch());
    // The statements of one batch's transaction, counted as Kysely sends them.
    let statements = 0;
    const counted = t.database.db.withPlugin({
      transformQuery: ({ node }) => (statements++, node),
      transformResult: ({ result }) => Promise.resolve(result),
    });
    const statementsOf = async (service: LedgerService) => {
      statements = 0;
      const result = await counted.transaction().execute((trx) => service.postBatch(trx, batch()));
      expect(result).toMatchObject({ posted: owners.length });
      return statements;
    };
    // A new process reads the 21 accounts once; then it knows them.
    const fresh = createLedgerModule({ db: t.database.db }).ledger;
    const first = await statementsOf(fresh);
    const second = await statementsOf(fresh);
    expect(first - second).toBe(1);
    expect(await available(owners[0]!)).toBe(15n);
  });

  it('never remembers an account its own transaction opened, which may still roll back', async () => {
    const owners = Array.from({ length: 5 }, () => randomUUID());
    const batch = () => owners.map((owner) => topUp(owner, 7n, randomUUID()));
    const rollback = new Error('rolled back');
    await expect(
      inTransaction(t, async (trx) => {
        // The first opens the wallets; the second finds them, made by this transaction.
        await ledger.postBatch(trx, batch());
        await ledger.postBatch(trx, batch());
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    // Remembered, their ids would name accounts that never committed.
    expect(await postBatch(batch())).toMatchObject({ posted: owners.length, rejected: 0 });
    expect(await available(owners[0]!)).toBe(7n);
    expect(await ledger.check()).toMatchObject({ ok: true });
  });

  it('answers an empty batch with nothing posted', async () => {
    expect(await postBatch([])).toEqual({ posted: 0, skipped: 0, rejected: 0, results: [] });
  });
});
