import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PACKAGE_ROOT } from '../fs/package-root.js';

/** Where `npm run build` (vite) writes the web app. */
export const WEB_APP_DIR = path.join(PACKAGE_ROOT, 'dist', 'web');

/**
 * The app's own paths (web/src/routes.tsx): none of them is an API path, so the app and the
 * API share one origin, one CSP and one set of cookies-free bearer tokens.
 */
const PAGES = [
  '/',
  '/cart',
  '/signin',
  '/signin/callback',
  '/signup',
  '/item/*',
  '/account',
  '/account/*',
  '/dashboard',
  '/dashboard/*',
  '/console',
  '/console/*',
];
// Files at the root of dist/web that are not hashed: always revalidated.
const ROOT_FILES = ['/sw.js', '/manifest.webmanifest', '/icon.svg', '/robots.txt'];
const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};
// Hashed file names never change content: cached for a year, never revalidated.
const IMMUTABLE = 'public, max-age=31536000, immutable';
const ASSET_NAME = /^[A-Za-z0-9._-]{1,200}$/;

interface StoredFile {
  body: Buffer;
  br?: Buffer;
  gzip?: Buffer;
  type: string;
}

export interface WebAppOptions {
  mode: 'sandbox' | 'live';
  /** Origins product images may come from besides this one (an S3 bucket's public URL). */
  imageOrigins: string[];
  dir?: string;
}

/** The app's policy: only this origin's scripts, styles and API; images from the store too. */
export function webAppContentSecurityPolicy(imageOrigins: string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data: blob: ${imageOrigins.join(' ')}`.trim(),
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const hidden = { schema: { hide: true } };

/**
 * Serves the web app built into dist/web: its pages (index.html, with the server's mode
 * written in for the sandbox banner), its hashed assets (immutable) and the service worker.
 * Files are read on first request and kept in memory with their precompressed variants (the
 * build writes .br and .gz beside each); a server whose app was not built says so on `/`.
 */
export function webAppRoutes(app: FastifyInstance, options: WebAppOptions): void {
  const dir = options.dir ?? WEB_APP_DIR;
  const csp = webAppContentSecurityPolicy(options.imageOrigins);
  const files = new Map<string, Promise<StoredFile | undefined>>();

  const load = (relative: string) => {
    let file = files.get(relative);
    if (!file) {
      file = readStored(path.join(dir, relative));
      files.set(relative, file);
    }
    return file;
  };

  const send = (request: FastifyRequest, reply: FastifyReply, file: StoredFile, cacheControl: string) => {
    const accepts = String(request.headers['accept-encoding'] ?? '');
    const [body, encoding] =
      file.br && /\bbr\b/.test(accepts)
        ? [file.br, 'br']
        : file.gzip && /\bgzip\b/.test(accepts)
          ? [file.gzip, 'gzip']
          : [file.body, undefined];
    if (encoding) reply.header('content-encoding', encoding);
    return reply
      .header('vary', 'accept-encoding')
      .header('cache-control', cacheControl)
      .header('content-security-policy', csp)
      .type(file.type)
      .send(body);
  };

  let page: Promise<StoredFile | undefined> | undefined;
  const index = () =>
    (page ??= readStored(path.join(dir, 'index.html'), (html) =>
      html.replace('%MAMLAKA_MODE%', options.mode),
    ));

  const servePage = async (request: FastifyRequest, reply: FastifyReply) => {
    const file = await index();
    if (!file)
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The web app is not built: run `npm run build` (npm ci does it).');
    return send(request, reply, file, 'no-cache');
  };
  for (const url of PAGES) app.get(url, hidden, servePage);

  app.get<{ Params: { file: string } }>('/assets/:file', hidden, async (request, reply) => {
    const name = request.params.file;
    const file =
      ASSET_NAME.test(name) && !name.startsWith('.') ? await load(path.join('assets', name)) : undefined;
    if (!file) return reply.code(404).type('text/plain; charset=utf-8').send('not found');
    return send(request, reply, file, IMMUTABLE);
  });

  for (const url of ROOT_FILES)
    app.get(url, hidden, async (request, reply) => {
      const file = await load(url.slice(1));
      if (!file) return reply.code(404).type('text/plain; charset=utf-8').send('not found');
      // The service worker may control every page of the origin, not just /sw.js's folder.
      if (url === '/sw.js') reply.header('service-worker-allowed', '/');
      return send(request, reply, file, 'no-cache');
    });
}

async function readStored(
  file: string,
  transform?: (text: string) => string,
): Promise<StoredFile | undefined> {
  if (!existsSync(file)) return undefined;
  const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
  if (transform) {
    // Rewritten at serve time, so the build's compressed copies do not apply.
    const text = transform(await readFile(file, 'utf8'));
    const { brotliCompressSync, gzipSync } = await import('node:zlib');
    const body = Buffer.from(text);
    return { body, br: brotliCompressSync(body), gzip: gzipSync(body), type };
  }
  const [body, br, gzip] = await Promise.all([
    readFile(file),
    readFile(`${file}.br`).catch(() => undefined),
    readFile(`${file}.gz`).catch(() => undefined),
  ]);
  return { body, br, gzip, type };
}
