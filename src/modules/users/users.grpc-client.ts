import type { UserServiceClient } from '../../generated/proto/mamlaka/users/v1/UserService.js';
import type { Actor } from '../../platform/auth/policy.js';
import {
  channelOptions,
  type ClientOptions,
  insecure,
  ServiceClient,
  targetOf,
} from '../../platform/grpc/client.js';
import { loadContracts } from '../../platform/grpc/contracts.js';
import type { SessionsApi, UsersApi } from './users.api.js';
import type { PublicUser } from './users.rules.js';
import type { SessionTokens } from './users.sessions.js';

/**
 * The users service over gRPC, with the in-process services' methods: what the split
 * gateway hands the users routes instead of UsersService and SessionsService.
 */
export class UsersGrpcClient extends ServiceClient<UserServiceClient> implements UsersApi, SessionsApi {
  constructor(address: string, options: ClientOptions) {
    const { UserService } = loadContracts().users.mamlaka.users.v1;
    super(new UserService(targetOf(address), insecure(), channelOptions), options);
  }

  register(input: Parameters<UsersApi['register']>[0], actor?: Actor) {
    return this.call<PublicUser>(this.client.RegisterUser, input, actor);
  }

  retrieve(actor: Actor | undefined, id: string) {
    return this.call<PublicUser>(this.client.GetUserByID, { id }, actor);
  }

  // The client's address travels along: the service counts failed password checks per address.
  updateOwnProfile(
    actor: Actor | undefined,
    input: Parameters<UsersApi['updateOwnProfile']>[1],
    clientIp?: string,
  ) {
    return this.call<PublicUser>(this.client.UpdateMe, input, actor, clientIp);
  }

  login(input: { email: string; password: string }, clientIp?: string) {
    return this.call<SessionTokens>(this.client.LoginUser, input, undefined, clientIp);
  }

  refresh(refreshToken: string) {
    return this.call<SessionTokens>(this.client.RefreshSession, { refresh_token: refreshToken }, undefined);
  }

  async logout(actor: Actor | undefined, refreshToken?: string) {
    await this.call(
      this.client.Logout,
      refreshToken === undefined ? {} : { refresh_token: refreshToken },
      actor,
    );
  }
}
