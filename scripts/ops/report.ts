// Writes a run's charts (SVG) and a Markdown summary under docs/operations/, for pasting
// into docs/operations.md, and prints the summary.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MemorySeries } from './memory.js';
import { type Bucket, byOperation, type Sample, slope } from './stats.js';
import { lineChart, type Marker } from './svg-chart.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const REPORT_DIR = process.env.OPS_REPORT_DIR ?? path.join(ROOT, 'docs/operations');

export interface RunReport {
  name: 'soak' | 'chaos';
  lines: string[];
  samples: Sample[];
  buckets: Bucket[];
  memory: MemorySeries[];
  markers?: Marker[];
}

export function machineLine(): string {
  return `${os.cpus().length} CPU cores (${os.cpus()[0]?.model ?? 'unknown'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, load average at the end ${os
    .loadavg()
    .map((n) => n.toFixed(1))
    .join(' ')}`;
}

export function writeReport(report: RunReport): string {
  mkdirSync(REPORT_DIR, { recursive: true });
  const markers = report.markers ?? [];
  const files = {
    latency: `${report.name}-latency.svg`,
    errors: `${report.name}-throughput.svg`,
    memory: `${report.name}-memory.svg`,
  };
  writeFileSync(
    path.join(REPORT_DIR, files.latency),
    lineChart({
      title: `${report.name}: latency of all operations`,
      xLabel: 'seconds since start',
      yLabel: 'ms',
      series: [
        { name: 'p50', points: report.buckets.map((b) => [b.startS, b.p50Ms] as const) },
        { name: 'p99', points: report.buckets.map((b) => [b.startS, b.p99Ms] as const) },
      ],
      markers,
    }),
  );
  const width = report.buckets.length > 1 ? report.buckets[1]!.startS - report.buckets[0]!.startS : 1;
  writeFileSync(
    path.join(REPORT_DIR, files.errors),
    lineChart({
      title: `${report.name}: requests and errors per second`,
      xLabel: 'seconds since start',
      yLabel: 'per second',
      series: [
        { name: 'requests/s', points: report.buckets.map((b) => [b.startS, b.requests / width] as const) },
        { name: 'errors/s', points: report.buckets.map((b) => [b.startS, b.errors / width] as const) },
      ],
      markers,
    }),
  );
  writeFileSync(
    path.join(REPORT_DIR, files.memory),
    lineChart({
      title: `${report.name}: resident memory per process`,
      xLabel: 'seconds since start',
      yLabel: 'MiB',
      series: report.memory,
      markers,
      height: 360,
    }),
  );
  const operations = byOperation(report.samples);
  const memoryRows = report.memory.map((series) => {
    const first = series.points[0]?.[1] ?? 0;
    const last = series.points.at(-1)?.[1] ?? 0;
    // Warm-up (JIT, caches, pools) is excluded from the trend: the first fifth of the run.
    const settled = series.points.slice(Math.floor(series.points.length / 5));
    const perHour = slope(settled) * 3600;
    return `| ${series.name} | ${first} | ${Math.max(...series.points.map(([, y]) => y))} | ${last} | ${perHour.toFixed(1)} |`;
  });
  const summary = [
    `### ${report.name} run, ${new Date().toISOString()}`,
    '',
    ...report.lines.map((line) => `- ${line}`),
    `- machine: ${machineLine()}`,
    '',
    '| operation | requests | errors | p50 ms | p99 ms |',
    '|---|---:|---:|---:|---:|',
    ...operations.map((o) => `| ${o.operation} | ${o.requests} | ${o.errors} | ${o.p50Ms} | ${o.p99Ms} |`),
    '',
    '| process | RSS first MiB | max MiB | last MiB | trend after warm-up, MiB/hour |',
    '|---|---:|---:|---:|---:|',
    ...memoryRows,
    '',
    `![latency](operations/${files.latency})`,
    `![throughput and errors](operations/${files.errors})`,
    `![memory](operations/${files.memory})`,
    '',
  ].join('\n');
  writeFileSync(path.join(REPORT_DIR, `${report.name}-summary.md`), summary);
  // The series behind the charts, so they can be redrawn or compared with a later run.
  const data = { lines: report.lines, buckets: report.buckets, memory: report.memory, markers, operations };
  writeFileSync(path.join(REPORT_DIR, `${report.name}-data.json`), `${JSON.stringify(data)}\n`);
  console.log(`\n${summary}`);
  return summary;
}
