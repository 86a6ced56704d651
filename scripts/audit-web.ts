// `npm run audit:web`: Lighthouse on the storefront as a visitor first meets it.
//
// Starts `mamlaka start` on the embedded database in a temporary DATA_DIR, fills it with the
// demo data (`mamlaka seed demo`), runs Lighthouse (Debian's Chromium, headless) on the home
// page and a product page, as a phone (Lighthouse's default: a mid-range device on a slow
// 4G) and as a desktop, and checks the first page's JavaScript against its budget. Prints
// the scores, writes them to docs/web-audit.md and exits 1 when a score or the budget misses.
//
//   npm run audit:web                 both form factors
//   npm run audit:web -- --mobile     the phone run only
//   npm run audit:web -- --runs 5     runs per page and form factor (default 3; the median counts)
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.js';
import { freePort } from './split-deployment.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CHROME_PATH = process.env.CHROME_PATH ?? CHROMIUM_PATH;
/** The least each category may score (0–100). */
const THRESHOLDS = { performance: 90, accessibility: 95, 'best-practices': 90, seo: 90 } as const;
// SEO is reported, not gated: the brief's gate is performance, accessibility and best practices.
const GATED = new Set(['performance', 'accessibility', 'best-practices']);
const CATEGORIES = Object.keys(THRESHOLDS) as (keyof typeof THRESHOLDS)[];
/** The first page's JavaScript (gzipped): entry, its modulepreloads and the catalog chunk. */
const JS_BUDGET_BYTES = 150 * 1024;

const mobileOnly = process.argv.includes('--mobile');
// Lighthouse's own advice for noisy machines: several runs, the median one counts.
const runsArg = process.argv.indexOf('--runs');
const RUNS = Math.max(1, Math.min(9, runsArg > 0 ? Number(process.argv[runsArg + 1]) || 3 : 3));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Run {
  page: string;
  formFactor: 'mobile' | 'desktop';
  url: string;
  scores: Record<string, number>;
  failing: { id: string; title: string; score: number | null; displayValue?: string }[];
  /** Lighthouse's opportunities and diagnostics with an estimated saving, largest first. */
  opportunities: { id: string; title: string; savingsMs: number; savingsBytes: number }[];
  metrics: Record<string, string>;
  /** The performance score of every run of this page and form factor (the median one is kept). */
  performanceRuns?: number[];
}

async function main() {
  if (!existsSync(CHROME_PATH)) {
    console.error(`${CHROME_PATH} not found: apt-get install chromium (or set CHROME_PATH)`);
    process.exit(1);
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mamlaka-audit-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    GRPC_PORT: String(await freePort()),
    HOST: '127.0.0.1',
    PUBLIC_URL: url,
    LOG_LEVEL: 'warn',
    DATABASE_URL: '',
  };
  let server: ChildProcess | undefined;
  try {
    // bin/mamlaka.js rebuilds dist/ (and so dist/web) first when a source changed.
    server = spawn(process.execPath, [path.join(root, 'bin/mamlaka.js'), 'start'], { env, stdio: 'inherit' });
    await waitUntilReady(url, server);
    execFileSync(process.execPath, [path.join(root, 'bin/mamlaka.js'), 'seed', 'demo'], {
      env,
      stdio: 'inherit',
    });
    const product = await firstProductId(url);

    const js = firstPageJavaScript();
    console.log(
      `first-page JavaScript: ${kb(js.gzip)} gzipped (${kb(js.raw)} raw) in ${js.files.length} files; ` +
        `budget ${kb(JS_BUDGET_BYTES)}`,
    );

    const pages = [
      { page: 'home', url: `${url}/` },
      { page: 'product', url: `${url}/item/${product}` },
    ];
    const runs: Run[] = [];
    for (const formFactor of mobileOnly ? (['mobile'] as const) : (['mobile', 'desktop'] as const)) {
      for (const target of pages) {
        const tries: Run[] = [];
        for (let i = 0; i < RUNS; i += 1) tries.push(await audit(target.page, target.url, formFactor));
        tries.sort((a, b) => a.scores.performance! - b.scores.performance!);
        const run = tries[Math.floor(tries.length / 2)]!;
        run.performanceRuns = tries.map((each) => each.scores.performance!);
        runs.push(run);
        console.log(
          `${run.page} (${formFactor}): ` +
            CATEGORIES.map((category) => `${category} ${run.scores[category]}`).join(', ') +
            ` (performance of ${RUNS} runs: ${run.performanceRuns!.join(', ')})` +
            ` [${Object.entries(run.metrics)
              .map(([name, value]) => `${name} ${value}`)
              .join(', ')}]`,
        );
      }
    }

    const misses = runs.flatMap((run) =>
      CATEGORIES.filter(
        (category) => GATED.has(category) && run.scores[category]! < THRESHOLDS[category],
      ).map(
        (category) =>
          `${run.page} (${run.formFactor}) ${category} ${run.scores[category]} < ${THRESHOLDS[category]}`,
      ),
    );
    if (js.gzip > JS_BUDGET_BYTES)
      misses.push(`first-page JavaScript ${kb(js.gzip)} > ${kb(JS_BUDGET_BYTES)}`);
    writeReport(runs, js, misses);
    for (const run of runs) {
      if (!run.failing.length && !run.opportunities.length) continue;
      console.log(`${run.page} (${run.formFactor}) — what Lighthouse flagged:`);
      for (const audit of run.failing.slice(0, 8))
        console.log(`  ${audit.id}: ${audit.title}${audit.displayValue ? ` (${audit.displayValue})` : ''}`);
      for (const each of run.opportunities.slice(0, 6))
        console.log(`  opportunity ${each.id}: ${saving(each)}`);
    }
    if (misses.length) {
      console.error(`audit:web failed:\n  ${misses.join('\n  ')}`);
      process.exitCode = 1;
    } else console.log('audit:web passed; written to docs/web-audit.md');
  } finally {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((resolve) => server!.once('exit', resolve));
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function waitUntilReady(url: string, server: ChildProcess) {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`mamlaka start exited with ${server.exitCode}`);
    try {
      const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error('mamlaka start did not become ready within 180 s');
}

async function firstProductId(url: string): Promise<string> {
  const res = await fetch(`${url}/products?limit=1`);
  const body = (await res.json()) as { results: { id: string }[] };
  const id = body.results[0]?.id;
  if (!id) throw new Error(`no product to audit: GET /products answered ${res.status}`);
  return id;
}

/**
 * What a first visit to `/` downloads as JavaScript before the catalog shows: index.html's
 * module scripts and modulepreloads, the catalog page's chunk, and what those import
 * statically (dynamic imports — other pages — are not fetched for the first page).
 */
function firstPageJavaScript() {
  const web = path.join(root, 'dist', 'web');
  const html = readFileSync(path.join(web, 'index.html'), 'utf8');
  const start = [
    ...[...html.matchAll(/<script[^>]*type="module"[^>]*src="\/([^"]+)"/g)].map((m) => m[1]!),
    ...[...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="\/([^"]+)"/g)].map((m) => m[1]!),
  ];
  const catalog = execFileSync('ls', [path.join(web, 'assets')], { encoding: 'utf8' })
    .split('\n')
    .find((name) => /^CatalogPage-[\w-]+\.js$/.test(name));
  if (catalog) start.push(`assets/${catalog}`);
  const seen = new Set<string>();
  const queue = [...start];
  while (queue.length) {
    const file = queue.shift()!;
    if (seen.has(file) || !existsSync(path.join(web, file))) continue;
    seen.add(file);
    const code = readFileSync(path.join(web, file), 'utf8');
    // Static imports only: `import x from"./a.js"`, `import"./a.js"`, `export … from"./a.js"`.
    for (const match of code.matchAll(/(?:\bimport|\bfrom)\s*["'](\.\/[^"']+\.js)["']/g))
      queue.push(path.posix.join(path.posix.dirname(file), match[1]!));
  }
  const files = [...seen];
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const body = readFileSync(path.join(web, file));
    raw += body.length;
    gzip += gzipSync(body, { level: 9 }).length;
  }
  return { files, raw, gzip };
}

async function audit(page: string, url: string, formFactor: 'mobile' | 'desktop'): Promise<Run> {
  const chrome = await chromeLauncher.launch({ chromePath: CHROME_PATH, chromeFlags: CHROMIUM_ARGS });
  try {
    const result = await lighthouse(
      url,
      { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: [...CATEGORIES] },
      formFactor === 'desktop' ? desktopConfig : undefined,
    );
    if (!result) throw new Error(`lighthouse returned nothing for ${url}`);
    const { lhr } = result;
    if (lhr.runtimeError) throw new Error(`lighthouse on ${url}: ${lhr.runtimeError.message}`);
    const scores = Object.fromEntries(
      CATEGORIES.map((category) => [category, Math.round((lhr.categories[category]?.score ?? 0) * 100)]),
    );
    // The audits that cost points, heaviest first: what the page owners should look at.
    const failing = CATEGORIES.flatMap((category) =>
      (lhr.categories[category]?.auditRefs ?? [])
        .filter((ref) => ref.weight > 0)
        .map((ref) => ({ ref, audit: lhr.audits[ref.id]! }))
        .filter(({ audit }) => audit.score !== null && audit.score < 0.9)
        .map(({ ref, audit }) => ({
          id: audit.id,
          title: audit.title,
          score: audit.score,
          displayValue: audit.displayValue,
          weight: ref.weight * (1 - (audit.score ?? 0)),
        })),
    )
      .sort((a, b) => b.weight - a.weight)
      .map(({ weight: _weight, ...rest }) => rest);
    const opportunities = Object.values(lhr.audits)
      .map((audit) => {
        const details = audit.details as
          { overallSavingsMs?: number; overallSavingsBytes?: number } | undefined;
        return {
          id: audit.id,
          title: audit.title,
          score: audit.score,
          savingsMs: Math.round(details?.overallSavingsMs ?? 0),
          savingsBytes: Math.round(details?.overallSavingsBytes ?? 0),
        };
      })
      .filter(
        (each) =>
          each.score !== null && each.score < 1 && (each.savingsMs >= 50 || each.savingsBytes >= 2048),
      )
      .sort((a, b) => b.savingsMs - a.savingsMs || b.savingsBytes - a.savingsBytes)
      .map(({ score: _score, ...rest }) => rest);
    const metric = (id: string) => lhr.audits[id]?.displayValue ?? '–';
    return {
      page,
      formFactor,
      url: url.replace(/^http:\/\/127\.0\.0\.1:\d+/, ''),
      scores,
      failing,
      opportunities,
      metrics: {
        FCP: metric('first-contentful-paint'),
        LCP: metric('largest-contentful-paint'),
        TBT: metric('total-blocking-time'),
        CLS: metric('cumulative-layout-shift'),
      },
    };
  } finally {
    chrome.kill();
  }
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const saving = (each: { savingsMs: number; savingsBytes: number }) =>
  [each.savingsMs ? `~${each.savingsMs} ms` : '', each.savingsBytes ? `~${kb(each.savingsBytes)}` : '']
    .filter(Boolean)
    .join(', ');

function lighthouseVersion(): string {
  const manifest = path.join(root, 'node_modules', 'lighthouse', 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

function chromiumVersion(): string {
  try {
    return execFileSync(CHROME_PATH, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return CHROME_PATH;
  }
}

function writeReport(runs: Run[], js: ReturnType<typeof firstPageJavaScript>, misses: string[]) {
  const cpus = os.cpus();
  const lines = [
    '# Web app audit (Lighthouse)',
    '',
    'Written by `npm run audit:web` (scripts/audit-web.ts): a real `mamlaka start` on the embedded',
    'database in a temporary DATA_DIR with the demo data (`mamlaka seed demo`), audited with',
    "Lighthouse's default mobile settings (simulated slow 4G, 4× CPU slowdown) and its desktop",
    'preset, in headless Debian Chromium. The gate: performance ≥ 90, accessibility ≥ 95,',
    'best practices ≥ 90 on every run, and the first page’s JavaScript ≤ 150 KB gzipped.',
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${os.type()} ${os.release()}, ${cpus.length} × ${cpus[0]?.model.trim() ?? 'CPU'}, ` +
      `${Math.round(os.totalmem() / 2 ** 30)} GB RAM, load ${os
        .loadavg()
        .map((n) => n.toFixed(1))
        .join('/')}`,
    `- Software: Node ${process.version}, ${chromiumVersion()}, Lighthouse ${lighthouseVersion()}`,
    `- Command: \`${['npm run audit:web', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ')}\``,
    `- Result: ${misses.length ? `**failed** — ${misses.join('; ')}` : '**passed**'}`,
    '',
    '## Scores',
    '',
    '| page | form factor | performance | accessibility | best practices | SEO | FCP | LCP | TBT | CLS | performance, all runs |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...runs.map(
      (run) =>
        `| ${run.page} (\`${run.url}\`) | ${run.formFactor} | ${CATEGORIES.map((c) => run.scores[c]).join(' | ')} | ` +
        `${Object.values(run.metrics).join(' | ')} | ${run.performanceRuns!.join(', ')} |`,
    ),
    '',
    '## First-page JavaScript',
    '',
    `${kb(js.gzip)} gzipped (${kb(js.raw)} uncompressed; budget ${kb(JS_BUDGET_BYTES)}): index.html's`,
    'module script and modulepreloads, the catalog chunk, and their static imports:',
    '',
    ...js.files.map((file) => `- \`${file}\``),
    '',
    '## What Lighthouse flagged',
    '',
    'Audits scoring below 0.9 that cost points, heaviest first (up to eight per run), then',
    "Lighthouse's opportunities with an estimated saving of 50 ms or 2 KB and more.",
    '',
    ...runs.flatMap((run) => [
      `### ${run.page}, ${run.formFactor}`,
      '',
      ...(run.failing.length || run.opportunities.length
        ? run.failing
            .slice(0, 8)
            .map(
              (audit) =>
                `- \`${audit.id}\`: ${audit.title}${audit.displayValue ? ` (${audit.displayValue})` : ''}`,
            )
        : ['- nothing']),
      ...run.opportunities
        .slice(0, 6)
        .map((each) => `- opportunity \`${each.id}\`: ${each.title} (${saving(each)})`),
      '',
    ]),
  ];
  writeFileSync(path.join(root, 'docs', 'web-audit.md'), lines.join('\n'));
}

await main();
