import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../src/cli/seed/png.js';
import {
  countProducts,
  createProduct,
  imageInfo,
  png,
  type ProductJson,
  productForm,
} from '../helpers/catalog.js';
import { type S3rverServer, startS3rver } from '../helpers/s3rver.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

const PAYLOAD = '<html><script>alert(document.cookie)</script><?php system($_GET["c"]); ?></html>';

/** A valid PNG header claiming 30000 × 30000 px: a few bytes that would decode to 2.7 GB. */
function pixelBomb(): Buffer {
  const bomb = Buffer.from(encodePng(1, 1, () => [0, 0, 0]));
  bomb.writeUInt32BE(30_000, 16);
  bomb.writeUInt32BE(30_000, 20);
  // The IHDR chunk's CRC covers its type and data (bytes 12–28).
  bomb.writeUInt32BE(crc32(bomb.subarray(12, 29)) >>> 0, 29);
  return bomb;
}

const jpegWithGps = () =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 10, b: 10 } } })
    .jpeg()
    .withExif({
      IFD0: { ImageDescription: 'WHERE-THE-SELLER-LIVES', Make: 'SpyCam' },
      IFD3: {
        GPSLatitudeRef: 'S',
        GPSLatitude: '6/1 12/1 0/1',
        GPSLongitudeRef: 'E',
        GPSLongitude: '106/1 49/1 0/1',
      },
    })
    .toBuffer();

describe.each(['local disk', 'S3'] as const)('uploaded product images on %s', (storage) => {
  let app: TestApp;
  let s3: S3rverServer | undefined;
  let seller: Awaited<ReturnType<typeof signUp>>;

  beforeAll(async () => {
    let env: Record<string, string> = {};
    if (storage === 'S3') {
      const started = await startS3rver(mkdtempSync(path.join(tmpdir(), 'mamlaka-s3-')), 'images');
      s3 = started.server;
      env = {
        S3_BUCKET: 'images',
        S3_ENDPOINT: started.endpoint,
        S3_ACCESS_KEY_ID: started.accessKeyId,
        S3_SECRET_ACCESS_KEY: started.secretAccessKey,
      };
    }
    app = await startTestApp(env);
    seller = await signUp(app, { role: 'seller' });
  });
  afterAll(async () => {
    await app?.close();
    await s3?.close();
  });

  const upload = (bytes: Buffer) =>
    app.api<ProductJson>('POST', '/products', {
      token: seller.token,
      form: productForm({ name: 'Pictured', price: '1000', stock: '1' }, { field: 'image', bytes }),
    });
  /** The stored object, from wherever the product's URL points (the app, or the bucket). */
  const fetchStored = async (url: string) => {
    const target = storage === 'S3' ? url : `${app.url}${new URL(url).pathname}`;
    const res = await fetch(target);
    expect(res.status).toBe(200);
    return Buffer.from(await res.arrayBuffer());
  };

  it('stores a PNG with HTML and PHP appended as a WebP without the trailing bytes', async () => {
    const res = await upload(Buffer.concat([png(3), Buffer.from(PAYLOAD)]));
    expect(res.status).toBe(201);
    for (const url of [res.body.results.image_url!, res.body.results.thumbnail_url!]) {
      expect(url).toMatch(/\.webp$/);
      const bytes = await fetchStored(url);
      expect(await imageInfo(bytes)).toMatchObject({ format: 'webp', width: 8, height: 8 });
      expect(bytes.includes('<?php')).toBe(false);
      expect(bytes.includes('<script')).toBe(false);
    }
  });

  it('drops the EXIF metadata of a JPEG, its GPS position included', async () => {
    const jpeg = await jpegWithGps();
    // The upload really carries them: the description, and the GPS IFD pointer (tag 0x8825).
    const sent = (await sharp(jpeg).metadata()).exif!;
    expect(sent.includes('WHERE-THE-SELLER-LIVES')).toBe(true);
    expect(sent.includes(Buffer.from([0x25, 0x88])) || sent.includes(Buffer.from([0x88, 0x25]))).toBe(true);

    const res = await upload(jpeg);
    expect(res.status).toBe(201);
    for (const url of [res.body.results.image_url!, res.body.results.thumbnail_url!]) {
      const bytes = await fetchStored(url);
      expect(await imageInfo(bytes)).toMatchObject({
        format: 'webp',
        width: 64,
        height: 48,
        exif: undefined,
        xmp: undefined,
      });
      expect(bytes.includes('WHERE-THE-SELLER-LIVES')).toBe(false);
      expect(bytes.includes('SpyCam')).toBe(false);
    }
  });

  it('bounds a 5000 px image to 2048 px and its thumbnail to 400 px, keeping the shape', async () => {
    const large = await sharp({
      create: { width: 5000, height: 2500, channels: 3, background: { r: 0, g: 90, b: 160 } },
    })
      .png()
      .toBuffer();
    const res = await upload(large);
    expect(res.status).toBe(201);
    expect(await imageInfo(await fetchStored(res.body.results.image_url!))).toMatchObject({
      format: 'webp',
      width: 2048,
      height: 1024,
    });
    expect(await imageInfo(await fetchStored(res.body.results.thumbnail_url!))).toMatchObject({
      format: 'webp',
      width: 400,
      height: 200,
    });
  });

  it.each([
    ['a PNG signature followed by PHP', () => Buffer.concat([png(1).subarray(0, 8), Buffer.from(PAYLOAD)])],
    [
      'a JPEG signature followed by garbage',
      () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(500, 7)]),
    ],
    ['a truncated PNG', () => png(2).subarray(0, 40)],
  ])('refuses %s with 400 invalid_image, storing nothing', async (_name, bytes) => {
    const before = await countProducts(app);
    const res = await upload(bytes());
    expect(res.status).toBe(400);
    expect(res.body.meta.errors).toEqual([
      expect.objectContaining({ field: 'image', code: 'invalid_image' }),
    ]);
    expect(await countProducts(app)).toBe(before);
  });

  it('refuses a garbage file with 400', async () => {
    const res = await upload(Buffer.from('GIF89a or whatever: not an accepted image at all'));
    expect(res.status).toBe(400);
    expect(res.body.meta.errors).toEqual([
      expect.objectContaining({ field: 'image', code: 'unsupported_image' }),
    ]);
  });

  it('refuses a decompression bomb before decoding it', async () => {
    const started = Date.now();
    const res = await upload(pixelBomb());
    expect(res.status).toBe(400);
    expect(res.body.meta.errors).toEqual([
      expect.objectContaining({ field: 'image', code: 'image_too_large' }),
    ]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('broken multipart product forms', () => {
  let app: TestApp;
  let seller: Awaited<ReturnType<typeof signUp>>;
  let productId: string;

  beforeAll(async () => {
    app = await startTestApp();
    seller = await signUp(app, { role: 'seller' });
    productId = (await createProduct(app, seller.token)).id;
  });
  afterAll(() => app?.close());

  const cases = [
    [
      'a body that ends inside a part',
      'multipart/form-data; boundary=XyZ',
      '--XyZ\r\nContent-Disposition: form-data; name="name"\r\n\r\nBatik',
    ],
    ['a form without a boundary', 'multipart/form-data', 'name=Batik'],
    [
      'a file part that never ends',
      'multipart/form-data; boundary=XyZ',
      '--XyZ\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n' +
        'Content-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n',
    ],
  ] as const;

  it.each(cases)('answers POST /products with %s: 400 invalid_multipart', async (_name, type, raw) => {
    const res = await app.api('POST', '/products', {
      token: seller.token,
      headers: { 'content-type': type },
      raw,
    });
    expect(res.status).toBe(400);
    expect(res.body.meta.code).toBe('invalid_multipart');
  });

  it.each(cases)('answers PUT /products/:id with %s: 400 invalid_multipart', async (_name, type, raw) => {
    const res = await app.api('PUT', `/products/${productId}`, {
      token: seller.token,
      headers: { 'content-type': type },
      raw,
    });
    expect(res.status).toBe(400);
    expect(res.body.meta.code).toBe('invalid_multipart');
    expect((await app.api<ProductJson>('GET', `/products/${productId}`)).body.results.name).toBe(
      'Batik shirt',
    );
  });
});
