import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPermutation } from './catalog.gallery.rules.js';

const ids = fc.uniqueArray(fc.uuid(), { maxLength: 10 });

describe('gallery order', () => {
  it('accepts any reordering of the same images', () => {
    fc.assert(
      fc.property(
        ids.chain((list) =>
          fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length })),
        ),
        ([current, proposed]) => {
          expect(isPermutation(current, proposed)).toBe(true);
        },
      ),
    );
  });

  it('refuses a missing, repeated or unknown image', () => {
    const current = ['a', 'b', 'c'];
    expect(isPermutation(current, ['a', 'b'])).toBe(false);
    expect(isPermutation(current, ['a', 'b', 'b'])).toBe(false);
    expect(isPermutation(current, ['a', 'b', 'd'])).toBe(false);
    expect(isPermutation(current, ['a', 'b', 'c', 'd'])).toBe(false);
  });

  it('refuses every list that differs from the gallery as a set or in size', () => {
    fc.assert(
      fc.property(ids, fc.array(fc.uuid(), { maxLength: 11 }), (current, proposed) => {
        const same =
          proposed.length === current.length &&
          new Set(proposed).size === proposed.length &&
          proposed.every((id) => current.includes(id));
        expect(isPermutation(current, proposed)).toBe(same);
      }),
    );
  });
});
