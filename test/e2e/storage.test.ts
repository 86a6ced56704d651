import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalDiskStorage } from '../../src/platform/storage/local-disk.storage.js';
import {
  isValidObjectKey,
  newObjectKey,
  type ObjectStorage,
} from '../../src/platform/storage/object-storage.js';
import { openObjectStorage } from '../../src/platform/storage/open.js';
import { S3Storage } from '../../src/platform/storage/s3.storage.js';
import { type S3rverServer, startS3rver } from '../helpers/s3rver.js';

const BUCKET = 'mamlaka-test';
const PUBLIC_URL = 'http://shop.example.com';
const workDir = mkdtempSync(path.join(tmpdir(), 'mamlaka-storage-'));
const dataDir = path.join(workDir, 'data');

let s3rver: S3rverServer;
let s3Endpoint: string;
let s3Requests = 0;
let lastS3Headers: IncomingMessage['headers'] = {};

beforeAll(async () => {
  const started = await startS3rver(path.join(workDir, 's3rver'), BUCKET);
  s3rver = started.server;
  s3rver.httpServer.on('request', (request) => {
    s3Requests++;
    lastS3Headers = request.headers;
  });
  s3Endpoint = started.endpoint;
});

afterAll(async () => {
  await s3rver?.close();
  await rm(workDir, { recursive: true, force: true });
});

/** Every file and folder under a directory, relative to it; what the local disk has touched. */
const listTree = async (dir: string): Promise<string[]> =>
  (await readdir(dir, { recursive: true }).catch(() => [])).sort();

interface Implementation {
  name: string;
  create: () => ObjectStorage;
  expectedUrl: (key: string) => string;
  /** Something that changes whenever the backend is touched. */
  activity: () => Promise<unknown>;
}

const implementations: Implementation[] = [
  {
    name: 'local disk',
    create: () => new LocalDiskStorage(dataDir, `${PUBLIC_URL}/`),
    expectedUrl: (key) => `${PUBLIC_URL}/uploads/${key}`,
    activity: () => listTree(workDir),
  },
  {
    name: 's3 (s3rver)',
    create: () =>
      new S3Storage({
        bucket: BUCKET,
        region: 'us-east-1',
        endpoint: s3Endpoint,
        // s3rver's built-in account; it checks request signatures against it.
        accessKeyId: 'S3RVER',
        secretAccessKey: 'S3RVER',
      }),
    expectedUrl: (key) => `${s3Endpoint}/${BUCKET}/${key}`,
    activity: async () => s3Requests,
  },
];

describe.each(implementations)('$name object storage', ({ create, expectedUrl, activity }) => {
  let storage: ObjectStorage;
  beforeAll(() => {
    storage = create();
  });

  it('gives back exactly the bytes and content type it was given', async () => {
    // Random bytes of a few hundred KB: a checksum framing or encoding slip shows as a diff.
    const bytes = randomBytes(300 * 1024 + 7);
    const key = newObjectKey('products', 'webp');
    const stored = await storage.put(key, bytes, 'image/webp');
    expect(stored).toEqual({ key, url: expectedUrl(key) });
    const read = await storage.get(key);
    expect(read?.contentType).toBe('image/webp');
    expect(read?.bytes.length).toBe(bytes.length);
    expect(read?.bytes.equals(bytes)).toBe(true);
  });

  it('keeps objects under different keys apart', async () => {
    const a = randomBytes(1024);
    const b = randomBytes(2048);
    const keyA = newObjectKey('products', 'png');
    const keyB = newObjectKey('products', 'jpg');
    await Promise.all([storage.put(keyA, a, 'image/png'), storage.put(keyB, b, 'image/jpeg')]);
    expect((await storage.get(keyA))?.bytes.equals(a)).toBe(true);
    expect(await storage.get(keyB)).toEqual({ bytes: b, contentType: 'image/jpeg' });
  });

  it('answers undefined for a key never stored', async () => {
    expect(await storage.get(newObjectKey('products', 'png'))).toBeUndefined();
  });

  it('deletes an object, and deleting it again is fine', async () => {
    const key = newObjectKey('products', 'png');
    await storage.put(key, randomBytes(4096), 'image/png');
    await storage.delete(key);
    expect(await storage.get(key)).toBeUndefined();
    await expect(storage.delete(key)).resolves.toBeUndefined();
    await expect(storage.delete(newObjectKey('products', 'jpg'))).resolves.toBeUndefined();
  });

  it('builds the public URL from the key', () => {
    expect(storage.urlFor('products/abc-123.jpg')).toBe(expectedUrl('products/abc-123.jpg'));
  });

  it.each(['../etc/passwd', 'products/x.exe', 'products/../../x.png', '/products/x.png', 'products/X.png'])(
    'refuses the key %j before touching the backend',
    async (key) => {
      const before = await activity();
      await expect(storage.put(key, Buffer.from('x'), 'image/png')).rejects.toThrow(/invalid object key/);
      await expect(storage.get(key)).rejects.toThrow(/invalid object key/);
      await expect(storage.delete(key)).rejects.toThrow(/invalid object key/);
      expect(() => storage.urlFor(key)).toThrow(/invalid object key/);
      expect(await activity()).toEqual(before);
    },
  );

  it('refuses a content type that does not match the extension before touching the backend', async () => {
    const before = await activity();
    const key = newObjectKey('products', 'png');
    await expect(storage.put(key, Buffer.from('<html>'), 'text/html')).rejects.toThrow(/content type/);
    await expect(storage.put(key, randomBytes(16), 'image/jpeg')).rejects.toThrow(/content type/);
    expect(await activity()).toEqual(before);
  });
});

describe('local disk storage', () => {
  it('stores files under <dataDir>/uploads/<key> and leaves no temp files behind', async () => {
    const dir = mkdtempSync(path.join(workDir, 'local-'));
    const storage = new LocalDiskStorage(dir, PUBLIC_URL);
    const keys = Array.from({ length: 20 }, (_, i) => newObjectKey(i % 2 ? 'products' : 'avatars', 'jpg'));
    await Promise.all(keys.map((key) => storage.put(key, randomBytes(50_000), 'image/jpeg')));
    await storage.delete(keys[0]!);
    const expected = [
      'uploads',
      'uploads/avatars',
      'uploads/products',
      ...keys.slice(1).map((k) => `uploads/${k}`),
    ];
    expect(await listTree(dir)).toEqual(expected.sort());
  });
});

describe('S3 storage on s3rver', () => {
  it('uploads without the optional checksums that S3-compatible servers store as garbage', async () => {
    const storage = implementations[1]!.create();
    await storage.put(newObjectKey('products', 'png'), randomBytes(1024), 'image/png');
    expect(lastS3Headers).toMatchObject({ 'content-type': 'image/png' });
    expect(lastS3Headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(Object.keys(lastS3Headers).filter((name) => name.includes('checksum'))).toEqual([]);
    expect(lastS3Headers['content-encoding']).toBeUndefined();
  });

  it('serves an object at its URL with long-lived caching', async () => {
    const storage = implementations[1]!.create();
    const bytes = randomBytes(10_000);
    const { url } = await storage.put(newObjectKey('products', 'jpg'), bytes, 'image/jpeg');
    const answer = await fetch(url);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('image/jpeg');
    expect(answer.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(Buffer.from(await answer.arrayBuffer()).equals(bytes)).toBe(true);
  });
});

describe('S3 storage URLs', () => {
  const key = 'products/abc.webp';
  const base = { bucket: 'shop-images', region: 'eu-west-1' };

  it('uses the public URL (a CDN) when given one', () => {
    const storage = new S3Storage({
      ...base,
      endpoint: 'http://s3.local:9000',
      publicUrl: 'https://cdn.example.com/',
    });
    expect(storage.urlFor(key)).toBe('https://cdn.example.com/products/abc.webp');
  });

  it('uses path style on a custom endpoint', () => {
    expect(new S3Storage({ ...base, endpoint: 'http://s3.local:9000/' }).urlFor(key)).toBe(
      'http://s3.local:9000/shop-images/products/abc.webp',
    );
  });

  it('uses the virtual-hosted AWS address otherwise', () => {
    expect(new S3Storage(base).urlFor(key)).toBe(
      'https://shop-images.s3.eu-west-1.amazonaws.com/products/abc.webp',
    );
  });

  it('refuses half a set of credentials', () => {
    expect(() => new S3Storage({ ...base, accessKeyId: 'id' })).toThrow(/both/);
  });
});

describe('openObjectStorage', () => {
  it('opens S3 when a bucket is configured and the local disk otherwise', async () => {
    expect((await openObjectStorage({ dataDir, publicUrl: PUBLIC_URL })).kind).toBe('local');
    expect(
      (
        await openObjectStorage({
          dataDir,
          publicUrl: PUBLIC_URL,
          s3: { bucket: BUCKET, region: 'us-east-1' },
        })
      ).kind,
    ).toBe('s3');
  });
});

describe('isValidObjectKey', () => {
  it.each(['products/3f2a9c1e-0b7d-4e8a-9c1f-2d3e4f5a6b7c.webp', 'a/b.jpg', 'avatars/x-1.png'])(
    'accepts %j',
    (key) => {
      expect(isValidObjectKey(key)).toBe(true);
    },
  );

  it.each([
    '',
    'x.png',
    'a/b/c.png',
    'a/.png',
    '/b.png',
    'a/b.png/',
    'a\\b.png',
    'a/b.PNG',
    'a/b.jpeg',
    'a/b.png.exe',
    'a/..png',
    'a/%2e%2e.png',
    'a/b.png\n',
    `a/${'x'.repeat(300)}.png`,
  ])('refuses %j', (key) => {
    expect(isValidObjectKey(key)).toBe(false);
  });

  it('accepts every key newObjectKey makes', () => {
    for (const extension of ['jpg', 'png', 'webp']) {
      expect(isValidObjectKey(newObjectKey('products', extension))).toBe(true);
    }
  });
});
