import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A response serialised once, with a strong ETag of its bytes, ready to be cached and re-sent. */
export interface RenderedResponse {
  body: string;
  etag: string;
}

export function render(payload: unknown): RenderedResponse {
  const body = JSON.stringify(payload);
  return { body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
}

/** RFC 9110 §13.1.2: If-None-Match uses the weak comparison; `*` matches any current representation. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === opaque);
}

/** Sends a rendered response, or 304 Not Modified when the client already holds it. */
export function sendRendered(request: FastifyRequest, reply: FastifyReply, rendered: RenderedResponse): void {
  reply.header('etag', rendered.etag);
  // Clients may keep the representation but must revalidate (cheaply, by ETag) before using it.
  reply.header('cache-control', 'no-cache');
  if (matchesIfNoneMatch(request.headers['if-none-match'], rendered.etag)) reply.code(304).send();
  else reply.type('application/json; charset=utf-8').send(rendered.body);
}
