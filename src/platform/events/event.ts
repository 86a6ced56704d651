/** Something that happened in a module, as it travels from the outbox to its consumers. */
export interface DomainEvent {
  /** A UUID, unique per event: consumers deduplicate on it and NATS uses it as the msgID. */
  id: string;
  /** Dot-separated tokens, e.g. `payment.succeeded`; it becomes the tail of the NATS subject. */
  type: string;
  /** What the event is about, e.g. `payment:<uuid>`. */
  aggregate: string;
  /** Unix time in milliseconds. */
  created: number;
  data: unknown;
  /** The W3C traceparent of the request that wrote the event, when tracing was on. */
  traceparent?: string;
}

/** Below NATS's default max_payload (1 MiB) so that an event never fails only on the wire. */
export const MAX_EVENT_BYTES = 512 * 1024;
const MAX_TYPE_LENGTH = 128;
const MAX_AGGREGATE_LENGTH = 256;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Each token must be a valid NATS subject token: no wildcards, spaces or empty tokens.
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const TYPE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** Whether a string can be an event type (and so the tail of a NATS subject). */
export const isEventType = (type: string): boolean => type.length <= MAX_TYPE_LENGTH && TYPE.test(type);

/** An event that is malformed: a bug in its producer, never worth retrying. */
export class InvalidEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

/**
 * Checks that a value has the shape of a DomainEvent and returns just those fields (unknown
 * fields are dropped rather than refused, so a newer producer does not break older consumers).
 * @throws InvalidEventError naming the first field that is wrong.
 */
export function parseEvent(value: unknown): DomainEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidEventError('an event must be a JSON object');
  const { id, type, aggregate, created, data, traceparent } = value as Record<string, unknown>;
  if (typeof id !== 'string' || !UUID.test(id)) throw new InvalidEventError('event.id must be a UUID');
  if (typeof type !== 'string' || !isEventType(type))
    throw new InvalidEventError(
      `event.type must be dot-separated tokens of letters, digits, _ or - (at most ${MAX_TYPE_LENGTH} characters)`,
    );
  if (typeof aggregate !== 'string' || aggregate.length === 0 || aggregate.length > MAX_AGGREGATE_LENGTH)
    throw new InvalidEventError(
      `event.aggregate must be a string of 1 to ${MAX_AGGREGATE_LENGTH} characters`,
    );
  if (typeof created !== 'number' || !Number.isSafeInteger(created) || created < 0)
    throw new InvalidEventError('event.created must be a non-negative integer (unix ms)');
  // JSON has no undefined: an event without data would not survive the round trip unchanged.
  if (data === undefined) throw new InvalidEventError('event.data is required (use null for none)');
  // Only a well-formed traceparent travels on; anything else is dropped, never refused.
  if (typeof traceparent === 'string' && TRACEPARENT.test(traceparent))
    return { id, type, aggregate, created, data, traceparent };
  return { id, type, aggregate, created, data };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** @throws InvalidEventError when the event is malformed or larger than MAX_EVENT_BYTES. */
export function encodeEvent(event: DomainEvent): Uint8Array {
  let json: string;
  try {
    json = JSON.stringify(parseEvent(event));
  } catch (error) {
    if (error instanceof InvalidEventError) throw error;
    // A bigint or a cycle in data: say which event, not just "cannot serialize".
    throw new InvalidEventError(`event ${event.id} cannot be JSON: ${(error as Error).message}`);
  }
  const bytes = encoder.encode(json);
  if (bytes.byteLength > MAX_EVENT_BYTES)
    throw new InvalidEventError(`event ${event.id} is ${bytes.byteLength} bytes, above ${MAX_EVENT_BYTES}`);
  return bytes;
}

/** @throws InvalidEventError when the bytes are not UTF-8 JSON of a valid event. */
export function decodeEvent(bytes: Uint8Array): DomainEvent {
  if (bytes.byteLength > MAX_EVENT_BYTES)
    throw new InvalidEventError(`an event of ${bytes.byteLength} bytes is above ${MAX_EVENT_BYTES}`);
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch (error) {
    throw new InvalidEventError(`an event must be UTF-8 JSON: ${(error as Error).message}`);
  }
  return parseEvent(value);
}
