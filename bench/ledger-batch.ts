// Ledger postings in batches, straight through the ledger's own service (no HTTP):
// `tsx bench/ledger-batch.ts <postgres-url> [seconds] [warm-up seconds]`. `npm run bench`
// runs it on its fresh database; run alone, it migrates the database it is given and adds
// rows to it. Prints progress, then one line `RESULT {json}` for the caller to read.
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { postgresDatabase } from '../src/platform/db/postgres-database.js';
import { migrate } from '../src/platform/db/migrations.js';
import { LedgerService, type PostInput } from '../src/modules/ledger/ledger.service.js';

/** Transactions per postBatch call (each with two entries), within MAX_BATCH_TRANSACTIONS. */
export const BATCH_TRANSACTIONS = 1_000;
/** Wallets credited: transaction i of every batch credits wallet i. */
const WALLETS = BATCH_TRANSACTIONS;
/**
 * Callers posting batches at once, each in its own transaction (BENCH_LEDGER_LOADERS,
 * default 4: two per core here, so one caller's round trips and commit are covered by
 * another's work; with 2 the machine sat 16 % idle, with 4 about 7 %). A batch that only
 * debits the clearing account and credits wallets locks no account row, so they do not
 * queue behind each other.
 */
const LOADERS = Number(process.env.BENCH_LEDGER_LOADERS ?? 4);
const CURRENCY = 'IDR';

export interface LedgerBatchResult {
  /** Callers posting at once. */
  loaders?: number;
  batches: number;
  transactions: number;
  entries: number;
  seconds: number;
  entriesPerSec: number;
  /** Milliseconds per postBatch call (its own transaction, commit included). */
  batchP50Ms: number;
  batchP99Ms: number;
  /**
   * CPU milliseconds the whole machine spent per batch while it was measured (Node,
   * PostgreSQL and anything else running): steadier than the rate on a machine whose speed
   * swings, so two trees can be compared by it.
   */
  machineCpuMsPerBatch?: number;
  check: { ok: boolean; violations: string[]; accounts: number; transactions: number; entries: number };
  checkSeconds: number;
}

function argSeconds(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`not a number of seconds: ${value}`);
  return n;
}

/** CPU milliseconds all cores have spent on anything but idling since boot. */
function machineBusyMs(): number {
  let busy = 0;
  for (const { times } of cpus()) busy += times.user + times.nice + times.sys + times.irq;
  return busy;
}

async function main(): Promise<void> {
  const url = process.argv[2];
  if (!url) throw new Error('usage: tsx bench/ledger-batch.ts <postgres-url> [seconds] [warm-up seconds]');
  const seconds = argSeconds(process.argv[3], 10);
  const warmupSeconds = argSeconds(process.argv[4], 2);
  if (!Number.isInteger(LOADERS) || LOADERS < 1 || LOADERS > 8)
    throw new Error(`BENCH_LEDGER_LOADERS must be 1 to 8, got ${process.env.BENCH_LEDGER_LOADERS}`);
  const database = postgresDatabase(url);
  try {
    await migrate(database);
    const ledger = new LedgerService(database.db);
    // Owners of the wallets: any uuid, the ledger does not require a user row.
    const owners = Array.from({ length: WALLETS }, () => randomUUID());
    const run = randomUUID().slice(0, 8);
    let batch = 0;
    // A batch like a bulk import of top-ups: the gateway's clearing account pays each wallet.
    const nextBatch = (): PostInput[] => {
      const b = batch++;
      return Array.from({ length: BATCH_TRANSACTIONS }, (_, i) => {
        const amountMinor = BigInt(1_000 + ((b * 7919 + i * 104_729) % 1_000_000));
        return {
          kind: 'bench_batch',
          reference: `${run}:${b}:${i}`,
          currency: CURRENCY,
          entries: [
            { account: { kind: 'gateway_clearing', currency: CURRENCY }, direction: 'debit', amountMinor },
            {
              account: { kind: 'user_wallet', ownerId: owners[i]!, currency: CURRENCY },
              direction: 'credit',
              amountMinor,
            },
          ],
        };
      });
    };
    const post = async (): Promise<number> => {
      const inputs = nextBatch();
      const started = performance.now();
      const { posted } = await database.db.transaction().execute((trx) => ledger.postBatch(trx, inputs));
      if (posted !== inputs.length) throw new Error(`postBatch posted ${posted} of ${inputs.length}`);
      return performance.now() - started;
    };

    // The first batch creates the wallets; the warm-up also lets V8 optimise the path.
    await post();
    const loop = async (until: number, durations: number[]) => {
      while (performance.now() < until) durations.push(await post());
    };
    const warmupEnd = performance.now() + warmupSeconds * 1000;
    await Promise.all(Array.from({ length: LOADERS }, () => loop(warmupEnd, [])));

    const durations: number[] = [];
    const busyBefore = machineBusyMs();
    const started = performance.now();
    const end = started + seconds * 1000;
    await Promise.all(Array.from({ length: LOADERS }, () => loop(end, durations)));
    const elapsed = (performance.now() - started) / 1000;
    const busyMs = machineBusyMs() - busyBefore;
    const transactions = durations.length * BATCH_TRANSACTIONS;
    const entries = transactions * 2;
    durations.sort((a, b) => a - b);
    const pct = (p: number) =>
      durations[Math.min(durations.length - 1, Math.ceil(p * durations.length) - 1)]!;

    const checkStarted = performance.now();
    const check = await ledger.check();
    const result: LedgerBatchResult = {
      loaders: LOADERS,
      batches: durations.length,
      transactions,
      entries,
      seconds: elapsed,
      entriesPerSec: entries / elapsed,
      batchP50Ms: pct(0.5),
      batchP99Ms: pct(0.99),
      machineCpuMsPerBatch: busyMs / durations.length,
      check: { ok: check.ok, violations: check.violations.slice(0, 10), ...check.counts },
      checkSeconds: (performance.now() - checkStarted) / 1000,
    };
    console.log(
      `ledger batches: ${durations.length} × ${BATCH_TRANSACTIONS} transactions × 2 entries from ` +
        `${LOADERS} caller${LOADERS === 1 ? '' : 's'} in ` +
        `${elapsed.toFixed(1)} s = ${Math.round(result.entriesPerSec).toLocaleString('en-US')} entries/s ` +
        `(machine CPU ${(busyMs / durations.length).toFixed(1)} ms a batch); ` +
        `ledger check ${check.ok ? 'ok' : 'FAILED'} over ${check.counts.entries.toLocaleString('en-US')} entries ` +
        `in ${result.checkSeconds.toFixed(1)} s`,
    );
    console.log(`RESULT ${JSON.stringify(result)}`);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error('ledger batch bench failed:', error);
  process.exit(1);
});
