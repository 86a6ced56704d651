import {
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  assertValidObjectKey,
  assertValidPut,
  contentTypeForKey,
  type ObjectStorage,
  type StoredObject,
} from './object-storage.js';

export interface S3StorageOptions {
  bucket: string;
  region: string;
  /** An S3-compatible server (MinIO, R2, s3rver); path-style addressing is used with it. */
  endpoint?: string;
  /** Both or neither; when absent the SDK's default chain (env, profile, instance role) is used. */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** A CDN or public bucket domain in front of the bucket. */
  publicUrl?: string;
}

const REQUEST_TIMEOUT_MS = 30_000;
const CONNECTION_TIMEOUT_MS = 5_000;
const MAX_ATTEMPTS = 3;

const trimSlashes = (url: string) => url.replace(/\/+$/, '');

/** Objects in an S3 bucket, served by S3 or a CDN in front of it. */
export class S3Storage implements ObjectStorage {
  readonly kind = 's3' as const;
  private readonly client: S3Client;

  constructor(private readonly options: S3StorageOptions) {
    const { accessKeyId, secretAccessKey, endpoint, region } = options;
    if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
      throw new Error('S3 storage needs both accessKeyId and secretAccessKey, or neither');
    }
    // The SDK warns on every Node below 22 that its releases after January 2027 will need 22.
    // The release installed here supports Node 20 (its engines say so, and
    // scripts/check-engines.mjs fails CI the day the lockfile gets one that does not), so
    // the notice is the README's to give, once, not every server's log. An operator's own
    // setting of the SDK's switch is kept.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.client = new S3Client({
      region,
      endpoint,
      // Custom endpoints rarely have wildcard DNS for virtual-hosted bucket names.
      forcePathStyle: endpoint !== undefined,
      credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
      // By default the SDK sends streamed bodies aws-chunked with a trailing CRC32, and
      // S3-compatible servers that do not decode that (s3rver, measured) store the chunk
      // framing inside the object. Buffers go up plain either way; this keeps a later
      // switch to streaming uploads from corrupting images (see STACK.md).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: MAX_ATTEMPTS,
      requestHandler: { requestTimeout: REQUEST_TIMEOUT_MS, connectionTimeout: CONNECTION_TIMEOUT_MS },
    });
  }

  async put(key: string, bytes: Buffer, contentType: string): Promise<StoredObject> {
    assertValidPut(key, contentType);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.options.bucket,
        Key: key,
        Body: bytes,
        ContentType: contentType,
        // Keys are random and never rewritten, so caches may keep an object forever.
        CacheControl: 'public, max-age=31536000, immutable',
      }),
    );
    return { key, url: this.urlFor(key) };
  }

  async delete(key: string): Promise<void> {
    assertValidObjectKey(key);
    // S3 answers 204 for a missing key too, which is the idempotence the interface promises.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: key }));
  }

  urlFor(key: string): string {
    assertValidObjectKey(key);
    const { publicUrl, endpoint, bucket, region } = this.options;
    if (publicUrl) return `${trimSlashes(publicUrl)}/${key}`;
    if (endpoint) return `${trimSlashes(endpoint)}/${bucket}/${key}`;
    return `https://${bucket}.s3.${region}.amazonaws.com/${key}`;
  }

  async get(key: string): Promise<{ bytes: Buffer; contentType: string } | undefined> {
    assertValidObjectKey(key);
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }));
      const bytes = answer.Body ? Buffer.from(await answer.Body.transformToByteArray()) : Buffer.alloc(0);
      return { bytes, contentType: answer.ContentType ?? contentTypeForKey(key) };
    } catch (error) {
      if (error instanceof NoSuchKey) return undefined;
      throw error;
    }
  }
}
