import { describe, expect, it } from 'vitest';
import { judgeDelivery } from './webhooks.receiver.js';
import { signatureHeader } from './webhooks.signature.js';

const secret = 'whsec_test';
const body = JSON.stringify({ id: 'evt_1', type: 'payment.succeeded', created: 1, data: {} });
const nowMs = 1_700_000_000_000;
const nowSeconds = nowMs / 1000;

describe('the local webhook receiver', () => {
  it('accepts a delivery signed with the secret', () => {
    const signature = signatureHeader(secret, body, nowSeconds);
    expect(judgeDelivery({ body, signature, secret, now: nowMs })).toEqual({
      status: 200,
      line: 'payment.succeeded evt_1 signature ok',
    });
  });

  it('answers 400 to a wrong signature, a changed body, no header or a stale timestamp', () => {
    const cases = [
      { signature: signatureHeader('whsec_other', body, nowSeconds), reason: 'signature_mismatch' },
      { signature: signatureHeader(secret, `${body} `, nowSeconds), reason: 'signature_mismatch' },
      { signature: undefined, reason: 'malformed_header' },
      { signature: signatureHeader(secret, body, nowSeconds - 301), reason: 'timestamp_outside_tolerance' },
    ];
    for (const { signature, reason } of cases) {
      expect(judgeDelivery({ body, signature, secret, now: nowMs }), reason).toEqual({
        status: 400,
        line: `payment.succeeded evt_1 signature invalid (${reason})`,
      });
    }
  });

  it('accepts anything unverified when it has no secret', () => {
    expect(judgeDelivery({ body, signature: undefined, secret: undefined })).toEqual({
      status: 200,
      line: 'payment.succeeded evt_1 unverified',
    });
  });

  it('keeps a posted body from forging lines or verdicts in the log', () => {
    const forged = JSON.stringify({ id: 'x signature ok\npayment.succeeded evt_2', type: 'a\tb' });
    const { line } = judgeDelivery({ body: forged, signature: undefined, secret });
    expect(line).toBe('a?b x?signature?ok?payment.succeeded?evt_2 signature invalid (malformed_header)');
    expect(judgeDelivery({ body: 'not json', signature: undefined, secret: undefined }).line).toBe(
      '(not json) - unverified',
    );
    expect(judgeDelivery({ body: 'x'.repeat(500), signature: undefined, secret: undefined }).line).toBe(
      '(not json) - unverified',
    );
    const long = JSON.stringify({ id: 'e'.repeat(500), type: 'payment.created' });
    expect(judgeDelivery({ body: long, signature: undefined, secret: undefined }).line).toBe(
      `payment.created ${'e'.repeat(120)} unverified`,
    );
  });
});
