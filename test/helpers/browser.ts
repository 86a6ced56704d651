import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { createPlatform } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { localMidtrans } from '../../src/modules/midtrans/sandbox/sandbox.local.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { freePort } from '../../scripts/split-deployment.js';
import { deleteStream } from './nats.js';
import { serviceUrl, testDatabase } from './services.js';
import { apiAt, type TestApp } from './test-app.js';
import { createTestDatabase } from './test-database.js';

/** Phone and desktop viewports the pages are checked (and photographed) at. */
export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

/**
 * The all-in-one server as `mamlaka start` runs it on the default set-up, but in this
 * process over the file's own test database: the API, the web app from dist/web at `/`, and
 * the bundled Midtrans sandbox under /midtrans-sandbox (so "Midtrans" pays on a real page).
 * It listens on a fixed free port on 127.0.0.1 so that PUBLIC_URL (image and pay links) is
 * the very origin the browser opens.
 */
export async function startBrowserApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mamlaka-browser-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const natsUrl = testDatabase() === 'postgres' ? serviceUrl('TEST_NATS_URL') : undefined;
  const config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    PUBLIC_URL: url,
    OUTBOX_POLL_INTERVAL: '20ms',
    PUSH_SEND_INTERVAL: '100ms',
    ...(natsUrl ? { NATS_URL: natsUrl, NATS_STREAM: `TEST_${crypto.randomUUID().replaceAll('-', '')}` } : {}),
    ...env,
  });
  const logger = createLogger(config);
  const db = await createTestDatabase();
  const sandbox = localMidtrans({
    serverKey: config.midtrans.serverKey,
    dataDir,
    publicUrl: url,
    timeoutMs: config.midtrans.timeoutMs,
    logger,
  });
  const platform = await createPlatform(config, logger, db.database, 'all', { localMidtrans: sandbox });
  await platform.app.listen({ host: '127.0.0.1', port });
  sandbox.connect(platform.app.server.address());
  // The app served is the run's copy of dist/web (test/helpers/browser-web-app.ts).
  const entry = /src="(\/assets\/[^"]+\.js)"/.exec(
    readFileSync(path.join(inject('webAppDir'), 'index.html'), 'utf8'),
  );
  const served = await (await fetch(`${url}/`)).text();
  if (!entry || !served.includes(entry[1]!)) {
    await platform.close();
    await sandbox.close();
    await db.drop();
    throw new Error(`${url}/ does not serve the copy of the web app in ${inject('webAppDir')}`);
  }

  return {
    url,
    grpcAddress: '',
    config,
    platform,
    db,
    api: apiAt(url),
    async close() {
      await platform.close();
      await sandbox.close();
      if (config.natsUrl) await deleteStream(config.natsUrl, config.events.natsStream);
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The run's one Chromium (test/helpers/browser-setup.ts), over its websocket. */
export const connectBrowser = (): Promise<Browser> => chromium.connect(inject('browserWsEndpoint'));

/**
 * A fresh profile (cookies, storage, service workers) on the app's origin. CSP is bypassed
 * so that axe-core can be injected into pages whose policy allows only the origin's scripts.
 * Page errors are collected: a test prints them when it fails.
 */
export async function newContext(
  browser: Browser,
  app: Pick<TestApp, 'url'>,
  options: {
    viewport?: { width: number; height: number };
    serviceWorkers?: 'allow' | 'block';
    /** Keep the page's Content Security Policy (no axe then): to check the app runs under it. */
    enforceCSP?: boolean;
  } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: app.url,
    bypassCSP: !options.enforceCSP,
    viewport: options.viewport ?? VIEWPORTS.desktop,
    serviceWorkers: options.serviceWorkers ?? 'allow',
    locale: 'en-US',
    timezoneId: 'Asia/Jakarta',
    reducedMotion: 'reduce',
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);
  context.on('page', (page) => watch(page));
  return context;
}

const pageErrors = new WeakMap<Page, string[]>();
function watch(page: Page) {
  const errors: string[] = [];
  pageErrors.set(page, errors);
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
}
/** What went wrong in the page so far (uncaught errors, console errors), for failure messages. */
export const errorsOf = (page: Page): string[] => pageErrors.get(page) ?? [];

/**
 * Waits until the app knows who is there (the header shows "Sign out" or "Sign in"): a page
 * load of a signed-in user starts by exchanging the refresh token, and leaving the page
 * before that answered would lose the session (single-use refresh tokens), as for a person.
 */
export async function sessionKnown(page: Page): Promise<void> {
  await page
    .getByRole('button', { name: 'Sign out' })
    .or(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign in' }))
    .first()
    .waitFor();
}

/**
 * Waits until a lazily loaded page has rendered: its first heading is there and no
 * "Loading…" status is left in the main region.
 */
export async function settled(page: Page): Promise<void> {
  await sessionKnown(page);
  await page.locator('main h1').first().waitFor({ state: 'visible' });
  await expect
    .poll(() => page.locator('main .loading, main [aria-busy="true"]').count(), { timeout: 15_000 })
    .toBe(0);
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** Every page axe checked in this process: `{ page, serious, other }`, for the summary line. */
export const axeLog: { name: string; serious: number; other: string[] }[] = [];

/**
 * Runs axe-core (WCAG 2.0/2.1/2.2 A and AA rules and best practices) on the page as it is
 * now and fails on any violation of impact serious or critical; lesser ones are counted.
 */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  await settled(page);
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    // Runs in the page (this project's TypeScript has no DOM types: the page's globals are cast).
    const { axe, document } = globalThis as unknown as {
      document: unknown;
      axe: {
        run(
          context: unknown,
          options: object,
        ): Promise<{
          violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[];
        }>;
      };
    };
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.slice(0, 5).map((node) => node.target.join(' ')),
    }));
  });
  const serious = violations.filter((each) => each.impact === 'serious' || each.impact === 'critical');
  axeLog.push({
    name,
    serious: serious.length,
    other: violations.filter((each) => !serious.includes(each)).map((each) => `${each.id} (${each.impact})`),
  });
  expect(serious, `axe on ${name} (${page.url()}):\n${JSON.stringify(serious, null, 2)}`).toEqual([]);
}

/** One line per page axe checked, printed at the end of a file. */
export function axeSummary(): string {
  return axeLog
    .map(
      ({ name, serious, other }) =>
        `axe ${name}: ${serious} serious/critical, ${other.length} minor/moderate${other.length ? ` (${other.join(', ')})` : ''}`,
    )
    .join('\n');
}

/** Signs in through the sign-in page, as a person would, and waits until the app knows it. */
export async function signInThroughUi(page: Page, user: { email: string; password: string }): Promise<void> {
  await page.goto('/signin');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/**
 * Waits until the app's service worker is active and controls this page (the first load of
 * a new profile is not controlled: it is reloaded once the worker has claimed it or not).
 */
export async function controlledByServiceWorker(page: Page): Promise<void> {
  const state = () =>
    page.evaluate(async () => {
      const { navigator } = globalThis as unknown as {
        navigator: {
          serviceWorker: {
            controller: unknown;
            getRegistration(): Promise<
              { active: { state: string } | null; installing: unknown; waiting: unknown } | undefined
            >;
          };
        };
      };
      const registration = await navigator.serviceWorker.getRegistration();
      return {
        registered: !!registration,
        installing: !!registration?.installing,
        active: registration?.active?.state ?? null,
        controlled: !!navigator.serviceWorker.controller,
      };
    });
  await expect.poll(state, { timeout: 30_000 }).toMatchObject({ active: 'activated' });
  if (!(await state()).controlled) {
    await page.reload();
    await expect.poll(state, { timeout: 15_000 }).toMatchObject({ controlled: true });
  }
}

/**
 * A page in a new profile, closed with the file (`contexts`). When the test fails, the
 * page's errors are printed and a screenshot of it is saved to the temp folder.
 */
export async function openPage(
  browser: Browser,
  app: Pick<TestApp, 'url'>,
  contexts: BrowserContext[],
  onTestFailed: (fn: () => Promise<void> | void) => void,
  options: Parameters<typeof newContext>[2] = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser, app, options);
  contexts.push(context);
  const page = await context.newPage();
  onTestFailed(async () => {
    const file = path.join(tmpdir(), `mamlaka-failed-${Date.now()}-${contexts.indexOf(context)}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    console.log(`page ${page.url()} (screenshot ${file}); its errors:\n${errorsOf(page).join('\n')}`);
  });
  return { context, page };
}

/**
 * A describe's web app and browser, started before its tests and closed after them with
 * the pages they opened (printing the axe summary). `open` gives a page in a new profile.
 */
export function browserSuite(env: Record<string, string> = {}) {
  let app: TestApp | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    [app, browser] = await Promise.all([startBrowserApp(env), connectBrowser()]);
  });
  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close().catch(() => {})));
    await browser?.close();
    await app?.close();
    console.log(axeSummary());
  });
  return {
    get app(): TestApp {
      if (!app) throw new Error('the browser suite has not started');
      return app;
    },
    open: async (onTestFailed: (fn: () => Promise<void> | void) => void) =>
      (await openPage(browser!, app!, contexts, onTestFailed)).page,
  };
}
