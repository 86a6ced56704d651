// What must hold after every checkout run, whoever ran it (Mamlaka or pgbench): the ledger
// reconciles (`mamlaka ledger check`, the command an operator runs), and for every product
// of the run, stock + units sold = the stock it was created with.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckoutFixture } from './checkout.js';
import { withClient } from './postgres.js';
import { mamlakaSpec } from './servers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Invariants {
  /** `mamlaka ledger check --skip-gateway` exited 0 (wallet payments only: no gateway to ask). */
  ledgerCheck: boolean;
  /** Every product's stock + sold equals its initial stock. */
  stockConserved: boolean;
  /** What failed, in words; empty when both hold. */
  problems: string[];
}

/** Runs the CLI from dist/ against `dbUrl`, as an operator would; its output when it fails. */
async function ledgerCheck(dbUrl: string, env: NodeJS.ProcessEnv): Promise<{ ok: boolean; output: string }> {
  const spec = await mamlakaSpec({ databaseUrl: dbUrl, env });
  try {
    return await new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [path.join(root, 'bin/mamlaka.js'), 'ledger', 'check', '--skip-gateway'],
        { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('error', reject);
      child.once('exit', (code) => resolve({ ok: code === 0, output: output.trim() }));
    });
  } finally {
    spec.cleanup?.();
  }
}

/** Products whose stock + units sold (succeeded payments, less units put back) differ from their initial stock. */
async function stockDrift(dbUrl: string, initial: ReadonlyMap<string, number>): Promise<string[]> {
  const ids = [...initial.keys()];
  return withClient(dbUrl, async (client) => {
    const { rows } = await client.query<{ id: string; stock: number; sold: string }>(
      `SELECT p.id, p.stock, coalesce(sold.units, 0)::text AS sold
       FROM products p
       LEFT JOIN (
         SELECT i.product_id, sum(i.quantity - i.restocked_quantity) AS units
         FROM order_items i JOIN payments pay ON pay.order_id = i.order_id AND pay.status = 'succeeded'
         WHERE i.product_id = ANY($1::uuid[])
         GROUP BY i.product_id
       ) sold ON sold.product_id = p.id
       WHERE p.id = ANY($1::uuid[])`,
      [ids],
    );
    const drift = rows.flatMap((row) => {
      const sum = BigInt(row.stock) + BigInt(row.sold);
      const start = BigInt(initial.get(row.id)!);
      return sum === start ? [] : [`product ${row.id}: stock ${row.stock} + sold ${row.sold} ≠ ${start}`];
    });
    if (rows.length !== ids.length) drift.push(`${ids.length - rows.length} products of the run are missing`);
    return drift;
  });
}

/** Both invariants after a run on `fixture`'s products; `env` is the measured server's (same keys). */
export async function checkInvariants(
  dbUrl: string,
  fixture: CheckoutFixture,
  env: NodeJS.ProcessEnv,
): Promise<Invariants> {
  const problems: string[] = [];
  const ledger = await ledgerCheck(dbUrl, env);
  if (!ledger.ok) problems.push(`mamlaka ledger check failed: ${ledger.output.slice(0, 1000)}`);
  const initial = fixture.initialStock ?? new Map();
  const drift = initial.size > 0 ? await stockDrift(dbUrl, initial) : ['the fixture has no initial stock'];
  problems.push(...drift.slice(0, 10));
  if (drift.length > 10) problems.push(`… and ${drift.length - 10} more products out of step`);
  return { ledgerCheck: ledger.ok, stockConserved: drift.length === 0, problems };
}
