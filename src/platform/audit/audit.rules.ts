import type { Actor } from '../auth/policy.js';
import type { AuditRow } from './audit.tables.js';

/** `<area>.<thing>[.<verb>]`, lower case: `user.profile.read`, `admin.payout.complete`. */
export const ACTION_PATTERN = /^[a-z_]+(\.[a-z_]+)+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where a request came from: what an entry records besides who and what. */
export interface AuditOrigin {
  ip?: string;
  userAgent?: string;
  requestId?: string;
}

/**
 * One thing that happened. Ids only: an entry must never hold a name, an e-mail or any
 * other personal value (the log outlives erasures).
 */
export interface AuditEntry {
  action: string;
  actor?: Pick<Actor, 'userId' | 'role' | 'clientId'>;
  target?: { kind: string; id: string };
  /** The person whose data was read or changed. */
  subjectUserId?: string;
  origin?: AuditOrigin;
  statusCode?: number;
}

const cut = (value: string | undefined, max: number) =>
  value === undefined || value === '' ? null : value.slice(0, max);

/** The row an entry becomes; bounded to the columns' limits so a long header cannot lose the entry. */
export function auditRowOf(entry: AuditEntry) {
  if (!ACTION_PATTERN.test(entry.action) || entry.action.length > 80) {
    throw new Error(`invalid audit action ${entry.action}`);
  }
  return {
    actor_id: cut(entry.actor?.userId, 64),
    actor_role: cut(entry.actor?.role, 20),
    client_id: cut(entry.actor?.clientId, 128),
    action: entry.action,
    target_kind: cut(entry.target?.kind, 40),
    target_id: cut(entry.target?.id, 128),
    // Only an id can be a subject: anything else would be dropped by the uuid column anyway.
    subject_user_id: entry.subjectUserId && UUID.test(entry.subjectUserId) ? entry.subjectUserId : null,
    ip: cut(entry.origin?.ip, 64),
    user_agent: cut(entry.origin?.userAgent, 512),
    request_id: cut(entry.origin?.requestId, 128),
    status_code: entry.statusCode ?? null,
  };
}

export interface PublicAuditEntry {
  sequence: string;
  occurred_at: string;
  actor: { id: string | null; role: string | null; client_id: string | null };
  action: string;
  target: { kind: string; id: string } | null;
  subject_user_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  status_code: number | null;
}

export const toPublicAuditEntry = (row: AuditRow): PublicAuditEntry => ({
  sequence: String(row.sequence),
  occurred_at: new Date(row.occurred_at).toISOString(),
  actor: { id: row.actor_id, role: row.actor_role, client_id: row.client_id },
  action: row.action,
  target: row.target_kind && row.target_id ? { kind: row.target_kind, id: row.target_id } : null,
  subject_user_id: row.subject_user_id,
  ip: row.ip,
  user_agent: row.user_agent,
  request_id: row.request_id,
  status_code: row.status_code,
});
