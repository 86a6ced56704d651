/**
 * Array parameters for statements that carry thousands of values in one parameter (the
 * ledger's batches). On PostgreSQL they travel in the binary array format: the server
 * copies 16 bytes per uuid and 8 per bigint instead of parsing a '{…}' literal element by
 * element, which was a tenth of a batch's insert. node-postgres sends a parameter in binary
 * when `toPostgres()` gives it a Buffer. PGlite takes the text form (`toText()`, see
 * pglite-driver.ts). The statement casts the parameter to the same type (`$1::uuid[]`); a
 * binary array of another element type is refused by the server ("wrong element type").
 */

type Element = 'uuid' | 'int4' | 'int8' | 'text';

/** PostgreSQL's type ids of the elements, as array_recv checks them. */
const ELEMENT_OID: Record<Element, number> = { uuid: 2950, int4: 23, int8: 20, text: 25 };

/** Header of a one-dimensional array: dimensions, has-nulls flag, element type, length, lower bound. */
const HEADER_BYTES = 20;

export class ArrayParameter {
  constructor(
    private readonly element: Element,
    private readonly values: readonly (string | bigint | number | null)[],
  ) {}

  /** The binary form, for node-postgres (called once per statement by the driver). */
  toPostgres(): Buffer {
    const { element, values } = this;
    let size = HEADER_BYTES;
    let nulls = 0;
    for (const value of values) {
      if (value === null) nulls = 1;
      size += 4 + (value === null ? 0 : byteLength(element, value));
    }
    const out = Buffer.allocUnsafe(size);
    out.writeInt32BE(1, 0);
    out.writeInt32BE(nulls, 4);
    out.writeInt32BE(ELEMENT_OID[element], 8);
    out.writeInt32BE(values.length, 12);
    out.writeInt32BE(1, 16);
    let at = HEADER_BYTES;
    for (const value of values) {
      if (value === null) {
        out.writeInt32BE(-1, at);
        at += 4;
      } else if (element === 'uuid') {
        out.writeInt32BE(16, at);
        writeUuid(out, at + 4, value as string);
        at += 20;
      } else if (element === 'int4') {
        // writeInt32BE refuses what is out of range, but would truncate a fraction.
        if (!Number.isInteger(value)) throw new RangeError(`not an integer: ${String(value)}`);
        out.writeInt32BE(4, at);
        out.writeInt32BE(value as number, at + 4);
        at += 8;
      } else if (element === 'int8') {
        out.writeInt32BE(8, at);
        out.writeBigInt64BE(BigInt(value), at + 4);
        at += 12;
      } else {
        const written = out.write(value as string, at + 4, 'utf8');
        out.writeInt32BE(written, at);
        at += 4 + written;
      }
    }
    return out;
  }

  /** The text form ('{…}'), for PGlite: text elements quoted, their quotes and backslashes escaped. */
  toText(): string {
    const quote = this.element === 'text';
    let out = '{';
    for (let i = 0; i < this.values.length; i++) {
      const value = this.values[i];
      if (i > 0) out += ',';
      if (value === null) out += 'NULL';
      else if (quote)
        out += `"${NEEDS_ESCAPE.test(value as string) ? (value as string).replace(/["\\]/g, '\\$&') : value}"`;
      else out += String(value);
    }
    return `${out}}`;
  }
}

const NEEDS_ESCAPE = /["\\]/;

function byteLength(element: Element, value: string | bigint | number): number {
  if (element === 'uuid') return 16;
  if (element === 'int4') return 4;
  if (element === 'int8') return 8;
  return Buffer.byteLength(value as string, 'utf8');
}

/** Hex digit values by character code; -1 for anything else. */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[97 + i] = HEX[65 + i] = 10 + i;

/**
 * A uuid in its canonical form (8-4-4-4-12 hex digits, either case) as 16 bytes. Anything
 * else throws: the text form would have been refused by the server, and the binary one must
 * not turn it into some other id.
 */
function writeUuid(out: Buffer, at: number, uuid: string): void {
  const dashed =
    uuid.charCodeAt(8) === 45 &&
    uuid.charCodeAt(13) === 45 &&
    uuid.charCodeAt(18) === 45 &&
    uuid.charCodeAt(23) === 45;
  if (uuid.length !== 36 || !dashed) throw new TypeError(`not a uuid: ${uuid}`);
  for (let byte = 0; byte < 16; byte++) {
    const i = HEX_PAIRS[byte]!;
    const high = HEX[uuid.charCodeAt(i)] ?? -1;
    const low = HEX[uuid.charCodeAt(i + 1)] ?? -1;
    if (high < 0 || low < 0) throw new TypeError(`not a uuid: ${uuid}`);
    out[at + byte] = (high << 4) | low;
  }
}

/** Where each byte's two hex digits start in the canonical form. */
const HEX_PAIRS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/** uuid[] values. */
export const uuidArray = (values: readonly (string | null)[]) => new ArrayParameter('uuid', values);
/** integer[] values (32-bit; anything else throws when sent). */
export const int4Array = (values: readonly (number | null)[]) => new ArrayParameter('int4', values);
/** bigint[] values (bigints or integer strings). */
export const int8Array = (values: readonly (string | bigint | null)[]) => new ArrayParameter('int8', values);
/** text[] values. */
export const textArray = (values: readonly (string | null)[]) => new ArrayParameter('text', values);
