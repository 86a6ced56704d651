// Resident memory and CPU of each role of the split deployment, idle and under a little
// load: the figures behind the resource requests and limits in deploy/kubernetes.
// `DATABASE_URL=… REDIS_URL=… NATS_URL=… npx tsx scripts/measure-roles.ts [seconds]`
// runs the compiled build (dist/, `npm run build` first), one instance per role, and
// samples /proc/<pid> once a second (Linux only).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCheckoutFixture } from '../bench/checkout.js';
import { startSplitDeployment, type SplitProcess } from './split-deployment.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TICKS_PER_SECOND = 100; // USER_HZ on Linux
const PAGE_BYTES = 4096;

function sample(pid: number) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuTicks = Number(fields[11]) + Number(fields[12]); // utime + stime
  const rssBytes = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE_BYTES;
  return { cpuTicks, rssBytes };
}

interface Figures {
  peakRssMiB: number;
  cpuMillicores: number;
}

/** Samples every process once a second for `seconds` while `load` runs. */
async function observe(
  members: SplitProcess[],
  seconds: number,
  load?: (stop: () => boolean) => Promise<void>,
) {
  const start = new Map(members.map((m) => [m, sample(m.pid()!)]));
  const peak = new Map(members.map((m) => [m, start.get(m)!.rssBytes]));
  let done = false;
  const running = load?.(() => done);
  for (let s = 0; s < seconds; s += 1) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const m of members) peak.set(m, Math.max(peak.get(m)!, sample(m.pid()!).rssBytes));
  }
  done = true;
  await running;
  const figures = new Map<string, Figures>();
  for (const m of members) {
    const ticks = sample(m.pid()!).cpuTicks - start.get(m)!.cpuTicks;
    figures.set(m.role, {
      peakRssMiB: Math.round(peak.get(m)! / 2 ** 20),
      cpuMillicores: Math.round(((ticks / TICKS_PER_SECOND) * 1000) / seconds),
    });
  }
  return figures;
}

const seconds = Number(process.argv[2] ?? 30);
const env = Object.fromEntries(
  ['DATABASE_URL', 'REDIS_URL', 'NATS_URL'].flatMap((n) => (process.env[n] ? [[n, process.env[n]!]] : [])),
);
const split = await startSplitDeployment(
  env,
  1,
  process.env.MEASURE_SOURCES ? undefined : [path.join(ROOT, 'dist/cli/main.js')],
);
try {
  const gateway = split.gateways[0]!.url;
  const idle = await observe(split.all, 10);
  // A little load: 8 concurrent clients, each a buyer with a funded wallet, looping over
  // listing products, reading their profile and a wallet checkout: every role works
  // (gateway → users/catalog/payments over gRPC → PostgreSQL; notifications relays the events).
  const fixture = await createCheckoutFixture(gateway);
  let requests = 0;
  let failed = 0;
  const loaded = await observe(split.all, seconds, async (stop) => {
    await Promise.all(
      fixture.buyers.slice(0, 8).map(async (buyer) => {
        const headers = { authorization: `Bearer ${buyer.token}`, 'content-type': 'application/json' };
        while (!stop()) {
          const productId = fixture.productIds[Math.floor(Math.random() * fixture.productIds.length)];
          for (const [method, route, body] of [
            ['GET', '/products?limit=20', undefined],
            ['GET', '/users/me', undefined],
            ['POST', '/payments', JSON.stringify({ product_id: productId, quantity: 1 })],
          ] as const) {
            const res = await fetch(`${gateway}${route}`, { method, headers, body });
            await res.arrayBuffer();
            requests += 1;
            if (res.status >= 400) failed += 1;
          }
        }
      }),
    );
  });
  console.log(
    `requests under load: ${requests} in ${seconds} s (${Math.round(requests / seconds)}/s), ${failed} failed`,
  );
  console.log('role           idle RSS MiB  idle CPU m  load peak RSS MiB  load CPU m');
  for (const m of split.all) {
    const i = idle.get(m.role)!;
    const l = loaded.get(m.role)!;
    console.log(
      `${m.role.padEnd(15)}${String(i.peakRssMiB).padStart(12)}${String(i.cpuMillicores).padStart(12)}` +
        `${String(l.peakRssMiB).padStart(19)}${String(l.cpuMillicores).padStart(12)}`,
    );
  }
} finally {
  await split.stop();
}
