const RETRYABLE = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected
const MAX_ATTEMPTS = 5;

/**
 * Runs a whole transaction again when PostgreSQL aborted it for a serialization failure or
 * a deadlock (or another error the caller names): the transaction rolled back entirely, so
 * running it again is safe.
 */
export async function withTransactionRetry<T>(
  run: () => Promise<T>,
  alsoRetry: (error: unknown) => boolean = () => false,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const code = (error as { code?: string }).code;
      const retryable = (code !== undefined && RETRYABLE.has(code)) || alsoRetry(error);
      if (attempt >= MAX_ATTEMPTS || !retryable) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}
