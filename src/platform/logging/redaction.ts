import { stdSerializers } from 'pino';

/**
 * What of a database error may be logged: enough to know what failed and where, nothing of
 * what was sent. PGlite attaches the statement and its parameters (`query`, `params`), and
 * PostgreSQL's `detail` ("Failing row contains (…)", "Key (email)=(…)") and context lines
 * repeat the row's values: an e-mail, a password hash.
 */
const DATABASE_ERROR_FIELDS = new Set([
  'type',
  'message',
  'stack',
  'code',
  'severity',
  'constraint',
  'table',
  'column',
  'schema',
  'dataType',
  'routine',
  'aggregateErrors',
]);

/** Fields that carry a statement or its values, on an error from any database library. */
const STATEMENT_FIELDS = new Set([
  'query',
  'queryOptions',
  'params',
  'parameters',
  'bindings',
  'values',
  'sql',
  'detail',
  'where',
  'internalQuery',
]);

// Nested values deeper than this are not worth a log line (and could be cyclic).
const MAX_DEPTH = 4;

// Dates and raw bytes are values, not records to look into.
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !(value instanceof Date) &&
  !ArrayBuffer.isView(value) &&
  !Array.isArray(value);

/** A database error (by what only those carry) keeps an allow-list; any other drops statements. */
function withoutStatements(value: unknown, depth: number): unknown {
  if (Array.isArray(value))
    return depth >= MAX_DEPTH ? '[Array]' : value.map((v) => withoutStatements(v, depth + 1));
  if (!isRecord(value)) return value;
  if (depth >= MAX_DEPTH) return '[Object]';
  const fromDatabase = typeof value.severity === 'string' || 'query' in value || 'params' in value;
  const kept: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field === undefined) continue;
    if (fromDatabase ? !DATABASE_ERROR_FIELDS.has(key) : STATEMENT_FIELDS.has(key)) continue;
    kept[key] = withoutStatements(field, depth + 1);
  }
  return kept;
}

/**
 * The one way an error reaches a log line (pino's `err` serializer): pino's own serialization
 * (type, message and stack with their causes, the error's fields), then without SQL text,
 * parameters or row values.
 */
export function serializeError(error: unknown): unknown {
  return withoutStatements(stdSerializers.err(error as Error), 0);
}

// A JSON string literal in a log line.
const STRING_LITERAL = /"(?:[^"\\]|\\.)*"/g;
// Inside one: an escape (kept whole, so its hex digits never count), a run of 20 or more
// digits (an id, not a card: kept), a run of 13–19 digits, optionally grouped by spaces or
// dashes as card numbers are written, that no letter or digit follows, or a word that starts
// with a letter (kept whole). Words are consumed whole so a digit run inside a hex id (a trace
// id, a hash) is never taken for a card: `e12345678901234a…` is one word.
const IN_LITERAL =
  /\\u[0-9a-fA-F]{4}|\\.|\d(?:[ -]?\d){19,}|(\d(?:[ -]?\d){12,18})(?![0-9A-Za-z])|[A-Za-z][0-9A-Za-z]*|\d+[A-Za-z][0-9A-Za-z]*/g;
const ALL_BUT_LAST_FOUR = /\d(?=(?:[ -]?\d){4})/g;
// Password hashes in the PHC (argon2) and modular crypt (bcrypt) formats, wherever they appear.
const PASSWORD_HASH = /\$argon2(?:id|i|d)\$[A-Za-z0-9+/=,.$]*|\$2[abxy]\$\d{2}\$[./A-Za-z0-9]{53}/g;

/**
 * The last line of defence, on every serialized log line (pino's `streamWrite` hook): card-like
 * numbers inside strings keep only their last four digits, and password hashes are removed,
 * whichever field or message carried them.
 */
export function maskLogLine(line: string): string {
  return line
    .replace(PASSWORD_HASH, '[redacted hash]')
    .replace(STRING_LITERAL, (literal) =>
      literal.replace(IN_LITERAL, (match, card: string | undefined) =>
        card ? card.replace(ALL_BUT_LAST_FOUR, '*') : match,
      ),
    );
}
