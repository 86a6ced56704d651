import { closeSync, createReadStream, mkdirSync, openSync, utimesSync, writeSync } from 'node:fs';
import path from 'node:path';
import { createGunzip } from 'node:zlib';

const BLOCK = 512;

/** One header field: NUL-terminated text. */
function field(header: Buffer, start: number, length: number): string {
  const text = header.toString('latin1', start, start + length);
  const end = text.indexOf('\0');
  return end === -1 ? text : text.slice(0, end);
}

function octal(header: Buffer, start: number, length: number, what: string): number {
  const text = field(header, start, length).trim();
  if (!/^[0-7]*$/.test(text)) throw new Error(`a data directory archive has a malformed ${what}`);
  return text === '' ? 0 : parseInt(text, 8);
}

/** The header's checksum: its bytes summed with the checksum field read as spaces. */
function checksumOk(header: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  return sum === octal(header, 148, 8, 'checksum');
}

/** An entry's path under `dir`, refusing any that would land outside it. */
function target(dir: string, name: string): string {
  const parts = name.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.length === 0 || parts.includes('..'))
    throw new Error(`a data directory archive names a path outside it: ${name}`);
  return path.join(dir, ...parts);
}

/** The file being written: what is left of it, then of its padding to a whole block. */
interface OpenEntry {
  fd: number | undefined;
  file: string;
  left: number;
  padding: number;
  modified: number;
}

/**
 * Writes a data directory that PGlite dumped (`dumpDataDir('gzip')`: a gzipped ustar
 * archive of directories and regular files) into `dir`, as PGlite's `loadDataDir` does:
 * each file with its modification time, directories made as needed. Done here by Node it
 * takes a fraction of a second; through PGlite it took two, writing every file through
 * PostgreSQL's WebAssembly file system and starting PostgreSQL to do it, in a process of
 * its own so that the server would not keep the memory that grew. Read as a stream, the
 * 40 MB it inflates to never sit in memory at once either. Everything is owner-only (0700
 * and 0600), as the rest of DATA_DIR.
 */
export async function unpackDataDir(archive: string, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let pending = Buffer.alloc(0);
  let entry: OpenEntry | undefined;
  let ended = false;
  const finish = (open: OpenEntry) => {
    if (open.fd !== undefined) {
      closeSync(open.fd);
      utimesSync(open.file, open.modified, open.modified);
    }
  };
  try {
    for await (const chunk of createReadStream(archive).pipe(createGunzip({ chunkSize: 256 * 1024 }))) {
      let data = pending.length > 0 ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
      pending = Buffer.alloc(0);
      while (data.length > 0 && !ended) {
        if (entry) {
          const take = Math.min(entry.left, data.length);
          if (take > 0 && entry.fd !== undefined) writeSync(entry.fd, data, 0, take);
          entry.left -= take;
          data = data.subarray(take);
          const skip = entry.left === 0 ? Math.min(entry.padding, data.length) : 0;
          entry.padding -= skip;
          data = data.subarray(skip);
          if (entry.left === 0 && entry.padding === 0) {
            finish(entry);
            entry = undefined;
          }
          continue;
        }
        if (data.length < BLOCK) {
          pending = Buffer.from(data);
          break;
        }
        entry = readHeader(data.subarray(0, BLOCK), dir);
        data = data.subarray(BLOCK);
        if (!entry) ended = true;
        else if (entry.left === 0 && entry.padding === 0) {
          finish(entry);
          entry = undefined;
        }
      }
    }
  } finally {
    if (entry?.fd !== undefined) closeSync(entry.fd);
  }
  if (!ended || entry) throw new Error('a data directory archive is truncated');
}

/** Makes what a header describes: a directory, or a file opened for its contents; none at the end. */
function readHeader(header: Buffer, dir: string): OpenEntry | undefined {
  // The archive ends with blocks of zeros.
  if (header.every((byte) => byte === 0)) return undefined;
  if (!checksumOk(header)) throw new Error('a data directory archive is corrupt (header checksum)');
  const prefix = field(header, 345, 155);
  const name = prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100);
  const size = octal(header, 124, 12, 'size');
  const type = field(header, 156, 1) || '0';
  const file = target(dir, name);
  const padding = (BLOCK - (size % BLOCK)) % BLOCK;
  if (type === '5') {
    mkdirSync(file, { recursive: true, mode: 0o700 });
    return { fd: undefined, file, left: size, padding, modified: 0 };
  }
  if (type !== '0')
    throw new Error(`a data directory archive holds an entry of type ${type} (${name}), not a file`);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const fd = openSync(file, 'w', 0o600);
  return { fd, file, left: size, padding, modified: octal(header, 136, 12, 'time') };
}
