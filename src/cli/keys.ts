import { type Command, InvalidArgumentError } from 'commander';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { encryptedColumns } from '../encrypted-columns.js';
import { loadKeyRing } from '../platform/crypto/keyring.load.js';
import { type KeyStatus, keyStatus, type RotationReport, rotateKeys } from '../platform/crypto/rotation.js';
import type { Database } from '../platform/db/database.js';
import { migrate } from '../platform/db/migrations.js';
import { withDatabase } from './database-access.js';

const MAX_BATCH = 10_000;

const batchArg = (value: string): number => {
  if (!/^[1-9]\d{0,4}$/.test(value) || Number(value) > MAX_BATCH)
    throw new InvalidArgumentError(`a whole number from 1 to ${MAX_BATCH}`);
  return Number(value);
};

/** Where the sandbox keeps its generated ring; undefined when keys are configured (ENCRYPTION_KEYS…). */
export const generatedRingDir = (config: Config): string | undefined =>
  config.encryption.keys || config.encryption.keysFile ? undefined : config.dataDir;

/** `keys rotate` done by whoever holds the database: the CLI itself, or a running server (control socket). */
export const rotateWith =
  (config: Config, database: Database, keyring = loadKeyRing(config.encryption, config.dataDir)) =>
  (input: Record<string, unknown>): Promise<RotationReport> =>
    rotateKeys({
      db: database.db,
      keyring,
      specs: encryptedColumns,
      generatedRingDir: generatedRingDir(config),
      batchSize: typeof input.batchSize === 'number' ? input.batchSize : undefined,
    });

export const statusWith =
  (config: Config, database: Database, keyring = loadKeyRing(config.encryption, config.dataDir)) =>
  (): Promise<KeyStatus> =>
    keyStatus(database.db, keyring, encryptedColumns);

/** `mamlaka keys rotate` and `mamlaka keys status`. */
export function keysCommands(program: Command, setup: () => { config: Config; logger: Logger }): void {
  const keys = program
    .command('keys')
    .description('the key ring that encrypts personal data and secrets at rest');
  keys
    .command('rotate')
    .description(
      'sandbox: add a generated key and make it active; with ENCRYPTION_KEYS_FILE: use its first key. ' +
        'Then re-encrypt every stored value under the active key, in batches, while servers run',
    )
    .option('--batch <n>', 'rows re-encrypted per transaction (default 500)', batchArg)
    .action(async (options: { batch?: number }) => {
      const { config, logger } = setup();
      const input = { batchSize: options.batch };
      const { via, result } = await withDatabase(config, logger, {
        control: 'keys-rotate',
        input,
        direct: async (database) => {
          await migrate(database);
          return rotateWith(config, database)(input);
        },
      });
      const report = result as RotationReport;
      if (report.addedKeyId) console.log(`added key ${report.addedKeyId}`);
      console.log(
        `re-encrypted under key ${report.activeKeyId}${via === 'server' ? ' through the running server' : ''}:`,
      );
      const perTable = new Map<string, number>();
      for (const { table, rows } of report.reencrypted)
        perTable.set(table, (perTable.get(table) ?? 0) + rows);
      for (const [table, rows] of perTable) console.log(`  ${table}: ${rows} values`);
    });
  keys
    .command('status')
    .description('the keys of the ring and how many stored values are under each')
    .action(async () => {
      const { config, logger } = setup();
      const { result } = await withDatabase(config, logger, {
        control: 'keys-status',
        direct: async (database) => {
          await migrate(database);
          return statusWith(config, database)();
        },
      });
      const status = result as KeyStatus;
      console.log(`active key: ${status.activeKeyId} (ring: ${status.keyIds.join(', ')})`);
      for (const { table, column, keyId, rows } of status.usage)
        console.log(`  ${table}.${column}: ${rows} under ${keyId}`);
    });
}
