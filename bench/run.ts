// `npm run bench [-- section[,section…]]`: Mamlaka's hot paths against references measured
// on the same machine in the same run (bare Fastify, pgbench, a bare join scan, …), so that
// figures from different machines compare as ratios. Every section measured is written to
// docs/benchmarks.md (its generated region and the summary of goals), its chart to
// docs/benchmarks/<section>.svg, and its raw result to bench/results/latest.json.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchSettings } from './measure.js';
import { postgresTarget } from './postgres.js';
import { sectionTable } from './report/markdown.js';
import { publish, runInfo } from './report/publish.js';
import { selectSections } from './sections.js';
import { buildMamlaka } from './servers.js';

const resultsFile = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', 'latest.json');

/** Keeps the raw results of sections this run did not measure. */
function saveRaw(run: object, raw: Map<string, unknown>): void {
  mkdirSync(path.dirname(resultsFile), { recursive: true });
  const previous = existsSync(resultsFile)
    ? ((JSON.parse(readFileSync(resultsFile, 'utf8')) as { sections?: Record<string, unknown> }).sections ??
      {})
    : {};
  const sections = { ...previous, ...Object.fromEntries(raw) };
  writeFileSync(resultsFile, `${JSON.stringify({ run, sections }, null, 2)}\n`);
}

async function main(): Promise<number> {
  const sections = selectSections(process.argv[2]);
  const settings = benchSettings();
  const run = runInfo({
    durationSeconds: settings.durationSeconds,
    warmupSeconds: settings.warmupSeconds,
    runs: settings.runs,
  });
  const writeDocs = process.env.BENCH_DOCS !== '0';
  const m = run.machine;
  console.log(`machine: ${m.cores} cores, ${m.model}, ${m.memoryGb} GB, Node ${m.node}, ${m.platform}`);
  console.log(
    `sections: ${sections.map((s) => s.name).join(', ')}; ${settings.durationSeconds} s per measurement after ` +
      `${settings.warmupSeconds} s warm-up, ${settings.runs} run(s) where medians are taken`,
  );

  const cleanups: (() => Promise<void>)[] = [];
  const cleanUp = async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => {});
  };
  process.once('SIGINT', () => void cleanUp().then(() => process.exit(130)));

  const postgres = postgresTarget();
  const context = {
    settings,
    postgres,
    redisUrl: process.env.REDIS_URL || process.env.BENCH_REDIS_URL,
    natsUrl: process.env.NATS_URL || process.env.BENCH_NATS_URL,
    onCleanup: (fn: () => Promise<void>) => cleanups.push(fn),
    earlier: new Map<string, unknown>(),
  };
  if (sections.some((s) => s.needsBuild)) buildMamlaka();

  const failures: string[] = [];
  try {
    for (const section of sections) {
      console.log(`\n== ${section.name} ==`);
      try {
        const outcome = await section.run(context);
        if ('skipped' in outcome) {
          console.log(`SKIPPED ${section.name}: ${outcome.skipped}`);
          continue;
        }
        context.earlier.set(section.name, outcome.raw);
        saveRaw(run, context.earlier);
        for (const report of outcome.reports) {
          console.log(`\n${report.title}\n${sectionTable(report.rows)}`);
          for (const note of report.notes ?? []) console.log(`  ${note}`);
          for (const problem of report.problems) {
            console.error(`WARNING: ${report.id}: ${problem}`);
            failures.push(`${report.id}: ${problem}`);
          }
        }
        // After each section, so that a later failure keeps what was measured.
        if (writeDocs) publish(run, outcome.reports);
      } catch (error) {
        console.error(`section ${section.name} failed:`, error);
        failures.push(`${section.name}: ${(error as Error).message}`);
      } finally {
        await cleanUp();
      }
    }
  } finally {
    await cleanUp();
  }
  console.log(
    `\nraw results: ${path.relative(process.cwd(), resultsFile)}` +
      (writeDocs
        ? '; report: docs/benchmarks.md, charts: docs/benchmarks/'
        : ' (BENCH_DOCS=0: docs not written)'),
  );
  if (failures.length) console.error(`\n${failures.length} problem(s); exit 1`);
  return failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('bench failed:', error);
    process.exit(1);
  },
);
