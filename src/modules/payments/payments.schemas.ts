import Type from 'typebox';
import { paginatedEnvelope } from '../../platform/http/envelope.js';

const strict = { additionalProperties: false } as const;
const Uuid = Type.String({ format: 'uuid' });
// The bound here is only what the int4 column and the int32 contract field hold: the
// configured MAX_LINE_QUANTITY is the checkout's to enforce, as `amount_too_large`.
const Quantity = Type.Integer({
  minimum: 1,
  maximum: 2_147_483_647,
  description: 'at most MAX_LINE_QUANTITY (10000 unless configured) of one product per order',
});
const Method = Type.String({
  pattern: '^[a-z_]{1,32}$',
  description: '`wallet` (pay from your balance) or `manual` (pay outside, confirmed by an admin)',
});

const VariantId = Type.String({
  format: 'uuid',
  description: 'the variant to buy of a product that has several; its only one when absent',
});

export const CreatePaymentBody = Type.Object(
  {
    product_id: Uuid,
    variant_id: Type.Optional(VariantId),
    quantity: Quantity,
    payment_method: Type.Optional(Method),
  },
  strict,
);

export const CreateOrderBody = Type.Object(
  {
    items: Type.Array(
      Type.Object({ product_id: Uuid, variant_id: Type.Optional(VariantId), quantity: Quantity }, strict),
      {
        minItems: 1,
        maxItems: 50,
      },
    ),
    payment_method: Type.Optional(Method),
  },
  strict,
);

export const RefundBody = Type.Object(
  {
    amount: Type.Optional(
      Type.String({ maxLength: 32, description: 'decimal string; omit to refund what is left' }),
    ),
    reason: Type.String({ minLength: 1, maxLength: 500 }),
    restock: Type.Optional(Type.Boolean({ description: 'return the items to stock' })),
  },
  strict,
);

export const PaymentIdParams = Type.Object({ id: Uuid }, strict);

export const ListPaymentsQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
  },
  strict,
);

const Money = Type.String({ description: 'decimal string in the payment currency' });

/** An order line's variant as it was bought, shared by payments and orders. */
export const ItemVariant = Type.Union(
  [
    Type.Object({ id: Uuid, sku: Type.String(), options: Type.Record(Type.String(), Type.String()) }),
    Type.Null(),
  ],
  { description: 'the variant bought, with its SKU and options then; null for a product without variants' },
);

export const Payment = Type.Object({
  id: Uuid,
  order_id: Uuid,
  product_id: Uuid,
  user_id: Type.String({ description: 'the buyer' }),
  payment_code: Type.String({ description: 'like GC-6929-3605-5424' }),
  payment_method: Type.String(),
  quantity: Type.Integer(),
  total_amount: Money,
  refunded_amount: Money,
  currency: Type.String(),
  status: Type.String(),
  failure_code: Type.Union([Type.String(), Type.Null()]),
  payment_url: Type.Union([Type.String(), Type.Null()]),
  token: Type.Union([Type.String(), Type.Null()]),
  expires_at: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
  product: Type.Object({
    id: Uuid,
    user_id: Type.String(),
    name: Type.String(),
    price: Money,
    currency: Type.String(),
  }),
  items: Type.Array(
    Type.Object({
      product_id: Uuid,
      variant: ItemVariant,
      seller_id: Type.String(),
      name: Type.String(),
      quantity: Type.Integer(),
      unit_price: Money,
      subtotal: Money,
    }),
  ),
});

export const PaymentList = paginatedEnvelope(Payment);

export const Refund = Type.Object({
  id: Uuid,
  payment_id: Uuid,
  payment_method: Type.String({ description: 'the refunded payment’s method' }),
  amount: Money,
  currency: Type.String(),
  reason: Type.String(),
  restock: Type.Boolean(),
  status: Type.String({
    description:
      '`pending` until the gateway confirms (the money is held meanwhile), then `succeeded` or `failed`',
  }),
  failure_code: Type.Union([Type.String(), Type.Null()]),
  failure_message: Type.Union([Type.String(), Type.Null()]),
  created_by: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

export const RefundIdParams = Type.Object({ id: Uuid }, strict);
