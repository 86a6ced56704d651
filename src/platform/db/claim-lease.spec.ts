import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { keepingClaim } from './claim-lease.js';

describe('keepingClaim', () => {
  it('extends every third of the lease while the work runs, and never after', async () => {
    let extended = 0;
    const result = await keepingClaim(
      60,
      async () => void (extended += 1),
      () => {},
      async () => {
        await sleep(130);
        return 'done';
      },
    );
    expect(result).toBe('done');
    // 20 ms ticks over 130 ms: about six, fewer when timers run late.
    expect(extended).toBeGreaterThanOrEqual(3);
    const atEnd = extended;
    await sleep(80);
    expect(extended).toBe(atEnd);
  });

  it('does not start an extension while one is in flight, and waits for it before returning', async () => {
    let started = 0;
    let running = 0;
    let overlapped = false;
    let finished = 0;
    await keepingClaim(
      30,
      async () => {
        started += 1;
        running += 1;
        overlapped ||= running > 1;
        await sleep(45);
        running -= 1;
        finished += 1;
      },
      () => {},
      () => sleep(70),
    );
    expect(overlapped).toBe(false);
    expect(started).toBeGreaterThanOrEqual(1);
    expect(finished).toBe(started);
  });

  it('reports a failed extension and tries again at the next tick', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    await keepingClaim(
      30,
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('database away');
      },
      (error) => errors.push(error),
      () => sleep(80),
    );
    expect(errors).toEqual([new Error('database away')]);
    expect(calls).toBeGreaterThanOrEqual(2);
  });

  it('passes the work’s failure on after stopping the extensions', async () => {
    let extended = 0;
    await expect(
      keepingClaim(
        30,
        async () => void (extended += 1),
        () => {},
        async () => {
          await sleep(25);
          throw new Error('send failed');
        },
      ),
    ).rejects.toThrow('send failed');
    const atEnd = extended;
    await sleep(50);
    expect(extended).toBe(atEnd);
  });
});
