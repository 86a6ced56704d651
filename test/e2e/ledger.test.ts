import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Kysely, sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLedgerModule } from '../../src/modules/ledger/ledger.module.js';
import { ledgerRoutes } from '../../src/modules/ledger/ledger.routes.js';
import type { EntryInput, LedgerService, PostInput } from '../../src/modules/ledger/ledger.service.js';
import { loadSigningKeyPem } from '../../src/platform/auth/signing-key.js';
import { AccessTokens } from '../../src/platform/auth/tokens.js';
import { RateLimits } from '../../src/platform/http/rate-limits.js';
import { createHttpApp } from '../../src/platform/http/server.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { allocateProportionally } from '../../src/platform/money.js';
import { testDatabase } from '../helpers/services.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const clearing = { kind: 'gateway_clearing' as const, currency: 'IDR' };
const fees = { kind: 'platform_fees' as const, currency: 'IDR' };
const wallet = (ownerId: string) => ({ kind: 'user_wallet' as const, ownerId, currency: 'IDR' });

const move = (from: EntryInput['account'], to: EntryInput['account'], amountMinor: bigint): EntryInput[] => [
  { account: from, direction: 'debit', amountMinor },
  { account: to, direction: 'credit', amountMinor },
];
const topUp = (owner: string, amountMinor: bigint, reference: string = randomUUID()): PostInput => ({
  kind: 'top_up',
  reference,
  currency: 'IDR',
  entries: move(clearing, wallet(owner), amountMinor),
});
/** A plain wallet-to-wallet transfer, the simplest thing to hold. */
const transfer = (
  from: string,
  to: string,
  amountMinor: bigint,
  reference: string = randomUUID(),
): PostInput => ({
  kind: 'transfer',
  reference,
  currency: 'IDR',
  entries: move(wallet(from), wallet(to), amountMinor),
});
const purchase = (
  buyer: string,
  seller: string,
  amountMinor: bigint,
  feeMinor: bigint,
  reference: string = randomUUID(),
): PostInput => ({
  kind: 'purchase',
  reference,
  currency: 'IDR',
  entries: [
    { account: wallet(buyer), direction: 'debit' as const, amountMinor },
    { account: wallet(seller), direction: 'credit' as const, amountMinor: amountMinor - feeMinor },
    // No fee, no fee entry: an entry is never zero.
    ...(feeMinor > 0n ? [{ account: fees, direction: 'credit' as const, amountMinor: feeMinor }] : []),
  ],
});

/** Runs `fn` in its own database transaction, as a calling module would. */
const inTransaction = <T>(t: TestDatabase, fn: (trx: Transaction<object>) => Promise<T>) =>
  t.database.db.transaction().execute(fn);

/** Opens the pool's connections up front, so the postings a test starts together really overlap. */
const openConnections = async (t: TestDatabase) => {
  if (t.database.kind !== 'postgres') return; // PGlite is one connection: its transactions take turns
  await Promise.all(Array.from({ length: 10 }, () => sql`SELECT pg_sleep(0.02)`.execute(t.database.db)));
};

const rowCounts = async (t: TestDatabase) => {
  const { rows } = await sql<{ accounts: bigint; transactions: bigint; entries: bigint }>`
    SELECT (SELECT count(*) FROM ledger_accounts) AS accounts,
      (SELECT count(*) FROM ledger_transactions) AS transactions,
      (SELECT count(*) FROM ledger_entries) AS entries`.execute(t.database.db);
  return rows[0]!;
};

// The fee account's row plus its shard rows (0025_ledger_account_shards.sql).
const feesBalance = async (t: TestDatabase) => {
  const { rows } = await sql<{ posted_credits: bigint }>`
    SELECT a.posted_credits + coalesce((SELECT sum(s.posted_credits) FROM ledger_account_shards s
      WHERE s.account_id = a.id), 0)::bigint AS posted_credits
    FROM ledger_accounts a WHERE kind = 'platform_fees' AND currency = 'IDR'`.execute(t.database.db);
  return rows[0]?.posted_credits ?? 0n;
};

describe('the ledger', () => {
  let t: TestDatabase;
  let ledger: LedgerService;
  const post = (input: PostInput) => inTransaction(t, (trx) => ledger.post(trx, input));
  const hold = (input: PostInput) => inTransaction(t, (trx) => ledger.hold(trx, input));
  const balance = async (owner: string) => (await ledger.wallets(owner))[0];

  beforeAll(async () => {
    t = await createTestDatabase();
    ledger = createLedgerModule({ db: t.database.db }).ledger;
  });
  afterAll(() => t.drop());

  it('credits a wallet with a top-up from gateway clearing, creating the accounts on first use', async () => {
    const buyer = randomUUID();
    expect(await ledger.wallets(buyer)).toEqual([]);
    const result = await post(topUp(buyer, 150_000n, 'midtrans-1'));
    expect(result.created).toBe(true);
    expect(await ledger.wallets(buyer)).toEqual([
      { currency: 'IDR', posted: 150_000n, pending: 0n, available: 150_000n },
    ]);
    expect(await ledger.transactionByReference('top_up', 'midtrans-1')).toEqual({
      id: result.transactionId,
      status: 'posted',
    });
  });

  it('keeps one wallet per currency for each user', async () => {
    const buyer = randomUUID();
    await post(topUp(buyer, 2_500n));
    await post({
      kind: 'top_up',
      reference: randomUUID(),
      currency: 'USD',
      entries: move({ ...clearing, currency: 'USD' }, { ...wallet(buyer), currency: 'USD' }, 1_250n),
    });
    expect(await ledger.wallets(buyer)).toEqual([
      { currency: 'IDR', posted: 2_500n, pending: 0n, available: 2_500n },
      { currency: 'USD', posted: 1_250n, pending: 0n, available: 1_250n },
    ]);
  });

  it('moves a purchase from the buyer to the seller and the platform fee in one balanced transaction', async () => {
    const [buyer, seller] = [randomUUID(), randomUUID()];
    const feesBefore = await feesBalance(t);
    await post(topUp(buyer, 100_000n));
    await post(purchase(buyer, seller, 40_000n, 1_000n));
    expect((await balance(buyer))!.available).toBe(60_000n);
    expect((await balance(seller))!.available).toBe(39_000n);
    expect((await feesBalance(t)) - feesBefore).toBe(1_000n);
  });

  it('answers a repeated posting with the first transaction and moves the money only once', async () => {
    const [buyer, seller] = [randomUUID(), randomUUID()];
    await post(topUp(buyer, 5_000n));
    const spendAll = purchase(buyer, seller, 5_000n, 0n, `order-${buyer}`);
    const first = await post(spendAll);
    const before = await rowCounts(t);
    // Replayed after the wallet is empty: still the first answer, not insufficient_funds.
    const again = await post(spendAll);
    expect(again).toEqual({ transactionId: first.transactionId, created: false });
    expect(await rowCounts(t)).toEqual(before);
    expect((await balance(buyer))!.available).toBe(0n);
    expect((await balance(seller))!.available).toBe(5_000n);
  });

  it('refuses a different posting under a reference already used', async () => {
    const buyer = randomUUID();
    await post(topUp(buyer, 500n, `ref-${buyer}`));
    await expect(post(topUp(buyer, 501n, `ref-${buyer}`))).rejects.toMatchObject({
      code: 'ledger_reference_reused',
    });
    await expect(hold(topUp(buyer, 500n, `ref-${buyer}`))).rejects.toMatchObject({
      code: 'ledger_reference_reused',
    });
  });

  it('refuses an unbalanced transaction and writes nothing, not even its accounts', async () => {
    const before = await rowCounts(t);
    const unbalanced = topUp(randomUUID(), 100n);
    unbalanced.entries[1]!.amountMinor = 99n;
    await expect(post(unbalanced)).rejects.toMatchObject({ kind: 'invalid', code: 'unbalanced_transaction' });
    const single = { ...topUp(randomUUID(), 100n), entries: topUp(randomUUID(), 100n).entries.slice(0, 1) };
    await expect(post(single)).rejects.toMatchObject({ code: 'unbalanced_transaction' });
    expect(await rowCounts(t)).toEqual(before);
  });

  it('refuses a purchase above the balance with insufficient_funds, writing nothing', async () => {
    const [buyer, seller] = [randomUUID(), randomUUID()];
    await post(topUp(buyer, 1_000n));
    const before = await rowCounts(t);
    await expect(post(purchase(buyer, seller, 1_001n, 10n))).rejects.toMatchObject({
      kind: 'unprocessable',
      code: 'insufficient_funds',
    });
    // The seller's wallet was created inside the refused transaction, so it is gone too.
    expect(await rowCounts(t)).toEqual(before);
    expect(await ledger.wallets(seller)).toEqual([]);
  });

  it('lets through exactly the purchases that fit when 50 run at once, and never overdraws the wallet', async () => {
    const [buyer, seller] = [randomUUID(), randomUUID()];
    await post(topUp(buyer, 1_000n));
    await post(topUp(seller, 1n)); // both wallets exist, so the race is over the balance alone
    await openConnections(t);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => post(purchase(buyer, seller, 30n, 2n))),
    );
    const succeeded = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(succeeded).toHaveLength(33);
    expect(refused).toHaveLength(17);
    for (const r of refused) expect(r.reason).toMatchObject({ code: 'insufficient_funds' });
    expect(await balance(buyer)).toEqual({ currency: 'IDR', posted: 10n, pending: 0n, available: 10n });
    expect((await balance(seller))!.posted).toBe(1n + 33n * 28n);
    expect((await ledger.check()).violations).toEqual([]);
  });

  it('creates a new account safely when many postings race to use it first', async () => {
    const seller = randomUUID();
    const buyers = Array.from({ length: 12 }, () => randomUUID());
    for (const buyer of buyers) await post(topUp(buyer, 100n));
    await openConnections(t);
    await Promise.all(buyers.map((buyer) => post(purchase(buyer, seller, 100n, 0n))));
    expect(await ledger.wallets(seller)).toEqual([
      { currency: 'IDR', posted: 1_200n, pending: 0n, available: 1_200n },
    ]);
  });

  it('holds funds so they cannot be spent twice, then posts the hold in full', async () => {
    const [buyer, seller] = [randomUUID(), randomUUID()];
    await post(topUp(buyer, 100n));
    const input = transfer(buyer, seller, 80n);
    const held = await hold(input);
    expect(await balance(buyer)).toEqual({ currency: 'IDR', posted: 100n, pending: -80n, available: 20n });
    expect(await balance(seller)).toEqual({ currency: 'IDR', posted: 0n, pending: 80n, available: 0n });
    await expect(post(purchase(buyer, seller, 30n, 0n))).rejects.toMatchObject({
      code: 'insufficient_funds',
    });

    const settled = await inTransaction(t, (trx) => ledger.postPending(trx, held.transactionId));
    expect(settled.transactionId).not.toBe(held.transactionId);
    expect(await balance(buyer)).toEqual({ currency: 'IDR', posted: 20n, pending: 0n, available: 20n });
    expect(await balance(seller)).toEqual({ currency: 'IDR', posted: 80n, pending: 0n, available: 80n });
    expect(await ledger.transactionByReference('transfer', input.reference)).toEqual({
      id: held.transactionId,
      status: 'posted',
    });
  });

  it('posts a hold in part, scaling every entry proportionally and releasing the rest', async () => {
    const [buyer, seller] = [randomUUID(), randomUUID()];
    await post(topUp(buyer, 10_000n));
    const feesBefore = await feesBalance(t);
    const input = purchase(buyer, seller, 9_999n, 333n);
    const held = await hold(input);
    expect((await ledger.transactionByReference('purchase', input.reference))!.status).toBe('pending');
    await inTransaction(t, (trx) => ledger.postPending(trx, held.transactionId, 5_000n));

    const [sellerPart, feePart] = allocateProportionally(5_000n, [9_999n - 333n, 333n]);
    expect(await balance(buyer)).toEqual({ currency: 'IDR', posted: 5_000n, pending: 0n, available: 5_000n });
    expect(await balance(seller)).toEqual({
      currency: 'IDR',
      posted: sellerPart,
      pending: 0n,
      available: sellerPart,
    });
    expect((await feesBalance(t)) - feesBefore).toBe(feePart);
    expect(sellerPart! + feePart!).toBe(5_000n);
    expect((await ledger.transactionByReference('purchase', input.reference))!.status).toBe('posted');
  });

  it('voids a hold, releasing everything it held and moving nothing', async () => {
    const [buyer, seller] = [randomUUID(), randomUUID()];
    await post(topUp(buyer, 700n));
    const input = purchase(buyer, seller, 700n, 7n);
    const held = await hold(input);
    expect((await balance(buyer))!.available).toBe(0n);
    await inTransaction(t, (trx) => ledger.voidPending(trx, held.transactionId));
    expect(await balance(buyer)).toEqual({ currency: 'IDR', posted: 700n, pending: 0n, available: 700n });
    expect(await balance(seller)).toEqual({ currency: 'IDR', posted: 0n, pending: 0n, available: 0n });
    expect((await ledger.transactionByReference('purchase', input.reference))!.status).toBe('voided');
    // Replaying the hold does not hold again.
    expect(await hold(input)).toEqual({ transactionId: held.transactionId, created: false });
    expect((await balance(buyer))!.available).toBe(700n);
  });

  it('refuses to resolve a hold twice, whichever way, and refuses what is not a hold', async () => {
    const [buyer, seller] = [randomUUID(), randomUUID()];
    const topped = await post(topUp(buyer, 300n));
    const first = await hold(transfer(buyer, seller, 100n));
    const second = await hold(transfer(buyer, seller, 100n));
    const postIt = (id: string, amount?: bigint) =>
      inTransaction(t, (trx) => ledger.postPending(trx, id, amount));
    const voidIt = (id: string) => inTransaction(t, (trx) => ledger.voidPending(trx, id));
    const already = { kind: 'conflict', code: 'hold_already_resolved' };

    await postIt(first.transactionId, 50n);
    await expect(postIt(first.transactionId)).rejects.toMatchObject(already);
    await expect(voidIt(first.transactionId)).rejects.toMatchObject(already);
    await voidIt(second.transactionId);
    await expect(postIt(second.transactionId)).rejects.toMatchObject(already);
    await expect(voidIt(second.transactionId)).rejects.toMatchObject(already);

    await expect(postIt(randomUUID())).rejects.toMatchObject({ kind: 'not_found', code: 'hold_not_found' });
    await expect(voidIt('not-a-uuid')).rejects.toMatchObject({ code: 'hold_not_found' });
    await expect(postIt(topped.transactionId)).rejects.toMatchObject({ code: 'hold_not_found' });
    expect(await balance(buyer)).toEqual({ currency: 'IDR', posted: 250n, pending: 0n, available: 250n });
  });

  it('resolves a hold exactly once when a post and a void race', async () => {
    const [buyer, seller] = [randomUUID(), randomUUID()];
    await post(topUp(buyer, 100n));
    const held = await hold(transfer(buyer, seller, 100n));
    await openConnections(t);
    const results = await Promise.allSettled([
      inTransaction(t, (trx) => ledger.postPending(trx, held.transactionId)),
      inTransaction(t, (trx) => ledger.voidPending(trx, held.transactionId)),
      inTransaction(t, (trx) => ledger.postPending(trx, held.transactionId, 10n)),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected'))
      expect(r.reason).toMatchObject({ code: 'hold_already_resolved' });
    expect((await balance(buyer))!.pending).toBe(0n);
    expect((await ledger.check()).violations).toEqual([]);
  });

  it('rolls back the caller’s earlier postings in the same transaction when a later one is refused', async () => {
    const buyer = randomUUID();
    await post(topUp(buyer, 10n));
    await expect(
      inTransaction(t, async (trx) => {
        await ledger.post(trx, topUp(buyer, 5n));
        await ledger.post(trx, purchase(buyer, randomUUID(), 100n, 0n));
      }),
    ).rejects.toMatchObject({ code: 'insufficient_funds' });
    expect((await balance(buyer))!.available).toBe(10n);
  });

  it('keeps entries append-only and wallets non-negative even against raw SQL', async () => {
    const buyer = randomUUID();
    await post(topUp(buyer, 10n));
    await expect(sql`UPDATE ledger_entries SET amount = amount + 1`.execute(t.database.db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`DELETE FROM ledger_entries`.execute(t.database.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM ledger_transactions`.execute(t.database.db)).rejects.toThrow(/only changes/);
    await expect(
      sql`UPDATE ledger_accounts SET posted_debits = posted_credits + 1 WHERE owner_id = ${buyer}`.execute(
        t.database.db,
      ),
    ).rejects.toMatchObject({ code: '23514', constraint: 'ledger_accounts_no_overdraft' });
  });

  it('posts a batch of 1,000 transactions, skips them when replayed, and still reconciles', async () => {
    const owners = Array.from({ length: 100 }, () => randomUUID());
    const seller = randomUUID();
    const batch: PostInput[] = owners.flatMap((owner, i) => [
      ...Array.from({ length: 5 }, (_, n) => topUp(owner, 1_000n, `batch-${i}-top-${n}`)),
      ...Array.from({ length: 5 }, (_, n) => purchase(owner, seller, 900n, 9n, `batch-${i}-buy-${n}`)),
    ]);
    const before = await rowCounts(t);
    expect(await inTransaction(t, (trx) => ledger.postBatch(trx, batch))).toMatchObject({
      posted: 1_000,
      rejected: 0,
    });
    const after = await rowCounts(t);
    expect(after.transactions - before.transactions).toBe(1_000n);
    expect(after.entries - before.entries).toBe(500n * 2n + 500n * 3n);
    expect((await balance(owners[7]!))!.available).toBe(500n);
    expect((await balance(seller))!.available).toBe(500n * 891n);
    expect(await inTransaction(t, (trx) => ledger.postBatch(trx, batch))).toMatchObject({
      posted: 0,
      skipped: 1_000,
    });
    const report = await ledger.check();
    expect(report).toMatchObject({ ok: true, violations: [] });
    expect(report.counts.transactions).toBe(Number(after.transactions));
  });

  it('rejects the one transaction of a batch that would overdraw, as if posted one by one, and posts the rest', async () => {
    const [buyer, seller] = [randomUUID(), randomUUID()];
    const before = await rowCounts(t);
    // The purchase comes before the top-up that would have paid for it.
    const batch = [purchase(buyer, seller, 50n, 0n), topUp(buyer, 100n)];
    const result = await inTransaction(t, (trx) => ledger.postBatch(trx, batch));
    expect(result).toMatchObject({ posted: 1, skipped: 0, rejected: 1 });
    expect(result.results[0]).toMatchObject({ index: 0, status: 'rejected', code: 'insufficient_funds' });
    expect(result.results[1]).toMatchObject({ index: 1, status: 'posted' });
    const after = await rowCounts(t);
    expect([after.transactions - before.transactions, after.entries - before.entries]).toEqual([1n, 2n]);
    expect((await balance(buyer))!.available).toBe(100n);
    await expect(
      inTransaction(t, (trx) => ledger.postBatch(trx, [topUp(buyer, 1n, 'dup'), topUp(buyer, 1n, 'dup')])),
    ).rejects.toMatchObject({ code: 'duplicate_reference' });
  });
});

/** Which shards of an owner's wallet hold credits, as rows apart (the API shows their sum). */
const creditedShards = async (db: Kysely<object>, owner: string) => {
  const { rows } = await sql<{ shard: number }>`
    SELECT s.shard FROM ledger_account_shards s JOIN ledger_accounts a ON a.id = s.account_id
    WHERE a.owner_id = ${owner} AND s.posted_credits > 0 ORDER BY s.shard`.execute(db);
  return rows.map((row) => row.shard);
};

/** The shard slots (advisory locks, ledger.shards.repository.ts) this session holds. */
const heldSlots = async (trx: Transaction<object>) => {
  const { rows } = await sql<{ slot: number }>`
    SELECT objid::int AS slot FROM pg_locks
    WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted AND objsubid = 2
      AND classid::int = hashtext('ledger_account_shards:' || current_schema())`.execute(trx);
  return rows.map((row) => row.slot);
};

describe('shard slots: postings in flight credit different shard rows', () => {
  let t: TestDatabase;
  let ledger: LedgerService;
  const post = (input: PostInput) => inTransaction(t, (trx) => ledger.post(trx, input));

  beforeAll(async () => {
    t = await createTestDatabase();
    ledger = createLedgerModule({ db: t.database.db, shards: 2 }).ledger;
  });
  afterAll(() => t.drop());

  it('holds the slot of the shard it credited until its transaction ends', async () => {
    const [buyer, seller] = [randomUUID(), randomUUID()];
    await post(topUp(buyer, 100n));
    await inTransaction(t, async (trx) => {
      await ledger.post(trx, purchase(buyer, seller, 40n, 0n));
      const credited = await creditedShards(trx, seller);
      expect(credited).toHaveLength(1);
      expect(await heldSlots(trx)).toEqual(credited);
    });
    // Committed: the slot is free again.
    expect(await creditedShards(t.database.db, seller)).toHaveLength(1);
    expect(await inTransaction(t, heldSlots)).toEqual([]);
  });

  // PGlite is one connection: its transactions take turns and cannot overlap.
  it.runIf(testDatabase() === 'postgres')(
    'never makes a sale wait on another sale’s uncommitted credit while a shard is free',
    async () => {
      const seller = randomUUID();
      const buyers = Array.from({ length: 6 }, () => randomUUID());
      for (const buyer of buyers) await post(topUp(buyer, 100n));
      // A first sale, committed, creates the seller's wallet and the fee account: a sale
      // that creates one makes the next wait until it commits, whatever the shard.
      await post(purchase(buyers[0]!, seller, 10n, 1n));
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let holding!: () => void;
      const held = new Promise<void>((resolve) => (holding = resolve));
      // The first sale stays uncommitted, holding one of the two shards' rows.
      const first = inTransaction(t, async (trx) => {
        await ledger.post(trx, purchase(buyers[0]!, seller, 10n, 1n));
        holding();
        await released;
      });
      await held;
      try {
        // Each of these would wait for the first one's commit on the shard it holds (and
        // fail on the lock timeout) if it wrote there: with two shards, a random choice
        // would pick it half the time.
        for (const buyer of buyers.slice(1))
          await inTransaction(t, async (trx) => {
            await sql`SET LOCAL lock_timeout = '3s'`.execute(trx);
            await ledger.post(trx, purchase(buyer, seller, 10n, 1n));
          });
      } finally {
        release();
        await first;
      }
      expect(await creditedShards(t.database.db, seller)).toEqual([0, 1]);
      expect((await ledger.wallets(seller))[0]!.posted).toBe(7n * 9n);
      expect((await ledger.check()).violations).toEqual([]);
    },
  );
});

describe('ledger reconciliation', () => {
  let t: TestDatabase;
  let ledger: LedgerService;

  beforeAll(async () => {
    t = await createTestDatabase();
    ledger = createLedgerModule({ db: t.database.db }).ledger;
  });
  afterAll(() => t.drop());

  it('finds a balance tampered with and a transaction that does not balance, and says which', async () => {
    const buyer = randomUUID();
    await inTransaction(t, (trx) => ledger.post(trx, topUp(buyer, 1_000n)));
    expect(await ledger.check()).toEqual({
      ok: true,
      violations: [],
      violationCount: 0,
      counts: { accounts: 2, transactions: 1, entries: 2 },
    });

    await sql`UPDATE ledger_accounts SET posted_credits = posted_credits + 5 WHERE owner_id = ${buyer}`.execute(
      t.database.db,
    );
    const tampered = await ledger.check();
    expect(tampered.ok).toBe(false);
    expect(tampered.violations).toEqual([
      expect.stringMatching(
        new RegExp(`user_wallet of ${buyer} IDR.*posted_credits is 1005 but its entries sum to 1000`),
      ),
    ]);

    const forged = randomUUID();
    await sql`
      WITH tx AS (
        INSERT INTO ledger_transactions (id, kind, reference, currency, status)
        VALUES (${forged}, 'forged', 'by-hand', 'IDR', 'posted') RETURNING id
      )
      INSERT INTO ledger_entries (transaction_id, account_id, direction, amount)
      SELECT tx.id, a.id, 'credit', 70 FROM tx, ledger_accounts a WHERE a.owner_id = ${buyer}`.execute(
      t.database.db,
    );
    await sql`INSERT INTO ledger_transactions (kind, reference, currency, status) VALUES ('empty', 'e', 'IDR', 'posted')`.execute(
      t.database.db,
    );
    const broken = await ledger.check();
    expect(broken.ok).toBe(false);
    expect(broken.violations).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`transaction ${forged} \\(forged by-hand\\) has only one entry`)),
        expect.stringMatching(new RegExp(`transaction ${forged} .* unbalanced: debits 0, credits 70`)),
        expect.stringMatching(/\(empty e\) has no entries/),
        expect.stringMatching(/posted_credits is 1005 but its entries sum to 1070/),
      ]),
    );
    // One violation per broken row, naming all its problems: the forged and the empty
    // transaction, and the account.
    expect(broken.violationCount).toBe(3);
    expect(broken.violations).toHaveLength(3);
    expect(broken.counts).toEqual({ accounts: 2, transactions: 3, entries: 3 });
    const firstOnly = await ledger.check({ maxViolations: 1 });
    expect(firstOnly).toMatchObject({ ok: false, violationCount: 3 });
    expect(firstOnly.violations).toHaveLength(1);
    expect((await ledger.check({ maxViolations: 0 })).violationCount).toBe(3);
  });

  it('answers GET /admin/ledger/check for admins only, with 200 and ok:false when broken', async () => {
    const config = loadConfig({
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'mamlaka-ledger-')),
      LOG_LEVEL: 'silent',
    });
    const tokens = await AccessTokens.create(loadSigningKeyPem(undefined, config.dataDir), {
      issuer: config.auth.issuer,
      audience: config.auth.audience,
      ttlMs: 60_000,
    });
    const app = await createHttpApp({
      config,
      logger: createLogger(config),
      tokens,
      limits: new RateLimits(config.rateLimits),
    });
    ledgerRoutes(app, { ledger });
    await app.ready();
    try {
      const as = async (role: 'admin' | 'buyer') =>
        `Bearer ${(await tokens.issue({ userId: randomUUID(), role }, randomUUID())).token}`;
      const admin = await app.inject({
        url: '/admin/ledger/check',
        headers: { authorization: await as('admin') },
      });
      expect(admin.statusCode).toBe(200);
      const body = admin.json();
      expect(body.meta).toMatchObject({ success: true, message: 'ledger violations found' });
      expect(body.results.ok).toBe(false);
      expect(body.results.violations.length).toBeGreaterThan(0);
      expect(body.results.counts).toEqual({ accounts: 2, transactions: 3, entries: 3 });
      const buyer = await app.inject({
        url: '/admin/ledger/check',
        headers: { authorization: await as('buyer') },
      });
      expect(buyer.statusCode).toBe(403);
      expect((await app.inject({ url: '/admin/ledger/check' })).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});
