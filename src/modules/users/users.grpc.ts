import type { UserServiceHandlers } from '../../generated/proto/mamlaka/users/v1/UserService.js';
import type { User } from '../../generated/proto/mamlaka/users/v1/User.js';
import type { PublicUser } from './users.rules.js';
import { authorize } from '../../platform/auth/policy.js';
import { wantsFresh } from '../../platform/grpc/client.js';
import { loadContracts } from '../../platform/grpc/contracts.js';
import { asMessage, type Encoded, encodeResponse } from '../../platform/grpc/encoded.js';
import type { GrpcServer } from '../../platform/grpc/server.js';
import { present, validatorFor } from '../../platform/grpc/validate.js';
import type { SessionsApi, UsersApi } from './users.api.js';
import {
  LoginBody,
  LogoutBody,
  RefreshBody,
  RegisterBody,
  UpdateMeBody,
  UserIdParams,
} from './users.schemas.js';
import type { RegisterInput, UpdateProfileInput } from './users.service.js';

const register = validatorFor<RegisterInput>(RegisterBody);
const login = validatorFor<{ email: string; password: string }>(LoginBody);
const byId = validatorFor<{ id: string }>(UserIdParams);
/** The user a call names, for its audit entry: as sent (the log keeps only a valid id as subject). */
const idOf = (request: { id?: string }) => request.id || undefined;
const refresh = validatorFor<{ refresh_token: string }>(RefreshBody);
const updateMe = validatorFor<UpdateProfileInput>(UpdateMeBody);
const logout = validatorFor<{ refresh_token?: string }>(LogoutBody);

/** A profile as the User message carries it: an unset phone is absent, not null. */
const userMessage = (user: PublicUser): User => ({ ...user, phone: user.phone ?? undefined });

/** The proto's ways of saying "remove" (an empty phone, remove_shipping_address) as REST's null. */
function profileChanges(request: object): object {
  const { remove_shipping_address: remove, ...changes } = request as Record<string, unknown>;
  if (changes.phone === '') changes.phone = null;
  if (remove === true) changes.shipping_address = null;
  return changes;
}

/** gRPC adapter of the users module (mamlaka.users.v1.UserService): the same calls as the REST routes. */
export function usersGrpc(
  server: GrpcServer,
  { users, sessions }: { users: UsersApi; sessions: SessionsApi },
) {
  const { service } = loadContracts().users.mamlaka.users.v1.UserService;
  // A cached profile is one frozen object until a change replaces it: its encoding is kept
  // beside it, and goes when the cache lets go of the object.
  const encoded = new WeakMap<PublicUser, Encoded<User>>();
  const profileMessage = (user: PublicUser): User => {
    if (!Object.isFrozen(user)) return userMessage(user);
    let bytes = encoded.get(user);
    if (!bytes) encoded.set(user, (bytes = encodeResponse(service.GetUserByID, userMessage(user))));
    return asMessage(bytes);
  };
  const handlers: UserServiceHandlers = {
    RegisterUser: server.unary(
      'RegisterUser',
      async (request, { actor }) => userMessage(await users.register(register(present(request)), actor)),
      { addressLimit: 'registerPerIp', scope: 'sessions-only' },
    ),
    LoginUser: server.unary(
      'LoginUser',
      // With TOTP on, FAILED_PRECONDITION `mfa_required`: the second step is REST only.
      async (request, { clientIp }) => sessions.login(login(present(request)), clientIp),
      { addressLimit: 'loginPerIp', scope: 'sessions-only' },
    ),
    GetUserByID: server.unary(
      'GetUserByID',
      async (request, { actor, metadata }) =>
        profileMessage(
          await users.retrieve(actor, byId(present(request)).id, { fresh: wantsFresh(metadata) }),
        ),
      {
        scope: 'profile:read',
        audit: {
          action: 'user.profile.read',
          target: { kind: 'user', id: idOf },
          subject: idOf,
          repeatedRead: true,
        },
      },
    ),
    GetMe: server.unary(
      'GetMe',
      async (_request, { actor, metadata }) =>
        profileMessage(await users.retrieve(actor, authorize(actor).userId, { fresh: wantsFresh(metadata) })),
      { scope: 'profile:read', audit: { action: 'user.profile.read', subject: 'actor', repeatedRead: true } },
    ),
    RefreshSession: server.unary(
      'RefreshSession',
      async (request) => sessions.refresh(refresh(present(request)).refresh_token),
      { addressLimit: 'loginPerIp', scope: 'sessions-only' },
    ),
    UpdateMe: server.unary(
      'UpdateMe',
      async (request, { actor, clientIp }) =>
        userMessage(
          await users.updateOwnProfile(actor, updateMe(profileChanges(present(request))), clientIp),
        ),
      { scope: 'sessions-only', audit: { action: 'user.profile.update', subject: 'actor' } },
    ),
    Logout: server.unary(
      'Logout',
      async (request, { actor }) => {
        await sessions.logout(actor, logout(present(request)).refresh_token);
        return {};
      },
      { scope: 'sessions-only' },
    ),
  };
  server.add('mamlaka.users.v1.UserService', service, handlers);
}
