import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { unpackDataDir } from './data-dir-archive.js';

const work = mkdtempSync(path.join(tmpdir(), 'mamlaka-archive-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let made = 0;

/** A ustar header as tar and PGlite write them, with a correct checksum unless told. */
function header(name: string, size: number, type = '0', checksum?: number): Buffer {
  const block = Buffer.alloc(512);
  const put = (text: string, at: number) => block.write(text, at, 'latin1');
  put(name, 0);
  put('0000600\0', 100);
  put(`${size.toString(8).padStart(11, '0')}\0`, 124);
  put(`${(1_700_000_000).toString(8).padStart(11, '0')}\0`, 136);
  put(type, 156);
  put('ustar\0' + '00', 257);
  put('        ', 148);
  let sum = 0;
  for (const byte of block) sum += byte;
  put(`${(checksum ?? sum).toString(8).padStart(6, '0')}\0 `, 148);
  return block;
}

const file = (name: string, text: string): Buffer[] => {
  const body = Buffer.from(text);
  return [header(name, body.length), body, Buffer.alloc((512 - (body.length % 512)) % 512)];
};
const END = Buffer.alloc(1024);

function archive(...parts: Buffer[]): string {
  const at = path.join(work, `archive-${made++}.tar.gz`);
  writeFileSync(at, gzipSync(Buffer.concat(parts)));
  return at;
}

const freshDir = () => path.join(work, `dir-${made++}`);

function modesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).map((entry) => {
    const full = path.join(entry.parentPath, entry.name);
    return `${(statSync(full).mode & 0o777).toString(8)} ${path.relative(dir, full)}`;
  });
}

describe('unpackDataDir', () => {
  it('unpacks what PGlite dumped into a data directory PGlite opens with its rows', async () => {
    const source = await PGlite.create();
    await source.exec(
      "CREATE TABLE kept (id int PRIMARY KEY, note text); INSERT INTO kept SELECT g, 'row ' || g FROM generate_series(1, 500) g; CHECKPOINT",
    );
    const dump = Buffer.from(await (await source.dumpDataDir('gzip')).arrayBuffer());
    await source.close();
    const at = path.join(work, 'dump.tar.gz');
    writeFileSync(at, dump);
    const dir = freshDir();

    await unpackDataDir(at, dir);

    const opened = await PGlite.create(dir);
    try {
      const { rows } = await opened.query<{ n: number; last: string }>(
        'SELECT count(*)::int AS n, max(note) FILTER (WHERE id = 500) AS last FROM kept',
      );
      expect(rows).toEqual([{ n: 500, last: 'row 500' }]);
    } finally {
      await opened.close();
    }
  });

  it('makes every directory 0700 and every file 0600, with its time', async () => {
    const dir = freshDir();
    await unpackDataDir(
      archive(header('base/', 0, '5'), ...file('base/1/112', 'relation'), ...file('PG_VERSION', '18\n'), END),
      dir,
    );
    expect(modesUnder(dir).sort()).toEqual(['600 PG_VERSION', '600 base/1/112', '700 base', '700 base/1']);
    expect(statSync(path.join(dir, 'base/1/112')).mtimeMs).toBe(1_700_000_000_000);
  });

  it.each([
    [
      'a corrupt header',
      () => archive(header('PG_VERSION', 3, '0', 1234), Buffer.alloc(512), END),
      /checksum/,
    ],
    ['a path outside the directory', () => archive(...file('../escaped', 'x'), END), /outside/],
    ['a symbolic link', () => archive(header('link', 0, '2'), END), /type 2/],
    ['an archive cut short', () => archive(header('PG_VERSION', 2048), Buffer.alloc(512)), /truncated/],
    ['no end blocks', () => archive(...file('PG_VERSION', '18\n')), /truncated/],
  ])('refuses %s', async (_, make, error) => {
    const dir = freshDir();
    await expect(unpackDataDir(make(), dir)).rejects.toThrow(error);
    expect(readdirSync(path.dirname(dir))).not.toContain('escaped');
  });
});
