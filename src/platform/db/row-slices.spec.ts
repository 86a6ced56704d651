import { describe, expect, it } from 'vitest';
import { ROWS_PER_INSERT, rowSlices } from './row-slices.js';

describe('rowSlices', () => {
  it('cuts rows into consecutive slices of at most ROWS_PER_INSERT, in order', () => {
    const rows = Array.from({ length: 2 * ROWS_PER_INSERT + 1 }, (_, n) => n);
    const slices = [...rowSlices(rows)];
    expect(slices.map((slice) => slice.length)).toEqual([ROWS_PER_INSERT, ROWS_PER_INSERT, 1]);
    expect(slices.flat()).toEqual(rows);
  });

  it('gives nothing for no rows, so no empty INSERT is sent', () => {
    expect([...rowSlices([])]).toEqual([]);
  });
});
