import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminOf } from '../helpers/payments.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let admin: Awaited<ReturnType<typeof adminOf>>;

beforeAll(async () => {
  app = await startTestApp({
    RATE_LIMIT_PER_USER: '100000',
    WEBHOOK_ALLOW_LIST: '127.0.0.1',
    RETENTION_INTERVAL: '100ms',
    RETENTION_AUDIT: '30d',
    RETENTION_NOTIFICATIONS: '10d',
    RETENTION_DELIVERIES: '10d',
  });
  admin = await adminOf(app);
});
afterAll(() => app?.close());

const db = () => app.platform.database.db;

interface Entry {
  sequence: string;
  action: string;
  actor: { id: string | null; role: string | null; client_id: string | null };
  target: { kind: string; id: string } | null;
  subject_user_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  status_code: number | null;
}

const auditOf = (query: string) => app.api<Entry[]>('GET', `/admin/audit?${query}`, { token: admin.token });

describe('the audit log', () => {
  it('records reads and changes of personal data: who, what, whose, from where, with what outcome', async () => {
    const user = await signUp(app);
    await app.api('GET', '/users/me', { token: user.token, headers: { 'user-agent': 'audit-test/1' } });
    await app.api('PATCH', '/users/me', { token: user.token, body: { name: 'Renamed Person' } });
    const entries = await auditOf(`actor_id=${user.id}`);
    expect(entries.status).toBe(200);
    const [update, read] = entries.body.results;
    expect(read).toMatchObject({
      action: 'user.profile.read',
      actor: { id: user.id, role: 'buyer', client_id: null },
      subject_user_id: user.id,
      ip: '127.0.0.1',
      user_agent: 'audit-test/1',
      status_code: 200,
    });
    expect(read!.request_id).toBeTruthy();
    expect(update).toMatchObject({ action: 'user.profile.update', subject_user_id: user.id });
    // Ids only: neither the old nor the new name, nor the e-mail, is in the log.
    const text = JSON.stringify(entries.body.results);
    expect(text).not.toContain('Renamed Person');
    expect(text).not.toContain(user.email);
  });

  it('records admin actions with their target, refused ones included', async () => {
    const target = await signUp(app);
    expect((await app.api('POST', `/admin/users/${target.id}/disable`, { token: admin.token })).status).toBe(
      200,
    );
    const self = await app.api('POST', `/admin/users/${admin.id}/disable`, { token: admin.token });
    expect(self.status).toBe(409);
    const entries = await auditOf(`actor_id=${admin.id}&action=admin.user.disable`);
    expect(entries.body.results.map((entry) => [entry.target?.id, entry.status_code])).toEqual([
      [admin.id, 409],
      [target.id, 200],
    ]);
    expect(entries.body.results[1]).toMatchObject({ target: { kind: 'user' }, subject_user_id: target.id });
    // Reading the log is itself on the log.
    const reads = await auditOf(`actor_id=${admin.id}&action=admin.audit.read`);
    expect(reads.body.results.length).toBeGreaterThanOrEqual(1);
  });

  it('filters by subject, action prefix and time, a keyset page at a time', async () => {
    const user = await signUp(app);
    const before = new Date(Date.now() - 1000).toISOString();
    // Three clients, so each read is recorded (a repeat from one client is coalesced).
    for (let i = 0; i < 3; i++) {
      await app.api('GET', '/users/me', { token: user.token, headers: { 'user-agent': `pager/${i}` } });
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await auditOf(
        `subject_user_id=${user.id}&action=user.*&from=${encodeURIComponent(before)}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.results.map((entry) => entry.sequence));
      cursor = (page.body.meta.pagination as { next_cursor: string | null }).next_cursor ?? undefined;
      if (!cursor) break;
    }
    expect(seen).toHaveLength(3);
    expect(new Set(seen).size).toBe(3);
    expect([...seen].sort((a, b) => Number(b) - Number(a))).toEqual(seen);
    const future = await auditOf(
      `subject_user_id=${user.id}&from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
    );
    expect(future.body.results).toEqual([]);
    expect((await auditOf('cursor=not-a-cursor')).status).toBe(400);
  });

  it('records a repeated own-profile read once per session, address and client per window', async () => {
    const user = await signUp(app);
    const read = (agent: string, token = user.token) =>
      app.api('GET', '/users/me', { token, headers: { 'user-agent': agent } });
    for (let i = 0; i < 5; i++) expect((await read('app/1')).status).toBe(200);
    await read('other-device/2');
    const again = await app.api<{ token: string }>('POST', '/users/login', {
      body: { email: user.email, password: user.password },
    });
    await read('app/1', again.body.results.token);
    const entries = await auditOf(`actor_id=${user.id}&action=user.profile.read`);
    // Newest first: the new session's read, the other device's, the first session's first.
    expect(entries.body.results.map((entry) => entry.user_agent)).toEqual([
      'app/1',
      'other-device/2',
      'app/1',
    ]);
  });

  it('coalesces repeated reads of the own profile by id too, but records every read of someone else’s', async () => {
    const user = await signUp(app);
    const other = await signUp(app);
    const read = (id: string, token: string) =>
      app.api('GET', `/users/${id}`, { token, headers: { 'user-agent': 'app/1' } });
    for (let i = 0; i < 3; i++) expect((await read(user.id, user.token)).status).toBe(200);
    expect((await auditOf(`actor_id=${user.id}&action=user.profile.read`)).body.results).toHaveLength(1);
    for (let i = 0; i < 3; i++) expect((await read(other.id, admin.token)).status).toBe(200);
    const byAdmin = await auditOf(
      `actor_id=${admin.id}&subject_user_id=${other.id}&action=user.profile.read`,
    );
    expect(byAdmin.body.results).toHaveLength(3);
  });

  it('is for admins only', async () => {
    const user = await signUp(app);
    expect((await app.api('GET', '/admin/audit', { token: user.token })).status).toBe(403);
    expect((await app.api('GET', '/admin/audit')).status).toBe(401);
  });
});

describe('the audit log is append-only in the database', () => {
  it('refuses every update, and deletes and truncation outside the retention job', async () => {
    await sql`INSERT INTO audit_log (action) VALUES ('test.append_only')`.execute(db());
    await expect(sql`UPDATE audit_log SET action = 'test.changed'`.execute(db())).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`DELETE FROM audit_log`.execute(db())).rejects.toThrow(/append-only/);
    await expect(sql`TRUNCATE audit_log`.execute(db())).rejects.toThrow(/append-only/);
    // Naming a cutoff does not help with entries younger than a day, nor a cutoff in the future.
    await expect(
      db()
        .transaction()
        .execute(async (trx) => {
          await sql`SELECT set_config('mamlaka.audit_delete_before', ${new Date(Date.now() + 86_400_000).toISOString()}, true)`.execute(
            trx,
          );
          await sql`DELETE FROM audit_log WHERE action = 'test.append_only'`.execute(trx);
        }),
    ).rejects.toThrow(/append-only/);
    const left = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM audit_log WHERE action = 'test.append_only'`.execute(db());
    expect(left.rows[0]!.n).toBe(1);
  });
});

describe('retention', () => {
  it('deletes what outlived its period, and nothing else', async () => {
    const old = sql`now() - interval '400 days'`;
    await sql`INSERT INTO audit_log (occurred_at, action) VALUES (${old}, 'test.retention_old'), (now() - interval '2 days', 'test.retention_recent')`.execute(
      db(),
    );
    const mail = (status: string, age: string) =>
      sql`INSERT INTO mail_messages (kind, category, to_address, subject, text_body, html_body, status, sent_at, created_at, next_attempt_at)
          VALUES ('retention', 'transactional', 'x@example.com', ${status}, 't', 'h', ${status},
                  ${status === 'sent' ? sql`now()` : sql`NULL`}, now() - ${age}::interval, now() + interval '1 year')`.execute(
        db(),
      );
    await mail('sent', '20 days');
    await mail('failed', '20 days');
    await mail('pending', '20 days');
    await mail('sent', '1 day');

    const seller = await signUp(app, { role: 'seller' });
    const hook = await app.api<{ id: string }>('POST', '/webhooks', {
      token: seller.token,
      body: { url: 'http://127.0.0.1:9/retention', event_types: ['payment.succeeded'] },
    });
    const delivery = (status: string, age: string) =>
      sql`INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, payload, status, delivered_at, created_at, next_attempt_at)
          VALUES (${hook.body.results.id}::uuid, ${randomUUID()}::uuid, 'payment.succeeded', ${status}, ${status},
                  ${status === 'delivered' ? sql`now()` : sql`NULL`}, now() - ${age}::interval, now() + interval '1 year')`.execute(
        db(),
      );
    await delivery('delivered', '20 days');
    await delivery('failed', '20 days');
    await delivery('pending', '20 days');
    await delivery('delivered', '1 day');

    const remaining = async () => ({
      audit: (
        await sql<{
          action: string;
        }>`SELECT action FROM audit_log WHERE action LIKE 'test.retention%' ORDER BY action`.execute(db())
      ).rows.map((row) => row.action),
      mail: (
        await sql<{
          subject: string;
        }>`SELECT subject FROM mail_messages WHERE kind = 'retention' ORDER BY subject`.execute(db())
      ).rows.map((row) => row.subject),
      deliveries: (
        await sql<{
          payload: string;
        }>`SELECT payload FROM webhook_deliveries WHERE endpoint_id = ${hook.body.results.id}::uuid ORDER BY payload`.execute(
          db(),
        )
      ).rows.map((row) => row.payload),
    });
    const expected = {
      audit: ['test.retention_recent'],
      mail: ['pending', 'sent'],
      deliveries: ['delivered', 'pending'],
    };
    const deadline = Date.now() + 10_000;
    let now = await remaining();
    while (JSON.stringify(now) !== JSON.stringify(expected) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      now = await remaining();
    }
    expect(now).toEqual(expected);
  });
});
