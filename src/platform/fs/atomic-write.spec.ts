import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { directoryFlushCount, writeFileAtomically } from './atomic-write.js';

const freshDirectory = () => mkdtempSync(path.join(tmpdir(), 'mamlaka-atomic-'));

describe('writeFileAtomically', () => {
  it('writes the whole file, owner-only, and leaves no temp file behind', async () => {
    const dir = freshDirectory();
    const file = path.join(dir, 'a.eml');
    await writeFileAtomically(file, 'hello');
    await writeFileAtomically(file, 'hello again');
    expect(readFileSync(file, 'utf8')).toBe('hello again');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['a.eml']);
  });

  it('flushes the directory after each lone write', async () => {
    const dir = freshDirectory();
    const before = directoryFlushCount();
    await writeFileAtomically(path.join(dir, 'one'), '1');
    await writeFileAtomically(path.join(dir, 'two'), '2');
    expect(directoryFlushCount() - before).toBe(2);
  });

  it('lets writers at once share directory flushes, each write still followed by one', async () => {
    const dir = freshDirectory();
    const before = directoryFlushCount();
    const names = Array.from({ length: 64 }, (_, i) => `mail-${i}.eml`);
    await Promise.all(names.map((name) => writeFileAtomically(path.join(dir, name), name)));
    const flushed = directoryFlushCount() - before;
    expect(flushed).toBeGreaterThanOrEqual(1);
    expect(flushed).toBeLessThan(names.length);
    expect(readdirSync(dir).sort()).toEqual([...names].sort());
    for (const name of names) expect(readFileSync(path.join(dir, name), 'utf8')).toBe(name);
  });

  it('refuses a write into a directory that does not exist, leaving nothing', async () => {
    const dir = freshDirectory();
    await expect(writeFileAtomically(path.join(dir, 'missing', 'a'), 'x')).rejects.toMatchObject({
      code: 'ENOENT',
    });
    expect(readdirSync(dir)).toEqual([]);
  });
});
