import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, searchQuery } from './catalog.cursor.js';

const id = '0b6f5c2e-6a4f-4f57-9a83-2d3f4c5b6a7e';

describe('cursors', () => {
  it('round-trip for each sort', () => {
    const newest = { sort: 'newest' as const, key: '2026-11-22 12:00:00.123456+00', id };
    expect(decodeCursor(encodeCursor(newest), 'newest')).toEqual(newest);
    const price = { sort: 'price_asc' as const, key: '150000', id };
    expect(decodeCursor(encodeCursor(price), 'price_asc')).toEqual(price);
  });

  it('are refused for another sort, or when tampered with', () => {
    const price = encodeCursor({ sort: 'price_asc', key: '150000', id });
    expect(decodeCursor(price, 'price_desc')).toBeUndefined();
    const injected = Buffer.from(JSON.stringify(['price_asc', '1; DROP TABLE products', id])).toString(
      'base64url',
    );
    expect(decodeCursor(injected, 'price_asc')).toBeUndefined();
    expect(decodeCursor('not-base64-json', 'newest')).toBeUndefined();
  });

  it('never throw on arbitrary input', () => {
    fc.assert(fc.property(fc.string(), (text) => decodeCursor(text, 'newest') === undefined || true));
  });
});

describe('searchQuery', () => {
  it('makes every word a required prefix', () => {
    expect(searchQuery('Batik  shirt')).toBe('batik:* & shirt:*');
  });

  it('keeps letters of any script and drops tsquery syntax', () => {
    expect(searchQuery("kopi' | !& (gayo)")).toBe('kopi:* & gayo:*');
    expect(searchQuery('Café ñandú')).toBe('café:* & ñandú:*');
    expect(searchQuery('!!! ---')).toBeUndefined();
  });

  it('only ever yields words joined by &', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const query = searchQuery(text);
        return query === undefined || /^[\p{L}\p{N}]+:\*( & [\p{L}\p{N}]+:\*)*$/u.test(query);
      }),
    );
  });
});
