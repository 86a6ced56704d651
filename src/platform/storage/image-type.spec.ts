import { describe, expect, it } from 'vitest';
import { detectImageType } from './image-type.js';

const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]);
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]);
const webp = Buffer.concat([
  Buffer.from('RIFF'),
  Buffer.from([0x24, 0x00, 0x00, 0x00]),
  Buffer.from('WEBPVP8 '),
]);

describe('detectImageType', () => {
  it('recognises a JPEG by its FF D8 FF start', () => {
    expect(detectImageType(jpeg)).toEqual({ contentType: 'image/jpeg', extension: 'jpg' });
  });

  it('recognises a PNG by its eight-byte signature', () => {
    expect(detectImageType(png)).toEqual({ contentType: 'image/png', extension: 'png' });
  });

  it('recognises a WebP by RIFF, any chunk size, then WEBP', () => {
    expect(detectImageType(webp)).toEqual({ contentType: 'image/webp', extension: 'webp' });
    const otherSize = Buffer.from(webp);
    otherSize.writeUInt32LE(0xfffffff0, 4);
    expect(detectImageType(otherSize)?.extension).toBe('webp');
  });

  it('refuses a text file, whatever its name claims', () => {
    expect(detectImageType(Buffer.from('hello, this is not a picture\n'))).toBeUndefined();
    expect(detectImageType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeUndefined();
  });

  it('refuses an empty buffer', () => {
    expect(detectImageType(Buffer.alloc(0))).toBeUndefined();
  });

  // Per type: a sample header, how many leading bytes form its signature, and which of
  // those bytes may hold anything (the RIFF chunk size).
  const signatures = [
    { name: 'JPEG', header: jpeg, length: 3, free: [] as number[] },
    { name: 'PNG', header: png, length: 8, free: [] as number[] },
    { name: 'WebP', header: webp, length: 12, free: [4, 5, 6, 7] },
  ];

  it.each(signatures)('refuses every $name header cut short of its signature', ({ header, length }) => {
    for (let cut = 0; cut < length; cut++) {
      expect(detectImageType(header.subarray(0, cut)), `first ${cut} bytes`).toBeUndefined();
    }
    expect(detectImageType(header.subarray(0, length))).toBeDefined();
  });

  it.each(signatures)('refuses a $name signature with any one byte wrong', ({ header, length, free }) => {
    for (let i = 0; i < length; i++) {
      if (free.includes(i)) continue;
      const broken = Buffer.from(header);
      broken[i] = broken[i]! ^ 0x01;
      expect(detectImageType(broken), `byte ${i} flipped`).toBeUndefined();
    }
  });

  it('refuses other RIFF files such as WAV audio', () => {
    const wav = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x24, 0, 0, 0]), Buffer.from('WAVEfmt ')]);
    expect(detectImageType(wav)).toBeUndefined();
  });

  it('refuses a signature that appears later than the first byte', () => {
    expect(detectImageType(Buffer.concat([Buffer.from([0x00]), png]))).toBeUndefined();
  });
});
