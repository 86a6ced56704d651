import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

/** A writer whose statements finish only when the test says so. */
function heldWriter(fail: (items: string[]) => boolean = () => false) {
  const statements: string[][] = [];
  const finish: (() => void)[] = [];
  const writeMany = (items: string[]) =>
    new Promise<void>((resolve, reject) => {
      statements.push(items);
      finish.push(() => (fail(items) ? reject(new Error(`refused ${items.join(',')}`)) : resolve()));
    });
  return { statements, writeMany, finishNext: () => finish.shift()!() };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('writes the rows added together in one statement, and those added meanwhile in the next', async () => {
    const writer = heldWriter();
    const group = new GroupCommit(writer.writeMany, 100);
    const first = ['a', 'b'].map((item) => group.add(item));
    await settle();
    const rest = ['c', 'd', 'e'].map((item) => group.add(item));
    expect(writer.statements).toEqual([['a', 'b']]);
    writer.finishNext();
    await Promise.all(first);
    await settle();
    expect(writer.statements).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e'],
    ]);
    writer.finishNext();
    await Promise.all(rest);
  });

  it('settles no caller before the statement holding its row has finished', async () => {
    const writer = heldWriter();
    const group = new GroupCommit(writer.writeMany, 100);
    let done = false;
    const write = group.add('a').then(() => {
      done = true;
    });
    await settle();
    expect(done).toBe(false);
    writer.finishNext();
    await write;
    expect(done).toBe(true);
  });

  it('puts at most maxBatch rows in one statement', async () => {
    const writer = heldWriter();
    const group = new GroupCommit(writer.writeMany, 2);
    const all = ['a', 'b', 'c', 'd', 'e'].map((item) => group.add(item));
    for (let i = 0; i < 3; i++) {
      await settle();
      writer.finishNext();
    }
    await Promise.all(all);
    expect(writer.statements).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('fails only the caller whose row the database refuses', async () => {
    const writer = heldWriter((items) => items.includes('bad'));
    const group = new GroupCommit(writer.writeMany, 100);
    // Settled as they come, so the refusal is observed rather than left unhandled.
    const outcomes = Promise.allSettled([group.add('b'), group.add('bad'), group.add('c')]);
    await settle();
    writer.finishNext(); // the batch of three, refused whole
    for (let i = 0; i < 3; i++) {
      await settle();
      writer.finishNext(); // then each row alone
    }
    expect((await outcomes).map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(writer.statements).toEqual([['b', 'bad', 'c'], ['b'], ['bad'], ['c']]);
  });
});
