import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { drainQueue, repeatEvery, stopAll } from './repeat.js';

const silent = pino({ level: 'silent' });

/** A promise the test settles, and whether it has been. */
function latch() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('repeatEvery', () => {
  it('runs rounds one at a time, never overlapping a slow one', async () => {
    let running = 0;
    let most = 0;
    let rounds = 0;
    const stop = repeatEvery(
      2,
      async () => {
        running += 1;
        most = Math.max(most, running);
        await sleep(15);
        running -= 1;
        rounds += 1;
      },
      silent,
      'failed',
    );
    await sleep(80);
    await stop();
    expect(most).toBe(1);
    expect(rounds).toBeGreaterThan(1);
  });

  it('resolves its stop only once the round in flight has finished', async () => {
    const started = latch();
    const release = latch();
    let finished = false;
    const stop = repeatEvery(
      5,
      async () => {
        started.open();
        await release.opened;
        finished = true;
      },
      silent,
      'failed',
    );
    await started.opened;
    let stopped = false;
    const stopping = stop().then(() => (stopped = true));
    await sleep(30);
    expect(stopped).toBe(false);
    release.open();
    await stopping;
    expect(finished).toBe(true);
  });

  it('tells a draining round to stop between batches, and starts no round after stop', async () => {
    let batches = 0;
    let rounds = 0;
    const started = latch();
    const stop = repeatEvery(
      5,
      async (stopping) => {
        rounds += 1;
        started.open();
        // A queue that never empties: only the signal ends the loop.
        while (!stopping.aborted) {
          batches += 1;
          await sleep(2);
        }
      },
      silent,
      'failed',
    );
    await started.opened;
    await stop();
    const after = { batches, rounds };
    await sleep(40);
    expect({ batches, rounds }).toEqual(after);
    expect(rounds).toBe(1);
  });

  it('keeps going after a failed round, logging it', async () => {
    const logged: string[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => logged.push(line) });
    let rounds = 0;
    const stop = repeatEvery(
      2,
      async () => {
        rounds += 1;
        if (rounds === 1) throw new Error('first round broke');
      },
      logger,
      'the job failed',
    );
    await expect.poll(() => rounds, { timeout: 2_000 }).toBeGreaterThan(2);
    await stop();
    expect(logged.filter((line) => line.includes('the job failed'))).toHaveLength(1);
    expect(logged[0]).toContain('first round broke');
  });

  it('stops a list of jobs together', async () => {
    const releases = [latch(), latch()];
    const started = [latch(), latch()];
    const stops = releases.map((release, index) =>
      repeatEvery(
        5,
        async () => {
          started[index]!.open();
          await release.opened;
        },
        silent,
        'failed',
      ),
    );
    await Promise.all(started.map((each) => each.opened));
    let stopped = false;
    const stopping = stopAll(stops)().then(() => (stopped = true));
    releases[0]!.open();
    await sleep(20);
    expect(stopped).toBe(false);
    releases[1]!.open();
    await stopping;
  });
});

describe('drainQueue', () => {
  const queueOf = (batches: number) => {
    let left = batches;
    const sent: number[] = [];
    return {
      sent,
      // True while the batch was full: more may be due.
      batch: async () => {
        sent.push(left);
        left -= 1;
        return left > 0;
      },
    };
  };

  it('takes batches until one is not full', async () => {
    const queue = queueOf(4);
    await drainQueue(queue.batch, new AbortController().signal);
    expect(queue.sent).toEqual([4, 3, 2, 1]);
  });

  it('takes one batch a round while requests are waiting, and the rest once they are not', async () => {
    const queue = queueOf(4);
    let waiting = true;
    await drainQueue(queue.batch, new AbortController().signal, () => waiting);
    expect(queue.sent).toEqual([4]);
    await drainQueue(queue.batch, new AbortController().signal, () => waiting);
    expect(queue.sent).toEqual([4, 3]);
    waiting = false;
    await drainQueue(queue.batch, new AbortController().signal, () => waiting);
    expect(queue.sent).toEqual([4, 3, 2, 1]);
  });

  it('stops between batches once the job is stopping', async () => {
    const queue = queueOf(4);
    const stopping = new AbortController();
    await drainQueue(async () => {
      const more = await queue.batch();
      stopping.abort();
      return more;
    }, stopping.signal);
    expect(queue.sent).toEqual([4]);
  });
});
