import { describe, expect, it } from 'vitest';
import { int4Array, int8Array, textArray, uuidArray } from './array-parameter.js';

/** The one-dimensional binary array header: dimensions, has-nulls, element type, length, lower bound. */
const header = (buffer: Buffer) => [0, 4, 8, 12, 16].map((at) => buffer.readInt32BE(at));

describe('array parameters', () => {
  it('sends uuids as 16 bytes each, in either case, behind the header', () => {
    const binary = uuidArray([
      '0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b',
      '0190A3B4-5C6D-7E8F-9A0B-1C2D3E4F5A6C',
    ]).toPostgres();
    expect(header(binary)).toEqual([1, 0, 2950, 2, 1]);
    expect(binary.readInt32BE(20)).toBe(16);
    expect(binary.subarray(24, 40).toString('hex')).toBe('0190a3b45c6d7e8f9a0b1c2d3e4f5a6b');
    expect(binary.subarray(44, 60).toString('hex')).toBe('0190a3b45c6d7e8f9a0b1c2d3e4f5a6c');
    expect(binary.length).toBe(60);
  });

  it('refuses anything but a canonical uuid rather than send other bytes', () => {
    for (const bad of [
      '0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6',
      '0190a3b45c6d7e8f9a0b1c2d3e4f5a6b',
      '0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6g',
      '0190a3b4+5c6d-7e8f-9a0b-1c2d3e4f5a6b',
    ])
      expect(() => uuidArray([bad]).toPostgres(), bad).toThrow(/not a uuid/);
  });

  it('sends bigints as 8 bytes, negative and at the limits, and marks NULLs', () => {
    const binary = int8Array([1n, -2n, '9223372036854775807', null]).toPostgres();
    expect(header(binary)).toEqual([1, 1, 20, 4, 1]);
    expect(binary.readBigInt64BE(24)).toBe(1n);
    expect(binary.readBigInt64BE(36)).toBe(-2n);
    expect(binary.readBigInt64BE(48)).toBe(9_223_372_036_854_775_807n);
    expect(binary.readInt32BE(56)).toBe(-1);
    expect(binary.length).toBe(60);
  });

  it('sends integers as 4 bytes, at the limits, and refuses one that does not fit', () => {
    const binary = int4Array([0, -2_147_483_648, 2_147_483_647, null]).toPostgres();
    expect(header(binary)).toEqual([1, 1, 23, 4, 1]);
    expect([24, 32, 40].map((at) => binary.readInt32BE(at))).toEqual([0, -2_147_483_648, 2_147_483_647]);
    expect(binary.readInt32BE(44)).toBe(-1);
    expect(binary.length).toBe(48);
    expect(() => int4Array([2_147_483_648]).toPostgres()).toThrow(RangeError);
    expect(() => int4Array([1.5]).toPostgres()).toThrow(RangeError);
  });

  it('sends text as its UTF-8 bytes, unescaped', () => {
    const binary = textArray(['a,"b"', 'ünï ✓', '']).toPostgres();
    expect(header(binary)).toEqual([1, 0, 25, 3, 1]);
    let at = 20;
    const read = () => {
      const length = binary.readInt32BE(at);
      const text = binary.subarray(at + 4, at + 4 + length).toString('utf8');
      at += 4 + length;
      return text;
    };
    expect([read(), read(), read()]).toEqual(['a,"b"', 'ünï ✓', '']);
    expect(at).toBe(binary.length);
  });

  it('writes the text form for PGlite: text quoted and escaped, the rest as it is', () => {
    expect(textArray(['plain', 'a,b', '{x}', 'say "hi"', 'back\\slash', '', 'NULL', null]).toText()).toBe(
      '{"plain","a,b","{x}","say \\"hi\\"","back\\\\slash","","NULL",NULL}',
    );
    expect(int8Array([1n, null, '-3']).toText()).toBe('{1,NULL,-3}');
    expect(int4Array([7, null, -1]).toText()).toBe('{7,NULL,-1}');
    expect(uuidArray([]).toText()).toBe('{}');
  });
});
