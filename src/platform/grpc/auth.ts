import type { Metadata } from '@grpc/grpc-js';
import type { Actor } from '../auth/policy.js';
import type { AccessTokens } from '../auth/tokens.js';
import { forbidden } from '../errors.js';

/**
 * The caller, from `authorization: Bearer <access token>` in the call's metadata: the same
 * token and the same checks as the REST API. No token is an anonymous caller (the service
 * decides whether that is allowed); a bad one is refused (UNAUTHENTICATED).
 */
export async function actorFromMetadata(
  metadata: Metadata,
  tokens: AccessTokens,
): Promise<Actor | undefined> {
  const header = metadata.get('authorization')[0];
  if (header === undefined) return undefined;
  const token = /^Bearer\s+(\S+)$/i.exec(String(header))?.[1] ?? '';
  const actor = await tokens.verify(token);
  // Enrolling TOTP is REST only: over gRPC such a session can do nothing.
  if (actor.mfaEnrolmentOnly)
    throw forbidden('mfa_enrollment_required', 'set up two-factor sign-in first (POST /users/me/mfa/totp)');
  return { ...actor, credential: token };
}
