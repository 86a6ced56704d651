import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { pooledRandomBytes } from './random-pool.js';

/** One AES-256 key of the ring: `id` is written into every ciphertext made with it. */
export interface RingKey {
  id: string;
  key: Buffer;
}

/** Everything the ring is made of; the first key encrypts, every key decrypts. */
export interface KeyMaterial {
  keys: RingKey[];
  /** HMAC-SHA256 key of the blind indexes; never rotated with the encryption keys (it would change every index). */
  blindIndexKey: Buffer;
}

const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
/** How often an unknown key id may make the ring read its source again. */
const RELOAD_INTERVAL_MS = 1_000;
/**
 * How often a ring with a source re-reads it before encrypting: a server that never meets
 * a ciphertext under the new key still starts encrypting with it soon after a rotation.
 */
const REFRESH_INTERVAL_MS = 10_000;
/** The shape of a ciphertext: tells one apart from a value written before encryption. */
const CIPHERTEXT_PATTERN = /^v1:[A-Za-z0-9_-]{1,32}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22,}$/;

/** True for what `encrypt` writes; false for legacy plaintext (rows from before encryption). */
export const isCiphertext = (value: string): boolean => CIPHERTEXT_PATTERN.test(value);

/** The key id a ciphertext names, or undefined for anything else. */
export const keyIdOf = (value: string): string | undefined =>
  isCiphertext(value) ? value.split(':')[1] : undefined;

/** A ciphertext that cannot be opened: tampered, of another context, or under an unknown key. */
export class DecryptionError extends Error {
  constructor(reason: string) {
    super(`cannot decrypt: ${reason}`);
    this.name = 'DecryptionError';
  }
}

/**
 * AES-256-GCM field encryption with a key ring (the envelope format of Tink and Rails'
 * encrypted attributes): `v1:<key id>:<nonce>:<ciphertext+tag>`, base64url parts. Each
 * encryption draws a fresh random 96-bit nonce (NIST SP 800-38D allows 2^32 per key).
 * `context` is authenticated but not stored: a ciphertext copied to another row or column
 * (another context) does not decrypt. The key id is authenticated too, so a ciphertext
 * relabelled with another key id fails even if that key were the same.
 */
export class KeyRing {
  private material: KeyMaterial;
  private lastReload = 0;
  private lastRefresh = Date.now();

  /** @param source read again when a ciphertext names a key this process does not have yet (a rotation under way). */
  constructor(
    material: KeyMaterial,
    private readonly source?: () => KeyMaterial,
  ) {
    this.material = validated(material);
  }

  get activeKeyId(): string {
    return this.material.keys[0]!.id;
  }

  get keyIds(): string[] {
    return this.material.keys.map((key) => key.id);
  }

  encrypt(plaintext: string, context: string): string {
    if (this.source && Date.now() - this.lastRefresh >= REFRESH_INTERVAL_MS) this.refresh();
    const { id, key } = this.material.keys[0]!;
    const nonce = pooledRandomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(aad(id, context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${VERSION}:${id}:${nonce.toString('base64url')}:${body.toString('base64url')}`;
  }

  /** @throws DecryptionError for anything but an intact ciphertext of this context under a known key. */
  decrypt(ciphertext: string, context: string): string {
    const parts = ciphertext.split(':');
    if (parts.length !== 4 || parts[0] !== VERSION) throw new DecryptionError('not a v1 ciphertext');
    const [, id, nonceText, bodyText] = parts as [string, string, string, string];
    const key = this.keyFor(id);
    const nonce = Buffer.from(nonceText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) throw new DecryptionError('malformed');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, nonce);
      decipher.setAAD(aad(id, context));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(body.subarray(0, body.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new DecryptionError('authentication failed');
    }
  }

  /** `encrypt` for optional values: null stays null. */
  encryptOptional(plaintext: string | null | undefined, context: string): string | null {
    return plaintext === null || plaintext === undefined ? null : this.encrypt(plaintext, context);
  }

  decryptOptional(ciphertext: string | null | undefined, context: string): string | null {
    return ciphertext === null || ciphertext === undefined ? null : this.decrypt(ciphertext, context);
  }

  /**
   * `decrypt` for columns that may still hold a value written before they were encrypted:
   * such a value (not shaped like a ciphertext) is returned as it is, until the
   * re-encryption pass rewrites it. A damaged ciphertext still throws.
   */
  open(stored: string, context: string): string {
    return isCiphertext(stored) ? this.decrypt(stored, context) : stored;
  }

  openOptional(stored: string | null | undefined, context: string): string | null {
    return stored === null || stored === undefined ? null : this.open(stored, context);
  }

  /** True when the ciphertext is under the active key: what rotation leaves alone. */
  isCurrent(ciphertext: string): boolean {
    return ciphertext.startsWith(this.currentPrefix());
  }

  /** `v1:<active key id>:`, for SQL that finds rows still under older keys (`NOT LIKE prefix || '%'`). */
  currentPrefix(): string {
    return `${VERSION}:${this.activeKeyId}:`;
  }

  /**
   * A keyed HMAC of a normalised value, so equal values can be found without storing them
   * (CipherSweet's blind index). `purpose` keeps indexes of different fields apart.
   */
  blindIndex(value: string, purpose: string): string {
    return createHmac('sha256', this.material.blindIndexKey)
      .update(`${purpose}\0${value}`)
      .digest('base64url');
  }

  /** Reads the source again now (after `mamlaka keys rotate` changed it). */
  reload(): void {
    if (!this.source) return;
    this.lastReload = Date.now();
    this.material = validated(this.source());
  }

  /** `reload` that keeps the ring it has when the source cannot be read right now. */
  private refresh(): void {
    this.lastRefresh = Date.now();
    try {
      this.reload();
    } catch {
      // An unreadable or half-edited key file must not stop writes; the next refresh retries.
    }
  }

  private keyFor(id: string): Buffer {
    const known = this.material.keys.find((key) => key.id === id);
    if (known) return known.key;
    if (this.source && Date.now() - this.lastReload >= RELOAD_INTERVAL_MS) {
      this.reload();
      const reloaded = this.material.keys.find((key) => key.id === id);
      if (reloaded) return reloaded.key;
    }
    throw new DecryptionError(`unknown key id "${id}"`);
  }
}

const aad = (keyId: string, context: string) => Buffer.from(`${VERSION}:${keyId}:${context}`, 'utf8');

function validated(material: KeyMaterial): KeyMaterial {
  if (material.keys.length === 0) throw new Error('the key ring needs at least one key');
  const ids = new Set<string>();
  for (const { id, key } of material.keys) {
    if (!KEY_ID_PATTERN.test(id)) throw new Error(`key id "${id}" must be 1-32 of A-Z a-z 0-9 _ -`);
    if (key.length !== 32) throw new Error(`key "${id}" must be 32 bytes (AES-256)`);
    if (ids.has(id)) throw new Error(`key id "${id}" appears twice`);
    ids.add(id);
  }
  if (material.blindIndexKey.length < 32) throw new Error('the blind index key must be at least 32 bytes');
  return material;
}
