import type { UserServiceHandlers } from '../../generated/proto/mamlaka/users/v1/UserService.js';
import { authorize } from '../../platform/auth/policy.js';
import { loadContracts } from '../../platform/grpc/contracts.js';
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
const refresh = validatorFor<{ refresh_token: string }>(RefreshBody);
const updateMe = validatorFor<UpdateProfileInput>(UpdateMeBody);
const logout = validatorFor<{ refresh_token?: string }>(LogoutBody);

/** gRPC adapter of the users module (mamlaka.users.v1.UserService): the same calls as the REST routes. */
export function usersGrpc(
  server: GrpcServer,
  { users, sessions }: { users: UsersApi; sessions: SessionsApi },
) {
  const handlers: UserServiceHandlers = {
    RegisterUser: server.unary(
      'RegisterUser',
      async (request, { actor }) => users.register(register(present(request)), actor),
      { addressLimit: 'registerPerIp' },
    ),
    LoginUser: server.unary(
      'LoginUser',
      async (request, { clientIp }) => sessions.login(login(present(request)), clientIp),
      { addressLimit: 'loginPerIp' },
    ),
    GetUserByID: server.unary('GetUserByID', async (request, { actor }) =>
      users.retrieve(actor, byId(present(request)).id),
    ),
    GetMe: server.unary('GetMe', async (_request, { actor }) =>
      users.retrieve(actor, authorize(actor).userId),
    ),
    RefreshSession: server.unary(
      'RefreshSession',
      async (request) => sessions.refresh(refresh(present(request)).refresh_token),
      { addressLimit: 'loginPerIp' },
    ),
    UpdateMe: server.unary('UpdateMe', async (request, { actor, clientIp }) =>
      users.updateOwnProfile(actor, updateMe(present(request)), clientIp),
    ),
    Logout: server.unary('Logout', async (request, { actor }) => {
      await sessions.logout(actor, logout(present(request)).refresh_token);
      return {};
    }),
  };
  server.add(
    'mamlaka.users.v1.UserService',
    loadContracts().users.mamlaka.users.v1.UserService.service,
    handlers,
  );
}
