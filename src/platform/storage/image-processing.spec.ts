import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { prepareImage } from './image-processing.js';

const solid = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 10, g: 120, b: 60 } } });

describe('prepareImage', () => {
  it('re-encodes as WebP, fitting the original in 2048 px and the thumbnail in 400 px', async () => {
    const prepared = await prepareImage(await solid(3000, 1500).jpeg().toBuffer());
    expect(prepared).toMatchObject({
      ok: true,
      original: { width: 2048, height: 1024 },
      thumbnail: { width: 400, height: 200 },
    });
    if (!prepared.ok) return;
    expect((await sharp(prepared.original.bytes).metadata()).format).toBe('webp');
  });

  it('never enlarges a small image', async () => {
    const prepared = await prepareImage(await solid(40, 30).png().toBuffer());
    expect(prepared).toMatchObject({ ok: true, original: { width: 40 }, thumbnail: { width: 40 } });
  });

  it('applies the EXIF orientation before dropping it, so a photo keeps its way up', async () => {
    const rotated = await solid(60, 20).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    expect(await prepareImage(rotated)).toMatchObject({ ok: true, original: { width: 20, height: 60 } });
  });

  it('refuses formats sharp could read but we do not accept, such as SVG', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    expect(await prepareImage(svg)).toEqual({ ok: false, reason: 'undecodable' });
    expect(await prepareImage(await solid(10, 10).tiff().toBuffer())).toEqual({
      ok: false,
      reason: 'undecodable',
    });
  });

  it('refuses bytes that are no image', async () => {
    expect(await prepareImage(Buffer.from('hello'))).toEqual({ ok: false, reason: 'undecodable' });
  });
});
