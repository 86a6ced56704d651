import Type from 'typebox';
import { paginatedEnvelope } from '../../platform/http/envelope.js';

const strict = { additionalProperties: false } as const;

const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
const Description = Type.String({ maxLength: 5000 });
const Price = Type.String({
  maxLength: 32,
  description: 'decimal string in the currency, e.g. "150000" (IDR) or "12.50" (USD)',
});
const Currency = Type.String({
  pattern: '^[A-Za-z]{3}$',
  description: 'ISO 4217; default from configuration',
});
const Stock = Type.Integer({ minimum: 0, maximum: 1_000_000_000 });
const TaxClass = Type.String({
  minLength: 1,
  maxLength: 32,
  pattern: '\\S',
  description: 'the tax rates of this class apply (admin tax rates); "standard" by default',
});

export const CreateProductBody = Type.Object(
  {
    name: Name,
    description: Type.Optional(Description),
    price: Price,
    currency: Type.Optional(Currency),
    stock: Stock,
    tax_class: Type.Optional(TaxClass),
  },
  {
    ...strict,
    description:
      'JSON, or multipart/form-data with the same fields and an optional image file under `image` or `image_url`',
  },
);

export const UpdateProductBody = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    price: Type.Optional(Price),
    currency: Type.Optional(Currency),
    stock: Type.Optional(Stock),
    tax_class: Type.Optional(TaxClass),
  },
  {
    ...strict,
    description:
      'only the fields given change; multipart may carry a new image. A product with variants takes no price, currency or stock: those are its variants’',
  },
);

export const ProductIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, strict);

export const ListProductsQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    seller_id: Type.Optional(Type.String({ format: 'uuid' })),
    min_price: Type.Optional(Price),
    max_price: Type.Optional(Price),
    currency: Type.Optional(Currency),
    in_stock: Type.Optional(Type.Boolean()),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'full-text search' })),
    category: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: "a category's id or slug: its products and its descendants'",
      }),
    ),
    sort: Type.Optional(Type.Enum(['newest', 'price_asc', 'price_desc'], { default: 'newest' })),
  },
  strict,
);

const VariantOptions = Type.Record(
  Type.String({ minLength: 1, maxLength: 50 }),
  Type.String({ minLength: 1, maxLength: 50 }),
  {
    description:
      'one value per option name, e.g. {"size": "M", "colour": "red"}; names are stored lower-case',
    maxProperties: 3,
    minProperties: 1,
  },
);
const Sku = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
  description: 'unique among the variants on sale',
});
const Position = Type.Integer({ minimum: 0, maximum: 1000, description: 'the order variants are shown in' });

export const Variant = Type.Object({
  id: Type.String({ format: 'uuid' }),
  sku: Type.String(),
  options: Type.Record(Type.String(), Type.String()),
  price: Type.String({ description: "in the product's currency" }),
  stock: Type.Integer(),
  position: Type.Integer(),
});

export const CreateVariantBody = Type.Object(
  {
    sku: Sku,
    options: VariantOptions,
    price: Type.Optional({
      ...Price,
      description: "in the product's currency; the product's price by default",
    }),
    stock: Stock,
    position: Type.Optional(Position),
  },
  strict,
);

export const UpdateVariantBody = Type.Object(
  {
    sku: Type.Optional(Sku),
    options: Type.Optional(VariantOptions),
    price: Type.Optional(Price),
    stock: Type.Optional(Stock),
    position: Type.Optional(Position),
  },
  { ...strict, description: 'only the fields given change' },
);

export const VariantParams = Type.Object(
  { id: Type.String({ format: 'uuid' }), variantId: Type.String({ format: 'uuid' }) },
  strict,
);

export const Product = Type.Object({
  id: Type.String({ format: 'uuid' }),
  user_id: Type.String({ format: 'uuid', description: 'the owning seller' }),
  name: Type.String(),
  description: Type.String(),
  price: Type.String(),
  currency: Type.String(),
  stock: Type.Integer(),
  image_url: Type.Union([Type.String(), Type.Null()], {
    description: 'the picture, re-encoded as WebP, at most 2048 px on its longer side',
  }),
  thumbnail_url: Type.Union([Type.String(), Type.Null()], {
    description: 'the picture at most 400 px on its longer side (WebP); null without a picture',
  }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
  category_ids: Type.Array(Type.String({ format: 'uuid' }), { maxItems: 10 }),
  tax_class: Type.String(),
  variants: Type.Array(Variant, {
    description:
      'what is bought of a product that has variants; then price is their lowest and stock their total',
  }),
});

export const ProductList = paginatedEnvelope(Product);
