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

export const LineBody = Type.Object(
  {
    product_id: Uuid,
    variant_id: Type.Optional({
      ...Uuid,
      description: 'the variant of a product that has several; its only one when absent',
    }),
    quantity: Quantity,
  },
  strict,
);

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
    expected_total: Type.Optional({
      ...Money,
      maxLength: 32,
      description:
        'the quote’s total you were shown; with an address set, any other total refuses the checkout (409 order_total_changed)',
    }),
  },
  strict,
);

export const ShippingAddressBody = Type.Object(
  {
    address_id: Type.Union([Uuid, Type.Null()], {
      description: 'one of your addresses (GET /users/me/addresses); null: no address, no quote',
    }),
  },
  strict,
);

export const ShippingOptionsBody = Type.Object(
  {
    options: Type.Array(Type.Object({ seller_id: Uuid, shipping_option_id: Uuid }, strict), {
      maxItems: 50,
      description: 'replaces earlier choices; a seller left out ships by its cheapest option to the address',
    }),
  },
  strict,
);

export const DiscountCodeBody = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 64, description: 'a discount code (any case)' }) },
  strict,
);
export const CartCodeParams = Type.Object(
  { id: CartId, code: Type.String({ minLength: 1, maxLength: 64 }) },
  strict,
);

const Quote = Type.Object(
  {
    currency: Type.String(),
    subtotal: Money,
    shipping: Money,
    tax: { ...Money, description: 'every tax of the order, included in the prices or added' },
    tax_added: { ...Money, description: 'the part of `tax` added on top of the prices' },
    discount: Money,
    total: { ...Money, description: 'what the checkout charges: subtotal + shipping + tax_added − discount' },
    shipments: Type.Array(
      Type.Object({
        seller_id: Uuid,
        shipping_option_id: Type.Union([Uuid, Type.Null()], {
          description: 'null: the seller has no shipping options (shipping is in its prices)',
        }),
        subtotal: Money,
        shipping: Money,
        tax: Money,
        discount: Money,
        total: Money,
      }),
    ),
    tax_lines: Type.Array(
      Type.Object({
        tax_rate_id: Uuid,
        rate_bps: Type.Integer(),
        inclusive: Type.Boolean(),
        taxable: Money,
        tax: Money,
      }),
    ),
    discounts: Type.Array(
      Type.Object({
        id: Uuid,
        code: Type.Union([Type.String(), Type.Null()], { description: 'null: an automatic promotion' }),
        kind: Type.String(),
        funded_by: Type.String(),
      }),
    ),
  },
  { description: 'what a checkout would charge now, at the accepted prices' },
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
      variant_id: Type.Union([Uuid, Type.Null()], { description: 'null: a product without variants' }),
      seller_id: Type.Union([Uuid, Type.Null()], {
        description: 'whose shipment the line is in (quote.shipments); null: the product is gone',
      }),
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
  shipping_address_id: Type.Union([Uuid, Type.Null()]),
  shipping_options: Type.Array(Type.Object({ seller_id: Uuid, shipping_option_id: Uuid })),
  discount_codes: Type.Array(Type.String()),
  quote: Type.Union([Quote, Type.Null()], { description: 'null until the owner sets an address' }),
  quote_error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()], {
    description: 'why an address is set but there is no quote (a seller does not ship there, a code expired)',
  }),
});
