import type { UserServiceClient } from '../../generated/proto/mamlaka/users/v1/UserService.js';
import type { Actor } from '../../platform/auth/policy.js';
import {
  channelOptions,
  type ClientOptions,
  credentialsOf,
  ServiceClient,
  targetOf,
} from '../../platform/grpc/client.js';
import { loadContracts } from '../../platform/grpc/contracts.js';
import type { SessionsApi, UsersApi } from './users.api.js';
import type { PublicUser } from './users.rules.js';
import type { SessionTokens } from './users.sessions.js';

/** Unset optional fields of a proto User, as the in-process service gives them: null. */
const withAbsentAsNull = (user: PublicUser): PublicUser => ({
  ...user,
  phone: user.phone ?? null,
  shipping_address: user.shipping_address ?? null,
});

/**
 * The users service over gRPC, with the in-process services' methods: what the split
 * gateway hands the users routes instead of UsersService and SessionsService.
 */
export class UsersGrpcClient extends ServiceClient<UserServiceClient> implements UsersApi, SessionsApi {
  constructor(address: string, options: ClientOptions) {
    const { UserService } = loadContracts().users.mamlaka.users.v1;
    super(new UserService(targetOf(address), credentialsOf(options), channelOptions), options);
  }

  async register(input: Parameters<UsersApi['register']>[0], actor?: Actor) {
    return withAbsentAsNull(await this.call<PublicUser>(this.client.RegisterUser, input, actor));
  }

  async retrieve(actor: Actor | undefined, id: string, options: { fresh?: boolean } = {}) {
    return withAbsentAsNull(
      await this.call<PublicUser>(this.client.GetUserByID, { id }, actor, undefined, options.fresh),
    );
  }

  // The client's address travels along: the service counts failed password checks per address.
  async updateOwnProfile(
    actor: Actor | undefined,
    input: Parameters<UsersApi['updateOwnProfile']>[1],
    clientIp?: string,
  ) {
    // Proto has no null: removing is an empty phone or remove_shipping_address.
    const { phone, shipping_address: address, ...rest } = input;
    const request = {
      ...rest,
      ...(phone === undefined ? {} : { phone: phone ?? '' }),
      ...(address === undefined
        ? {}
        : address === null
          ? { remove_shipping_address: true }
          : { shipping_address: address }),
    };
    return withAbsentAsNull(await this.call<PublicUser>(this.client.UpdateMe, request, actor, clientIp));
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
