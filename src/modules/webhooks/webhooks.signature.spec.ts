import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { computeSignature, signatureHeader, verifyWebhookSignature } from './webhooks.signature.js';

const secret = 'whsec_test';
const body = '{"id":"evt","type":"payment.succeeded"}';
const now = 1_800_000_000_000;
const t = now / 1000;

describe('webhook signatures', () => {
  it('signs t.body with HMAC-SHA256 in hex', () => {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(computeSignature(secret, t, body)).toBe(expected);
    expect(signatureHeader(secret, body, t)).toBe(`t=${t},v1=${expected}`);
  });

  it('accepts its own header within the tolerance', () => {
    expect(verifyWebhookSignature(signatureHeader(secret, body, t - 299), body, secret, { now })).toEqual({
      ok: true,
      timestampSeconds: t - 299,
    });
  });

  it('refuses a timestamp outside the tolerance, in the past or the future', () => {
    for (const at of [t - 301, t + 301]) {
      expect(verifyWebhookSignature(signatureHeader(secret, body, at), body, secret, { now })).toEqual({
        ok: false,
        reason: 'timestamp_outside_tolerance',
      });
    }
    expect(
      verifyWebhookSignature(signatureHeader(secret, body, t - 1000), body, secret, {
        now,
        toleranceSeconds: 2000,
      }).ok,
    ).toBe(true);
  });

  it('refuses another body, another secret or a tampered signature', () => {
    const header = signatureHeader(secret, body, t);
    expect(verifyWebhookSignature(header, `${body} `, secret, { now })).toMatchObject({
      reason: 'signature_mismatch',
    });
    expect(verifyWebhookSignature(header, body, 'whsec_other', { now })).toMatchObject({
      reason: 'signature_mismatch',
    });
    const flipped = header.replace(/v1=(.)/, (_, c: string) => `v1=${c === '0' ? '1' : '0'}`);
    expect(verifyWebhookSignature(flipped, body, secret, { now })).toMatchObject({
      reason: 'signature_mismatch',
    });
  });

  it('accepts when any of several v1 signatures matches (secret rotation)', () => {
    const good = computeSignature(secret, t, body);
    const header = `t=${t},v1=${'0'.repeat(64)},v1=${good}`;
    expect(verifyWebhookSignature(header, body, secret, { now }).ok).toBe(true);
  });

  it('refuses missing or malformed headers', () => {
    for (const header of [undefined, '', 'garbage', `t=${t}`, 'v1=abc', `t=x,v1=${'a'.repeat(64)}`]) {
      expect(verifyWebhookSignature(header, body, secret, { now })).toEqual({
        ok: false,
        reason: 'malformed_header',
      });
    }
  });
});
