import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { KEY_ID_PATTERN, type KeyMaterial, KeyRing, type RingKey } from './keyring.js';

/** What configuration says about the ring (see config.ts: ENCRYPTION_KEYS, BLIND_INDEX_KEY). */
export interface EncryptionSettings {
  /** `ENCRYPTION_KEYS` itself, when given inline: fixed for the life of the process. */
  keys: string | undefined;
  /** `ENCRYPTION_KEYS_FILE`: read again when a ciphertext names a key not yet known. */
  keysFile: string | undefined;
  /** `BLIND_INDEX_KEY` (or `_FILE`), base64. */
  blindIndexKey: string | undefined;
}

/**
 * Parses `id:base64key` entries separated by commas or new lines, the active key first.
 * @throws Error naming what is wrong (config turns it into a ConfigError).
 */
export function parseKeyList(text: string): RingKey[] {
  const entries = text
    .split(/[\s,]+/)
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new Error('must list at least one key as id:base64');
  return entries.map((entry) => {
    const separator = entry.indexOf(':');
    const id = entry.slice(0, separator);
    if (separator < 1 || !KEY_ID_PATTERN.test(id))
      throw new Error(`"${entry.slice(0, 40)}…" is not id:base64`);
    const key = Buffer.from(entry.slice(separator + 1), 'base64');
    if (key.length !== 32) throw new Error(`key "${id}" must be 32 bytes, base64 (openssl rand -base64 32)`);
    return { id, key };
  });
}

export function parseBlindIndexKey(text: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length < 32) throw new Error('must be at least 32 bytes, base64 (openssl rand -base64 32)');
  return key;
}

/** Where the sandbox keeps the ring it generated. */
export const generatedRingFile = (dataDir: string) => path.join(dataDir, 'keys', 'encryption-keys.json');

interface RingFile {
  keys: { id: string; key: string }[];
  blind_index_key: string;
}

/**
 * The process's key ring: from configuration when given (live mode requires it, config
 * enforces that), else the sandbox's generated ring under DATA_DIR, made on first start.
 */
export function loadKeyRing(settings: EncryptionSettings, dataDir: string): KeyRing {
  if (settings.keys || settings.keysFile) {
    const blindIndexKey = parseBlindIndexKey(settings.blindIndexKey ?? '');
    if (settings.keys) return new KeyRing({ keys: parseKeyList(settings.keys), blindIndexKey });
    const file = settings.keysFile!;
    const read = (): KeyMaterial => ({ keys: parseKeyList(readFileSync(file, 'utf8')), blindIndexKey });
    return new KeyRing(read(), read);
  }
  const file = generatedRingFile(dataDir);
  if (!existsSync(file)) createRingFile(file);
  const read = () => readRingFile(file);
  return new KeyRing(read(), read);
}

/**
 * Adds a fresh key to the sandbox's generated ring and makes it the active one; the old
 * keys stay for decryption. @returns the new key's id.
 */
export function addGeneratedKey(dataDir: string): string {
  const file = generatedRingFile(dataDir);
  if (!existsSync(file)) createRingFile(file);
  const ring = JSON.parse(readFileSync(file, 'utf8')) as RingFile;
  const id = newKeyId(ring.keys.map((key) => key.id));
  ring.keys.unshift({ id, key: randomBytes(32).toString('base64') });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(ring), { mode: 0o600 });
  // rename is atomic: a server reading the ring sees the old one or the new one, never half.
  renameSync(temp, file);
  return id;
}

function createRingFile(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const ring: RingFile = {
    keys: [{ id: newKeyId([]), key: randomBytes(32).toString('base64') }],
    blind_index_key: randomBytes(32).toString('base64'),
  };
  try {
    // 'wx': two processes starting together keep the first one's ring.
    writeFileSync(file, JSON.stringify(ring), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

function readRingFile(file: string): KeyMaterial {
  const ring = JSON.parse(readFileSync(file, 'utf8')) as RingFile;
  return {
    keys: ring.keys.map(({ id, key }) => ({ id, key: Buffer.from(key, 'base64') })),
    blindIndexKey: Buffer.from(ring.blind_index_key, 'base64'),
  };
}

/** `k` and the date, with a counter when several are made in one day: sortable and readable in a ciphertext. */
function newKeyId(taken: string[]): string {
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  for (let n = 1; ; n++) {
    const id = n === 1 ? `k${day}` : `k${day}-${n}`;
    if (!taken.includes(id)) return id;
  }
}
