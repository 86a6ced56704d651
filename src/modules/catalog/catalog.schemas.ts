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

export const CreateProductBody = Type.Object(
  {
    name: Name,
    description: Type.Optional(Description),
    price: Price,
    currency: Type.Optional(Currency),
    stock: Stock,
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
  },
  { ...strict, description: 'only the fields given change; multipart may carry a new image' },
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
});

export const ProductList = paginatedEnvelope(Product);
