import Type from 'typebox';
import { CART_ID_PATTERN, MAX_CART_LINES } from './carts.rules.js';

const strict = { additionalProperties: false } as const;
const Uuid = Type.String({ format: 'uuid' });
const CartId = Type.String({
  pattern: CART_ID_PATTERN,
  description: 'the cart id (a guest cart’s only key)',
});
// The int4 column's bound; the configured MAX_LINE_QUANTITY is the service's to enforce.
const Quantity = Type.Integer({
  minimum: 1,
  maximum: 1_000_000,
  description: 'at most MAX_LINE_QUANTITY (10000 unless configured) of one product',
});
const Money = Type.String({ description: 'decimal amount in the cart’s currency' });

export const LineBody = Type.Object({ product_id: Uuid, quantity: Quantity }, strict);

export const CreateCartBody = Type.Object(
  {
    lines: Type.Optional(Type.Array(LineBody, { maxItems: MAX_CART_LINES })),
    from_cart: Type.Optional({
      ...CartId,
      description: 'a guest cart to merge into yours and close (signed in)',
    }),
  },
  strict,
);

export const QuantityBody = Type.Object({ quantity: Quantity }, strict);

export const CheckoutCartBody = Type.Object(
  {
    payment_method: Type.Optional(
      Type.String({ pattern: '^[a-z_]{1,32}$', description: '`wallet`, `manual` or `midtrans`' }),
    ),
  },
  strict,
);

export const CartParams = Type.Object({ id: CartId }, strict);
export const CartLineParams = Type.Object({ id: CartId, lineId: Uuid }, strict);

export const Cart = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal('open'), Type.Literal('checked_out')]),
  lines: Type.Array(
    Type.Object({
      id: Uuid,
      product_id: Uuid,
      title: Type.String(),
      quantity: Type.Integer(),
      unit_price: { ...Money, description: 'the price you accepted (when adding, or since)' },
      current_unit_price: Type.Union([Money, Type.Null()], { description: 'null: the product is gone' }),
      price_changed: Type.Boolean(),
      available_stock: Type.Integer(),
      in_stock: Type.Boolean(),
      currency: Type.String(),
    }),
  ),
  totals: Type.Object({
    subtotal: Type.Union([Money, Type.Null()], { description: 'at the accepted prices; null when empty' }),
    currency: Type.Union([Type.String(), Type.Null()]),
    prices_changed: Type.Boolean(),
  }),
  payment_id: Type.Union([Uuid, Type.Null()]),
  expires_at: Type.String({ format: 'date-time' }),
});
