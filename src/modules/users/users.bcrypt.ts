import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * bcrypt verification for accounts imported with bcrypt hashes. The only bcrypt that
 * installs everywhere is pure JavaScript (bcryptjs), which would burn the event loop for
 * ~60 ms per check, so it runs on one lazily started worker thread. Each such account is
 * rehashed with argon2id at its first login, so this path fades away.
 */
const bcryptPath = createRequire(import.meta.url).resolve('bcryptjs');

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const bcrypt = require(${JSON.stringify(bcryptPath)});
parentPort.on('message', ({ id, password, hash }) => {
  let ok = false;
  try { ok = bcrypt.compareSync(password, hash); } catch {}
  parentPort.postMessage({ id, ok });
});
`;

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, (ok: boolean) => void>();

function bcryptWorker(): Worker {
  if (worker) return worker;
  const started = new Worker(WORKER_SOURCE, { eval: true });
  started.unref();
  started.on('message', ({ id, ok }: { id: number; ok: boolean }) => {
    pending.get(id)?.(ok);
    pending.delete(id);
  });
  started.on('error', () => {
    for (const resolve of pending.values()) resolve(false);
    pending.clear();
    worker = undefined;
  });
  worker = started;
  return started;
}

export function verifyBcrypt(password: string, hash: string): Promise<boolean> {
  return new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, resolve);
    bcryptWorker().postMessage({ id, password, hash });
  });
}
