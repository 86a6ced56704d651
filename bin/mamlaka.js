#!/usr/bin/env node
// The entry point runs the compiled CLI (dist/). In a checkout with its sources, it first
// rebuilds when a source changed since the last build (about a second; `npm ci` built it
// once), so `npm start` and `npx mamlaka` never run stale code. An installation without
// sources (a production image) runs what was built, and so does MAMLAKA_RUN_AS_BUILT=1 (the
// bench's BENCH_NO_BUILD=1, to compare trees built apart).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const build = new URL('../scripts/build.mjs', import.meta.url);
const asBuilt = process.env.MAMLAKA_RUN_AS_BUILT === '1';
if (!asBuilt && existsSync(new URL('../src', import.meta.url)) && existsSync(build)) {
  const { isStale } = await import(build.href);
  if (isStale()) {
    console.error('sources changed since the last build: building');
    const built = spawnSync(process.execPath, [fileURLToPath(build)], { stdio: 'inherit' });
    if (built.status !== 0) process.exit(built.status ?? 1);
  }
}

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('mamlaka is not built yet: run `npm run build` first');
  process.exit(1);
}
// A server on the embedded database (no DATABASE_URL, which only the environment sets)
// compiles PGlite's WebAssembly while its own code loads (src/platform/db/pglite-wasm.ts).
if (process.argv[2] === 'start' && !process.env.DATABASE_URL) {
  const { startCompilingPgliteWasm } = await import(
    new URL('../dist/platform/db/pglite-wasm.js', import.meta.url).href
  );
  startCompilingPgliteWasm();
}
// Owner-only files from the first one on (src/cli/main.ts sets it too, for `tsx` runs).
process.umask(0o077);
await import(entry.href);
