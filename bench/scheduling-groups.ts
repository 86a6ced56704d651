// Why password hashing runs in a process of its own session: on one core, a process that
// spins for the whole run (standing in for PostgreSQL, which runs in a session of its own)
// against a nice-19 spinner placed three ways:
//   1. a thread of a process in another session (the hashing threads inside the server);
//   2. the same, with both in one session (what nice values are designed for);
//   3. a process in a new session that lowers its session group too (the hashing process).
// Prints the CPU seconds each got. Linux only; needs `taskset` (util-linux).
//   npx tsx bench/scheduling-groups.ts [seconds]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { runScript } from './script.js';

const seconds = Number(process.argv[2] ?? 6);
const spinFor = `const end = Date.now() + ${seconds * 1000}; while (Date.now() < end) {}`;
const cpuSeconds = `((u) => ((u.user + u.system) / 1e6).toFixed(2))(process.cpuUsage())`;

const SPINNER = `${spinFor}; console.log(${cpuSeconds});`;
const NICE_THREAD = `
const { Worker } = require('node:worker_threads');
new Worker("require('node:os').setPriority(19); ${spinFor}", { eval: true })
  .on('exit', () => console.log(${cpuSeconds}));`;
const NICE_SESSION = `
const fs = require('node:fs');
require('node:os').setPriority(19);
try { fs.writeFileSync('/proc/self/autogroup', '19'); } catch {}
${spinFor}; console.log(${cpuSeconds});`;

/** Runs `source` on CPU 1, in a new session when `ownSession`; resolves with what it printed. */
function onCpu1(source: string, ownSession: boolean): Promise<string> {
  const child = spawn('taskset', ['-c', '1', process.execPath, '-e', source], {
    detached: ownSession,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { PATH: process.env.PATH },
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`exited ${code}`))));
  });
}

async function main(): Promise<void> {
  const autogroup = readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim();
  console.log(`autogroup scheduling: ${autogroup === '1' ? 'on' : 'off'}; ${seconds} s on CPU 1 each`);
  for (const [name, source, ownSession] of [
    ['nice-19 thread, another session', NICE_THREAD, true],
    ['nice-19 thread, the same session', NICE_THREAD, false],
    ['nice-19 process in a session group lowered to 19', NICE_SESSION, true],
  ] as const) {
    // The spinner stands in for PostgreSQL: a session of its own in the first and last case.
    const [spinner, low] = await Promise.all([onCpu1(SPINNER, ownSession), onCpu1(source, ownSession)]);
    console.log(`${name}: the spinner got ${spinner} s, the nice-19 side ${low} s`);
  }
}

runScript('the scheduling groups', main);
