import { defineConfig } from 'vitest/config';

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

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.spec.ts'] } },
      ...databases.map((db) => ({
        extends: true as const,
        test: {
          name: db,
          include: ['test/**/*.test.ts'],
          globalSetup: ['test/helpers/global-setup.ts'],
          env: { MAMLAKA_TEST_DB: db },
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
            'test/e2e/payments.checkout.test.ts',
            'test/e2e/payments.lifecycle.test.ts',
            'test/e2e/idempotency.test.ts',
          ],
          globalSetup: ['test/helpers/global-setup.ts'],
          env: { MAMLAKA_TEST_DB: 'pglite', MAMLAKA_TEST_SPLIT: '1' },
        },
      },
    ],
  },
});
