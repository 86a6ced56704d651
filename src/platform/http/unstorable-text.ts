import type { ErrorObject } from 'ajv';

/** The Ajv-style keyword of the errors below; validation.ts turns it into `invalid_characters`. */
export const UNSTORABLE_TEXT = 'unstorableText';

// U+0000: PostgreSQL text and jsonb cannot hold it, so the write fails with a 500. A lone
// surrogate has no UTF-8 form: the driver would silently store U+FFFD instead of what was sent.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// A body is bounded by the body limit, but one bad field is enough to answer; the rest would
// only make the answer longer.
const MAX_REPORTED = 20;

const isUnstorable = (text: string) => text.includes('\0') || LONE_SURROGATE.test(text);

const LONE_SURROGATES = new RegExp(LONE_SURROGATE, 'g');

/** A property name as a JSON pointer segment. */
const segment = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** A bad property name shown with U+FFFD in its bad characters' places, so the answer can name it. */
const shown = (key: string) => segment(key.replaceAll('\0', '\uFFFD').replace(LONE_SURROGATES, '\uFFFD'));

const refusal = (instancePath: string): ErrorObject => ({
  keyword: UNSTORABLE_TEXT,
  instancePath,
  schemaPath: '',
  params: {},
  message: 'must not contain NUL characters or unpaired UTF-16 surrogates',
});

/**
 * Every string in `value`, property names included, that holds U+0000 or an unpaired UTF-16
 * surrogate, as Ajv-shaped errors (JSON pointers), shallowest first. Iterative, so a deeply
 * nested body cannot overflow the stack; typed arrays (raw bytes) are not text and are skipped.
 */
export function unstorableText(value: unknown): ErrorObject[] {
  const errors: ErrorObject[] = [];
  const queue: [unknown, string][] = [[value, '']];
  for (let next = 0; next < queue.length && errors.length < MAX_REPORTED; next++) {
    const [item, path] = queue[next]!;
    if (typeof item === 'string') {
      if (isUnstorable(item)) errors.push(refusal(path));
    } else if (Array.isArray(item)) {
      item.forEach((element, index) => queue.push([element, `${path}/${index}`]));
    } else if (typeof item === 'object' && item !== null && !ArrayBuffer.isView(item)) {
      for (const [key, child] of Object.entries(item)) {
        if (isUnstorable(key)) errors.push(refusal(`${path}/${shown(key)}`));
        else queue.push([child, `${path}/${segment(key)}`]);
      }
    }
  }
  return errors.slice(0, MAX_REPORTED);
}
