#!/usr/bin/env node
// Builds what `npm start` runs: the server's JavaScript in dist/ and a migrated template of
// the embedded database. Type checking is `npm run lint`'s job (tsc --noEmit), so the
// build only strips types, file by file, which takes about a second.
//
//   node scripts/build.mjs             build
//   node scripts/build.mjs --if-stale  build only when a source is newer than the last build
//
// `npm ci` runs it once (the `prepare` script) and `npm start` runs it with --if-stale, so a
// start after an edit rebuilds and every other start runs what is there.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.build-stamp');
// Everything the output depends on: the code, the migrations baked into the template, and
// the installed packages (a new PGlite needs a new template).
const inputs = ['src', 'migrations', 'package-lock.json', 'scripts/build.mjs', 'scripts/build-template.mjs'];

function newestMtime(entry) {
  const stats = statSync(entry, { throwIfNoEntry: false });
  if (!stats) return 0;
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const child of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, child)));
  return newest;
}

function sourceFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter(
      (e) =>
        e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') && !e.name.endsWith('.d.ts'),
    )
    .map((e) => path.join(e.parentPath, e.name));
}

const ifStale = process.argv.includes('--if-stale');
if (ifStale && existsSync(stamp)) {
  const built = statSync(stamp).mtimeMs;
  if (inputs.every((input) => newestMtime(path.join(root, input)) <= built)) process.exit(0);
  console.error('sources changed since the last build: building');
}

const started = Date.now();
// esbuild is a development dependency. An installation without them (a production image)
// runs what was built where they were.
let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  if (existsSync(stamp)) process.exit(0);
  console.error('mamlaka is not built and esbuild is not installed: run `npm ci` (with dev dependencies)');
  process.exit(1);
}

rmSync(dist, { recursive: true, force: true });
await esbuild.build({
  entryPoints: sourceFiles(path.join(root, 'src')),
  outdir: dist,
  outbase: path.join(root, 'src'),
  bundle: false,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
});

const template = spawnSync(process.execPath, [path.join(root, 'scripts/build-template.mjs')], {
  stdio: 'inherit',
});
if (template.status !== 0) process.exit(template.status ?? 1);

writeFileSync(stamp, `${new Date().toISOString()}\n`);
console.error(`built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
