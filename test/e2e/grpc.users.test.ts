import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, grpcClients } from '../helpers/grpc.js';
import { adminOf } from '../helpers/payments.js';
import { newUser, startTestApp, type TestApp } from '../helpers/test-app.js';

interface UserMsg {
  id: string;
  name: string;
  email: string;
  role: string;
  status: string;
}
interface SessionMsg {
  id: string;
  token: string;
  refresh_token: string;
  expires_in: number;
}

let app: TestApp;
let clients: ReturnType<typeof grpcClients>;

beforeAll(async () => {
  app = await startTestApp();
  clients = grpcClients(app.grpcAddress);
});
afterAll(async () => {
  clients?.close();
  await app?.close();
});

async function registered() {
  const body = newUser();
  const created = await call<UserMsg>(clients.users, 'RegisterUser', body);
  const session = await call<SessionMsg>(clients.users, 'LoginUser', {
    email: body.email,
    password: body.password,
  });
  return { body, user: created.response!, session: session.response! };
}

describe('UserService over gRPC', () => {
  it('registers, logs in, and reads the profile by id and as GetMe', async () => {
    const { body, user, session } = await registered();
    expect(user).toMatchObject({ name: body.name, email: body.email, role: 'buyer', status: 'active' });
    expect(session.id).toBe(user.id);
    expect(session.expires_in).toBeGreaterThan(0);
    const byId = await call<UserMsg>(clients.users, 'GetUserByID', { id: user.id }, { token: session.token });
    expect(byId.response).toMatchObject({ id: user.id, email: body.email });
    const me = await call<UserMsg>(clients.users, 'GetMe', {}, { token: session.token });
    expect(me.response?.id).toBe(user.id);
    // The same account through REST: one service, two edges.
    const rest = await app.api<UserMsg>('GET', '/users/me', { token: session.token });
    expect(rest.body.results.id).toBe(user.id);
  });

  it('refreshes, updates the profile, and logs out', async () => {
    const { session } = await registered();
    const refreshed = await call<SessionMsg>(clients.users, 'RefreshSession', {
      refresh_token: session.refresh_token,
    });
    expect(refreshed.response?.refresh_token).not.toBe(session.refresh_token);
    const renamed = await call<UserMsg>(
      clients.users,
      'UpdateMe',
      { name: 'Renamed' },
      { token: refreshed.response!.token },
    );
    expect(renamed.response?.name).toBe('Renamed');
    const out = await call(clients.users, 'Logout', {}, { token: refreshed.response!.token });
    expect(out.error).toBeUndefined();
    const reused = await call(clients.users, 'RefreshSession', { refresh_token: session.refresh_token });
    expect(reused.error?.code).toBe(status.UNAUTHENTICATED);
  });

  it('answers bad input with INVALID_ARGUMENT and a field violation per field', async () => {
    const bad = await call(clients.users, 'RegisterUser', {
      name: 'x',
      email: 'not an email',
      role: 'buyer',
      password: 'short',
      confirm_password: 'short',
    });
    expect(bad.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(bad.reason).toBe('validation_failed');
    expect(bad.fields?.map((f) => f.field)).toEqual(expect.arrayContaining(['email', 'password']));
    const badId = await call(clients.users, 'GetUserByID', { id: 'nope' }, {});
    expect(badId.error?.code).toBe(status.INVALID_ARGUMENT);
  });

  it('maps auth failures: no or bad token UNAUTHENTICATED, wrong role PERMISSION_DENIED, others NOT_FOUND', async () => {
    const anonymous = await call(clients.users, 'GetMe', {});
    expect(anonymous.error?.code).toBe(status.UNAUTHENTICATED);
    expect(anonymous.reason).toBe('authentication_required');
    const forged = await call(clients.users, 'GetMe', {}, { token: 'not.a.jwt' });
    expect(forged.error?.code).toBe(status.UNAUTHENTICATED);
    const wrongPassword = await call(clients.users, 'LoginUser', {
      email: 'nobody@example.com',
      password: 'whatever it is',
    });
    expect(wrongPassword.error?.code).toBe(status.UNAUTHENTICATED);
    expect(wrongPassword.reason).toBe('invalid_credentials');

    const buyer = await registered();
    const other = await registered();
    const admin = await call(
      clients.users,
      'RegisterUser',
      { ...newUser(), role: 'admin' },
      { token: buyer.session.token },
    );
    expect(admin.error?.code).toBe(status.PERMISSION_DENIED);
    const someoneElse = await call(
      clients.users,
      'GetUserByID',
      { id: other.user.id },
      { token: buyer.session.token },
    );
    expect(someoneElse.error?.code).toBe(status.NOT_FOUND);
    const root = await adminOf(app);
    const asAdmin = await call<UserMsg>(
      clients.users,
      'GetUserByID',
      { id: other.user.id },
      { token: root.token },
    );
    expect(asAdmin.response?.id).toBe(other.user.id);
    const taken = await call(clients.users, 'RegisterUser', buyer.body);
    expect(taken.error?.code).toBe(status.ALREADY_EXISTS);
    expect(taken.reason).toBe('email_taken');
  });

  it('writes the audit entries REST writes for the same reads and changes', async () => {
    const { user, session } = await registered();
    const root = await adminOf(app);
    const agent = { 'x-request-id': 'req-grpc-1' };
    const asUser = { token: session.token, metadata: agent };
    // GetMe is polled as GET /users/me is: five reads from one session and client, one entry.
    for (let i = 0; i < 5; i++)
      expect((await call(clients.users, 'GetMe', {}, asUser)).error).toBeUndefined();
    // Reads of the own profile by id coalesce the same way.
    for (let i = 0; i < 3; i++)
      expect((await call(clients.users, 'GetUserByID', { id: user.id }, asUser)).error).toBeUndefined();
    expect(
      (await call(clients.users, 'UpdateMe', { name: 'Renamed Over gRPC' }, asUser)).error,
    ).toBeUndefined();
    // A read refused is recorded with the status REST would answer.
    const missing = '00000000-0000-4000-8000-000000000000';
    expect((await call(clients.users, 'GetUserByID', { id: missing }, asUser)).error?.code).toBe(
      status.NOT_FOUND,
    );
    // The admin reading someone's profile: recorded every time, with that person as the subject.
    for (let i = 0; i < 2; i++)
      await call(clients.users, 'GetUserByID', { id: user.id }, { token: root.token });
    // Unauthenticated calls touched nothing and are not recorded.
    await call(clients.users, 'GetMe', {}, { metadata: agent });

    const audit = async (query: string) =>
      (await app.api<Record<string, unknown>[]>('GET', `/admin/audit?${query}`, { token: root.token })).body
        .results;
    const own = await audit(`actor_id=${user.id}`);
    // Newest first.
    expect(own.map((entry) => [entry.action, entry.status_code])).toEqual([
      ['user.profile.read', 404],
      ['user.profile.update', 200],
      ['user.profile.read', 200],
      ['user.profile.read', 200],
    ]);
    expect(own[3]).toMatchObject({
      actor: { id: user.id, role: 'buyer', client_id: null },
      subject_user_id: user.id,
      target: null,
      ip: '127.0.0.1',
      // The client library's own user agent (grpc-js sets it; metadata cannot replace it).
      user_agent: expect.stringContaining('grpc-node-js/'),
      request_id: 'req-grpc-1',
    });
    expect(own[2]).toMatchObject({ target: { kind: 'user', id: user.id }, subject_user_id: user.id });
    expect(own[0]).toMatchObject({ target: { kind: 'user', id: missing }, subject_user_id: missing });
    expect(JSON.stringify(own)).not.toContain('Renamed Over gRPC');
    const byAdmin = await audit(`actor_id=${root.id}&action=user.profile.read`);
    expect(byAdmin).toHaveLength(2);
    expect(byAdmin[0]).toMatchObject({ subject_user_id: user.id, status_code: 200 });
  });

  it('fails with DEADLINE_EXCEEDED when the deadline is shorter than the call', async () => {
    // argon2id hashing takes far longer than 1 ms.
    const late = await call(clients.users, 'RegisterUser', newUser(), { deadlineMs: 1 });
    expect(late.error?.code).toBe(status.DEADLINE_EXCEEDED);
  });
});
