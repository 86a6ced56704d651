#!/usr/bin/env node
// Builds what `npm start` runs: the server's JavaScript in dist/, the web app in dist/web
// (vite) and a migrated template of the embedded database. Type checking is `npm run lint`'s job (tsc --noEmit), so the
// build only strips types and bundles (esbuild), which takes about a second.
//
//   node scripts/build.mjs             build
//   node scripts/build.mjs --if-stale  build only when a source is newer than the last build
//
// `npm ci` runs it once (the `prepare` script), and bin/mamlaka.js (so `npm start` and `npx
// mamlaka`) checks `isStale()` first in a checkout with sources, so a start after an edit
// rebuilds and every other start runs what is there.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.build-stamp');
// Everything the output depends on: the code, the migrations baked into the template, and
// the installed packages (a new PGlite needs a new template).
const inputs = [
  'src',
  'web',
  'migrations',
  'package-lock.json',
  'scripts/build.mjs',
  'scripts/build-template.mjs',
];

function newestMtime(entry) {
  const stats = statSync(entry, { throwIfNoEntry: false });
  if (!stats) return 0;
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const child of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, child)));
  return newest;
}

/** Whether dist/ is missing or older than one of its inputs. */
export function isStale() {
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  return inputs.some((input) => newestMtime(path.join(root, input)) > built);
}

// Imported (by bin/mamlaka.js) it only answers isStale(); run, it builds.
if (process.argv[1] === fileURLToPath(import.meta.url)) await main();

async function main() {
  if (process.argv.includes('--if-stale') && existsSync(stamp)) {
    if (!isStale()) process.exit(0);
    console.error('sources changed since the last build: building');
  }

  const started = Date.now();
  // esbuild is a development dependency. An installation without them (a production image)
  // runs what was built where they were.
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    if (existsSync(stamp)) process.exit(0);
    console.error('mamlaka is not built and esbuild is not installed: run `npm ci` (with dev dependencies)');
    process.exit(1);
  }

  rmSync(dist, { recursive: true, force: true });
  // One bundle per entry point (and shared chunks), not a file per source: Node loads a few
  // large files much faster than hundreds of small ones. TypeBox and Kysely, pure ESM spread
  // over hundreds of files each, are bundled too; every other package stays external
  // (native code, files read beside their modules, optional clients loaded on demand).
  const project = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const bundled = new Set(['typebox', 'kysely', '@fastify/type-provider-typebox']);
  const external = Object.keys(project.dependencies).filter((name) => !bundled.has(name));
  await esbuild.build({
    entryPoints: {
      'cli/main': path.join(root, 'src/cli/main.ts'),
      'platform/db/embedded-template': path.join(root, 'src/platform/db/embedded-template.ts'),
      'platform/db/pglite-wasm': path.join(root, 'src/platform/db/pglite-wasm.ts'),
    },
    outdir: dist,
    bundle: true,
    splitting: true,
    external: external.flatMap((name) => [name, `${name}/*`]),
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  });

  await buildWebApp();

  const template = spawnSync(process.execPath, [path.join(root, 'scripts/build-template.mjs')], {
    stdio: 'inherit',
  });
  if (template.status !== 0) process.exit(template.status ?? 1);

  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  console.error(`built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * The web app (web/, React + Vite) into dist/web, each text file with .br and .gz copies
 * beside it so the gateway serves them compressed without compressing per request.
 */
async function buildWebApp() {
  // Vite keeps a NODE_ENV it finds (vitest sets `test`), which would ship React's
  // development build and leave the service worker unregistered.
  process.env.NODE_ENV = 'production';
  const { build } = await import('vite');
  await build({ configFile: path.join(root, 'web', 'vite.config.ts'), logLevel: 'warn' });
  const compressible = /\.(js|css|html|svg|webmanifest|json|txt)$/;
  const compress = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) compress(file);
      else if (compressible.test(entry.name)) {
        const body = readFileSync(file);
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
        writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
      }
    }
  };
  compress(path.join(dist, 'web'));
}
