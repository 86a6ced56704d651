import { describe, expect, it } from 'vitest';
import { refundAnswerOf } from './midtrans.client.js';
import { rupiahOf } from './midtrans.rules.js';

describe('reading a Midtrans refund answer', () => {
  it.each([
    [200, { status_code: '200', status_message: 'Success, refund request is approved' }, 'approved'],
    // Midtrans itself answers HTTP 200 with the refusal in the body; the sandbox uses the HTTP status too.
    [200, { status_code: '412', status_message: 'Merchant cannot modify the status' }, 'refused'],
    [412, { status_code: '412', status_message: 'Merchant cannot modify the status' }, 'refused'],
    [404, { status_code: '404', status_message: "Transaction doesn't exist." }, 'refused'],
    [401, { status_code: '401', status_message: 'unauthorized' }, 'refused'],
    [200, { status_code: '429', status_message: 'Too many requests' }, 'unknown'],
    [500, { status_code: '500', status_message: 'Internal Server Error' }, 'unknown'],
    [502, 'Bad Gateway', 'unknown'],
    [200, { status_code: '201', status_message: 'queued' }, 'unknown'],
    [200, 'not json', 'unknown'],
  ])('HTTP %s with %j is %s', (status, body, kind) => {
    expect(refundAnswerOf(status, typeof body === 'string' ? body : JSON.stringify(body)).kind).toBe(kind);
  });

  it('keeps the gateway’s code and message of a refusal', () => {
    expect(refundAnswerOf(200, JSON.stringify({ status_code: '412', status_message: 'no' }))).toEqual({
      kind: 'refused',
      statusCode: '412',
      message: 'no',
    });
  });
});

describe('Midtrans amounts', () => {
  it.each([
    ['10000', 10_000n],
    ['10000.00', 10_000n],
    ['10000.5', undefined],
    ['-1', undefined],
    ['1e5', undefined],
    [10000, undefined],
  ])('%j is %s rupiah', (amount, expected) => {
    expect(rupiahOf(amount)).toBe(expected);
  });
});
