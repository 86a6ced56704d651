import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { createLogger } from './logger.js';
import { requestLogger } from './request-logger.js';

function loggerAt(level: string) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const parent = createLogger({ logLevel: level, mode: 'sandbox' } as never, destination as never);
  return { parent, lines, children: vi.spyOn(parent, 'child') };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('requestLogger', () => {
  it('makes no child for a request that logs nothing or only below the level', async () => {
    const { parent, lines, children } = loggerAt('warn');
    const log = requestLogger(parent, { reqId: 'r-1' }, {});
    log.info('incoming request');
    log.debug({ a: 1 }, 'detail');
    await settle();
    expect(children).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
    expect(log.level).toBe('warn');
  });

  it('logs an enabled line with the request id, redacted as the parent redacts', async () => {
    const { parent, lines, children } = loggerAt('warn');
    const log = requestLogger(parent, { reqId: 'r-2' }, {});
    log.error({ password: 'hunter22', action: 'x' }, 'failed');
    log.warn('again');
    await settle();
    expect(children).toHaveBeenCalledTimes(1);
    expect(lines).toMatchObject([
      { reqId: 'r-2', msg: 'failed', password: '[Redacted]', action: 'x' },
      { reqId: 'r-2', msg: 'again' },
    ]);
  });

  it('gives children that carry both bindings, and a level change applies to its own lines only', async () => {
    const { parent, lines } = loggerAt('info');
    const log = requestLogger(parent, { reqId: 'r-3' }, {});
    log.child({ step: 'pay' }).info('nested');
    log.level = 'error';
    log.info('dropped');
    log.error('kept');
    parent.info('parent still at info');
    await settle();
    expect(lines.map((line) => [line.reqId, line.step, line.msg])).toEqual([
      ['r-3', 'pay', 'nested'],
      ['r-3', undefined, 'kept'],
      [undefined, undefined, 'parent still at info'],
    ]);
  });

  it('makes a route with its own level its child at once', () => {
    const { parent, children } = loggerAt('warn');
    requestLogger(parent, { reqId: 'r-4' }, { level: 'debug' }).debug('shown');
    expect(children).toHaveBeenCalledTimes(1);
  });
});
