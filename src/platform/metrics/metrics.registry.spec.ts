import { describe, expect, it } from 'vitest';
import { busy, conflict, invalid, unavailable, unprocessable } from '../errors.js';
import { checkoutsTotal, recordCheckout, timeMidtrans, midtransErrorsTotal } from './metrics.registry.js';

const count = async (outcome: string) =>
  (await checkoutsTotal.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;

describe('checkout outcomes', () => {
  it.each([
    ['insufficient_stock', conflict('insufficient_stock', 'no stock')],
    ['insufficient_funds', unprocessable('insufficient_funds', 'no money')],
    ['rejected', invalid('validation_failed', 'bad input')],
    ['busy', busy('checkouts_busy', 'shed', 5000)],
    ['failed', unavailable('gateway_unavailable', 'down')],
    ['failed', new Error('bug')],
  ])('counts a checkout that threw as %s', async (outcome, error) => {
    const before = await count(outcome);
    await expect(recordCheckout(() => Promise.reject(error))).rejects.toBe(error);
    expect(await count(outcome)).toBe(before + 1);
  });

  it('counts a placed order as succeeded and a recorded failed payment as insufficient_funds', async () => {
    const succeeded = await count('succeeded');
    const funds = await count('insufficient_funds');
    await recordCheckout(async () => ({ status: 'pending' }));
    await recordCheckout(async () => ({ status: 'failed' }));
    expect(await count('succeeded')).toBe(succeeded + 1);
    expect(await count('insufficient_funds')).toBe(funds + 1);
  });
});

describe('Midtrans timing', () => {
  it('counts a thrown call and a result marked failed as errors, and passes both through', async () => {
    const errors = async () =>
      (await midtransErrorsTotal.get()).values.find((v) => v.labels.operation === 'spec')?.value ?? 0;
    const before = await errors();
    await expect(timeMidtrans('spec', () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(
      await timeMidtrans(
        'spec',
        async () => 'unknown',
        (r) => r === 'unknown',
      ),
    ).toBe('unknown');
    expect(
      await timeMidtrans(
        'spec',
        async () => 'ok',
        (r) => r === 'unknown',
      ),
    ).toBe('ok');
    expect(await errors()).toBe(before + 2);
  });
});
