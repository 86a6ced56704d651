import { type DestinationStream, type Logger, pino } from 'pino';
import type { Config } from '../../config.js';
import { maskLogLine, serializeError } from './redaction.js';
import { logIds } from '../tracing/tracing.js';

/** Secrets and personal data never reach a log line, whatever a caller passes in. */
const SECRET_FIELDS = [
  'password',
  'confirm_password',
  'current_password',
  'new_password',
  'password_hash',
  'passwordHash',
  'hash',
  'refresh_token',
  'refreshToken',
  'access_token',
  'accessToken',
  'token',
  'secret',
  'client_secret',
  'server_key',
  'serverKey',
  'api_key',
  'apiKey',
  'credential',
  'authorization',
  'cookie',
];
// A field is redacted at the top level of a log call and one level down (pino's paths do not
// recurse); card numbers and password hashes anywhere are masked in the line (maskLogLine).
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`]),
];

/** `destination`: where lines go instead of stdout (tests read them). */
export function createLogger(
  config: Pick<Config, 'logLevel' | 'mode'>,
  destination?: DestinationStream,
): Logger {
  const options = {
    level: config.logLevel,
    redact: REDACT,
    base: { mode: config.mode },
    // Errors are logged only through serializeError: no SQL text, parameters or row values.
    serializers: { err: serializeError, error: serializeError },
    hooks: { streamWrite: maskLogLine },
    // trace_id and span_id of the active span, so a line can be found from its trace.
    // A fresh object each time: pino merges the line's fields into it.
    mixin: () => logIds() ?? {},
  };
  return destination ? pino(options, destination) : pino(options);
}
