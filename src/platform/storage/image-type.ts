/**
 * Image types accepted for product images, recognised by their magic bytes. The file
 * name and the client's Content-Type header are not trusted: a renamed text file or an
 * HTML page must never be stored and served back as an image.
 */
export type ImageExtension = 'jpg' | 'png' | 'webp';
export type ImageContentType = 'image/jpeg' | 'image/png' | 'image/webp';

export interface ImageType {
  contentType: ImageContentType;
  extension: ImageExtension;
}

export const IMAGE_CONTENT_TYPES: Readonly<Record<ImageExtension, ImageContentType>> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
};

const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const RIFF = Buffer.from('RIFF', 'ascii');
const WEBP = Buffer.from('WEBP', 'ascii');

const startsWith = (bytes: Buffer, signature: readonly number[], offset = 0): boolean =>
  bytes.length >= offset + signature.length && signature.every((byte, i) => bytes[offset + i] === byte);

export function detectImageType(bytes: Buffer): ImageType | undefined {
  if (startsWith(bytes, JPEG_SIGNATURE)) return { contentType: 'image/jpeg', extension: 'jpg' };
  if (startsWith(bytes, PNG_SIGNATURE)) return { contentType: 'image/png', extension: 'png' };
  // Bytes 4–7 of a RIFF file are the chunk size, so only the two tags around them are fixed.
  if (startsWith(bytes, [...RIFF]) && startsWith(bytes, [...WEBP], 8)) {
    return { contentType: 'image/webp', extension: 'webp' };
  }
  return undefined;
}
