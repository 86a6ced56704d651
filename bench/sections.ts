// The sections of `npm run bench`, in the order a full run takes them. Each runs on its own
// (`npm run bench -- latency,events`), says what it needs, and hands back its raw result
// (bench/results/latest.json) and its report (docs/benchmarks.md, through an adapter).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CheckoutSection, runCheckoutSection } from './checkout-section.js';
import { runEventsBench } from './events.js';
import { runFirstStart } from './first-start.js';
import { runLatencySection } from './latency-section.js';
import type { LedgerBatchResult } from './ledger-batch.js';
import { type BenchSettings, measurer } from './measure.js';
import { createBenchDatabase, type PostgresTarget } from './postgres.js';
import { runReadsSection } from './reads-section.js';
import { runReconcileSection } from './reconcile.js';
import { fromCheckout, fromEvents, fromLedgerBatch, fromReconcile } from './report/adapt-data.js';
import { fromLatency, fromReads, fromSplit, fromTracing } from './report/adapt-http.js';
import { fromFirstStart } from './report/adapt-start.js';
import type { SectionReport } from './report/types.js';
import { runSplitSection } from './split-section.js';
import { runTracingSection } from './tracing-section.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface SectionContext {
  settings: BenchSettings;
  postgres: PostgresTarget | undefined;
  redisUrl: string | undefined;
  natsUrl: string | undefined;
  onCleanup: (fn: () => Promise<void>) => void;
  /** Raw results of the sections run before in this run, by name. */
  earlier: Map<string, unknown>;
}

/** What a section measured; `skipped` says why it measured nothing (its regions stay as they were). */
export type SectionOutcome = { raw: unknown; reports: SectionReport[] } | { skipped: string };

export interface Section {
  name: string;
  /** Runs Mamlaka from dist/, which the bench builds once before the first such section. */
  needsBuild: boolean;
  run(context: SectionContext): Promise<SectionOutcome>;
}

const NEEDS_POSTGRES = 'it needs PostgreSQL: set DATABASE_URL or BENCH_PG_URL';

/** bench/ledger-batch.ts in a child process on a database of its own, dropped afterwards. */
async function ledgerBatchAlone(target: PostgresTarget, settings: BenchSettings): Promise<LedgerBatchResult> {
  const database = await createBenchDatabase(target.url);
  try {
    const args = ['--import', 'tsx', path.join(root, 'bench/ledger-batch.ts'), database.url];
    args.push(String(settings.durationSeconds), String(settings.warmupSeconds));
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
    const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (code !== 0 || !line) throw new Error(`bench/ledger-batch.ts exited with ${code}:\n${stdout}`);
    return JSON.parse(line.slice('RESULT '.length)) as LedgerBatchResult;
  } finally {
    await database.drop();
  }
}

export const SECTIONS: Section[] = [
  {
    name: 'reads',
    needsBuild: true,
    async run({ settings, postgres, onCleanup }) {
      const pglite = await runReadsSection({ kind: 'pglite' }, settings, onCleanup);
      const reports = [fromReads(pglite)];
      const raw: unknown[] = [pglite];
      if (postgres) {
        const onPostgres = await runReadsSection(
          { kind: 'postgres', serverUrl: postgres.url },
          settings,
          onCleanup,
        );
        reports.push(fromReads(onPostgres));
        raw.push(onPostgres);
      } else {
        console.log(`SKIPPED reads on PostgreSQL: ${NEEDS_POSTGRES}`);
      }
      return { raw, reports };
    },
  },
  {
    name: 'latency',
    needsBuild: true,
    async run({ settings, postgres, onCleanup }) {
      const section = await runLatencySection(settings, postgres, onCleanup);
      return { raw: section, reports: [fromLatency(section)] };
    },
  },
  {
    name: 'checkout',
    needsBuild: true,
    async run({ settings, postgres, onCleanup }) {
      if (!postgres) return { skipped: NEEDS_POSTGRES };
      const section = await runCheckoutSection(postgres, settings, onCleanup);
      return { raw: section, reports: [fromCheckout(section)] };
    },
  },
  {
    name: 'ledger',
    needsBuild: false,
    async run({ settings, postgres, earlier }) {
      if (!postgres) return { skipped: NEEDS_POSTGRES };
      // The checkout section posts its batches on its own database: the same measurement.
      const fromCheckoutRun = (earlier.get('checkout') as CheckoutSection | undefined)?.ledgerBatch;
      const result = fromCheckoutRun ?? (await ledgerBatchAlone(postgres, settings));
      return { raw: result, reports: [fromLedgerBatch(result)] };
    },
  },
  {
    name: 'events',
    needsBuild: false,
    async run({ postgres, natsUrl }) {
      const results = await runEventsBench(postgres?.url, natsUrl);
      const skipped =
        postgres && natsUrl
          ? undefined
          : 'PostgreSQL + NATS not measured: it needs a PostgreSQL URL and NATS_URL or BENCH_NATS_URL.';
      return { raw: results, reports: [fromEvents(results, skipped)] };
    },
  },
  {
    name: 'split',
    needsBuild: true,
    async run({ settings, postgres, redisUrl, natsUrl }) {
      if (!postgres || !redisUrl || !natsUrl)
        return { skipped: `${NEEDS_POSTGRES}, REDIS_URL or BENCH_REDIS_URL, and NATS_URL or BENCH_NATS_URL` };
      const split = await runSplitSection(postgres.url, { redisUrl, natsUrl }, measurer(settings));
      return { raw: split, reports: [fromSplit(split.rows, split.problems)] };
    },
  },
  {
    name: 'reconcile',
    needsBuild: false,
    async run({ postgres, onCleanup }) {
      if (!postgres) return { skipped: NEEDS_POSTGRES };
      const section = await runReconcileSection(postgres, onCleanup);
      return { raw: section, reports: [fromReconcile(section)] };
    },
  },
  {
    name: 'tracing',
    needsBuild: true,
    async run({ settings }) {
      const section = await runTracingSection(measurer(settings));
      return { raw: section, reports: [fromTracing(section.rows, section.exports, section.problems)] };
    },
  },
  {
    name: 'first-start',
    needsBuild: false,
    async run({ postgres, settings }) {
      const result = await runFirstStart(postgres, settings.runs);
      return { raw: result, reports: [fromFirstStart(result)] };
    },
  },
];

/** `reads,latency` → those sections in run order; no argument or `all`: every one. */
export function selectSections(argument: string | undefined): Section[] {
  if (!argument || argument === 'all') return SECTIONS;
  const names = argument
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !SECTIONS.some((section) => section.name === name));
  if (unknown.length) {
    throw new Error(
      `unknown section(s): ${unknown.join(', ')}; choose from ${SECTIONS.map((s) => s.name).join(', ')}`,
    );
  }
  return SECTIONS.filter((section) => names.includes(section.name));
}
