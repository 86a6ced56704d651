import type { Logger } from 'pino';
import { repeatEvery } from '../../platform/repeat.js';

/** One kind of record kept for a limited time, deleted by the module that owns it. */
export interface RetentionTask {
  name: string;
  periodMs: number;
  deleteOlderThan(cutoff: Date): Promise<number>;
}

/**
 * One round of retention: every task deletes what is older than its period. A failing task
 * is logged at error and does not stop the others. Returns how many rows each deleted
 * (undefined for a task that failed).
 */
export async function runRetention(
  tasks: readonly RetentionTask[],
  logger: Logger,
  now = new Date(),
): Promise<Record<string, number | undefined>> {
  const deleted: Record<string, number | undefined> = {};
  for (const task of tasks) {
    try {
      deleted[task.name] = await task.deleteOlderThan(new Date(now.getTime() - task.periodMs));
    } catch (error) {
      deleted[task.name] = undefined;
      logger.error({ err: error, task: task.name }, 'retention task failed');
    }
  }
  const total = Object.values(deleted).reduce<number>((sum, count) => sum + (count ?? 0), 0);
  if (total > 0) logger.info({ deleted }, 'retention deleted old records');
  return deleted;
}

/** Runs retention every `intervalMs` (never two rounds at once); returns the function that stops it. */
export const startRetention = (tasks: readonly RetentionTask[], intervalMs: number, logger: Logger) =>
  repeatEvery(intervalMs, () => runRetention(tasks, logger), logger, 'retention failed');
