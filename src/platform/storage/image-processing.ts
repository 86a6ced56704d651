import type { Sharp } from 'sharp';

/** The longest side of a stored image, and of its thumbnail, in pixels. */
export const IMAGE_MAX_SIDE_PX = 2048;
export const THUMBNAIL_MAX_SIDE_PX = 400;
/**
 * Decoding is refused above this many pixels (40 MP: more than an 8K photo), before any
 * pixel is decoded: a few KB of PNG can claim 30000 × 30000 px and gigabytes of memory.
 */
export const IMAGE_MAX_INPUT_PIXELS = 40_000_000;

/** The formats accepted as input; sharp could read more (SVG, TIFF, HEIF…), each a larger attack surface. */
const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp']);

export interface EncodedImage {
  bytes: Buffer;
  width: number;
  height: number;
}

export type PreparedImage =
  | { ok: true; original: EncodedImage; thumbnail: EncodedImage }
  | { ok: false; reason: 'undecodable' | 'too_many_pixels' };

/**
 * Decodes an uploaded image and encodes it again as WebP: the original bounded to
 * IMAGE_MAX_SIDE_PX and a thumbnail, both fitted inside a square and never enlarged.
 * Only decoded pixels survive, so bytes appended to a valid image (an HTML page, a PHP
 * script) and all metadata (EXIF with its GPS position, XMP, comments) are gone; EXIF
 * orientation is applied first so that dropping it does not turn photos on their side.
 */
export async function prepareImage(bytes: Buffer): Promise<PreparedImage> {
  // Loaded on the first upload: libvips costs memory a server that never sees one should not pay.
  const { default: sharp } = await import('sharp');
  const input = () => sharp(bytes, { limitInputPixels: IMAGE_MAX_INPUT_PIXELS, failOn: 'error' });
  let format: string | undefined;
  try {
    const metadata = await input().metadata();
    format = metadata.format;
  } catch (error) {
    return { ok: false, reason: tooManyPixels(error) ? 'too_many_pixels' : 'undecodable' };
  }
  if (!format || !ACCEPTED_FORMATS.has(format)) return { ok: false, reason: 'undecodable' };
  try {
    // One after the other: each decodes the input, and two at once would double the peak memory.
    const original = await encode(input(), IMAGE_MAX_SIDE_PX, 85);
    const thumbnail = await encode(input(), THUMBNAIL_MAX_SIDE_PX, 80);
    return { ok: true, original, thumbnail };
  } catch (error) {
    // A header that reads well over pixels that do not (truncated, corrupt data).
    return { ok: false, reason: tooManyPixels(error) ? 'too_many_pixels' : 'undecodable' };
  }
}

async function encode(image: Sharp, maxSidePx: number, quality: number): Promise<EncodedImage> {
  const { data, info } = await image
    .rotate()
    .resize({ width: maxSidePx, height: maxSidePx, fit: 'inside', withoutEnlargement: true })
    .webp({ quality })
    .toBuffer({ resolveWithObject: true });
  return { bytes: data, width: info.width, height: info.height };
}

const tooManyPixels = (error: unknown) => error instanceof Error && /pixel limit/i.test(error.message);
