// Writes what a run measured into the repository: docs/benchmarks/results.json (every
// section's last result, the source of the summary), one SVG chart per section in
// docs/benchmarks/, and the generated regions of docs/benchmarks.md. A partial run
// (`npm run bench -- latency`) rewrites only its own sections and the summary.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { barChart, lineChart } from './svg.js';
import { replaceRegion, sectionRegion, summaryRegion } from './markdown.js';
import type { Chart, RunInfo, SectionReport } from './types.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DOC = path.join(root, 'docs/benchmarks.md');
const CHARTS = path.join(root, 'docs/benchmarks');
const STORE = path.join(CHARTS, 'results.json');

interface Stored {
  run: RunInfo;
  report: SectionReport;
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return '';
  }
}

export function runInfo(settings: RunInfo['settings']): RunInfo {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    commit: git(['rev-parse', '--short', 'HEAD']) || 'unknown',
    dirty: git(['status', '--porcelain', '--untracked-files=no']) !== '',
    machine: {
      cores: cpus.length,
      model: cpus[0]?.model.trim() ?? 'unknown',
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
    },
    settings,
  };
}

/** A chart for a section that did not draw its own: its ratios, else its values in the first row's unit. */
export function defaultChart(report: SectionReport): Chart | undefined {
  const withRatio = report.rows.filter((row) => row.ratio !== undefined);
  if (withRatio.length) {
    return {
      kind: 'bars',
      title: `${report.title}: ratios`,
      unit: 'ratio (×)',
      groups: withRatio.map((row) => row.name),
      series: [{ name: 'ratio', values: withRatio.map((row) => row.ratio) }],
    };
  }
  const unit = report.rows[0]?.unit;
  const same = report.rows.filter((row) => row.unit === unit && row.value !== undefined);
  if (!unit || same.length === 0) return undefined;
  return {
    kind: 'bars',
    title: report.title,
    unit,
    groups: same.map((row) => row.name),
    series: [{ name: unit, values: same.map((row) => row.value) }],
  };
}

export function renderChart(chart: Chart): string {
  return chart.kind === 'bars' ? barChart(chart) : lineChart(chart);
}

function load(): Record<string, Stored> {
  if (!existsSync(STORE)) return {};
  return (JSON.parse(readFileSync(STORE, 'utf8')) as { sections: Record<string, Stored> }).sections;
}

/** Stored sections in the order the document shows them. */
const ORDER = [
  'reads-pglite',
  'reads-postgres',
  'latency',
  'checkout',
  'ledger',
  'events',
  'split',
  'reconcile',
  'tracing',
  'first-start',
];
const rank = (id: string) => (ORDER.includes(id) ? ORDER.indexOf(id) : ORDER.length);

export function publish(run: RunInfo, reports: SectionReport[], doc = DOC): void {
  const stored = load();
  mkdirSync(CHARTS, { recursive: true });
  let text = readFileSync(doc, 'utf8');
  for (const report of reports) {
    stored[report.id] = { run, report };
    const chart = report.chart ?? defaultChart(report);
    let chartPath: string | undefined;
    if (chart) {
      writeFileSync(path.join(CHARTS, `${report.id}.svg`), renderChart(chart));
      chartPath = `benchmarks/${report.id}.svg`;
    }
    text = replaceRegion(text, report.id, sectionRegion(report, run, chartPath), report.title);
  }
  const ordered = Object.keys(stored)
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((id) => stored[id]!);
  text = replaceRegion(text, 'summary', summaryRegion(ordered), 'Goals');
  writeFileSync(
    STORE,
    `${JSON.stringify({ sections: Object.fromEntries(ordered.map((s) => [s.report.id, s])) }, null, 2)}\n`,
  );
  writeFileSync(doc, text);
}
