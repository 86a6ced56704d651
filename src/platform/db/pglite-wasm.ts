import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { raiseWasmTieringBudget } from './wasm-tiering.js';

/**
 * PGlite's PostgreSQL is 9 MB of WebAssembly, which PGlite reads and compiles when the
 * database opens, after the server's code has loaded. `bin/mamlaka.js` starts that work
 * first instead, for a command that will open the embedded database: reading the file
 * happens off the main thread and V8 compiles on threads of its own, while the main thread
 * loads the server's code (most of a second). The database then opens with the compiled
 * module. Measured: a reopen about 0.25 s sooner.
 *
 * This module is an entry point of its own (scripts/build.mjs), so the entry script and the
 * server share one instance of it, and so one compilation.
 */
// Node has WebAssembly; the type declarations this project uses (no DOM) only know its types.
const wasm = (
  globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<WebAssembly.Module> } }
).WebAssembly;

let compiling: Promise<WebAssembly.Module | undefined> | undefined;

export function startCompilingPgliteWasm(): void {
  if (compiling) return;
  raiseWasmTieringBudget();
  const dist = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  compiling = readFile(path.join(dist, 'pglite.wasm'))
    .then((bytes) => wasm.compile(bytes))
    // PGlite reports its own error when it compiles the file itself.
    .catch(() => undefined);
}

/** The module startCompilingPgliteWasm compiled, or undefined if nothing started it. */
export async function compiledPgliteWasm(): Promise<WebAssembly.Module | undefined> {
  return compiling;
}
