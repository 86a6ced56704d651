import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Password hashing (argon2id, and bcrypt for imported accounts) on worker threads that run
 * at a low CPU priority. A hash is ~20 ms of one core by design; at the default nice value
 * of 19 the kernel gives those threads only the CPU time that the event loop, the database
 * and the rest of the machine leave over, so a storm of logins slows logins (and, past the
 * queue, refuses them with 503) instead of every checkout. On an idle machine the priority
 * changes nothing. Linux keeps the nice value per thread, so lowering it inside a worker
 * leaves the event loop as it was; where a platform refuses, the worker runs at the
 * process's own priority.
 */
export interface HashingPoolOptions {
  /** Worker threads at most; the caller (BoundedConcurrency) keeps no more jobs running. */
  threads: number;
  /** The workers' nice value, 0 (as the process) to 19 (only idle CPU). */
  nice: number;
}

export type HashingJob =
  | { op: 'argon2-hash'; password: string; options: object }
  | { op: 'argon2-verify'; password: string; hash: string }
  | { op: 'bcrypt-verify'; password: string; hash: string };

const resolve = createRequire(import.meta.url).resolve;

// CommonJS evaluated in the worker, so it runs the same from the sources and from dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const argon2 = require(${JSON.stringify(resolve('@node-rs/argon2'))});
const bcrypt = require(${JSON.stringify(resolve('bcryptjs'))});
const os = require('node:os');
try { os.setPriority(workerData.nice); } catch {}
const run = (job) => {
  switch (job.op) {
    case 'argon2-hash': return argon2.hashSync(job.password, job.options);
    case 'argon2-verify': return argon2.verifySync(job.hash, job.password);
    case 'bcrypt-verify': return bcrypt.compareSync(job.password, job.hash);
  }
  throw new Error('unknown hashing job ' + job.op);
};
parentPort.on('message', ({ id, job }) => {
  try { parentPort.postMessage({ id, value: job.op === 'nice' ? os.getPriority() : run(job) }); }
  catch (error) { parentPort.postMessage({ id, error: String(error && error.message || error) }); }
});
`;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

class HashingWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #dead = false;
  #retiring = false;

  constructor(nice: number, onExit: (worker: HashingWorker) => void) {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { nice } });
    this.#worker.on('message', ({ id, value, error }: { id: number; value?: unknown; error?: string }) => {
      const pending = this.#pending.get(id);
      this.#pending.delete(id);
      if (this.#pending.size === 0) this.#worker.unref();
      if (error === undefined) pending?.resolve(value);
      else pending?.reject(new Error(error));
      if (this.#retiring && this.#pending.size === 0) void this.stop();
    });
    // Held only while a job is out: a hash being computed keeps a CLI command alive until it
    // answers, and an idle pool lets the process end (listening for messages refs it again).
    this.#worker.unref();
    const fail = (error: Error) => {
      this.#dead = true;
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
      onExit(this);
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`password hashing worker exited (${code})`)));
  }

  get load(): number {
    return this.#pending.size;
  }

  run(job: HashingJob | { op: 'nice' }): Promise<unknown> {
    if (this.#dead) return Promise.reject(new Error('password hashing worker is gone'));
    return new Promise((resolve, reject) => {
      const id = this.#nextId++;
      this.#pending.set(id, { resolve, reject });
      if (this.#pending.size === 1) this.#worker.ref();
      this.#worker.postMessage({ id, job });
    });
  }

  stop(): Promise<number> {
    return this.#worker.terminate();
  }

  /** Ends the thread once the jobs it has are answered. */
  retire(): void {
    this.#retiring = true;
    if (this.#pending.size === 0) void this.stop();
  }
}

/** Worker threads started as jobs need them, up to `threads`; a job goes to the least busy. */
export class HashingPool {
  readonly #workers: HashingWorker[] = [];

  constructor(readonly options: HashingPoolOptions) {}

  run(job: HashingJob): Promise<unknown> {
    return this.#pick().run(job);
  }

  /** The nice value a worker's thread has, as the kernel tells it. */
  async workerNice(): Promise<number> {
    return (await this.#pick().run({ op: 'nice' })) as number;
  }

  /** Ends the workers, each once the jobs it has are answered; the pool takes no more. */
  retire(): void {
    for (const worker of this.#workers.splice(0)) worker.retire();
  }

  #pick(): HashingWorker {
    let best: HashingWorker | undefined;
    for (const worker of this.#workers) if (!best || worker.load < best.load) best = worker;
    if (best && (best.load === 0 || this.#workers.length >= this.options.threads)) return best;
    const started = new HashingWorker(this.options.nice, (gone) => {
      const index = this.#workers.indexOf(gone);
      if (index >= 0) this.#workers.splice(index, 1);
    });
    this.#workers.push(started);
    return started;
  }
}
