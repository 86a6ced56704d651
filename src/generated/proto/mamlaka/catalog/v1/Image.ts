// Original file: proto/mamlaka/catalog/v1/catalog.proto

/**
 * A product picture (JPEG, PNG, WebP or GIF, checked by its bytes).
 */
export interface Image {
  content?: Buffer | Uint8Array | string;
  filename?: string;
}

/**
 * A product picture (JPEG, PNG, WebP or GIF, checked by its bytes).
 */
export interface Image__Output {
  content?: Buffer;
  filename?: string;
}
