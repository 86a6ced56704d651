#!/usr/bin/env node
// The published entry point runs the compiled CLI; `npm run build` (or `npm start`) makes it.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('mamlaka is not built yet: run `npm run build` first');
  process.exit(1);
}
// Owner-only files from the first one on (src/cli/main.ts sets it too, for `tsx` runs).
process.umask(0o077);
await import(entry.href);
