import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { AppError, conflict, rateLimited, unavailable } from '../errors.js';
import { installErrorHandling } from './error-handler.js';

async function appThrowing(error: Error) {
  const app = Fastify();
  installErrorHandling(app);
  app.get('/boom', async () => {
    throw error;
  });
  await app.ready();
  return app;
}

describe('error mapping', () => {
  it('answers an unexpected error with a bare 500 that shows no internals', async () => {
    const app = await appThrowing(new Error('connection to 10.0.0.5 refused: password=hunter2'));
    const res = await app.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json().meta).toMatchObject({
      success: false,
      code: 'internal_error',
      message: 'internal server error',
    });
    expect(res.body).not.toContain('hunter2');
    expect(res.body).not.toContain('10.0.0.5');
  });

  it('maps each error kind to its status once', async () => {
    const res = await (
      await appThrowing(conflict('email_taken', 'email already exists'))
    ).inject({
      url: '/boom',
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().meta).toMatchObject({ code: 'email_taken', message: 'email already exists' });
  });

  it('adds Retry-After to a 429', async () => {
    const res = await (await appThrowing(rateLimited(2_500))).inject({ url: '/boom' });
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('3');
  });

  it('logs a 503 that sheds load (with a Retry-After) as information, and any other 503 as an error', async () => {
    const lines: { level: number; msg: string }[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
        done();
      },
    });
    const app = Fastify({ logger: { level: 'info', stream } });
    installErrorHandling(app);
    app.get('/shed', async () => {
      throw new AppError('unavailable', 'password_hashing_busy', 'busy', { retryAfterMs: 1_200 });
    });
    app.get('/down', async () => {
      throw unavailable('database_unavailable', 'down');
    });
    const shed = await app.inject({ url: '/shed' });
    expect([shed.statusCode, shed.headers['retry-after']]).toEqual([503, '2']);
    const down = await app.inject({ url: '/down' });
    expect(down.statusCode).toBe(503);
    const logged = lines.filter((line) => line.msg === 'request shed' || line.msg === 'request failed');
    expect(logged.map((line) => [line.msg, line.level])).toEqual([
      ['request shed', 30],
      ['request failed', 50],
    ]);
  });
});
