/** Runs a bench script's `main`: exits 0 when it ends, 1 with the error when it fails (`what` failed: …). */
export function runScript(what: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`${what} failed:`, error);
      process.exit(1);
    },
  );
}
