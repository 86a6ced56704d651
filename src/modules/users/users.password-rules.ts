import { type FieldError, invalid, invalidField } from '../../platform/errors.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './users.rules.js';

let commonPasswords: Promise<ReadonlySet<string>> | undefined;

/**
 * zxcvbn-ts's list of the ~49,000 passwords found most often in breach corpora, lower-cased.
 * Loaded on first use (about 0.4 s and 10 MB): processes that never set a password, and
 * tests that never register, do not pay for it.
 */
function commonPasswordSet(): Promise<ReadonlySet<string>> {
  commonPasswords ??= import('@zxcvbn-ts/language-common').then(
    ({ dictionary }) =>
      new Set(
        dictionary['passwords-common']
          // Shorter ones are refused by length before the list is asked.
          .filter((password) => password.length >= PASSWORD_MIN_LENGTH)
          .map((password) => password.toLowerCase()),
      ),
    (error: unknown) => {
      commonPasswords = undefined; // the next caller tries again
      throw error;
    },
  );
  return commonPasswords;
}

/**
 * NIST SP 800-63B: at least 8 characters (counted as characters, not UTF-16 units; at most
 * 128 so hashing cannot be used to burn CPU), and not one attackers try first. No
 * composition rules: they make passwords harder to remember, not to guess.
 * @throws `validation_failed` (400) naming `field` for a length out of range;
 * `password_too_common` (400) naming `field` for a password in the common-password list.
 */
export async function assertAcceptablePassword(password: string, field = 'password'): Promise<void> {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) {
    throw invalidField(
      field,
      'out_of_range',
      `${field} must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`,
    );
  }
  if ((await commonPasswordSet()).has(password.toLowerCase())) {
    const message =
      `${field} is one of the most common passwords, the first ones attackers try; ` +
      'a passphrase of three or four unrelated words is stronger and easier to remember';
    const error: FieldError = { field, code: 'password_too_common', message };
    throw invalid('password_too_common', message, [error]);
  }
}
