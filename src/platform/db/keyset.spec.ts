import { describe, expect, it } from 'vitest';
import {
  decodeSequenceCursor,
  decodeTimeCursor,
  encodeSequenceCursor,
  encodeTimeCursor,
  likeLiteral,
  pageOf,
} from './keyset.js';

const key = { createdAt: '2026-01-02 03:04:05.123456+00', id: '0b9e6a3e-1f5d-4a7b-9c2d-3e4f5a6b7c8d' };
const refusal = (decode: () => unknown) => {
  try {
    decode();
    return undefined;
  } catch (error) {
    return (error as { details?: { fields?: { code: string }[] } }).details?.fields?.[0]?.code;
  }
};

describe('keyset cursors', () => {
  it('give back the key they were made from', () => {
    expect(decodeTimeCursor(encodeTimeCursor(key))).toEqual(key);
    expect(decodeSequenceCursor(encodeSequenceCursor(9_007_199_254_740_993n))).toBe(9_007_199_254_740_993n);
  });

  it('refuse anything they did not issue as invalid_cursor', () => {
    const forged = (parts: unknown) => Buffer.from(JSON.stringify(parts)).toString('base64url');
    for (const text of [
      'not base64 json',
      forged({ a: 1 }),
      forged(['t', key.createdAt, 'not-a-uuid']),
      forged(['t', "2026-01-01'; DROP TABLE users", key.id]),
      forged(['t', key.createdAt, key.id, 'extra']),
      encodeSequenceCursor(5n),
    ]) {
      expect(refusal(() => decodeTimeCursor(text))).toBe('invalid_cursor');
    }
    for (const text of [
      forged(['s', '0']),
      forged(['s', '-1']),
      forged(['s', '1e3']),
      encodeTimeCursor(key),
    ]) {
      expect(refusal(() => decodeSequenceCursor(text))).toBe('invalid_cursor');
    }
  });
});

describe('a page', () => {
  it('has a cursor only when a row beyond the limit was read', () => {
    expect(pageOf([1, 2, 3], 2, String, (n) => `after ${n}`)).toEqual({
      items: ['1', '2'],
      nextCursor: 'after 2',
    });
    expect(pageOf([1, 2], 2, String, (n) => `after ${n}`)).toEqual({ items: ['1', '2'], nextCursor: null });
    expect(pageOf([], 2, String, String)).toEqual({ items: [], nextCursor: null });
  });
});

describe('LIKE literals', () => {
  it('escape the pattern characters', () => {
    expect(likeLiteral('50%_off\\')).toBe('50\\%\\_off\\\\');
    expect(likeLiteral('GC-1234')).toBe('GC-1234');
  });
});
