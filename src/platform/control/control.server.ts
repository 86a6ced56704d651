import { chmodSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import path from 'node:path';
import type { Logger } from 'pino';
import { isAppError } from '../errors.js';

export type ControlCommand = (input: Record<string, unknown>) => Promise<unknown>;

const MAX_BODY_BYTES = 64 * 1024;

export const controlSocketPath = (dataDir: string) => path.join(dataDir, 'control.sock');

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('control request too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/**
 * While the all-in-one server holds the embedded database, CLI commands that need it
 * (`migrate`, `users create-admin`, …) are executed by the server on their behalf,
 * through a Unix socket only the owning OS user can open.
 */
export async function startControlServer(
  dataDir: string,
  commands: Record<string, ControlCommand>,
  logger: Logger,
): Promise<Server> {
  const socketPath = controlSocketPath(dataDir);
  rmSync(socketPath, { force: true });
  const server = createServer(async (request, response) => {
    const name = request.url?.replace(/^\//, '') ?? '';
    const command = request.method === 'POST' ? commands[name] : undefined;
    const answer = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (!command)
      return answer(404, { error: { code: 'unknown_command', message: `unknown command ${name}` } });
    try {
      answer(200, { result: await command(await readJson(request)) });
    } catch (error) {
      if (isAppError(error)) return answer(400, { error: { code: error.code, message: error.message } });
      logger.error({ err: error, command: name }, 'control command failed');
      answer(500, { error: { code: 'internal_error', message: (error as Error).message } });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, resolve);
  });
  chmodSync(socketPath, 0o600);
  return server;
}
