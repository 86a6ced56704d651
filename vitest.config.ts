import { existsSync } from 'node:fs';
import { configDefaults, defineConfig } from 'vitest/config';

// Integration suites run once per database: always on the embedded PGlite, and again on
// the real PostgreSQL when TEST_DATABASE_URL is set. In CI it must be: without it the
// whole postgres project would not exist, and a green run would have skipped it unseen.
if (process.env.CI && !process.env.TEST_DATABASE_URL) {
  throw new Error(
    'TEST_DATABASE_URL must be set when CI is set: the PostgreSQL suites may not be skipped ' +
      '(e.g. TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test)',
  );
}
const databases = ['pglite', ...(process.env.TEST_DATABASE_URL ? ['postgres'] : [])];

// The browser suites (test/browser) drive the web app in Debian's Chromium through
// playwright-core. Without it they are left out locally, loudly; CI must have it (.ci/run
// installs it), so there a missing browser fails the run instead of skipping unseen.
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  if (process.env.CI)
    throw new Error(`${CHROMIUM} not found: CI must run the browser tests (apt-get install chromium)`);
  console.warn(`browser tests skipped: ${CHROMIUM} not found; apt-get install chromium`);
}

export default defineConfig({
  test: {
    // Most suites wait on PostgreSQL, NATS, child processes or a browser rather than compute:
    // two files at a time keep both cores busy (vitest's default on 2 cores is one).
    maxWorkers: Number(process.env.TEST_WORKERS ?? 2),
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // A worker runs its files one after another in one module graph instead of importing the
    // whole app again for every file: about half the CPU of a run (pglite: 581 s against
    // 1,112 s). Every file still builds its own app and database, and nothing a file leaves
    // behind is read by another (its rows carry ids of its own). The browser suites stay
    // isolated: their setup file replaces a module (vi.mock) before the app imports it.
    isolate: false,
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.spec.ts'] } },
      ...databases.map((db) => ({
        extends: true as const,
        test: {
          name: db,
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/browser/**'],
          globalSetup: ['test/helpers/global-setup.ts'],
          env: { MAMLAKA_TEST_DB: db },
        },
      })),
      // The web app in a real Chromium, once per database: one browser for the whole run
      // (test/helpers/browser-setup.ts), one server per file.
      ...(hasChromium ? databases : []).map((db) => ({
        extends: true as const,
        test: {
          name: `browser-${db}`,
          include: ['test/browser/**/*.test.ts'],
          // The screenshots do not depend on the database: taken once, on the embedded one.
          exclude: [
            ...configDefaults.exclude,
            ...(db === 'pglite' ? [] : ['test/browser/screenshots.test.ts']),
          ],
          isolate: true,
          globalSetup: ['test/helpers/global-setup.ts', 'test/helpers/browser-setup.ts'],
          setupFiles: ['test/helpers/browser-web-app.ts'],
          env: { MAMLAKA_TEST_DB: db },
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      })),
      {
        // The REST suites again, through a gateway that reaches the users, catalog and
        // payments services over gRPC (see platformsFor in test/helpers/test-app.ts).
        extends: true as const,
        test: {
          name: 'split',
          include: [
            'test/e2e/users.*.test.ts',
            'test/e2e/auth.tokens.test.ts',
            'test/e2e/catalog.products.test.ts',
            'test/e2e/catalog.listing.test.ts',
            'test/e2e/catalog.categories.test.ts',
            'test/e2e/catalog.gallery.test.ts',
            'test/e2e/catalog.variants.test.ts',
            'test/e2e/carts*.test.ts',
            'test/e2e/payments.checkout.test.ts',
            'test/e2e/payments.lifecycle.test.ts',
            'test/e2e/idempotency.test.ts',
            'test/e2e/orders.*.test.ts',
            'test/e2e/oauth.token.test.ts',
            'test/e2e/oidc.test.ts',
            'test/e2e/privacy.*.test.ts',
          ],
          globalSetup: ['test/helpers/global-setup.ts'],
          env: { MAMLAKA_TEST_DB: 'pglite', MAMLAKA_TEST_SPLIT: '1' },
        },
      },
    ],
  },
});
