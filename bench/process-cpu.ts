import { readdirSync, readFileSync } from 'node:fs';

/** Milliseconds of CPU in one clock tick (USER_HZ, 100 on Linux). */
export const TICK_MS = 10;

/** The fields of /proc/<pid>/stat after the command name: [0] is the state, [1] the parent. */
const statFields = (pid: string | number) =>
  readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');

/** utime + stime of a process, in clock ticks. */
export function cpuTicks(pid: string | number): number {
  const fields = statFields(pid);
  return Number(fields[11]) + Number(fields[12]);
}

/** The sum of `ticksOf` over every process for which `pick(pid)` holds; ones gone meanwhile count 0. */
function sumOver(pick: (pid: string) => boolean): number {
  let sum = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (pick(pid)) sum += cpuTicks(pid);
    } catch {
      // Gone meanwhile.
    }
  }
  return sum;
}

/** The CPU ticks of every PostgreSQL process on this machine (the pool's backends live through a run). */
export const postgresTicks = (): number =>
  sumOver((pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres');

/** The CPU ticks of the children of `parent` (the server's password hashing process). */
export const childrenTicks = (parent: number): number =>
  sumOver((pid) => statFields(pid)[1] === String(parent));

/**
 * `load` run against the process `pid`, with the CPU that process spent meanwhile, in cores
 * (1.0: one core busy throughout): a server short of a whole core was waiting on its client.
 */
export async function withCpuOf<T>(
  pid: number,
  load: () => Promise<T>,
): Promise<{ result: T; cores: number }> {
  const [ticks, started] = [cpuTicks(pid), performance.now()];
  const result = await load();
  return { result, cores: ((cpuTicks(pid) - ticks) * TICK_MS) / (performance.now() - started) };
}
