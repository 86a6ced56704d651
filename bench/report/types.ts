// What every section of `npm run bench` hands to the report: rows of figures, each with its
// reference and goal when it has one. Sections produce their own result types; a small
// adapter per section (adapters.ts) turns them into this shape, so the document and the
// charts are written by one piece of code from one kind of data.

export interface Goal {
  /** As the issue states it, e.g. "≥ 0.50× bare Fastify" or "p99 < 2× p50". */
  text: string;
  pass: boolean;
}

export interface ReportRow {
  name: string;
  /** Undefined when it could not be measured in this run (the note says why). */
  value: number | undefined;
  unit: string;
  /** The reference measured in the same run, in the same unit. */
  baseline?: number;
  /** value ÷ baseline, or whatever ratio the goal is stated in. */
  ratio?: number;
  goal?: Goal;
  note?: string;
}

export interface BarSeries {
  name: string;
  /** One value per group, in the order of `groups`; undefined leaves the bar out. */
  values: (number | undefined)[];
}

/** Horizontal bars, one group per label, one bar per series; an optional goal line. */
export interface BarChart {
  kind: 'bars';
  title: string;
  unit: string;
  groups: string[];
  series: BarSeries[];
  /** A vertical line at this value, labelled (e.g. the goal ratio). */
  threshold?: { value: number; label: string };
}

export interface LineChart {
  kind: 'lines';
  title: string;
  xLabel: string;
  yLabel: string;
  series: { name: string; points: [number, number][] }[];
}

export type Chart = BarChart | LineChart;

export interface SectionReport {
  /** The region of docs/benchmarks.md and the chart's file name: `reads-pglite`, `latency`, … */
  id: string;
  title: string;
  rows: ReportRow[];
  chart?: Chart;
  /** Lines printed under the table: settings of this section, what was skipped and why. */
  notes?: string[];
  /** What went wrong (failed requests, disagreeing counts); a run with problems exits 1. */
  problems: string[];
}

/** Where and how a run was made, stamped on every region it writes. */
export interface RunInfo {
  date: string;
  commit: string;
  /** Uncommitted changes in the tree when the run started. */
  dirty: boolean;
  machine: { cores: number; model: string; memoryGb: number; node: string; platform: string };
  settings: { durationSeconds: number; warmupSeconds: number; runs: number };
}
