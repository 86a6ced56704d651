import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';

/**
 * Password hashing (argon2id, and bcrypt for imported accounts) at a low CPU priority, in a
 * process of its own. A hash is ~20 ms of one core by design; at the default nice value of
 * 19 the kernel gives it only the CPU time that the event loop, the database and the rest
 * of the machine leave over, so a storm of logins slows logins (and, past the queue,
 * refuses them with 503) instead of every checkout.
 *
 * Why a process and not only threads: Linux schedules each session as one group
 * (autogroup, on by default) and weighs groups equally whatever their threads' nice
 * values, so a nice-19 thread of the server still took half a core from a PostgreSQL
 * started in another session. The hashing process starts its own session and lowers that
 * group's priority too (/proc/self/autogroup); its threads are nice as before, which is
 * what counts where there is no autogroup. On an idle machine the priority changes
 * nothing. Where a platform refuses a priority change, the hashing runs at the default.
 */
export interface HashingPoolOptions {
  /** Hashing threads at most; the caller (BoundedConcurrency) keeps no more jobs running. */
  threads: number;
  /** The hashing process's nice value, 0 (as the server) to 19 (only idle CPU). */
  nice: number;
}

export type HashingJob =
  | { op: 'argon2-hash'; password: string; options: object }
  | { op: 'argon2-verify'; password: string; hash: string }
  | { op: 'bcrypt-verify'; password: string; hash: string };

/** Where the hashing runs, as the kernel tells it (for tests and diagnostics). */
export interface HashingPlace {
  pid: number;
  /** The hashing threads' nice value. */
  nice: number;
  /** `/proc/self/autogroup` of the hashing process (`/autogroup-N nice M`); null without autogroup. */
  autogroup: string | null;
}

const resolve = createRequire(import.meta.url).resolve;

// CommonJS evaluated in each hashing thread, so it runs the same from the sources and dist/.
const THREAD_SOURCE = `
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
    case 'nice': return os.getPriority();
  }
  throw new Error('unknown hashing job ' + job.op);
};
parentPort.on('message', ({ id, job }) => {
  try { parentPort.postMessage({ id, value: run(job) }); }
  catch (error) { parentPort.postMessage({ id, error: String(error && error.message || error) }); }
});
`;

// The hashing process: lowers its priority and its session's, starts threads as jobs need
// them (up to \`threads\`, a job to the least busy), and ends when the server goes (its IPC
// channel closes) or a thread dies (the server then rejects what was out and starts anew).
const PROCESS_SOURCE = `
const { Worker } = require('node:worker_threads');
const fs = require('node:fs');
const os = require('node:os');
const { nice, threads, thread } = JSON.parse(process.argv[1]);
try { os.setPriority(nice); } catch {}
try { fs.writeFileSync('/proc/self/autogroup', String(nice)); } catch {}
const autogroup = () => { try { return fs.readFileSync('/proc/self/autogroup', 'utf8').trim(); } catch { return null; } };
const workers = [];
const pick = () => {
  let best;
  for (const worker of workers) if (!best || worker.load < best.load) best = worker;
  if (best && (best.load === 0 || workers.length >= threads)) return best;
  const worker = { load: 0, thread: new Worker(thread, { eval: true, workerData: { nice } }) };
  worker.thread.on('message', (answer) => { worker.load -= 1; process.send(answer); });
  worker.thread.on('error', () => process.exit(1));
  worker.thread.on('exit', () => process.exit(1));
  workers.push(worker);
  return worker;
};
process.on('message', ({ id, job }) => {
  if (job.op === 'process') return process.send({ id, value: { pid: process.pid, autogroup: autogroup() } });
  const worker = pick();
  worker.load += 1;
  worker.thread.postMessage({ id, job });
});
process.on('disconnect', () => process.exit(0));
`;

/** The hashing process ended (killed, crashed, out of memory) with the job still out: the job was not done. */
export class HashingProcessGone extends Error {
  override readonly name = 'HashingProcessGone';
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** The hashing process as the server sees it: jobs out, answers back by id. */
class HashingProcess {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #dead = false;
  #retiring = false;
  #ready: Promise<unknown> | undefined;

  constructor(options: HashingPoolOptions, onExit: (gone: HashingProcess) => void) {
    this.#child = spawn(
      process.execPath,
      ['-e', PROCESS_SOURCE, JSON.stringify({ ...options, thread: THREAD_SOURCE })],
      {
        // A session of its own (setsid): its own scheduling group.
        detached: true,
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        // Not the server's options (a loader, an agent…): the hashing process needs none.
        env: { ...process.env, NODE_OPTIONS: '' },
      },
    );
    this.#child.on('message', ({ id, value, error }: { id: number; value?: unknown; error?: string }) => {
      const pending = this.#pending.get(id);
      this.#pending.delete(id);
      if (this.#pending.size === 0) this.#child.channel?.unref();
      if (error === undefined) pending?.resolve(value);
      else pending?.reject(new Error(error));
      if (this.#retiring && this.#pending.size === 0) this.stop();
    });
    // Held only while a job is out: a hash being computed keeps a CLI command alive until it
    // answers, and an idle process lets the server's process end.
    this.#child.unref();
    this.#child.channel?.unref();
    const fail = (error: Error) => {
      if (this.#dead) return;
      this.#dead = true;
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
      onExit(this);
    };
    this.#child.on('error', fail);
    this.#child.on('exit', (code, signal) =>
      fail(new HashingProcessGone(`password hashing process exited (${signal ?? code})`)),
    );
  }

  /** Resolves once the process runs a thread with the hashing libraries loaded. */
  ready(): Promise<unknown> {
    this.#ready ??= this.run({ op: 'nice' });
    return this.#ready;
  }

  run(job: HashingJob | { op: 'nice' } | { op: 'process' }): Promise<unknown> {
    if (this.#dead) return Promise.reject(new HashingProcessGone('password hashing process is gone'));
    return new Promise((resolve, reject) => {
      const id = this.#nextId++;
      this.#pending.set(id, { resolve, reject });
      if (this.#pending.size === 1) this.#child.channel?.ref();
      this.#child.send({ id, job });
    });
  }

  /** Closes the channel: the process ends on its own. */
  stop(): void {
    if (this.#child.connected) this.#child.disconnect();
  }

  /** Ends the process once the jobs it has are answered. */
  retire(): void {
    this.#retiring = true;
    if (this.#pending.size === 0) this.stop();
  }
}

/** The hashing process, started with the first job and again after it died. */
export class HashingPool {
  #process: HashingProcess | undefined;

  constructor(readonly options: HashingPoolOptions) {}

  run(job: HashingJob): Promise<unknown> {
    return this.#started().run(job);
  }

  /**
   * Starts the hashing process if it is not running and resolves once it can hash: the
   * start (a process, a thread, the libraries, ~0.3 s) is then not taken for a hash's time.
   */
  async ready(): Promise<void> {
    await this.#started().ready();
  }

  /** Where the hashes are computed, and at what priority. */
  async place(): Promise<HashingPlace> {
    const hashing = this.#started();
    const [nice, where] = await Promise.all([hashing.run({ op: 'nice' }), hashing.run({ op: 'process' })]);
    return { nice, ...(where as Omit<HashingPlace, 'nice'>) } as HashingPlace;
  }

  /** Ends the process once the jobs it has are answered; a later job starts a new one. */
  retire(): void {
    this.#process?.retire();
    this.#process = undefined;
  }

  #started(): HashingProcess {
    this.#process ??= new HashingProcess(this.options, (gone) => {
      if (this.#process === gone) this.#process = undefined;
    });
    return this.#process;
  }
}
