import { describe, expect, it } from 'vitest';
import { parseEvent } from '../events/event.js';
import { contextFrom, currentTraceparent, inSpan, logIds, tracingOn, withTraceHeaders } from './tracing.js';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('tracing when no endpoint is configured', () => {
  it('is off: work runs without a span and nothing is added to headers, events or logs', async () => {
    expect(tracingOn).toBe(false);
    const headers = { accept: 'application/json' };
    await inSpan('work', {}, async (span) => {
      expect(span).toBeUndefined();
      expect(currentTraceparent()).toBeUndefined();
      expect(withTraceHeaders(headers)).toBe(headers);
      expect(logIds()).toBeUndefined();
    });
    expect(contextFrom(TRACEPARENT)).toBeUndefined();
  });

  it('passes a failure through unchanged', async () => {
    const failure = new Error('boom');
    await expect(inSpan('work', {}, () => Promise.reject(failure))).rejects.toBe(failure);
  });
});

describe('an event’s traceparent', () => {
  const event = {
    id: '5f0c4a8e-2b1d-4c3e-9f6a-7b8c9d0e1f2a',
    type: 'payment.succeeded',
    aggregate: 'payment:1',
    created: 1,
    data: null,
  };

  it('travels with the event when well-formed', () => {
    expect(parseEvent({ ...event, traceparent: TRACEPARENT }).traceparent).toBe(TRACEPARENT);
  });

  it('is dropped, never refused, when malformed', () => {
    for (const traceparent of ['garbage', 42, `${TRACEPARENT}-extra`, TRACEPARENT.toUpperCase()])
      expect(parseEvent({ ...event, traceparent })).toEqual(event);
  });
});
