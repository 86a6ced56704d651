/**
 * The real services a suite may need, from the environment. Locally an unset URL skips
 * the suites that need it (and the summary shows them skipped); in CI a missing URL is
 * an error, so a run can never pass without having exercised the real service.
 */
export function serviceUrl(
  name: 'TEST_DATABASE_URL' | 'TEST_REDIS_URL' | 'TEST_NATS_URL',
): string | undefined {
  const value = process.env[name];
  if (!value && process.env.CI)
    throw new Error(`${name} must be set in CI: the suites that need it may not be skipped`);
  return value || undefined;
}

export const testDatabase = (): 'pglite' | 'postgres' =>
  process.env.MAMLAKA_TEST_DB === 'postgres' ? 'postgres' : 'pglite';
