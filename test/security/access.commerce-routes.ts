import { randomUUID } from 'node:crypto';
import { createProduct, png, productForm } from '../helpers/catalog.js';
import {
  adminOnly,
  all,
  get,
  type MatrixWorld,
  mfaRoles,
  type RouteEntry,
  sellersObject,
} from './access.shapes.js';
/** The access rows of carts, catalog depth, addresses, shipping, taxes, discounts and payouts. */
export const COMMERCE_ROUTES: Record<string, RouteEntry> = {
  // Catalog depth: the tree and collections are admins' to change; a product's categories
  // and gallery are its seller's (another seller's product is not there).
  'GET /categories': { request: get(() => '/categories'), expect: all(200) },
  'POST /categories': {
    request: () => ({ path: '/categories', body: { name: `Matrix ${randomUUID()}` } }),
    expect: adminOnly(201),
  },
  'PATCH /categories/:id': {
    request: async (w) => ({ path: `/categories/${await freshCategoryId(w)}`, body: { position: 1 } }),
    expect: adminOnly(200),
  },
  'DELETE /categories/:id': {
    request: async (w) => ({ path: `/categories/${await freshCategoryId(w)}` }),
    expect: adminOnly(200),
  },
  'PUT /products/:id/categories': {
    request: (w) => ({ path: `/products/${w.productId}/categories`, body: { category_ids: [] } }),
    expect: { ...sellersObject(200), buyer: 403, otherBuyer: 403 },
  },
  'GET /collections': { request: get(() => '/collections'), expect: all(200) },
  'GET /collections/:id': {
    request: async (w) => ({ path: `/collections/${await freshCollectionId(w)}` }),
    expect: all(200),
  },
  'POST /collections': {
    request: () => ({ path: '/collections', body: matrixCollection() }),
    expect: adminOnly(201),
  },
  'PATCH /collections/:id': {
    request: async (w) => ({
      path: `/collections/${await freshCollectionId(w)}`,
      body: { title: 'Changed' },
    }),
    expect: adminOnly(200),
  },
  'DELETE /collections/:id': {
    request: async (w) => ({ path: `/collections/${await freshCollectionId(w)}` }),
    expect: adminOnly(200),
  },
  'PUT /collections/:id/products': {
    request: async (w) => ({
      path: `/collections/${await freshCollectionId(w)}/products`,
      body: { product_ids: [w.productId] },
    }),
    expect: adminOnly(200),
  },
  'GET /products/:id/images': { request: get((w) => `/products/${w.productId}/images`), expect: all(200) },
  'POST /products/:id/images': {
    request: async (w) => ({
      path: `/products/${(await createProduct(w.app, w.people.seller.token, { price: '1000' })).id}/images`,
      form: productForm({}, { field: 'image', bytes: png() }),
    }),
    expect: { ...sellersObject(201), buyer: 403, otherBuyer: 403 },
  },
  'PATCH /products/:id/images/order': {
    request: (w) => ({ path: `/products/${w.productId}/images/order`, body: { image_ids: [] } }),
    expect: { ...sellersObject(200), buyer: 403, otherBuyer: 403 },
  },
  'DELETE /products/:id/images/:imageId': {
    request: async (w) => ({ path: await freshGalleryImagePath(w) }),
    expect: { ...sellersObject(200), buyer: 403, otherBuyer: 403 },
  },
  'GET /products/:id/variants': {
    request: get((w) => `/products/${w.productId}/variants`),
    expect: all(200),
  },
  'POST /products/:id/variants': {
    request: async (w) => ({
      path: `/products/${(await createProduct(w.app, w.people.seller.token, { price: '1000' })).id}/variants`,
      body: { sku: `M-${randomUUID().slice(0, 8)}`, options: { size: 'M' }, stock: 1 },
    }),
    expect: { ...sellersObject(201), buyer: 403, otherBuyer: 403 },
  },
  'PATCH /products/:id/variants/:variantId': {
    request: async (w) => ({ path: await freshVariantPath(w), body: { stock: 2 } }),
    expect: { ...sellersObject(200), buyer: 403, otherBuyer: 403 },
  },
  'DELETE /products/:id/variants/:variantId': {
    request: async (w) => ({ path: await freshVariantPath(w) }),
    expect: { ...sellersObject(200), buyer: 403, otherBuyer: 403 },
  },
  // --- payouts ---
  'GET /sellers/me/payout-destinations': {
    request: get(() => '/sellers/me/payout-destinations'),
    expect: { ...all(403), anonymous: 401, seller: 200, otherSeller: 200 },
  },
  'POST /sellers/me/payout-destinations': {
    request: () => ({
      path: '/sellers/me/payout-destinations',
      body: { bank_code: 'bca', account_number: '1234567890', holder_name: 'Matrix' },
    }),
    expect: { ...all(403), anonymous: 401, seller: 201, otherSeller: 201 },
  },
  // The fixture seller's destination: its owner removes it, another seller does not see it.
  'DELETE /sellers/me/payout-destinations/:id': {
    request: async (w, actor) => {
      // Refused before any lookup: no destination is spent on them (a seller may keep only five).
      if (actor !== 'seller' && actor !== 'otherSeller') {
        return { path: `/sellers/me/payout-destinations/${randomUUID()}` };
      }
      const made = await w.app.api<{ id: string }>('POST', '/sellers/me/payout-destinations', {
        token: w.people.seller.token,
        body: { bank_code: 'bni', account_number: '99990000', holder_name: 'Matrix' },
      });
      return { path: `/sellers/me/payout-destinations/${made.body.results.id}` };
    },
    expect: { ...all(403), anonymous: 401, seller: 200, otherSeller: 404 },
  },
  'GET /sellers/me/payout-schedule': {
    request: get(() => '/sellers/me/payout-schedule'),
    expect: { ...all(403), anonymous: 401, seller: 200, otherSeller: 200 },
  },
  'PUT /sellers/me/payout-schedule': {
    request: () => ({
      path: '/sellers/me/payout-schedule',
      body: { frequency: 'weekly', weekday: 1, minimum_amount: '100000' },
    }),
    expect: { ...all(403), anonymous: 401, seller: 200, otherSeller: 200 },
  },
  // Unauthenticated by design: Iris signs it. A forged one is refused whoever sends it.
  'POST /midtrans/iris/notifications': {
    request: () => ({
      path: '/midtrans/iris/notifications',
      body: { reference_no: 'matrix', amount: '1000.00', status: 'completed' },
      headers: { 'iris-signature': '0'.repeat(128) },
    }),
    expect: all(401),
  },
  // Carts: anyone may keep a guest cart; a buyer's cart is theirs alone (404 to anyone else,
  // anonymous callers included); sellers and admins do not shop.
  'POST /carts': {
    request: (w) => ({ path: '/carts', body: { lines: [{ product_id: w.productId, quantity: 1 }] } }),
    expect: { ...all(403), anonymous: 201, buyer: 201, otherBuyer: 201 },
  },
  'GET /carts/:id': {
    request: async (w) => ({ path: `/carts/${(await buyersCart(w)).id}` }),
    expect: { ...all(403), anonymous: 404, buyer: 200, otherBuyer: 404 },
  },
  'POST /carts/:id/lines': {
    request: async (w) => ({
      path: `/carts/${(await buyersCart(w)).id}/lines`,
      body: { product_id: w.productId, quantity: 1 },
    }),
    expect: { ...all(403), anonymous: 404, buyer: 201, otherBuyer: 404 },
  },
  'PATCH /carts/:id/lines/:lineId': {
    request: async (w) => {
      const cart = await buyersCart(w);
      return { path: `/carts/${cart.id}/lines/${cart.lineId}`, body: { quantity: 1 } };
    },
    expect: { ...all(403), anonymous: 404, buyer: 200, otherBuyer: 404 },
  },
  'DELETE /carts/:id/lines/:lineId': {
    request: async (w) => {
      const cart = await buyersCart(w);
      return { path: `/carts/${cart.id}/lines/${cart.lineId}` };
    },
    expect: { ...all(403), anonymous: 404, buyer: 200, otherBuyer: 404 },
  },
  'POST /carts/:id/accept-prices': {
    request: async (w) => ({ path: `/carts/${(await buyersCart(w)).id}/accept-prices` }),
    expect: { ...all(403), anonymous: 404, buyer: 200, otherBuyer: 404 },
  },
  'POST /carts/:id/checkout': {
    request: async (w) => ({
      path: `/carts/${(await buyersCart(w)).id}/checkout`,
      body: { payment_method: 'wallet' },
    }),
    expect: { ...all(403), anonymous: 401, buyer: 201, otherBuyer: 404 },
  },
  // A cart's pricing choices are its signed-in owner's alone.
  'PUT /carts/:id/shipping-address': {
    request: async (w) => ({
      path: `/carts/${(await buyersCart(w)).id}/shipping-address`,
      body: { address_id: await freshAddressId(w) },
    }),
    expect: { ...all(403), anonymous: 401, buyer: 200, otherBuyer: 404 },
  },
  'PUT /carts/:id/shipping-options': {
    request: async (w) => ({
      path: `/carts/${(await buyersCart(w)).id}/shipping-options`,
      body: { options: [] },
    }),
    expect: { ...all(403), anonymous: 401, buyer: 200, otherBuyer: 404 },
  },
  'POST /carts/:id/discounts': {
    request: async (w) => {
      const code = matrixDiscount().code;
      await w.app.api('POST', '/discounts', {
        token: w.people.admin.token,
        body: { code, kind: 'percentage', percent_bps: 500 },
      });
      return { path: `/carts/${(await buyersCart(w)).id}/discounts`, body: { code } };
    },
    expect: { ...all(403), anonymous: 401, buyer: 200, otherBuyer: 404 },
  },
  'DELETE /carts/:id/discounts/:code': {
    request: async (w) => ({ path: `/carts/${(await buyersCart(w)).id}/discounts/NONE-HELD` }),
    expect: { ...all(403), anonymous: 401, buyer: 200, otherBuyer: 404 },
  },

  // The address book is the buyer's own: nobody else reaches an address, admins included.
  'GET /users/me/addresses': {
    request: get(() => '/users/me/addresses'),
    expect: { ...all(403), anonymous: 401, buyer: 200, otherBuyer: 200 },
  },
  'POST /users/me/addresses': {
    request: () => ({ path: '/users/me/addresses', body: matrixAddress() }),
    expect: { ...all(403), anonymous: 401, buyer: 201, otherBuyer: 201 },
  },
  'PATCH /users/me/addresses/:id': {
    request: async (w) => ({
      path: `/users/me/addresses/${await freshAddressId(w)}`,
      body: { city: 'Bogor' },
    }),
    expect: { ...all(403), anonymous: 401, buyer: 200, otherBuyer: 404 },
  },
  'DELETE /users/me/addresses/:id': {
    request: async (w) => ({ path: `/users/me/addresses/${await freshAddressId(w)}` }),
    expect: { ...all(403), anonymous: 401, buyer: 204, otherBuyer: 404 },
  },
  // Shipping options are public to read, and each seller's own to change.
  'GET /sellers/:id/shipping-options': {
    request: get((w) => `/sellers/${w.people.seller.id}/shipping-options`),
    expect: all(200),
  },
  'GET /sellers/me/shipping-options': {
    request: get(() => '/sellers/me/shipping-options'),
    expect: { ...all(403), anonymous: 401, seller: 200, otherSeller: 200 },
  },
  'POST /sellers/me/shipping-options': {
    request: () => ({ path: '/sellers/me/shipping-options', body: matrixShippingOption() }),
    expect: { ...all(403), anonymous: 401, seller: 201, otherSeller: 201 },
  },
  'PATCH /sellers/me/shipping-options/:id': {
    request: async (w) => ({
      path: `/sellers/me/shipping-options/${await freshShippingOptionId(w)}`,
      body: { amount: '12000' },
    }),
    expect: { ...all(403), anonymous: 401, seller: 200, otherSeller: 404 },
  },
  'DELETE /sellers/me/shipping-options/:id': {
    request: async (w) => ({ path: `/sellers/me/shipping-options/${await freshShippingOptionId(w)}` }),
    expect: { ...all(403), anonymous: 401, seller: 204, otherSeller: 404 },
  },
  'GET /admin/tax-rates': { request: get(() => '/admin/tax-rates'), expect: adminOnly(200) },
  'POST /admin/tax-rates': {
    request: () => ({ path: '/admin/tax-rates', body: matrixTaxRate() }),
    expect: adminOnly(201),
  },
  'PATCH /admin/tax-rates/:id': {
    request: async (w) => ({ path: `/admin/tax-rates/${await freshTaxRateId(w)}`, body: { rate_bps: 700 } }),
    expect: adminOnly(200),
  },
  'DELETE /admin/tax-rates/:id': {
    request: async (w) => ({ path: `/admin/tax-rates/${await freshTaxRateId(w)}` }),
    expect: adminOnly(204),
  },
  // Discounts: sellers and admins create and list (each seller their own); the fixture
  // seller's discount is theirs and any admin's to read and change, nobody else's.
  'GET /discounts': { request: get(() => '/discounts'), expect: mfaRoles(200) },
  'POST /discounts': {
    request: () => ({ path: '/discounts', body: matrixDiscount() }),
    expect: mfaRoles(201),
  },
  'GET /discounts/:id': {
    request: async (w) => ({ path: `/discounts/${await freshDiscountId(w)}` }),
    expect: { ...sellersObject(200), buyer: 403, otherBuyer: 403 },
  },
  'PATCH /discounts/:id': {
    request: async (w) => ({ path: `/discounts/${await freshDiscountId(w)}`, body: { percent_bps: 700 } }),
    expect: { ...sellersObject(200), buyer: 403, otherBuyer: 403 },
  },
  'DELETE /discounts/:id': {
    request: async (w) => ({ path: `/discounts/${await freshDiscountId(w)}` }),
    expect: { ...sellersObject(204), buyer: 403, otherBuyer: 403 },
  },
};

// A code of its own, so each discount made is unique among live ones.
export const matrixDiscount = () => ({
  code: `M-${randomUUID().slice(0, 8)}`,
  kind: 'percentage',
  percent_bps: 1000,
});

/** A new discount of the fixture seller, for a cell that reads, changes or deletes it. */
export async function freshDiscountId(w: MatrixWorld): Promise<string> {
  const res = await w.app.api<{ id: string }>('POST', '/discounts', {
    token: w.people.seller.token,
    body: matrixDiscount(),
  });
  return res.body.results.id;
}

export async function buyersCart(w: MatrixWorld): Promise<{ id: string; lineId: string }> {
  const res = await w.app.api<{ id: string; lines: { id: string }[] }>('POST', '/carts', {
    token: w.people.buyer.token,
    body: { lines: [{ product_id: w.productId, quantity: 1 }] },
  });
  return { id: res.body.results.id, lineId: res.body.results.lines[0]!.id };
}

export const matrixAddress = () => ({
  name: 'Matrix',
  line1: 'Jl. Matrix 1',
  city: 'Bandung',
  region: 'Jawa Barat',
  postal_code: '40111',
  country: 'ID',
});

/** A new address of the fixture buyer, for a cell that changes or deletes it. */
export async function freshAddressId(w: MatrixWorld): Promise<string> {
  const res = await w.app.api<{ id: string }>('POST', '/users/me/addresses', {
    token: w.people.buyer.token,
    body: matrixAddress(),
  });
  return res.body.results.id;
}

export const matrixShippingOption = () => ({
  name: 'Matrix',
  kind: 'flat',
  currency: 'IDR',
  amount: '10000',
});

/** A new shipping option of the fixture seller, for a cell that changes or deletes it. */
export async function freshShippingOptionId(w: MatrixWorld): Promise<string> {
  const res = await w.app.api<{ id: string }>('POST', '/sellers/me/shipping-options', {
    token: w.people.seller.token,
    body: matrixShippingOption(),
  });
  return res.body.results.id;
}

// A region of its own, so each rate made is unique.
export const matrixTaxRate = () => ({
  country: 'ID',
  region: `M-${randomUUID()}`,
  rate_bps: 500,
  inclusive: false,
});

/** A new tax rate, for a cell that changes or deletes it. */
export async function freshTaxRateId(w: MatrixWorld): Promise<string> {
  const res = await w.app.api<{ id: string }>('POST', '/admin/tax-rates', {
    token: w.people.admin.token,
    body: matrixTaxRate(),
  });
  return res.body.results.id;
}

/** A new top-level category, for a cell that changes or deletes it. */
export async function freshCategoryId(w: MatrixWorld): Promise<string> {
  const res = await w.app.api<{ id: string }>('POST', '/categories', {
    token: w.people.admin.token,
    body: { name: `Matrix ${randomUUID()}` },
  });
  return res.body.results.id;
}

export const matrixCollection = () => ({ title: 'Matrix', slug: `matrix-${randomUUID()}` });

/** A new collection, for a cell that reads, changes or deletes it. */
export async function freshCollectionId(w: MatrixWorld): Promise<string> {
  const res = await w.app.api<{ id: string }>('POST', '/collections', {
    token: w.people.admin.token,
    body: matrixCollection(),
  });
  return res.body.results.id;
}

/** The path of an image in the gallery of a new product of the fixture seller. */
export async function freshGalleryImagePath(w: MatrixWorld): Promise<string> {
  const product = await createProduct(w.app, w.people.seller.token, { price: '1000' });
  const res = await w.app.api<{ id: string }>('POST', `/products/${product.id}/images`, {
    token: w.people.seller.token,
    form: productForm({}, { field: 'image', bytes: png() }),
  });
  return `/products/${product.id}/images/${res.body.results.id}`;
}

/** The path of a variant of a new product of the fixture seller. */
export async function freshVariantPath(w: MatrixWorld): Promise<string> {
  const product = await createProduct(w.app, w.people.seller.token, { price: '1000' });
  const res = await w.app.api<{ id: string }>('POST', `/products/${product.id}/variants`, {
    token: w.people.seller.token,
    body: { sku: `S-${randomUUID().slice(0, 8)}`, options: { size: 'S' }, stock: 1 },
  });
  return `/products/${product.id}/variants/${res.body.results.id}`;
}
