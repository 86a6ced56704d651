import { describe, expect, it } from 'vitest';
import { maskLogLine, serializeError } from './redaction.js';

const HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA';

describe('serializeError', () => {
  it('keeps what identifies a database error and drops the statement, its parameters and the row', () => {
    const error = Object.assign(new Error('new row for relation "users" violates check constraint "c"'), {
      code: '23514',
      severity: 'ERROR',
      constraint: 'c',
      table: 'users',
      detail: `Failing row contains (1, a@example.com, ${HASH}).`,
      query: 'insert into "users" ("email", "password_hash") values ($1, $2)',
      params: ['a@example.com', HASH],
      queryOptions: {},
    });
    const serialized = serializeError(error) as Record<string, unknown>;
    expect(serialized).toMatchObject({ type: 'Error', code: '23514', constraint: 'c', table: 'users' });
    expect(serialized.message).toContain('violates check constraint');
    expect(serialized.stack).toContain('violates check constraint');
    expect(JSON.stringify(serialized)).not.toMatch(/example\.com|argon2|insert into/);
  });

  it('drops statement fields from any other error, and keeps the rest', () => {
    const error = Object.assign(new Error('query failed'), { sql: 'select 1', bindings: [1], kind: 'x' });
    expect(serializeError(error)).toMatchObject({ message: 'query failed', kind: 'x' });
    expect(serializeError(error)).not.toHaveProperty('sql');
    expect(serializeError(error)).not.toHaveProperty('bindings');
  });
});

describe('maskLogLine', () => {
  const line = (value: unknown) => JSON.stringify({ level: 30, time: 1796163669425, msg: value }) + '\n';

  it('keeps the last four digits of card-like numbers inside strings, grouped or not', () => {
    expect(maskLogLine(line('card 4111111111111111 ok'))).toContain('"card ************1111 ok"');
    expect(maskLogLine(line('4111 1111 1111 1111'))).toContain('"**** **** **** 1111"');
    expect(maskLogLine(line('4111-1111-1111-1'))).toContain('"****-****-*111-1"');
  });

  it('leaves numbers outside strings, short runs and long identifiers alone', () => {
    const original = line('order 123456789012 and 123456789012345678901234');
    expect(maskLogLine(original)).toBe(original);
  });

  it('never takes a digit run inside a hex id (a trace id, a hash) for a card', () => {
    const ids = ['e12345678901234a8220d901ac145da69', '12345678901234abcdef0123', 'span 4111111111111111e'];
    for (const id of ids) expect(maskLogLine(line(id))).toBe(line(id));
    expect(maskLogLine(line('pan=4111111111111111, next'))).toContain('"pan=************1111, next"');
  });

  it('masks a card right after an escape', () => {
    expect(JSON.parse(maskLogLine(line('\n4111111111111111'))).msg).toBe('\n************1111');
  });

  it('keeps the line valid JSON around escapes', () => {
    const masked = maskLogLine(line('\u0001 \\ "4111111111111111" \u0000'));
    expect(JSON.parse(masked).msg).toBe('\u0001 \\ "************1111" \u0000');
  });

  it('removes argon2 and bcrypt hashes wherever they appear', () => {
    const bcrypt = '$2b$12$' + 'a'.repeat(53);
    const masked = maskLogLine(line(`hashes ${HASH} and ${bcrypt}`));
    expect(JSON.parse(masked).msg).toBe('hashes [redacted hash] and [redacted hash]');
  });
});
