// Original file: proto/mamlaka/catalog/v1/catalog.proto

export interface GetProductRequest {
  id?: string;
}

export interface GetProductRequest__Output {
  id?: string;
}
