import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { KeyRing } from './keyring.js';
import { addGeneratedKey } from './keyring.load.js';
import { columnsWithPlaintext, forgetIfEncrypted } from './plaintext-seen.js';
import type { StopJob } from '../repeat.js';
import {
  type EncryptedColumns,
  keyUsage,
  type KeyUsage,
  reencrypt,
  type ReencryptedCount,
} from './reencrypt.js';

export interface RotationReport {
  /** The key everything is now encrypted under. */
  activeKeyId: string;
  /** The key this rotation generated (sandbox), if it made one. */
  addedKeyId?: string;
  reencrypted: ReencryptedCount[];
}

/**
 * `mamlaka keys rotate`: with the sandbox's generated ring, adds a fresh key and makes it
 * the active one; with configured keys, takes the ring as configured now (the operator
 * put the new key first in ENCRYPTION_KEYS_FILE). Then re-encrypts every column under the
 * active key, in batches, while the servers run.
 */
export async function rotateKeys(input: {
  db: Kysely<object>;
  keyring: KeyRing;
  specs: readonly EncryptedColumns[];
  /** DATA_DIR when the ring is the sandbox's generated one; undefined with configured keys. */
  generatedRingDir: string | undefined;
  batchSize?: number;
}): Promise<RotationReport> {
  const addedKeyId = input.generatedRingDir ? addGeneratedKey(input.generatedRingDir) : undefined;
  input.keyring.reload();
  if (addedKeyId && input.keyring.activeKeyId !== addedKeyId)
    throw new Error(`the new key ${addedKeyId} is not the active one after reloading the ring`);
  const reencrypted = await reencrypt(input.db, input.keyring, input.specs, { batchSize: input.batchSize });
  return { activeKeyId: input.keyring.activeKeyId, addedKeyId, reencrypted };
}

export interface KeyStatus {
  activeKeyId: string;
  keyIds: string[];
  usage: KeyUsage[];
}

/** `mamlaka keys status`: the ring's keys and how many stored values are under each. */
export async function keyStatus(
  db: Kysely<object>,
  keyring: KeyRing,
  specs: readonly EncryptedColumns[],
): Promise<KeyStatus> {
  keyring.reload();
  return { activeKeyId: keyring.activeKeyId, keyIds: keyring.keyIds, usage: await keyUsage(db, specs) };
}

/**
 * The pass a server runs at start over values written before encryption (a database
 * upgraded in place, or an instance of an older version still writing): only over the
 * columns the database has seen plaintext written to (plaintext-seen.ts), so a database
 * with none is not read at all. Blind indexes first, awaited, so lookups by e-mail work
 * before the first request. Returns what starts the encryption itself in the background
 * (the server calls it once it listens), which takes each column it finishes off the
 * list, and returns the function that stops that part and waits for it.
 */
export async function encryptLegacyValues(
  db: Kysely<object>,
  keyring: KeyRing,
  specs: readonly EncryptedColumns[],
  logger: Logger,
): Promise<() => StopJob> {
  const pending = await columnsWithPlaintext(db, specs);
  if (pending.length === 0) return () => () => Promise.resolve();
  const indexed = pending.flatMap((spec) =>
    spec.blindIndexes?.length ? [{ ...spec, columns: spec.blindIndexes.map((index) => index.of) }] : [],
  );
  const filled = await reencrypt(db, keyring, indexed, { onlyLegacy: true });
  return () => {
    const stop = new AbortController();
    const encrypt = async () => {
      const done = await reencrypt(db, keyring, pending, { onlyLegacy: true, signal: stop.signal });
      for (const spec of pending)
        for (const column of spec.columns)
          if (!stop.signal.aborted) await forgetIfEncrypted(db, keyring, spec, column);
      const rows = [...filled, ...done].reduce((sum, count) => sum + count.rows, 0);
      if (rows > 0)
        logger.info({ reencrypted: [...filled, ...done] }, 'encrypted values stored before encryption');
    };
    const running = encrypt().catch((error: unknown) => {
      if (!stop.signal.aborted) logger.error({ err: error }, 'encrypting legacy plaintext failed');
    });
    return async () => {
      stop.abort();
      await running;
    };
  };
}
