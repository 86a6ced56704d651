import { unwrap } from '../api/client';

/**
 * unwrap for a call whose success carries `results: null` (a delete, a payout marked paid):
 * the generated types drop that key, so only the response's status tells success apart.
 */
export const unwrapDone = (call: Promise<{ error?: unknown; response: Response }>): Promise<null> =>
  unwrap(
    call.then((answer) => ({
      ...answer,
      data: answer.response.ok ? { results: null } : undefined,
    })),
  );
