import type { UsersService } from './users.service.js';
import type { SessionsService } from './users.sessions.js';

/**
 * What the REST routes need of the users module. The all-in-one process passes the services
 * themselves; the split gateway passes gRPC clients with the same methods (users.grpc-client.ts).
 */
export type UsersApi = Pick<UsersService, 'register' | 'retrieve' | 'updateOwnProfile'>;
export type SessionsApi = Pick<SessionsService, 'login' | 'refresh' | 'logout'>;
