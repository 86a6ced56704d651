import { createServer } from 'node:net';

/** A port the server cannot listen on, named by the setting that chose it. */
export class PortUnavailableError extends Error {
  constructor(
    readonly variable: string,
    readonly port: number,
    reason: 'in_use' | 'denied',
  ) {
    super(
      reason === 'in_use'
        ? `${variable} ${port} is already in use`
        : `${variable} ${port} cannot be used: permission denied`,
    );
    this.name = 'PortUnavailableError';
  }
}

// grpc-js folds the socket's error into its message ("… errors: [listen EADDRINUSE: …]"),
// so the code is looked for in both places.
const mentions = (error: unknown, code: string) =>
  (error as { code?: unknown } | null)?.code === code || String((error as Error)?.message).includes(code);

/**
 * Runs `listen`; an address in use or a port the process may not bind becomes a
 * PortUnavailableError naming `variable`, any other failure stays as it was.
 */
export async function listenOn<T>(variable: string, port: number, listen: () => Promise<T>): Promise<T> {
  try {
    return await listen();
  } catch (error) {
    if (mentions(error, 'EADDRINUSE')) throw new PortUnavailableError(variable, port, 'in_use');
    if (mentions(error, 'EACCES')) throw new PortUnavailableError(variable, port, 'denied');
    throw error;
  }
}

/**
 * Binds and releases `host:port`, rejecting with the socket's error when it is taken. For
 * grpc-js, which also prints its own line to stderr when a bind fails: probing first leaves
 * the operator one line, ours (listenOn still maps the failure if the port is taken in between).
 */
export function probePort(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ host, port }, () => probe.close(() => resolve()));
  });
}
