import { defineConfig } from 'vitest/config';

// Integration suites run once per database: always on the embedded PGlite, and again on
// the real PostgreSQL when TEST_DATABASE_URL is set (as CI sets it).
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
    ],
  },
});
