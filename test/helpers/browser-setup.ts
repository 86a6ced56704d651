import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserServer } from 'playwright-core';
import type { TestProject } from 'vitest/node';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.js';

declare module 'vitest' {
  export interface ProvidedContext {
    browserWsEndpoint: string;
    /** A copy of dist/web taken after the build, which the test servers serve. */
    webAppDir: string;
  }
}

// Both browser projects (pglite, postgres) share one build and one Chromium: the global
// setup module may be loaded once per project, so the shared state lives on globalThis.
interface Shared {
  server: Promise<BrowserServer>;
  webAppDir: string;
  users: number;
}
const key = Symbol.for('mamlaka.browser-setup');
const state = globalThis as unknown as Record<symbol, Shared | undefined>;

const WEB_DIST = path.resolve('dist/web');

/**
 * Whether every script and stylesheet index.html names is in `dir` (a build finished there),
 * and the bundle is a production one (React's development build asks for its DevTools).
 */
function complete(dir: string): boolean {
  const index = path.join(dir, 'index.html');
  if (!existsSync(index)) return false;
  const html = readFileSync(index, 'utf8');
  const assets = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((match) => match[1]!);
  if (!assets.every((asset) => existsSync(path.join(dir, asset)))) return false;
  return !assets.some(
    (asset) =>
      asset.endsWith('.js') && readFileSync(path.join(dir, asset), 'utf8').includes('react-devtools'),
  );
}

/**
 * Builds (when stale; from scratch when what is there will not do) and copies dist/web aside:
 * a `mamlaka start` run meanwhile in this checkout rebuilds dist/ after an edit, and must not
 * swap the app under a running test.
 */
function snapshotWebApp(): string {
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    build(attempt === 1 ? ['--if-stale'] : []);
    const copy = mkdtempSync(path.join(tmpdir(), 'mamlaka-web-'));
    cpSync(WEB_DIST, copy, { recursive: true });
    if (complete(copy)) return copy;
    rmSync(copy, { recursive: true, force: true });
  }
  throw new Error(`${WEB_DIST} is incomplete or a development build, even after building it`);
}

function build(flags: string[]): void {
  // NODE_ENV is "test" inside vitest: vite would build React's development bundle (and
  // `import.meta.env.PROD` false: no service worker). The app is tested as it ships.
  const run = spawnSync(process.execPath, ['scripts/build.mjs', ...flags], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (run.status !== 0) console.warn(`node scripts/build.mjs ${flags.join(' ')} failed (${run.status})`);
}

/**
 * Makes sure the web app in dist/web is built from the current sources, and launches ONE
 * Chromium for the whole run; test files connect to it (`inject('browserWsEndpoint')`) and
 * open their own contexts, so a file costs a context, not a browser start.
 */
export default async function setup(project: TestProject) {
  let shared = state[key];
  if (!shared) {
    shared = {
      webAppDir: snapshotWebApp(),
      server: chromium.launchServer({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS }),
      users: 0,
    };
    state[key] = shared;
  }
  shared.users += 1;
  const server = await shared.server;
  project.provide('browserWsEndpoint', server.wsEndpoint());
  project.provide('webAppDir', shared.webAppDir);
  return async () => {
    shared.users -= 1;
    if (shared.users > 0) return;
    state[key] = undefined;
    await server.close();
    rmSync(shared.webAppDir, { recursive: true, force: true });
  };
}
