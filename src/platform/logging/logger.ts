import { type Logger, pino } from 'pino';
import type { Config } from '../../config.js';

/** Secrets and personal data never reach a log line, whatever a caller passes in. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.password',
  '*.confirm_password',
  '*.current_password',
  '*.refresh_token',
  '*.token',
  '*.credential',
];

export function createLogger(config: Pick<Config, 'logLevel' | 'mode'>): Logger {
  return pino({ level: config.logLevel, redact: REDACT, base: { mode: config.mode } });
}
