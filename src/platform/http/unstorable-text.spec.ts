import { describe, expect, it } from 'vitest';
import { unstorableText } from './unstorable-text.js';

const paths = (value: unknown) => unstorableText(value).map((error) => error.instancePath);

describe('unstorableText', () => {
  it('accepts ordinary text, including characters outside the BMP as surrogate pairs', () => {
    expect(paths({ name: 'Batik 🧵 ẞ', tags: ['a', 'b'], n: 1, ok: true, none: null })).toEqual([]);
  });

  it('names every string holding a NUL or an unpaired surrogate, however deep', () => {
    const value = {
      name: 'a\u0000b',
      high: 'a\uD83Eb',
      low: '\uDDF5',
      reversed: '\uDDF5\uD83E',
      nested: { items: [{ bank: 'ok' }, { bank: 'x\u0000' }] },
    };
    expect(paths(value)).toEqual(['/name', '/high', '/low', '/reversed', '/nested/items/1/bank']);
  });

  it('names a bad property name with U+FFFD in its place, and escapes pointers', () => {
    expect(paths({ ['x\u0000y']: 'fine', 'a/b~': ['\u0000'] })).toEqual(['/x\uFFFDy', '/a~1b~0/0']);
  });

  it('refuses a bare string and skips raw bytes', () => {
    expect(paths('\u0000')).toEqual(['']);
    expect(paths({ bytes: Buffer.from([0, 0]) })).toEqual([]);
  });

  it('walks a deeply nested value without overflowing the stack', () => {
    let deep: unknown = '\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(unstorableText(deep)).toHaveLength(1);
  });
});
