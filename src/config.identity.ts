import { boolean, ConfigError, type Env, read, readSecret, url } from './config.env.js';
import { type EncryptionSettings, parseBlindIndexKey, parseKeyList } from './platform/crypto/keyring.load.js';

/**
 * `ENCRYPTION_KEYS` (inline, or `_FILE`, which is read again during a rotation) and
 * `BLIND_INDEX_KEY` (or `_FILE`): both or neither. Parsed here so a bad key fails start-up.
 */
export function encryptionSettings(env: Env, readFile: (p: string) => string): EncryptionSettings {
  const keys = read(env, 'ENCRYPTION_KEYS');
  const keysFile = keys ? undefined : read(env, 'ENCRYPTION_KEYS_FILE');
  const blindIndexKey = readSecret(env, 'BLIND_INDEX_KEY', readFile);
  const keyText = keys ?? (keysFile ? readSecret(env, 'ENCRYPTION_KEYS', readFile) : undefined);
  if (keyText === undefined) {
    if (blindIndexKey) throw new ConfigError('ENCRYPTION_KEYS', 'is required when BLIND_INDEX_KEY is set');
    return { keys: undefined, keysFile: undefined, blindIndexKey: undefined };
  }
  const name = keys ? 'ENCRYPTION_KEYS' : 'ENCRYPTION_KEYS_FILE';
  try {
    parseKeyList(keyText);
  } catch (error) {
    throw new ConfigError(name, (error as Error).message);
  }
  if (!blindIndexKey) throw new ConfigError('BLIND_INDEX_KEY', `is required when ${name} is set`);
  try {
    parseBlindIndexKey(blindIndexKey);
  } catch (error) {
    throw new ConfigError('BLIND_INDEX_KEY', (error as Error).message);
  }
  return { keys, keysFile, blindIndexKey };
}

export interface OidcSettings {
  issuer: string | undefined;
  clientId: string | undefined;
  /** Absent: a public client (PKCE alone, token endpoint auth `none`). */
  clientSecret: string | undefined;
  /** The label of the web app's button: "Sign in with <providerName>". */
  providerName: string;
  /** Whether the issuer may be plain http: sandbox only, on loopback or with OIDC_ALLOW_HTTP. */
  allowHttp: boolean;
}

/**
 * OIDC_ISSUER with OIDC_CLIENT_ID (and usually OIDC_CLIENT_SECRET or `_FILE`). An http issuer
 * would let anyone on the path forge who signs in: only the sandbox may use one, on loopback
 * (a provider started beside it) or when OIDC_ALLOW_HTTP says so.
 */
export function oidcSettings(
  env: Env,
  mode: 'sandbox' | 'live',
  readFile: (p: string) => string,
): OidcSettings {
  // Kept exactly as written: discovery checks the provider's issuer against it, trailing slash and all.
  const issuer = url(env, 'OIDC_ISSUER', ['http:', 'https:']);
  const clientId = read(env, 'OIDC_CLIENT_ID');
  const clientSecret = readSecret(env, 'OIDC_CLIENT_SECRET', readFile);
  const allowAnyHttp = boolean(env, 'OIDC_ALLOW_HTTP', false);
  if (allowAnyHttp && mode === 'live')
    throw new ConfigError('OIDC_ALLOW_HTTP', 'is not allowed in live mode');
  const host = issuer ? new URL(issuer).hostname : '';
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(host);
  const allowHttp = mode === 'sandbox' && (allowAnyHttp || loopback);
  if (issuer?.startsWith('http:') && !allowHttp) {
    throw new ConfigError(
      'OIDC_ISSUER',
      mode === 'live'
        ? 'must be https in live mode'
        : 'must be https (http only on loopback, or with OIDC_ALLOW_HTTP=true)',
    );
  }
  if (issuer && !clientId) throw new ConfigError('OIDC_CLIENT_ID', 'is required when OIDC_ISSUER is set');
  if (!issuer && clientId) throw new ConfigError('OIDC_ISSUER', 'is required when OIDC_CLIENT_ID is set');
  const providerName = read(env, 'OIDC_PROVIDER_NAME') ?? (host || 'OpenID Connect');
  if (providerName.length > 60) throw new ConfigError('OIDC_PROVIDER_NAME', 'must be at most 60 characters');
  return { issuer, clientId, clientSecret, providerName, allowHttp };
}
