import { describe, expect, it } from 'vitest';
import { plainArray, textArray } from './ledger.sql-arrays.js';

describe('array parameters in text form', () => {
  it('writes plain values as they are, and NULL for null', () => {
    expect(plainArray(['a1', 2n, null])).toBe('{a1,2,NULL}');
    expect(plainArray([])).toBe('{}');
  });

  it('quotes every text element and escapes its quotes and backslashes', () => {
    expect(textArray(['plain', 'a,b', '{x}', 'say "hi"', 'back\\slash', '', 'NULL'])).toBe(
      '{"plain","a,b","{x}","say \\"hi\\"","back\\\\slash","","NULL"}',
    );
  });
});
