import { boolean, boundedDuration, duration, type Env, natsStream } from './config.env.js';

/** A busy relay's rounds at most this often (OUTBOX_BATCH_WINDOW); the events bench runs with it too. */
export const DEFAULT_OUTBOX_BATCH_WINDOW = '20ms';

/** The bus and the outbox relay. */
export interface EventsSettings {
  /** JetStream stream (and the tail of its subjects): separate streams keep deployments apart. */
  natsStream: string;
  /** Without commits' NOTIFYs, an idle relay finds events only by polling. */
  outboxPollIntervalMs: number;
  /** Whether commits that wrote events NOTIFY the relay, which LISTENs (off: it only polls). */
  outboxListen: boolean;
  /** A busy relay's rounds start at most this often (OutboxRelay's batchWindowMs); 0: on every wake-up. */
  outboxBatchWindowMs: number;
}

/** NATS_STREAM, OUTBOX_POLL_INTERVAL (1s), OUTBOX_LISTEN (true), OUTBOX_BATCH_WINDOW (20ms, at most 1s). */
export function eventsSettings(env: Env): EventsSettings {
  return {
    natsStream: natsStream(env),
    outboxPollIntervalMs: duration(env, 'OUTBOX_POLL_INTERVAL', '1s'),
    outboxListen: boolean(env, 'OUTBOX_LISTEN', true),
    outboxBatchWindowMs: boundedDuration(env, 'OUTBOX_BATCH_WINDOW', DEFAULT_OUTBOX_BATCH_WINDOW, 1_000),
  };
}
