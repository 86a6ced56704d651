// Original file: proto/mamlaka/catalog/v1/catalog.proto

export interface DeleteProductResponse {}

export interface DeleteProductResponse__Output {}
