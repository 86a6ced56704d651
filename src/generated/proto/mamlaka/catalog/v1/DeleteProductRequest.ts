// Original file: proto/mamlaka/catalog/v1/catalog.proto

export interface DeleteProductRequest {
  id?: string;
}

export interface DeleteProductRequest__Output {
  id?: string;
}
