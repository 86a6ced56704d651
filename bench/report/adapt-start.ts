// The adapter of the first-start section: start-up times and idle memory.
import type { FirstStartResult } from '../first-start.js';
import {
  atMost,
  FIRST_START_SECONDS,
  IDLE_RSS_PGLITE_MB,
  IDLE_RSS_POSTGRES_MB,
  REOPEN_SECONDS,
} from './goals.js';
import type { SectionReport } from './types.js';

const seconds = (values: readonly number[]) => values.map((value) => value.toFixed(2)).join(', ');

export function fromFirstStart(result: FirstStartResult): SectionReport {
  const ratio = (value: number, baseline: number) => (baseline > 0 ? value / baseline : undefined);
  return {
    id: 'first-start',
    title: 'First start and memory',
    rows: [
      { name: '`npm ci` (install, build, database template)', value: result.npmCiSeconds, unit: 's' },
      {
        name: 'EBADENGINE warnings in `npm ci`',
        value: result.badEngines,
        unit: '',
        goal: atMost(result.badEngines, 0, '0'),
      },
      {
        name: 'first `npm start` on a new DATA_DIR to healthy (PGlite)',
        value: result.firstStartSeconds,
        unit: 's',
        baseline: result.baselineStartSeconds,
        ratio: ratio(result.firstStartSeconds, result.baselineStartSeconds),
        goal: atMost(result.firstStartSeconds, FIRST_START_SECONDS, `≤ ${FIRST_START_SECONDS} s`),
      },
      {
        name: 'reopen (`npm start` again) to healthy (PGlite)',
        value: result.reopenSeconds,
        unit: 's',
        baseline: result.baselineStartSeconds,
        ratio: ratio(result.reopenSeconds, result.baselineStartSeconds),
        goal: atMost(result.reopenSeconds, REOPEN_SECONDS, `≤ ${REOPEN_SECONDS} s`),
      },
      {
        name: `idle RSS after ${result.idleSeconds} s (PGlite)`,
        value: result.pgliteRssMb,
        unit: 'MB',
        baseline: result.baselineRssMb,
        ratio: ratio(result.pgliteRssMb, result.baselineRssMb),
        goal: atMost(result.pgliteRssMb, IDLE_RSS_PGLITE_MB, `≤ ${IDLE_RSS_PGLITE_MB} MB`),
      },
      {
        name: `idle RSS after ${result.idleSeconds} s (PostgreSQL)`,
        value: result.postgresRssMb,
        unit: 'MB',
        ...(result.postgresRssMb === undefined
          ? { note: 'not measured: no PostgreSQL server (DATABASE_URL or BENCH_PG_URL)' }
          : {
              baseline: result.baselineRssMb,
              ratio: ratio(result.postgresRssMb, result.baselineRssMb),
            }),
        goal: atMost(result.postgresRssMb, IDLE_RSS_POSTGRES_MB, `≤ ${IDLE_RSS_POSTGRES_MB} MB`),
      },
    ],
    notes: [
      `A fresh clone of \`${result.commit}\`; the baseline is a bare Node HTTP server started through npm the same way.`,
      ...(result.starts
        ? [
            `Each start timed ${result.runs} times, alternating with the baseline; the table shows medians. ` +
              `All (s): baseline ${seconds(result.starts.baseline)}; first start ${seconds(result.starts.first)}; ` +
              `reopen ${seconds(result.starts.reopen)}.`,
          ]
        : []),
    ],
    problems: [],
  };
}
