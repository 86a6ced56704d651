import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { KeyRing } from './keyring.js';
import { addGeneratedKey } from './keyring.load.js';
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
 * The pass a server runs at start over values written before encryption existed (a
 * database upgraded in place): blind indexes first, awaited, so lookups by e-mail work
 * before the first request. Returns what starts the encryption itself in the background
 * (the server calls it once it listens), which returns the function that stops that part
 * and waits for it.
 */
export async function encryptLegacyValues(
  db: Kysely<object>,
  keyring: KeyRing,
  specs: readonly EncryptedColumns[],
  logger: Logger,
): Promise<() => StopJob> {
  const indexed = specs.flatMap((spec) =>
    spec.blindIndexes?.length ? [{ ...spec, columns: spec.blindIndexes.map((index) => index.of) }] : [],
  );
  const filled = await reencrypt(db, keyring, indexed, { onlyLegacy: true });
  return () => {
    const stop = new AbortController();
    const running = reencrypt(db, keyring, specs, { onlyLegacy: true, signal: stop.signal }).then(
      (done) => {
        const rows = [...filled, ...done].reduce((sum, count) => sum + count.rows, 0);
        if (rows > 0)
          logger.info({ reencrypted: [...filled, ...done] }, 'encrypted values stored before encryption');
      },
      (error: unknown) => {
        if (!stop.signal.aborted) logger.error({ err: error }, 'encrypting legacy plaintext failed');
      },
    );
    return async () => {
      stop.abort();
      await running;
    };
  };
}
