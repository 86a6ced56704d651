// The frames a V8 CPU profile (node --cpu-prof) spent most of its own time in, and the
// share of each package: `npx tsx bench/cpu-profile.ts <file.cpuprofile> [top] [lastSeconds]
// [skipSeconds]`. With lastSeconds, only the samples of the profile's last seconds count (the
// measured load, not the start-up and the fixture before it); skipSeconds moves that window
// back from the end (one phase of a run of several).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  /** Microseconds from the previous sample (the first: from startTime). */
  timeDeltas: number[];
}

/** Where a frame's code lives: a package, node's own, or the project's. */
function owner(url: string): string {
  if (!url) return '(native)';
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1]!;
  if (url.startsWith('node:')) return 'node';
  return url.includes('/dist/') || url.includes('/src/') ? 'mamlaka' : url;
}

/** The samples of the `seconds` that ended `skip` seconds before the profile's end, or all. */
function samplesOf(profile: CpuProfile, seconds: number | undefined, skip = 0): number[] {
  if (seconds === undefined) return profile.samples;
  const at: number[] = [];
  let now = 0;
  for (const delta of profile.timeDeltas) at.push((now += delta));
  const to = now - skip * 1e6;
  const from = to - seconds * 1e6;
  return profile.samples.filter((_, i) => at[i]! >= from && at[i]! <= to);
}

function report(file: string, top: number, lastSeconds?: number, skipSeconds?: number): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfHits = new Map<number, number>();
  const samples = samplesOf(profile, lastSeconds, skipSeconds);
  for (const id of samples) selfHits.set(id, (selfHits.get(id) ?? 0) + 1);
  const total = samples.length;
  const frames = new Map<string, number>();
  const owners = new Map<string, number>();
  for (const [id, hits] of selfHits) {
    const { callFrame } = byNode.get(id)!;
    const where = callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(dist|src)\//, '$1/');
    const name = `${callFrame.functionName || '(anonymous)'} ${where}:${callFrame.lineNumber + 1}`;
    frames.set(name, (frames.get(name) ?? 0) + hits);
    owners.set(owner(callFrame.url), (owners.get(owner(callFrame.url)) ?? 0) + hits);
  }
  const share = (hits: number) => `${((hits * 100) / total).toFixed(1).padStart(5)} %`;
  const sorted = (map: Map<string, number>, n: number) =>
    [...map]
      .sort((x, y) => y[1] - x[1])
      .slice(0, n)
      .map(([name, hits]) => `${share(hits)}  ${name}`);
  return [
    `${total} samples`,
    '',
    'by package (self time):',
    ...sorted(owners, 15),
    '',
    `top ${top} frames (self time):`,
    ...sorted(frames, top),
  ].join('\n');
}

const [file, top, last, skip] = process.argv.slice(2);
if (!file) {
  console.error('usage: tsx bench/cpu-profile.ts <file.cpuprofile> [top] [lastSeconds] [skipSeconds]');
  process.exit(2);
}
const seconds = (value: string | undefined) => (value === undefined ? undefined : Number(value));
console.log(report(file, Number(top ?? 40), seconds(last), seconds(skip)));
