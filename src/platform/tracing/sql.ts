import type { LogEvent } from 'kysely';
import { failSpan, SpanKind, tracer, tracingOn } from './tracing.js';

const MAX_STATEMENT = 1_000;

/**
 * Kysely's `log` hook: a span per query, a child of the request or job that ran it, drawn
 * after the fact from the duration Kysely measured. The statement is SQL text with `$n`
 * placeholders, never the values.
 */
export function traceQuery(event: LogEvent): void {
  if (!tracingOn) return;
  const statement = event.query.sql;
  // onCommit's markers (db/commit-watch.ts) never reach the database.
  if (statement === '') return;
  const span = tracer().startSpan('db.query', {
    kind: SpanKind.CLIENT,
    startTime: Date.now() - event.queryDurationMillis,
    attributes: {
      'db.system': 'postgresql',
      'db.statement': statement.length > MAX_STATEMENT ? `${statement.slice(0, MAX_STATEMENT)}…` : statement,
      'db.operation': statement.trimStart().split(/\s/, 1)[0]?.toUpperCase() ?? '',
    },
  });
  if (event.level === 'error') failSpan(span, event.error);
  span.end();
}
