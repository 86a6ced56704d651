import type { Logger } from 'pino';
import type { Actor } from '../auth/policy.js';
import type { AuditLog } from './audit.log.js';
import { RecentReads } from './audit.repeats.js';
import type { AuditEntry, AuditOrigin } from './audit.rules.js';

/** One answered call of an audited route or method, as either edge sees it. */
export interface AnsweredCall extends AuditEntry {
  actor: Actor;
  origin: AuditOrigin;
  statusCode: number;
  /** What the call named (the path's `:id`, the request's id): part of what a repeat is. */
  named?: string;
  /** A read the caller repeats often (the own profile), coalesced per window. */
  repeatedRead?: boolean;
}

/**
 * Writes the audit entries of answered calls, for REST (audit.hook.ts) and gRPC
 * (grpc/audit.ts) alike. A successful read of the caller's own data marked `repeatedRead`
 * is written once per session (or API client), thing named, address, user agent and window;
 * anything else every time. A failure to write is logged at error, never thrown: the
 * answer has been decided.
 */
export class AuditRecorder {
  private readonly recent: RecentReads;

  constructor(
    private readonly log: AuditLog,
    options: { repeatWindowMs: number },
  ) {
    this.recent = new RecentReads(options.repeatWindowMs);
  }

  async record(call: AnsweredCall, logger: Pick<Logger, 'error'>): Promise<void> {
    const { named, repeatedRead, ...entry } = call;
    const { actor, origin } = entry;
    const key =
      repeatedRead && entry.statusCode < 400 && entry.subjectUserId === actor.userId
        ? [
            entry.action,
            actor.userId,
            actor.sessionId ?? actor.clientId ?? '',
            named,
            entry.subjectUserId,
            origin.ip,
            origin.userAgent,
          ].join('\n')
        : undefined;
    if (key !== undefined && this.recent.recorded(key)) return;
    try {
      await this.log.write(entry);
      if (key !== undefined) this.recent.remember(key);
    } catch (error) {
      logger.error({ err: error, action: entry.action }, 'audit entry not written');
    }
  }
}
