import { describe, expect, it } from 'vitest';
import { isAppError } from '../../platform/errors.js';
import { assertAcceptablePassword } from './users.password-rules.js';

const refusal = async (password: string, field?: string) => {
  try {
    await assertAcceptablePassword(password, field);
    return undefined;
  } catch (error) {
    if (!isAppError(error)) throw error;
    return { code: error.code, fields: error.details.fields };
  }
};

describe('acceptable passwords', () => {
  it('refuse the common ones in any case, naming the field', async () => {
    expect(await refusal('password')).toEqual({
      code: 'password_too_common',
      fields: [expect.objectContaining({ field: 'password', code: 'password_too_common' })],
    });
    expect((await refusal('PASSWORD1'))?.code).toBe('password_too_common');
    expect((await refusal('12345678', 'new_password'))?.fields?.[0]?.field).toBe('new_password');
  });

  it('count characters, not UTF-16 units, against the 8 to 128 limits', async () => {
    expect((await refusal('🔑🔑🔑🔑'))?.fields?.[0]?.code).toBe('out_of_range'); // 8 units, 4 characters
    expect(await refusal('🔑🔑🔑🔑🔑🔑🔑🔑')).toBeUndefined();
    expect((await refusal('x'.repeat(129)))?.fields?.[0]?.code).toBe('out_of_range');
  });

  it('accept passphrases', async () => {
    expect(await refusal('correct horse battery')).toBeUndefined();
    expect(await refusal('x'.repeat(128))).toBeUndefined();
  });
});
