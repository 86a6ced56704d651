import { describe, expect, it } from 'vitest';
import { currentConsents, withholdPersonalData } from './privacy.rules.js';

const buyer = '11111111-1111-4111-8111-111111111111';
const seller = '22222222-2222-4222-8222-222222222222';
const payment = {
  id: 'p1',
  user_id: buyer,
  items: [{ seller_id: seller, name: 'Kopi' }],
  refund: { created_by: buyer },
};

describe('withholding personal data from webhooks', () => {
  it('replaces every mention of a person who opted out, for anyone else', () => {
    const shaped = withholdPersonalData(payment, new Set([buyer]), seller) as Record<string, unknown>;
    expect(shaped).toEqual({
      id: 'p1',
      user_id: null,
      items: [{ seller_id: seller, name: 'Kopi' }],
      refund: { created_by: null },
      personal_data_withheld: true,
    });
    expect(JSON.stringify(shaped)).not.toContain(buyer);
  });

  it('leaves what goes to the person themself whole', () => {
    expect(withholdPersonalData(payment, new Set([buyer]), buyer)).toBe(payment);
  });

  it('returns the data itself when nobody in it opted out', () => {
    expect(withholdPersonalData(payment, new Set(['someone else']), seller)).toBe(payment);
  });

  it('refuses data nested beyond any real event', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 40; i++) deep = { deep };
    expect(() => withholdPersonalData(deep, new Set([buyer]), seller)).toThrow(/nested/);
  });
});

describe('current consents', () => {
  it('defaults to marketing on and sharing allowed', () => {
    expect(currentConsents([])).toEqual({
      marketing_email: { granted: true, recorded_at: null },
      do_not_sell: { granted: false, recorded_at: null },
    });
  });

  it('takes the newest record of each purpose', () => {
    const history = [
      { purpose: 'do_not_sell' as const, granted: true, recorded_at: '2026-01-03T00:00:00.000Z' },
      { purpose: 'marketing_email' as const, granted: false, recorded_at: '2026-01-02T00:00:00.000Z' },
      { purpose: 'do_not_sell' as const, granted: false, recorded_at: '2026-01-01T00:00:00.000Z' },
    ];
    expect(currentConsents(history)).toEqual({
      marketing_email: { granted: false, recorded_at: '2026-01-02T00:00:00.000Z' },
      do_not_sell: { granted: true, recorded_at: '2026-01-03T00:00:00.000Z' },
    });
  });
});
