// Resident memory of each process of the split shape over time, read from /proc (Linux):
// the soak's "flat" goal is judged on these series. A restarted process gets a new pid, so
// the sampler asks the deployment for the current pid at every sample.
import { readFileSync } from 'node:fs';
import type { SplitDeployment } from '../split-deployment.js';

export interface MemorySeries {
  name: string;
  /** [seconds since the run started, resident MiB] */
  points: [number, number][];
}

/** VmRSS of `pid` in MiB, or undefined when the process is gone or /proc is not there. */
export function residentMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kib === undefined ? undefined : Math.round((Number(kib) / 1024) * 10) / 10;
  } catch {
    return undefined;
  }
}

export function startMemorySampler(deployment: SplitDeployment, startedAt: number, everyMs: number) {
  const series = new Map<string, MemorySeries>();
  const sample = () => {
    const atS = Math.round((Date.now() - startedAt) / 100) / 10;
    for (const member of deployment.all) {
      const name = `${member.role} #${member.index}`;
      const pid = member.pid();
      const mib = pid === undefined ? undefined : residentMiB(pid);
      if (mib === undefined) continue;
      const entry = series.get(name) ?? { name, points: [] };
      entry.points.push([atS, mib]);
      series.set(name, entry);
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    series: () => [...series.values()],
    stop: () => {
      clearInterval(timer);
      sample();
    },
  };
}
