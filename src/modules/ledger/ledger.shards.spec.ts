import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ACCOUNT_KINDS } from './ledger.rules.js';
import { entryMayUseShard, MAX_LEDGER_SHARDS, shardedAccounts, shardOf } from './ledger.shards.js';

describe('which entries may go to a shard', () => {
  it('lets every posted credit skip the row lock, on every kind of account', () => {
    for (const kind of ACCOUNT_KINDS)
      expect(entryMayUseShard({ kind, direction: 'credit' }, 'posted')).toBe(true);
  });

  it('keeps a debit of a wallet on its locked row, where it sees the whole balance', () => {
    expect(entryMayUseShard({ kind: 'user_wallet', direction: 'debit' }, 'posted')).toBe(false);
  });

  it('lets a debit of a system account, which may go negative, use a shard', () => {
    for (const kind of ['platform_fees', 'gateway_clearing', 'payout_clearing'] as const)
      expect(entryMayUseShard({ kind, direction: 'debit' }, 'posted')).toBe(true);
  });

  it('keeps every entry of a hold on the row, so its release subtracts from the row that holds it', () => {
    for (const kind of ACCOUNT_KINDS)
      for (const direction of ['debit', 'credit'] as const)
        expect(entryMayUseShard({ kind, direction }, 'pending')).toBe(false);
  });

  it('shards a sale’s seller and fee accounts and locks only the buyer', () => {
    const sale = [
      { key: 'buyer', kind: 'user_wallet', direction: 'debit' },
      { key: 'seller', kind: 'user_wallet', direction: 'credit' },
      { key: 'fees', kind: 'platform_fees', direction: 'credit' },
    ] as const;
    expect(shardedAccounts(sale, 'posted')).toEqual(new Set(['seller', 'fees']));
    expect(shardedAccounts(sale, 'pending')).toEqual(new Set());
  });

  it('locks a wallet that one transaction both debits and credits, so the check sees the net', () => {
    const both = [
      { key: 'w', kind: 'user_wallet', direction: 'credit' },
      { key: 'w', kind: 'user_wallet', direction: 'debit' },
      { key: 'fees', kind: 'platform_fees', direction: 'debit' },
    ] as const;
    expect(shardedAccounts(both, 'posted')).toEqual(new Set(['fees']));
  });
});

describe('the shard of a transaction', () => {
  it('is the same for the same id and stays within the count', () => {
    const id = randomUUID();
    expect(shardOf(id, 8)).toBe(shardOf(id, 8));
    for (let i = 0; i < 200; i++) {
      const shard = shardOf(randomUUID(), 8);
      expect(shard).toBeGreaterThanOrEqual(0);
      expect(shard).toBeLessThan(8);
    }
    expect(shardOf(id, 1)).toBe(0);
  });

  it('spreads random transaction ids over every shard', () => {
    const seen = new Set(Array.from({ length: 2_000 }, () => shardOf(randomUUID(), 8)));
    expect(seen.size).toBe(8);
  });

  it('refuses a count the table cannot hold, and an id that is not one', () => {
    expect(() => shardOf(randomUUID(), 0)).toThrow(RangeError);
    expect(() => shardOf(randomUUID(), MAX_LEDGER_SHARDS + 1)).toThrow(RangeError);
    expect(() => shardOf('not-an-id', 8)).toThrow(RangeError);
  });
});
