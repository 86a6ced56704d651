// Original file: proto/mamlaka/payments/v1/payments.proto

export interface ItemVariant {
  id?: string;
  sku?: string;
  options?: { [key: string]: string };
}

export interface ItemVariant__Output {
  id?: string;
  sku?: string;
  options?: { [key: string]: string };
}
