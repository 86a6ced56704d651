import pg from 'pg';
import type { Listening, ListenHandlers } from './database.js';

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/**
 * `LISTEN` on a connection of its own, outside the pool: a pooled connection is handed to
 * other work and its notifications would go to whoever holds it. When the connection dies
 * (a restart, `pg_terminate_backend`, a cut network noticed by keepalive) it is opened
 * again with a growing pause, and `onListening` runs each time: whatever was notified
 * while nobody listened is lost, so the listener's owner must look for itself then.
 */
class PostgresListener implements Listening {
  private client: pg.Client | undefined;
  private closed = false;
  private retryMs = FIRST_RETRY_MS;
  private retry: NodeJS.Timeout | undefined;
  backendPid: number | undefined;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly channel: string,
    private readonly handlers: ListenHandlers,
  ) {}

  /** Resolves after the first attempt, listening or not: a database away at boot is retried. */
  async open(): Promise<void> {
    await this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    this.backendPid = undefined;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client(this.config);
    this.client = client;
    client.on('notification', (message) => {
      if (message.channel === this.channel) this.handlers.onNotify(message.payload ?? '');
    });
    // An idle client reports its connection's end as an error, or only as an end.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(this.channel)}`);
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      if (this.client !== client) return;
      this.backendPid = rows[0]!.pid;
      this.retryMs = FIRST_RETRY_MS;
      this.handlers.onListening?.();
    } catch (error) {
      this.lost(client, error as Error);
    }
  }

  private lost(client: pg.Client, error?: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.backendPid = undefined;
    void client.end().catch(() => {});
    if (this.closed) return;
    this.handlers.onLost?.(error ?? new Error('the listening connection ended'));
    this.retry = setTimeout(() => void this.connect(), this.retryMs);
    this.retry.unref();
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }
}

export async function listenOnPostgres(
  config: pg.ClientConfig,
  channel: string,
  handlers: ListenHandlers,
): Promise<Listening> {
  const listener = new PostgresListener(
    { ...config, application_name: 'mamlaka-listener', keepAlive: true, keepAliveInitialDelayMillis: 10_000 },
    channel,
    handlers,
  );
  await listener.open();
  return listener;
}
