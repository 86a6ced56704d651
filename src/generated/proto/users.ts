import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type {
  GetMeRequest as _mamlaka_users_v1_GetMeRequest,
  GetMeRequest__Output as _mamlaka_users_v1_GetMeRequest__Output,
} from './mamlaka/users/v1/GetMeRequest.js';
import type {
  GetUserByIDRequest as _mamlaka_users_v1_GetUserByIDRequest,
  GetUserByIDRequest__Output as _mamlaka_users_v1_GetUserByIDRequest__Output,
} from './mamlaka/users/v1/GetUserByIDRequest.js';
import type {
  LoginUserRequest as _mamlaka_users_v1_LoginUserRequest,
  LoginUserRequest__Output as _mamlaka_users_v1_LoginUserRequest__Output,
} from './mamlaka/users/v1/LoginUserRequest.js';
import type {
  LogoutRequest as _mamlaka_users_v1_LogoutRequest,
  LogoutRequest__Output as _mamlaka_users_v1_LogoutRequest__Output,
} from './mamlaka/users/v1/LogoutRequest.js';
import type {
  LogoutResponse as _mamlaka_users_v1_LogoutResponse,
  LogoutResponse__Output as _mamlaka_users_v1_LogoutResponse__Output,
} from './mamlaka/users/v1/LogoutResponse.js';
import type {
  RefreshSessionRequest as _mamlaka_users_v1_RefreshSessionRequest,
  RefreshSessionRequest__Output as _mamlaka_users_v1_RefreshSessionRequest__Output,
} from './mamlaka/users/v1/RefreshSessionRequest.js';
import type {
  RegisterUserRequest as _mamlaka_users_v1_RegisterUserRequest,
  RegisterUserRequest__Output as _mamlaka_users_v1_RegisterUserRequest__Output,
} from './mamlaka/users/v1/RegisterUserRequest.js';
import type {
  Session as _mamlaka_users_v1_Session,
  Session__Output as _mamlaka_users_v1_Session__Output,
} from './mamlaka/users/v1/Session.js';
import type {
  ShippingAddress as _mamlaka_users_v1_ShippingAddress,
  ShippingAddress__Output as _mamlaka_users_v1_ShippingAddress__Output,
} from './mamlaka/users/v1/ShippingAddress.js';
import type {
  UpdateMeRequest as _mamlaka_users_v1_UpdateMeRequest,
  UpdateMeRequest__Output as _mamlaka_users_v1_UpdateMeRequest__Output,
} from './mamlaka/users/v1/UpdateMeRequest.js';
import type {
  User as _mamlaka_users_v1_User,
  User__Output as _mamlaka_users_v1_User__Output,
} from './mamlaka/users/v1/User.js';
import type {
  UserServiceClient as _mamlaka_users_v1_UserServiceClient,
  UserServiceDefinition as _mamlaka_users_v1_UserServiceDefinition,
} from './mamlaka/users/v1/UserService.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new (...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  mamlaka: {
    users: {
      v1: {
        GetMeRequest: MessageTypeDefinition<
          _mamlaka_users_v1_GetMeRequest,
          _mamlaka_users_v1_GetMeRequest__Output
        >;
        GetUserByIDRequest: MessageTypeDefinition<
          _mamlaka_users_v1_GetUserByIDRequest,
          _mamlaka_users_v1_GetUserByIDRequest__Output
        >;
        LoginUserRequest: MessageTypeDefinition<
          _mamlaka_users_v1_LoginUserRequest,
          _mamlaka_users_v1_LoginUserRequest__Output
        >;
        LogoutRequest: MessageTypeDefinition<
          _mamlaka_users_v1_LogoutRequest,
          _mamlaka_users_v1_LogoutRequest__Output
        >;
        LogoutResponse: MessageTypeDefinition<
          _mamlaka_users_v1_LogoutResponse,
          _mamlaka_users_v1_LogoutResponse__Output
        >;
        RefreshSessionRequest: MessageTypeDefinition<
          _mamlaka_users_v1_RefreshSessionRequest,
          _mamlaka_users_v1_RefreshSessionRequest__Output
        >;
        RegisterUserRequest: MessageTypeDefinition<
          _mamlaka_users_v1_RegisterUserRequest,
          _mamlaka_users_v1_RegisterUserRequest__Output
        >;
        Session: MessageTypeDefinition<_mamlaka_users_v1_Session, _mamlaka_users_v1_Session__Output>;
        ShippingAddress: MessageTypeDefinition<
          _mamlaka_users_v1_ShippingAddress,
          _mamlaka_users_v1_ShippingAddress__Output
        >;
        UpdateMeRequest: MessageTypeDefinition<
          _mamlaka_users_v1_UpdateMeRequest,
          _mamlaka_users_v1_UpdateMeRequest__Output
        >;
        User: MessageTypeDefinition<_mamlaka_users_v1_User, _mamlaka_users_v1_User__Output>;
        /**
         * Accounts and sessions. Calls that act as a user carry `authorization: Bearer <access
         * token>` in their metadata, the same token the REST API uses.
         */
        UserService: SubtypeConstructor<typeof grpc.Client, _mamlaka_users_v1_UserServiceClient> & {
          service: _mamlaka_users_v1_UserServiceDefinition;
        };
      };
    };
  };
}
