import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscountsRepository } from '../../src/modules/discounts/discounts.repository.js';
import { compareForQuote } from '../../src/modules/discounts/discounts.rules.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/** The database picks automatic discounts in the order the rules then apply them (both databases). */

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t?.drop());

describe('automatic discounts', () => {
  it('are read in quote order, for two created within one millisecond too', async () => {
    // The one created later in that millisecond has the smaller id.
    const [first, second] = [randomUUID(), randomUUID()].sort();
    await sql`
      INSERT INTO discounts (id, kind, percent_bps, created_at) VALUES
        (${second}::uuid, 'percentage', 100, '2026-01-01 00:00:00.000100+00'),
        (${first}::uuid, 'percentage', 200, '2026-01-01 00:00:00.000300+00')`.execute(t.database.db);
    const rows = await new DiscountsRepository(t.database.db).automatic(
      [],
      { currency: 'IDR', now: new Date() },
      10,
    );
    expect(rows.map((row) => row.id)).toEqual([first, second]);
    expect([...rows].sort(compareForQuote).map((row) => row.id)).toEqual([first, second]);
  });
});
