import { describe, expect, it } from 'vitest';
import { auditRowOf, toPublicAuditEntry } from './audit.rules.js';

const userId = '11111111-1111-4111-8111-111111111111';

describe('audit rows', () => {
  it('refuses an action that is not <area>.<thing>[.<verb>]', () => {
    for (const action of ['', 'user', 'User.Read', 'user..read', 'user.read;drop', 'user.read ']) {
      expect(() => auditRowOf({ action })).toThrow(/invalid audit action/);
    }
    expect(() => auditRowOf({ action: 'admin.payout.complete' })).not.toThrow();
  });

  it('keeps a subject only when it is an id', () => {
    expect(auditRowOf({ action: 'user.profile.read', subjectUserId: userId }).subject_user_id).toBe(userId);
    expect(
      auditRowOf({ action: 'user.profile.read', subjectUserId: 'me@example.com' }).subject_user_id,
    ).toBeNull();
  });

  it('cuts over-long origins to the columns instead of losing the entry', () => {
    const row = auditRowOf({
      action: 'user.profile.read',
      origin: { userAgent: 'x'.repeat(5_000), ip: '', requestId: 'r'.repeat(300) },
    });
    expect(row.user_agent).toHaveLength(512);
    expect(row.request_id).toHaveLength(128);
    expect(row.ip).toBeNull();
  });

  it('shows an entry with its actor and target grouped, and the sequence as text', () => {
    const entry = toPublicAuditEntry({
      sequence: '42',
      occurred_at: new Date('2026-12-01T00:00:00Z'),
      actor_id: userId,
      actor_role: 'admin',
      client_id: null,
      action: 'admin.user.disable',
      target_kind: 'user',
      target_id: userId,
      subject_user_id: userId,
      ip: '127.0.0.1',
      user_agent: null,
      request_id: 'req-1',
      status_code: 200,
    });
    expect(entry).toMatchObject({
      sequence: '42',
      occurred_at: '2026-12-01T00:00:00.000Z',
      actor: { id: userId, role: 'admin', client_id: null },
      target: { kind: 'user', id: userId },
    });
  });
});
