import type { Generated, Selectable } from 'kysely';

export interface AuditLogTable {
  sequence: Generated<string>;
  occurred_at: Generated<Date>;
  actor_id: string | null;
  actor_role: string | null;
  client_id: string | null;
  action: string;
  target_kind: string | null;
  target_id: string | null;
  subject_user_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  status_code: number | null;
}

/** The audit log's one table (platform code: every module's routes write to it). */
export interface AuditTables {
  audit_log: AuditLogTable;
}

export type AuditRow = Selectable<AuditLogTable>;
