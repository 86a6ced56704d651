// What must hold after any run, whatever was killed or restarted during it:
//   1. `mamlaka ledger check` passes (double entry balances, balances match entries, …);
//   2. for every product, stock + units sold (net of restocks) = the initial stock;
//   3. every payment the server acknowledged as succeeded exists and is still a sale;
//   4. every payment event reached the seller's webhook endpoint exactly once.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadState } from './load.js';
import { type Cast, onServer, type WebhookReceiver } from './stack.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface InvariantResult {
  name: string;
  ok: boolean;
  detail: string;
}

/** Runs the CLI's ledger check against the run's database, as an operator would. */
export function ledgerCheck(env: Record<string, string>): Promise<InvariantResult> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), 'ledger', 'check', '--skip-gateway'],
      {
        cwd: ROOT,
        env: { ...process.env, ...env },
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk));
    child.on('close', (code) =>
      resolve({
        name: 'mamlaka ledger check',
        ok: code === 0,
        detail: `exit ${code}: ${out.trim().split('\n').slice(0, 6).join(' | ')}`,
      }),
    );
  });
}

const SOLD = `('succeeded', 'partially_refunded', 'refunded')`;

export async function checkInvariants(
  databaseUrl: string,
  env: Record<string, string>,
  cast: Cast,
  load: LoadState,
  receiver: WebhookReceiver,
): Promise<InvariantResult[]> {
  const results: InvariantResult[] = [await ledgerCheck(env)];
  await onServer(databaseUrl, async (client) => {
    const { rows: stock } = await client.query<{ id: string; stock: number; sold: string }>(
      `SELECT p.id, p.stock,
              coalesce((SELECT sum(oi.quantity - oi.restocked_quantity) FROM order_items oi
                        JOIN payments pay ON pay.order_id = oi.order_id
                        WHERE oi.product_id = p.id AND pay.status IN ${SOLD}), 0) AS sold
       FROM products p WHERE p.id = ANY($1::uuid[])`,
      [cast.productIds],
    );
    const wrong = stock.filter((row) => row.stock + Number(row.sold) !== cast.initialStock);
    const soldTotal = stock.reduce((sum, row) => sum + Number(row.sold), 0);
    results.push({
      name: 'stock + sold = initial',
      ok: wrong.length === 0 && stock.length === cast.productIds.length,
      detail:
        `${stock.length} products, ${soldTotal} units sold` +
        (wrong.length
          ? `; off: ${wrong
              .slice(0, 5)
              .map((r) => `${r.id} ${r.stock}+${r.sold}`)
              .join(', ')}`
          : ''),
    });

    const ids = [...load.acknowledged.keys()];
    const { rows: found } = await client.query<{ id: string; status: string; amount: string }>(
      `SELECT id, status, amount_minor::text AS amount FROM payments WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const byId = new Map(found.map((row) => [row.id, row]));
    const lost = ids.filter((id) => !byId.has(id) || !SOLD.includes(`'${byId.get(id)!.status}'`));
    results.push({
      name: 'every acknowledged payment present',
      ok: lost.length === 0,
      detail: `${ids.length} acknowledged, ${lost.length} missing or not a sale${lost.length ? `: ${lost.slice(0, 5).join(', ')}` : ''}`,
    });

    const { rows: deliveries } = await client.query<{ event_id: string; status: string }>(
      `SELECT event_id::text, status FROM webhook_deliveries WHERE endpoint_id = $1`,
      [cast.webhookEndpointId],
    );
    const { rows: events } = await client.query<{ id: string }>(
      `SELECT id::text FROM outbox_events WHERE type LIKE 'payment.%' OR type LIKE 'refund.%'`,
    );
    const delivered = new Set(deliveries.map((d) => d.event_id));
    const undelivered = events.filter((event) => !delivered.has(event.id) || !receiver.seen.has(event.id));
    const twice = [...receiver.seen.entries()].filter(([, count]) => count > 1);
    const notDone = deliveries.filter((d) => d.status !== 'delivered');
    results.push({
      name: 'every event delivered once to webhooks',
      ok: undelivered.length === 0 && twice.length === 0 && notDone.length === 0,
      detail:
        `${events.length} payment/refund events, ${deliveries.length} deliveries, ${receiver.seen.size} distinct received; ` +
        `${undelivered.length} not received, ${twice.length} received more than once, ${notDone.length} deliveries not delivered`,
    });
  });
  return results;
}

/** Waits until every delivery to the endpoint is settled and the outbox is relayed, or `timeoutMs`. */
export async function drain(databaseUrl: string, endpointId: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const pending = await onServer(databaseUrl, async (client) => {
      const { rows } = await client.query<{ n: string }>(
        `SELECT (SELECT count(*) FROM outbox_events WHERE published_at IS NULL)
              + (SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'pending')
              + (SELECT count(*) FROM refunds WHERE status = 'pending') AS n`,
        [endpointId],
      );
      return Number(rows[0]!.n);
    }).catch(() => Number.NaN);
    if (pending === 0) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return Date.now() - started;
}
