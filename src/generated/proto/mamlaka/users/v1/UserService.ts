// Original file: proto/mamlaka/users/v1/users.proto

import type * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type {
  GetMeRequest as _mamlaka_users_v1_GetMeRequest,
  GetMeRequest__Output as _mamlaka_users_v1_GetMeRequest__Output,
} from '../../../mamlaka/users/v1/GetMeRequest.js';
import type {
  GetUserByIDRequest as _mamlaka_users_v1_GetUserByIDRequest,
  GetUserByIDRequest__Output as _mamlaka_users_v1_GetUserByIDRequest__Output,
} from '../../../mamlaka/users/v1/GetUserByIDRequest.js';
import type {
  LoginUserRequest as _mamlaka_users_v1_LoginUserRequest,
  LoginUserRequest__Output as _mamlaka_users_v1_LoginUserRequest__Output,
} from '../../../mamlaka/users/v1/LoginUserRequest.js';
import type {
  LogoutRequest as _mamlaka_users_v1_LogoutRequest,
  LogoutRequest__Output as _mamlaka_users_v1_LogoutRequest__Output,
} from '../../../mamlaka/users/v1/LogoutRequest.js';
import type {
  LogoutResponse as _mamlaka_users_v1_LogoutResponse,
  LogoutResponse__Output as _mamlaka_users_v1_LogoutResponse__Output,
} from '../../../mamlaka/users/v1/LogoutResponse.js';
import type {
  RefreshSessionRequest as _mamlaka_users_v1_RefreshSessionRequest,
  RefreshSessionRequest__Output as _mamlaka_users_v1_RefreshSessionRequest__Output,
} from '../../../mamlaka/users/v1/RefreshSessionRequest.js';
import type {
  RegisterUserRequest as _mamlaka_users_v1_RegisterUserRequest,
  RegisterUserRequest__Output as _mamlaka_users_v1_RegisterUserRequest__Output,
} from '../../../mamlaka/users/v1/RegisterUserRequest.js';
import type {
  Session as _mamlaka_users_v1_Session,
  Session__Output as _mamlaka_users_v1_Session__Output,
} from '../../../mamlaka/users/v1/Session.js';
import type {
  UpdateMeRequest as _mamlaka_users_v1_UpdateMeRequest,
  UpdateMeRequest__Output as _mamlaka_users_v1_UpdateMeRequest__Output,
} from '../../../mamlaka/users/v1/UpdateMeRequest.js';
import type {
  User as _mamlaka_users_v1_User,
  User__Output as _mamlaka_users_v1_User__Output,
} from '../../../mamlaka/users/v1/User.js';

/**
 * Accounts and sessions. Calls that act as a user carry `authorization: Bearer <access
 * token>` in their metadata, the same token the REST API uses.
 */
export interface UserServiceClient extends grpc.Client {
  /**
   * The caller's own profile.
   */
  GetMe(
    argument: _mamlaka_users_v1_GetMeRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;
  GetMe(
    argument: _mamlaka_users_v1_GetMeRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;
  GetMe(
    argument: _mamlaka_users_v1_GetMeRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;
  GetMe(
    argument: _mamlaka_users_v1_GetMeRequest,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * The caller's own profile.
   */
  getMe(
    argument: _mamlaka_users_v1_GetMeRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;
  getMe(
    argument: _mamlaka_users_v1_GetMeRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;
  getMe(
    argument: _mamlaka_users_v1_GetMeRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;
  getMe(
    argument: _mamlaka_users_v1_GetMeRequest,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * A user's profile: your own, or anyone's for an admin (others get NOT_FOUND).
   */
  GetUserByID(
    argument: _mamlaka_users_v1_GetUserByIDRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;
  GetUserByID(
    argument: _mamlaka_users_v1_GetUserByIDRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;
  GetUserByID(
    argument: _mamlaka_users_v1_GetUserByIDRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;
  GetUserByID(
    argument: _mamlaka_users_v1_GetUserByIDRequest,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * A user's profile: your own, or anyone's for an admin (others get NOT_FOUND).
   */
  getUserById(
    argument: _mamlaka_users_v1_GetUserByIDRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;
  getUserById(
    argument: _mamlaka_users_v1_GetUserByIDRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;
  getUserById(
    argument: _mamlaka_users_v1_GetUserByIDRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;
  getUserById(
    argument: _mamlaka_users_v1_GetUserByIDRequest,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * Exchanges an email and password for an access and a refresh token.
   */
  LoginUser(
    argument: _mamlaka_users_v1_LoginUserRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_users_v1_Session__Output>,
  ): grpc.ClientUnaryCall;
  LoginUser(
    argument: _mamlaka_users_v1_LoginUserRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_users_v1_Session__Output>,
  ): grpc.ClientUnaryCall;
  LoginUser(
    argument: _mamlaka_users_v1_LoginUserRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_users_v1_Session__Output>,
  ): grpc.ClientUnaryCall;
  LoginUser(
    argument: _mamlaka_users_v1_LoginUserRequest,
    callback: grpc.requestCallback<_mamlaka_users_v1_Session__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * Exchanges an email and password for an access and a refresh token.
   */
  loginUser(
    argument: _mamlaka_users_v1_LoginUserRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_users_v1_Session__Output>,
  ): grpc.ClientUnaryCall;
  loginUser(
    argument: _mamlaka_users_v1_LoginUserRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_users_v1_Session__Output>,
  ): grpc.ClientUnaryCall;
  loginUser(
    argument: _mamlaka_users_v1_LoginUserRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_users_v1_Session__Output>,
  ): grpc.ClientUnaryCall;
  loginUser(
    argument: _mamlaka_users_v1_LoginUserRequest,
    callback: grpc.requestCallback<_mamlaka_users_v1_Session__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * Ends one session (with its refresh token) or all of the caller's.
   */
  Logout(
    argument: _mamlaka_users_v1_LogoutRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_users_v1_LogoutResponse__Output>,
  ): grpc.ClientUnaryCall;
  Logout(
    argument: _mamlaka_users_v1_LogoutRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_users_v1_LogoutResponse__Output>,
  ): grpc.ClientUnaryCall;
  Logout(
    argument: _mamlaka_users_v1_LogoutRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_users_v1_LogoutResponse__Output>,
  ): grpc.ClientUnaryCall;
  Logout(
    argument: _mamlaka_users_v1_LogoutRequest,
    callback: grpc.requestCallback<_mamlaka_users_v1_LogoutResponse__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * Ends one session (with its refresh token) or all of the caller's.
   */
  logout(
    argument: _mamlaka_users_v1_LogoutRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_users_v1_LogoutResponse__Output>,
  ): grpc.ClientUnaryCall;
  logout(
    argument: _mamlaka_users_v1_LogoutRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_users_v1_LogoutResponse__Output>,
  ): grpc.ClientUnaryCall;
  logout(
    argument: _mamlaka_users_v1_LogoutRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_users_v1_LogoutResponse__Output>,
  ): grpc.ClientUnaryCall;
  logout(
    argument: _mamlaka_users_v1_LogoutRequest,
    callback: grpc.requestCallback<_mamlaka_users_v1_LogoutResponse__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * Rotates a refresh token; a reused one revokes its whole family.
   */
  RefreshSession(
    argument: _mamlaka_users_v1_RefreshSessionRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_users_v1_Session__Output>,
  ): grpc.ClientUnaryCall;
  RefreshSession(
    argument: _mamlaka_users_v1_RefreshSessionRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_users_v1_Session__Output>,
  ): grpc.ClientUnaryCall;
  RefreshSession(
    argument: _mamlaka_users_v1_RefreshSessionRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_users_v1_Session__Output>,
  ): grpc.ClientUnaryCall;
  RefreshSession(
    argument: _mamlaka_users_v1_RefreshSessionRequest,
    callback: grpc.requestCallback<_mamlaka_users_v1_Session__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * Rotates a refresh token; a reused one revokes its whole family.
   */
  refreshSession(
    argument: _mamlaka_users_v1_RefreshSessionRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_users_v1_Session__Output>,
  ): grpc.ClientUnaryCall;
  refreshSession(
    argument: _mamlaka_users_v1_RefreshSessionRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_users_v1_Session__Output>,
  ): grpc.ClientUnaryCall;
  refreshSession(
    argument: _mamlaka_users_v1_RefreshSessionRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_users_v1_Session__Output>,
  ): grpc.ClientUnaryCall;
  refreshSession(
    argument: _mamlaka_users_v1_RefreshSessionRequest,
    callback: grpc.requestCallback<_mamlaka_users_v1_Session__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * Opens an account (as the seed's RegisterUser). `admin` only when called by an admin.
   */
  RegisterUser(
    argument: _mamlaka_users_v1_RegisterUserRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;
  RegisterUser(
    argument: _mamlaka_users_v1_RegisterUserRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;
  RegisterUser(
    argument: _mamlaka_users_v1_RegisterUserRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;
  RegisterUser(
    argument: _mamlaka_users_v1_RegisterUserRequest,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * Opens an account (as the seed's RegisterUser). `admin` only when called by an admin.
   */
  registerUser(
    argument: _mamlaka_users_v1_RegisterUserRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;
  registerUser(
    argument: _mamlaka_users_v1_RegisterUserRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;
  registerUser(
    argument: _mamlaka_users_v1_RegisterUserRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;
  registerUser(
    argument: _mamlaka_users_v1_RegisterUserRequest,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * Changes the caller's name, email or password (email and password need the current one).
   */
  UpdateMe(
    argument: _mamlaka_users_v1_UpdateMeRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;
  UpdateMe(
    argument: _mamlaka_users_v1_UpdateMeRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;
  UpdateMe(
    argument: _mamlaka_users_v1_UpdateMeRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;
  UpdateMe(
    argument: _mamlaka_users_v1_UpdateMeRequest,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * Changes the caller's name, email or password (email and password need the current one).
   */
  updateMe(
    argument: _mamlaka_users_v1_UpdateMeRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;
  updateMe(
    argument: _mamlaka_users_v1_UpdateMeRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;
  updateMe(
    argument: _mamlaka_users_v1_UpdateMeRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;
  updateMe(
    argument: _mamlaka_users_v1_UpdateMeRequest,
    callback: grpc.requestCallback<_mamlaka_users_v1_User__Output>,
  ): grpc.ClientUnaryCall;
}

/**
 * Accounts and sessions. Calls that act as a user carry `authorization: Bearer <access
 * token>` in their metadata, the same token the REST API uses.
 */
export interface UserServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * The caller's own profile.
   */
  GetMe: grpc.handleUnaryCall<_mamlaka_users_v1_GetMeRequest__Output, _mamlaka_users_v1_User>;

  /**
   * A user's profile: your own, or anyone's for an admin (others get NOT_FOUND).
   */
  GetUserByID: grpc.handleUnaryCall<_mamlaka_users_v1_GetUserByIDRequest__Output, _mamlaka_users_v1_User>;

  /**
   * Exchanges an email and password for an access and a refresh token.
   */
  LoginUser: grpc.handleUnaryCall<_mamlaka_users_v1_LoginUserRequest__Output, _mamlaka_users_v1_Session>;

  /**
   * Ends one session (with its refresh token) or all of the caller's.
   */
  Logout: grpc.handleUnaryCall<_mamlaka_users_v1_LogoutRequest__Output, _mamlaka_users_v1_LogoutResponse>;

  /**
   * Rotates a refresh token; a reused one revokes its whole family.
   */
  RefreshSession: grpc.handleUnaryCall<
    _mamlaka_users_v1_RefreshSessionRequest__Output,
    _mamlaka_users_v1_Session
  >;

  /**
   * Opens an account (as the seed's RegisterUser). `admin` only when called by an admin.
   */
  RegisterUser: grpc.handleUnaryCall<_mamlaka_users_v1_RegisterUserRequest__Output, _mamlaka_users_v1_User>;

  /**
   * Changes the caller's name, email or password (email and password need the current one).
   */
  UpdateMe: grpc.handleUnaryCall<_mamlaka_users_v1_UpdateMeRequest__Output, _mamlaka_users_v1_User>;
}

export interface UserServiceDefinition extends grpc.ServiceDefinition {
  GetMe: MethodDefinition<
    _mamlaka_users_v1_GetMeRequest,
    _mamlaka_users_v1_User,
    _mamlaka_users_v1_GetMeRequest__Output,
    _mamlaka_users_v1_User__Output
  >;
  GetUserByID: MethodDefinition<
    _mamlaka_users_v1_GetUserByIDRequest,
    _mamlaka_users_v1_User,
    _mamlaka_users_v1_GetUserByIDRequest__Output,
    _mamlaka_users_v1_User__Output
  >;
  LoginUser: MethodDefinition<
    _mamlaka_users_v1_LoginUserRequest,
    _mamlaka_users_v1_Session,
    _mamlaka_users_v1_LoginUserRequest__Output,
    _mamlaka_users_v1_Session__Output
  >;
  Logout: MethodDefinition<
    _mamlaka_users_v1_LogoutRequest,
    _mamlaka_users_v1_LogoutResponse,
    _mamlaka_users_v1_LogoutRequest__Output,
    _mamlaka_users_v1_LogoutResponse__Output
  >;
  RefreshSession: MethodDefinition<
    _mamlaka_users_v1_RefreshSessionRequest,
    _mamlaka_users_v1_Session,
    _mamlaka_users_v1_RefreshSessionRequest__Output,
    _mamlaka_users_v1_Session__Output
  >;
  RegisterUser: MethodDefinition<
    _mamlaka_users_v1_RegisterUserRequest,
    _mamlaka_users_v1_User,
    _mamlaka_users_v1_RegisterUserRequest__Output,
    _mamlaka_users_v1_User__Output
  >;
  UpdateMe: MethodDefinition<
    _mamlaka_users_v1_UpdateMeRequest,
    _mamlaka_users_v1_User,
    _mamlaka_users_v1_UpdateMeRequest__Output,
    _mamlaka_users_v1_User__Output
  >;
}
