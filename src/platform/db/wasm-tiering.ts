import { setFlagsFromString } from 'node:v8';

/**
 * V8 runs a WebAssembly function first as quickly compiled code and compiles it again with
 * its optimising compiler (TurboFan) once the function has used up a budget of executed
 * code. Every function of an instance starts with the budget the flag holds when the
 * instance is made, and gets the flag's budget again each time it spends it.
 *
 * PostgreSQL's own start, and a server's first queries, run a few thousand of PGlite's
 * functions past V8's budget at once. Measured on 2 cores, the compiler threads then took
 * about 1.6 s of CPU during a 2.3 s start, and the thread starting the server waited for a
 * core. A start with fifty times the budget finished in about 1.8 s. Only the first budget
 * is raised: the functions a server keeps running still spend it within seconds under
 * load, and the default applies from then on, so queries get optimised code as before
 * (PGlite's throughput over 30 s was the same within noise).
 */
const STARTUP_BUDGET = 100_000_000;
/** `--wasm-tiering-budget`'s default in V8 11 to 13 (Node 20 to 24). */
const DEFAULT_BUDGET = 1_800_000;

const budgetGiven = () => process.execArgv.some((arg) => arg.startsWith('--wasm-tiering-budget'));

/**
 * Raises the budget for WebAssembly compiled or instantiated from now on, unless one was
 * given on the command line (`node --wasm-tiering-budget=…`). V8 takes it when a module is
 * compiled as well as when an instance is made, so it is raised before PGlite's module is
 * compiled (pglite-wasm.ts) and stays so until the instance exists.
 */
export function raiseWasmTieringBudget(): void {
  if (!budgetGiven()) setFlagsFromString(`--wasm-tiering-budget=${STARTUP_BUDGET}`);
}

/**
 * Makes PGlite's WebAssembly instance (inside `create`) with the start-up budget, restoring
 * the default as soon as the instance exists, whether or not `create` succeeds.
 */
export async function withStartupTiering<T>(create: () => Promise<T>): Promise<T> {
  if (budgetGiven()) return create();
  raiseWasmTieringBudget();
  try {
    return await create();
  } finally {
    setFlagsFromString(`--wasm-tiering-budget=${DEFAULT_BUDGET}`);
  }
}
