import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { controlSocketPath } from './control.server.js';

export class ControlError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Sends one command to the running server; undefined when no server is listening. */
export async function callControl(
  dataDir: string,
  command: string,
  input: Record<string, unknown> = {},
): Promise<{ reached: false } | { reached: true; result: unknown }> {
  const socketPath = controlSocketPath(dataDir);
  if (!existsSync(socketPath)) return { reached: false };
  const body = JSON.stringify(input);
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, path: `/${command}`, method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            result?: unknown;
            error?: { code: string; message: string };
          };
          if (parsed.error) reject(new ControlError(parsed.error.code, parsed.error.message));
          else resolve({ reached: true, result: parsed.result });
        });
      },
    );
    // A socket file left by a crashed server refuses connections: treat it as no server.
    req.on('error', (error: NodeJS.ErrnoException) =>
      ['ECONNREFUSED', 'ENOENT'].includes(error.code ?? '') ? resolve({ reached: false }) : reject(error),
    );
    req.end(body);
  });
}
