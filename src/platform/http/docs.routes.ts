import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

// The reference must work offline and talk only to this server: no hosted AI or MCP helpers.
const CONFIGURATION = {
  url: '/openapi.json',
  pageTitle: 'Mamlaka API',
  agent: { disabled: true },
  _integration: 'fastify',
} as const;

const hidden = { schema: { hide: true } };

/**
 * The interactive API reference (Scalar) at /docs: its page and its bundled script (3.4 MB)
 * are made on the first visit, not at start-up, so a server that nobody reads the docs of
 * never loads them. The same routes as Scalar's Fastify plugin, which did both eagerly.
 */
export function docsRoutes(app: FastifyInstance, contentSecurityPolicy: string): void {
  let page: Promise<string> | undefined;
  let script: Promise<string> | undefined;
  const html = () =>
    (page ??= import('@scalar/core/libs/html-rendering').then(({ getHtmlDocument }) =>
      getHtmlDocument({ cdn: 'js/scalar.js', ...CONFIGURATION }),
    ));
  const bundle = () => {
    // The standalone script ships inside the Fastify integration's package.
    const entry = createRequire(import.meta.url).resolve('@scalar/fastify-api-reference');
    return (script ??= readFile(path.join(path.dirname(entry), 'js', 'standalone.js'), 'utf8'));
  };

  app.get('/docs', hidden, (_request, reply) => reply.redirect('/docs/', 301));
  app.get('/docs/', hidden, async (_request, reply) =>
    reply
      .header('content-security-policy', contentSecurityPolicy)
      .type('text/html; charset=utf-8')
      .send(await html()),
  );
  app.get('/docs/js/scalar.js', hidden, async (_request, reply) =>
    reply
      .header('content-security-policy', contentSecurityPolicy)
      .type('application/javascript; charset=utf-8')
      .send(await bundle()),
  );
}
