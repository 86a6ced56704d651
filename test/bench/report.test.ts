import { describe, expect, it } from 'vitest';
import { goalRows } from '../../bench/report/adapt.js';
import { fromLatency } from '../../bench/report/adapt-http.js';
import { atLeast } from '../../bench/report/goals.js';
import { replaceRegion, sectionRegion, summaryRegion } from '../../bench/report/markdown.js';
import { defaultChart, renderChart } from '../../bench/report/publish.js';
import type { RunInfo, SectionReport } from '../../bench/report/types.js';
import { measuredLoad } from '../../bench/latency-pgbench.js';
import type { LatencySection } from '../../bench/latency-section.js';
import { lineChart } from '../../scripts/ops/svg-chart.js';

/** One open-loop phase's result, as the latency section reports it. */
const fixedRateLoad = (p50Ms: number, p99Ms: number, sendDelayP99Ms: number) => ({
  seconds: 10,
  due: 1000,
  succeeded: 1000,
  rejected: {},
  errors: 0,
  perSec: 100,
  p50Ms,
  p99Ms,
  maxMs: p99Ms,
  sendDelayP99Ms,
  p99BySecond: [],
});
const lag = { p50Ms: 0, p99Ms: 1, maxMs: 5 };

const run: RunInfo = {
  date: '2026-12-02T10:30:00.000Z',
  commit: 'abc1234',
  dirty: true,
  machine: { cores: 2, model: 'Test CPU', memoryGb: 8, node: 'v20.20.2', platform: 'linux 6.1' },
  settings: { durationSeconds: 30, warmupSeconds: 2, runs: 3 },
};

const reads: SectionReport = {
  id: 'reads-pglite',
  title: 'Reads on embedded PGlite',
  rows: [
    { name: 'baseline GET /', value: 60_000, unit: 'req/s' },
    {
      name: 'GET /products/:id',
      value: 33_000,
      unit: 'req/s',
      baseline: 60_000,
      ratio: 0.55,
      goal: atLeast(0.55, 0.5, '≥ 0.50× bare Fastify'),
    },
    {
      name: 'GET /users/me',
      value: 6_000,
      unit: 'req/s',
      baseline: 60_000,
      ratio: 0.1,
      goal: atLeast(0.1, 0.25, '≥ 0.25× bare Fastify'),
    },
  ],
  problems: [],
};

const doc = [
  '# Benchmarks',
  'Hand-written method.',
  '<!-- bench:results:summary:start -->',
  'old summary',
  '<!-- bench:results:summary:end -->',
  '## Reads',
  '<!-- bench:results:reads-pglite:start -->',
  '| old | table |',
  '<!-- bench:results:reads-pglite:end -->',
  'Why the reads are what they are.',
].join('\n');

describe('the generated report', () => {
  it('replaces only the region of the section measured and keeps the prose around it', () => {
    const written = replaceRegion(
      doc,
      'reads-pglite',
      sectionRegion(reads, run, 'benchmarks/reads-pglite.svg'),
      'x',
    );
    expect(written).not.toContain('| old | table |');
    expect(written).toContain('Hand-written method.');
    expect(written).toContain('Why the reads are what they are.');
    expect(written).toContain('old summary');
    expect(written).toContain('commit `abc1234` with uncommitted changes');
    expect(written).toContain('30 s per measurement after 2 s of warm-up, median of 3 runs');
    expect(written).toContain(
      '| GET /products/:id | 33,000 req/s | 60,000 req/s | 0.55× | ≥ 0.50× bare Fastify | met |',
    );
    expect(written).toContain(
      '| GET /users/me | 6,000 req/s | 60,000 req/s | 0.10× | ≥ 0.25× bare Fastify | **missed** |',
    );
    expect(written).toContain('![Reads on embedded PGlite](benchmarks/reads-pglite.svg)');
    // Writing the same region again changes nothing: the markers are kept.
    expect(replaceRegion(written, 'reads-pglite', sectionRegion(reads, run, undefined), 'x')).toBe(
      replaceRegion(doc, 'reads-pglite', sectionRegion(reads, run, undefined), 'x'),
    );
  });

  it('adds a section the document has no region for at its end, under a heading', () => {
    const written = replaceRegion(doc, 'latency', 'the table', 'Latency under load');
    expect(written.startsWith(doc)).toBe(true);
    expect(written).toMatch(
      /### Latency under load\n\n<!-- bench:results:latency:start -->\nthe table\n<!-- bench:results:latency:end -->\n$/,
    );
  });

  it('lists every goal in the summary with the run that judged it, and counts those met', () => {
    const summary = summaryRegion([{ run, report: reads }]);
    expect(summary).toContain(
      '| Reads on embedded PGlite | GET /products/:id | 0.55× | ≥ 0.50× bare Fastify | met | 2026-12-02, `abc1234`+ |',
    );
    expect(summary).toContain('**missed**');
    expect(summary).toContain('1 of 2 goals met.');
    expect(summary).not.toContain('baseline GET /');
  });

  it('takes rows with goals that a section adds later, in the shape it gives them', () => {
    const extended = {
      rows: [{ name: 'known row' }],
      marketplace: {
        name: 'marketplace mix ÷ pgbench',
        perSecond: 410,
        ratio: 1.1,
        goal: { text: '≥ 1.0×', pass: true },
      },
      scenarios: [
        { name: 'flash sale', value: 0.7, unit: '×', goal: { text: '≥ 0.8×', pass: false } },
        { name: 'no goal' },
      ],
    };
    expect(goalRows(extended, new Set(['rows']))).toEqual([
      {
        name: 'marketplace mix ÷ pgbench',
        value: 410,
        unit: '/s',
        ratio: 1.1,
        goal: { text: '≥ 1.0×', pass: true },
      },
      { name: 'flash sale', value: 0.7, unit: '×', goal: { text: '≥ 0.8×', pass: false } },
    ]);
  });

  it('judges latency by p99 ÷ p50 at the fixed rate and by how much the login storm raises checkout p99', () => {
    const load = (p50Ms: number, p99Ms: number) => fixedRateLoad(p50Ms, p99Ms, 0);
    const section: LatencySection = {
      checkoutDatabase: 'postgres',
      reads: { name: 'GET /products/:id', peakPerSec: 30_000, ratePerSec: 21_000, load: load(1, 1.5), lag },
      checkouts: {
        name: 'POST /payments (wallet)',
        peakPerSec: 400,
        ratePerSec: 280,
        load: load(20, 50),
        lag,
      },
      storm: {
        checkouts: load(25, 90),
        logins: { ...load(30, 900), rejected: { 503: 12 } },
        loginRatePerSec: 100,
        lag,
      },
      problems: [],
    };
    const goals = fromLatency(section)
      .rows.filter((row) => row.goal)
      .map((row) => [row.name, row.goal!.pass]);
    expect(goals).toEqual([
      ['GET /products/:id: p99 ÷ p50 at 21000/s (70 % of peak)', true],
      ['POST /payments (wallet): p99 ÷ p50 at 280/s (70 % of peak)', false],
      ['checkout p99 with 100 logins/s ÷ without', true],
    ]);
  });

  it('names the sustained peak the checkouts’ fixed rate is a share of, and how long its backlog drained', () => {
    const load = (p50Ms: number, p99Ms: number) => fixedRateLoad(p50Ms, p99Ms, 0);
    const phase = (name: string) => ({ name, peakPerSec: 300, ratePerSec: 210, load: load(2, 3), lag });
    const section: LatencySection = {
      checkoutDatabase: 'postgres',
      reads: phase('GET /products/:id'),
      checkouts: {
        ...phase('POST /payments (wallet)'),
        sustained: { perSec: 240, drainSeconds: 7.5 },
        ratePerSec: 168,
      },
      storm: { checkouts: load(2, 3), logins: load(2, 3), loginRatePerSec: 100, lag },
      problems: [],
    };
    const rows = fromLatency(section).rows.filter((row) => row.name.startsWith('POST /payments'));
    expect(rows.map((row) => [row.name, row.value])).toEqual([
      ['POST /payments (wallet): peak (closed loop)', 300],
      ['POST /payments (wallet): peak with its background work done', 240],
      ['POST /payments (wallet): p99 ÷ p50 at 168/s (70 % of the sustained peak)', 3],
    ]);
    expect(rows[1]!.note).toContain('the 7.5 s its outbox and mail queue took to drain');
  });

  it('reports the bare-server control beside the product reads, as a ratio with no goal of its own', () => {
    const load = (p50Ms: number, p99Ms: number) => fixedRateLoad(p50Ms, p99Ms, 3);
    const phase = (name: string) => ({ name, peakPerSec: 100, ratePerSec: 70, load: load(2, 3), lag });
    const section: LatencySection = {
      checkoutDatabase: 'pglite',
      reads: { ...phase('GET /products/:id'), ratePerSec: 21_000 },
      control: {
        peakPerSec: 60_000,
        atOwnShare: { ratePerSec: 42_000, load: load(1.5, 30) },
        atReadRate: { ratePerSec: 21_000, load: load(1, 2.5) },
      },
      checkouts: phase('POST /payments (wallet)'),
      storm: { checkouts: load(2, 3), logins: load(2, 3), loginRatePerSec: 100, lag },
      problems: [],
    };
    const control = fromLatency(section).rows.filter((row) => row.name.startsWith('control'));
    expect(control.map((row) => [row.name, row.ratio, row.goal])).toEqual([
      ['control, bare Fastify GET /: peak (closed loop)', undefined, undefined],
      ['control, bare Fastify GET /: p99 ÷ p50 at 42000/s (70 % of its peak)', 20, undefined],
      ["control, bare Fastify GET /: p99 ÷ p50 at 21000/s (the product reads' rate)", 2.5, undefined],
    ]);
    expect(control[1]!.note).toContain('sent late by the generator: p99 3 ms');
  });

  it('reports pgbench on the checkouts’ database beside the checkouts, as a ratio with no goal of its own', () => {
    const load = (p50Ms: number, p99Ms: number) => fixedRateLoad(p50Ms, p99Ms, 0);
    const phase = (name: string) => ({ name, peakPerSec: 400, ratePerSec: 280, load: load(20, 50), lag });
    const pgbench = (p50Ms: number, p99Ms: number) => ({
      perSec: 280,
      p50Ms,
      p99Ms,
      maxMs: 90,
      transactions: 8400,
    });
    const section: LatencySection = {
      checkoutDatabase: 'postgres',
      reads: phase('GET /products/:id'),
      checkouts: phase('POST /payments (wallet)'),
      databaseControl: {
        clients: 64,
        peakPerSec: 900,
        atOwnShare: { ratePerSec: 630, load: pgbench(3, 60) },
        atCheckoutRate: { ratePerSec: 280, load: pgbench(2.5, 10) },
        problems: [],
      },
      storm: { checkouts: load(2, 3), logins: load(2, 3), loginRatePerSec: 100, lag },
      problems: [],
    };
    const report = fromLatency(section);
    const names = report.rows.map((row) => row.name);
    const control = report.rows.filter((row) => row.name.includes('pgbench'));
    expect(control.map((row) => [row.name, row.ratio, row.goal])).toEqual([
      ["control, pgbench running the checkout's statements: peak (64 clients)", undefined, undefined],
      [
        "control, pgbench running the checkout's statements: p99 ÷ p50 at 630/s (70 % of its peak)",
        20,
        undefined,
      ],
      [
        "control, pgbench running the checkout's statements: p99 ÷ p50 at 280/s (the checkouts' rate)",
        4,
        undefined,
      ],
    ]);
    // Right after the checkouts' own rows, before the login storm's.
    expect(names.indexOf(control[0]!.name)).toBe(
      names.indexOf('POST /payments (wallet): p99 ÷ p50 at 280/s (70 % of peak)') + 1,
    );
    expect(control[2]!.note).toContain('max 90 ms; 8400 transactions');
    expect(report.notes?.some((note) => note.startsWith('Database control'))).toBe(true);
  });

  it('measures pgbench at a fixed rate from the transactions scheduled after the warm-up', () => {
    // Scheduled starts at 0, 1, 2 and 3 s (end − latency); a warm-up of 1.5 s keeps the last two.
    const run = {
      latenciesUs: [900_000, 2_000, 40_000, 1_000],
      endsUs: [900_000, 1_002_000, 2_040_000, 3_001_000].map((us) => 1_000_000_000_000 + us),
    };
    expect(measuredLoad(run, 1.5, 2)).toEqual({ perSec: 1, p50Ms: 1, p99Ms: 40, maxMs: 40, transactions: 2 });
    expect(measuredLoad(run, 0, 4).transactions).toBe(4);
  });

  it('draws a chart for a section that brings none, as well-formed SVG with its labels escaped', () => {
    const chart = defaultChart({
      ...reads,
      rows: [...reads.rows, { name: 'a <b> & "c"', value: 1, unit: 'req/s', ratio: 0.2 }],
    });
    expect(chart).toMatchObject({
      kind: 'bars',
      groups: ['GET /products/:id', 'GET /users/me', 'a <b> & "c"'],
    });
    const svg = renderChart(chart!);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('a &#60;b&#62; &#38; &#34;c&#34;');
    expect(svg.match(/<rect x="230"/g)).toHaveLength(3);
  });

  it('still draws the soak and chaos reports’ line charts through scripts/ops', () => {
    const svg = lineChart({
      title: 'rps',
      xLabel: 's',
      yLabel: 'req/s',
      series: [
        {
          name: 'load',
          points: [
            [0, 1],
            [10, 5],
          ],
        },
      ],
    });
    expect(svg).toContain('<polyline');
  });
});
