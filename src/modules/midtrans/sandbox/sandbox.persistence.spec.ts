import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeState, encodeState, type SandboxState, SandboxStateFile } from './sandbox.persistence.js';
import { MAX_TRANSACTIONS, TransactionStore } from './sandbox.store.js';

const store = new TransactionStore();
const created = store.create(
  {
    orderId: 'order-1',
    grossAmount: 12_000n,
    customerDetails: { customer_id: 'c-1' },
    itemDetails: [{ id: 'p', name: 'Kopi', price: 12_000, quantity: 1 }],
  },
  new Date('2026-01-02T03:04:05.000Z'),
);
store.pay('order-1', 'settlement', new Date('2026-01-02T03:05:00.000Z'));
store.refund(
  'order-1',
  { refundKey: 'rk-1', amount: 2_000n, reason: undefined },
  new Date('2026-01-02T04:00:00.000Z'),
);
const state: SandboxState = {
  transactions: [
    created,
    {
      ...created,
      orderId: 'order-2',
      token: 't-2',
      status: 'created',
      paymentType: undefined,
      transactionTime: undefined,
      settlementTime: undefined,
      refunds: [],
      refundedAmount: 0n,
    },
  ],
  notifications: [
    { id: 'n-1', body: { order_id: 'order-1', status_code: '200' }, attempts: 2, dueAtMs: 1_700 },
  ],
};

describe('the sandbox state as JSON', () => {
  it('comes back exactly as it was: amounts as bigints, times as dates', () => {
    const decoded = decodeState(encodeState(state));
    expect(decoded.transactions[0]).toEqual(state.transactions[0]);
    expect(decoded.transactions[0]!.refundedAmount).toBe(2_000n);
    expect(decoded.transactions[0]!.settlementTime).toEqual(new Date('2026-01-02T03:05:00.000Z'));
    expect(decoded.transactions[1]!.transactionTime).toBeUndefined();
    expect(decoded.notifications).toEqual(state.notifications);
  });

  it('refuses what this version did not write', () => {
    for (const broken of [
      'not json',
      '{"version":2,"transactions":[],"notifications":[]}',
      '{"version":1,"transactions":{},"notifications":[]}',
      encodeState(state).replace('"12000"', '"12.5"'),
      encodeState(state).replace('"partial_refund"', '"paid"'),
    ]) {
      expect(() => decodeState(broken), broken.slice(0, 60)).toThrow();
    }
  });
});

describe('the transaction store', () => {
  it('keeps the newest transactions and forgets the oldest when full', () => {
    const full = new TransactionStore();
    for (let i = 0; i <= MAX_TRANSACTIONS; i++) {
      full.create({ orderId: `o-${i}`, grossAmount: 1n, customerDetails: undefined, itemDetails: undefined });
    }
    expect(full.list()).toHaveLength(MAX_TRANSACTIONS);
    expect(full.get('o-0')).toBeUndefined();
    expect(full.get(`o-${MAX_TRANSACTIONS}`)).toBeDefined();
  });

  it('finds restored transactions by order id and by token', () => {
    const restored = new TransactionStore();
    restored.restore(decodeState(encodeState(state)).transactions);
    expect(restored.get('order-2')?.token).toBe('t-2');
    expect(restored.byToken(created.token)?.orderId).toBe('order-1');
  });
});

describe('the state file', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is owner-only, in an owner-only directory, and read back by the next run', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sandbox-state-'));
    const file = path.join(dir, 'midtrans-sandbox', 'state.json');
    const first = new SandboxStateFile(file, () => state);
    expect(first.load()).toEqual({ transactions: [], notifications: [] });
    await first.save();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o077).toBe(0);
    expect(new SandboxStateFile(file, () => state).load().transactions[0]).toEqual(state.transactions[0]);
    // No temp file is left behind.
    expect(readdirSync(path.dirname(file))).toEqual(['state.json']);
  });

  it('ends with the latest state however many saves overlap', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sandbox-state-'));
    const file = path.join(dir, 'state.json');
    let current: SandboxState = { transactions: [], notifications: [] };
    const saving = new SandboxStateFile(file, () => current);
    saving.load();
    const saves: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      current = { ...state, notifications: [{ ...state.notifications[0]!, attempts: i }] };
      saves.push(saving.save());
    }
    await Promise.all(saves);
    expect(decodeState(readFileSync(file, 'utf8')).notifications[0]!.attempts).toBe(19);
  });

  it('moves an unreadable file aside instead of overwriting it, and starts empty', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sandbox-state-'));
    const file = path.join(dir, 'state.json');
    writeFileSync(file, '{"version":1,"transactions":[{"orderId":', { mode: 0o600 });
    expect(new SandboxStateFile(file, () => state).load()).toEqual({ transactions: [], notifications: [] });
    const [aside] = readdirSync(dir).filter((name) => name.startsWith('state.json.unreadable-'));
    expect(readFileSync(path.join(dir, aside!), 'utf8')).toContain('"orderId":');
  });
});
