// Original file: proto/mamlaka/catalog/v1/catalog.proto

/**
 * A product picture (JPEG, PNG or WebP, checked by its bytes and decoded; stored re-encoded as WebP).
 */
export interface Image {
  content?: Buffer | Uint8Array | string;
  filename?: string;
}

/**
 * A product picture (JPEG, PNG or WebP, checked by its bytes and decoded; stored re-encoded as WebP).
 */
export interface Image__Output {
  content?: Buffer;
  filename?: string;
}
