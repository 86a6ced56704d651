import Type from 'typebox';
import { paginatedEnvelope } from '../../platform/http/envelope.js';
import { ItemVariant } from './payments.schemas.js';

const strict = { additionalProperties: false } as const;
const Uuid = Type.String({ format: 'uuid' });
const Money = Type.String({ description: 'decimal string in the order currency' });
const Time = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

export const OrderIdParams = Type.Object({ id: Uuid }, strict);
export const OrderItemParams = Type.Object({ id: Uuid, itemId: Uuid }, strict);

export const ListOrdersQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
  },
  strict,
);

export const ShipmentBody = Type.Object(
  {
    // Printable text with no edge spaces: it goes into mails and push messages as written.
    carrier: Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: '^\\S(?:[^\\x00-\\x1f\\x7f]*\\S)?$',
      description: 'who carries the parcel, e.g. `JNE` or `DHL Express`',
    }),
    tracking_number: Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: '^[A-Za-z0-9](?:[A-Za-z0-9 ._/-]*[A-Za-z0-9])?$',
      description: 'the carrier’s tracking number: letters, digits, spaces and . _ / -',
    }),
  },
  strict,
);

export const OrderItem = Type.Object({
  id: Uuid,
  order_id: Uuid,
  product_id: Uuid,
  variant: ItemVariant,
  name: Type.String(),
  quantity: Type.Integer(),
  unit_price: Money,
  subtotal: Money,
  seller_id: Type.String(),
  fulfilment_status: Type.String({
    description:
      '`unfulfilled`, then `shipped`, then `delivered`; `canceled` once the payment is refunded in full',
  }),
  carrier: Type.Union([Type.String(), Type.Null()]),
  tracking_number: Type.Union([Type.String(), Type.Null()]),
  shipped_at: Time,
  delivered_at: Time,
});

const orderFields = {
  id: Uuid,
  buyer_id: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  currency: Type.String(),
  total: Money,
  items: Type.Array(OrderItem, { description: 'a seller sees only their own items of the order' }),
};

export const Order = Type.Object({
  ...orderFields,
  payment: Type.Union([
    Type.Object({ id: Uuid, code: Type.String(), status: Type.String(), method: Type.String() }),
    Type.Null(),
  ]),
});

export const OrderList = paginatedEnvelope(Order);

export const OrderDetail = Type.Object({
  ...orderFields,
  payment: Type.Union([
    Type.Object({
      id: Uuid,
      code: Type.String(),
      status: Type.String(),
      method: Type.String(),
      amount: Money,
      refunded: Money,
      payment_url: Type.Union([Type.String(), Type.Null()], { description: 'only while pending' }),
    }),
    Type.Null(),
  ]),
  refunds: Type.Array(
    Type.Object({
      id: Uuid,
      amount: Money,
      status: Type.String(),
      reason: Type.String(),
      created_at: Type.String({ format: 'date-time' }),
    }),
  ),
  pricing: Type.Union(
    [
      Type.Object({
        destination: Type.Object({
          country: Type.String(),
          region: Type.Union([Type.String(), Type.Null()]),
        }),
        shipments: Type.Array(
          Type.Object({
            seller_id: Uuid,
            shipping_option_id: Type.Union([Uuid, Type.Null()]),
            subtotal: Money,
            shipping: Money,
            tax: Money,
            tax_included: { ...Money, description: 'the part of `tax` inside the prices' },
            discount: Money,
            total: Money,
          }),
          { description: 'one per seller; a seller sees their own' },
        ),
        tax_lines: Type.Array(
          Type.Object({
            tax_rate_id: Uuid,
            rate_bps: Type.Integer(),
            inclusive: Type.Boolean(),
            taxable: Money,
            tax: Money,
          }),
          { description: 'the whole order’s tax by rate (empty for a seller)' },
        ),
      }),
      Type.Null(),
    ],
    {
      description:
        'shipping, tax and discounts of an order checked out from a cart with an address; null otherwise',
    },
  ),
});
