import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { writeFileAtomically } from '../../../platform/fs/atomic-write.js';
import type { QueuedNotification } from './sandbox.notifier.js';
import type { TransactionStatus } from './sandbox.state.js';
import type { SandboxRefund, SandboxTransaction } from './sandbox.store.js';

/** What the sandbox keeps across a restart: its transactions and the notifications still to deliver. */
export interface SandboxState {
  transactions: SandboxTransaction[];
  notifications: QueuedNotification[];
}

const VERSION = 1;
const STATUSES: readonly (TransactionStatus | 'created')[] = [
  'created',
  'pending',
  'capture',
  'settlement',
  'deny',
  'cancel',
  'expire',
  'partial_refund',
  'refund',
];

/** The state as JSON: amounts as decimal strings (JSON has no bigint), times as ISO strings. */
export function encodeState(state: SandboxState): string {
  const file = { version: VERSION, transactions: state.transactions, notifications: state.notifications };
  return JSON.stringify(file, (_key, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value,
  );
}

class CorruptState extends Error {}

const fail = (what: string): never => {
  throw new CorruptState(what);
};
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown, what: string): string => (typeof value === 'string' ? value : fail(what));
const amount = (value: unknown, what: string): bigint =>
  typeof value === 'string' && /^\d{1,20}$/.test(value) ? BigInt(value) : fail(what);
const time = (value: unknown, what: string): Date => {
  const date = new Date(text(value, what));
  return Number.isNaN(date.getTime()) ? fail(what) : date;
};
const optionalTime = (value: unknown, what: string): Date | undefined =>
  value === undefined || value === null ? undefined : time(value, what);
const status = <T extends TransactionStatus | 'created'>(value: unknown, what: string): T =>
  STATUSES.includes(value as T) ? (value as T) : fail(what);

function decodeRefund(value: unknown): SandboxRefund {
  if (!isRecord(value)) return fail('refund');
  return {
    refundChargebackId:
      typeof value.refundChargebackId === 'number' ? value.refundChargebackId : fail('refund id'),
    refundKey: text(value.refundKey, 'refund key'),
    amount: amount(value.amount, 'refund amount'),
    reason: value.reason === undefined || value.reason === null ? undefined : text(value.reason, 'reason'),
    createdAt: time(value.createdAt, 'refund time'),
    statusAfter: status<TransactionStatus>(value.statusAfter, 'refund status'),
  };
}

function decodeTransaction(value: unknown): SandboxTransaction {
  if (!isRecord(value)) return fail('transaction');
  const paymentType = value.paymentType;
  return {
    orderId: text(value.orderId, 'order id'),
    token: text(value.token, 'token'),
    transactionId: text(value.transactionId, 'transaction id'),
    grossAmount: amount(value.grossAmount, 'gross amount'),
    customerDetails: value.customerDetails,
    itemDetails: Array.isArray(value.itemDetails) ? value.itemDetails : undefined,
    ...(typeof value.finishUrl === 'string' ? { finishUrl: value.finishUrl } : {}),
    status: status(value.status, 'status'),
    paymentType:
      paymentType === 'credit_card' || paymentType === 'bank_transfer'
        ? paymentType
        : paymentType === undefined || paymentType === null
          ? undefined
          : fail('payment type'),
    createdAt: time(value.createdAt, 'created at'),
    transactionTime: optionalTime(value.transactionTime, 'transaction time'),
    settlementTime: optionalTime(value.settlementTime, 'settlement time'),
    refunds: Array.isArray(value.refunds) ? value.refunds.map(decodeRefund) : fail('refunds'),
    refundedAmount: amount(value.refundedAmount, 'refunded amount'),
  };
}

function decodeNotification(value: unknown): QueuedNotification {
  if (!isRecord(value) || !isRecord(value.body)) return fail('notification');
  const { attempts, dueAtMs } = value;
  return {
    id: text(value.id, 'notification id'),
    body: value.body,
    attempts:
      Number.isSafeInteger(attempts) && (attempts as number) >= 0 ? (attempts as number) : fail('attempts'),
    dueAtMs: Number.isSafeInteger(dueAtMs) ? (dueAtMs as number) : fail('due at'),
  };
}

/** @throws an error naming what is wrong when `json` is not a state this version wrote. */
export function decodeState(json: string): SandboxState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return fail('not JSON');
  }
  if (!isRecord(parsed) || parsed.version !== VERSION) return fail('unknown version');
  const { transactions, notifications } = parsed;
  if (!Array.isArray(transactions) || !Array.isArray(notifications)) return fail('lists');
  return {
    transactions: transactions.map(decodeTransaction),
    notifications: notifications.map(decodeNotification),
  };
}

/**
 * The sandbox's state file: read once at start, rewritten whole after every change,
 * atomically (temp file and rename) and owner-only (0600), in a directory only the owner
 * may enter. Writes run one at a time, each with the state as it is when it starts, and
 * changes made while one runs share the next; so the file always ends up with the latest
 * state and a crash leaves either the old file or the new one.
 */
export class SandboxStateFile {
  private last: Promise<void> = Promise.resolve();
  private next: Promise<void> | undefined;

  constructor(
    readonly file: string,
    private readonly snapshot: () => SandboxState,
    private readonly logger?: Logger,
  ) {}

  /**
   * The state kept by an earlier run; empty when there is none. A file this version cannot
   * read is moved aside (never overwritten) and the sandbox starts empty.
   */
  load(): SandboxState {
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    let json: string;
    try {
      json = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { transactions: [], notifications: [] };
      throw error;
    }
    try {
      return decodeState(json);
    } catch (error) {
      if (!(error instanceof CorruptState)) throw error;
      const aside = `${this.file}.unreadable-${Date.now()}`;
      renameSync(this.file, aside);
      this.logger?.warn(
        { file: this.file, movedTo: aside, problem: error.message },
        'midtrans sandbox state unreadable; starting empty',
      );
      return { transactions: [], notifications: [] };
    }
  }

  /** Resolves once a write that began after this call has finished; never rejects (a failure is logged). */
  save(): Promise<void> {
    this.next ??= this.last.then(async () => {
      this.next = undefined;
      try {
        await writeFileAtomically(this.file, encodeState(this.snapshot()));
      } catch (error) {
        this.logger?.error({ err: error, file: this.file }, 'midtrans sandbox could not save its state');
      }
    });
    this.last = this.next;
    return this.next;
  }

  /** Resolves when every write asked for so far has finished. */
  flush(): Promise<void> {
    return this.last;
  }
}
