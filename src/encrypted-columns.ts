import { addressesEncryptedColumns } from './modules/addresses/addresses.encryption.js';
import { notificationsEncryptedColumns } from './modules/notifications/notifications.repository.js';
import { payoutsEncryptedColumns } from './modules/payouts/payouts.repository.js';
import { usersEncryptedColumns } from './modules/users/users.encryption.js';
import { recoveryEncryptedColumns } from './modules/users/users.recovery-tables.js';
import { webhooksEncryptedColumns } from './modules/webhooks/webhooks.repository.js';
import type { EncryptedColumns } from './platform/crypto/reencrypt.js';
import { idempotencyEncryptedColumns } from './platform/idempotency/idempotency.store.js';

/**
 * Every encrypted column of every module: what `mamlaka keys rotate`, `keys status` and the
 * start-up pass over legacy plaintext work through. Each module declares its own columns
 * beside its repository; a module that encrypts a new column adds its list here.
 */
export const encryptedColumns: readonly EncryptedColumns[] = [
  ...usersEncryptedColumns,
  ...recoveryEncryptedColumns,
  ...webhooksEncryptedColumns,
  ...notificationsEncryptedColumns,
  ...idempotencyEncryptedColumns,
  ...payoutsEncryptedColumns,
  ...addressesEncryptedColumns,
];
