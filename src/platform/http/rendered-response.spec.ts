import { describe, expect, it } from 'vitest';
import { matchesIfNoneMatch, render } from './rendered-response.js';

describe('rendered responses', () => {
  it('carry a strong ETag that changes with the bytes', () => {
    const a = render({ a: 1 });
    expect(a.etag).toMatch(/^"[\w-]+"$/);
    expect(render({ a: 1 }).etag).toBe(a.etag);
    expect(render({ a: 2 }).etag).not.toBe(a.etag);
  });

  it('match If-None-Match lists, weak forms and *', () => {
    const { etag } = render({ a: 1 });
    expect(matchesIfNoneMatch(etag, etag)).toBe(true);
    expect(matchesIfNoneMatch(`"other", ${etag}`, etag)).toBe(true);
    expect(matchesIfNoneMatch(`W/${etag}`, etag)).toBe(true);
    expect(matchesIfNoneMatch('*', etag)).toBe(true);
    expect(matchesIfNoneMatch('"other"', etag)).toBe(false);
    expect(matchesIfNoneMatch(undefined, etag)).toBe(false);
  });
});
