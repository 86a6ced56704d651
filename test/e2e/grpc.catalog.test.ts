import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogGrpcClient } from '../../src/modules/catalog/catalog.grpc-client.js';
import type { Actor } from '../../src/platform/auth/policy.js';
import { imageInfo, png, type ProductJson } from '../helpers/catalog.js';
import { call, grpcClients } from '../helpers/grpc.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

/** A Product message as a plain grpc-js client decodes it: unset fields are absent. */
type ProductMsg = Partial<ProductJson>;
interface ListMsg {
  products: ProductMsg[];
  next_cursor?: string;
}

let app: TestApp;
let clients: ReturnType<typeof grpcClients>;
let seller: Awaited<ReturnType<typeof signUp>>;
let otherSeller: Awaited<ReturnType<typeof signUp>>;
let buyer: Awaited<ReturnType<typeof signUp>>;

beforeAll(async () => {
  app = await startTestApp();
  clients = grpcClients(app.grpcAddress);
  seller = await signUp(app, { role: 'seller' });
  otherSeller = await signUp(app, { role: 'seller' });
  buyer = await signUp(app);
});
afterAll(async () => {
  clients?.close();
  await app?.close();
});

const batik = { name: 'Batik shirt', description: 'Hand-stamped cotton', price: '150000', stock: 5 };

async function created(token = seller.token, request: object = batik) {
  const outcome = await call<ProductMsg>(clients.catalog, 'CreateProduct', request, { token });
  expect(outcome.error).toBeUndefined();
  return outcome.response!;
}

describe('CatalogService over gRPC', () => {
  it('creates a product without an image, as REST would show it', async () => {
    const product = await created();
    expect(product).toMatchObject({ ...batik, user_id: seller.id, currency: 'IDR' });
    expect(product.image_url).toBeUndefined();
    const rest = await app.api<ProductJson>('GET', `/products/${product.id}`);
    expect(rest.body.results).toEqual({ ...product, image_url: null, thumbnail_url: null });
  });

  it('files a product under a tax class on create and update', async () => {
    const product = await created(seller.token, { ...batik, tax_class: 'books' });
    expect(product.tax_class).toBe('books');
    const updated = await call<ProductMsg>(
      clients.catalog,
      'UpdateProduct',
      { id: product.id, tax_class: 'standard' },
      { token: seller.token },
    );
    expect(updated.response?.tax_class).toBe('standard');
    expect((await app.api<ProductJson>('GET', `/products/${product.id}`)).body.results.tax_class).toBe(
      'standard',
    );
  });

  it('creates a product with an image, stored and served like an uploaded file', async () => {
    const product = await created(seller.token, {
      ...batik,
      price: '12.50',
      currency: 'usd',
      image: { content: png(3), filename: 'shirt.png' },
    });
    expect(product).toMatchObject({ price: '12.50', currency: 'USD' });
    expect(product.image_url).toMatch(/^http:\/\/127\.0\.0\.1\/uploads\/products\/[0-9a-f-]+\.webp$/);
    expect(product.thumbnail_url).toMatch(/-thumb\.webp$/);
    const served = await fetch(`${app.url}${new URL(product.image_url!).pathname}`);
    expect(served.status).toBe(200);
    expect(await imageInfo(Buffer.from(await served.arrayBuffer()))).toMatchObject({
      format: 'webp',
      width: 8,
    });
  });

  it('updates only the fields given, and reads the product back', async () => {
    const product = await created();
    // Read first, so a cached copy exists that the update must replace.
    expect((await call<ProductMsg>(clients.catalog, 'GetProduct', { id: product.id })).response?.name).toBe(
      product.name,
    );
    const updated = await call<ProductMsg>(
      clients.catalog,
      'UpdateProduct',
      { id: product.id, name: 'Batik shirt, long sleeves' },
      { token: seller.token },
    );
    expect(updated.error).toBeUndefined();
    expect(updated.response).toMatchObject({
      id: product.id,
      name: 'Batik shirt, long sleeves',
      description: batik.description,
      price: batik.price,
      stock: batik.stock,
    });
    const read = await call<ProductMsg>(clients.catalog, 'GetProduct', { id: product.id });
    expect(read.response).toEqual(updated.response);
    const empty = await call(clients.catalog, 'UpdateProduct', { id: product.id }, { token: seller.token });
    expect(empty.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(empty.reason).toBe('empty_update');
  });

  it('lists in pages through next_cursor, with the filters REST takes', async () => {
    const lister = await signUp(app, { role: 'seller' });
    const ids: string[] = [];
    for (const [name, stock] of [
      ['Kopi Gayo', 20],
      ['Kopi Toraja', 0],
      ['Rattan basket', 7],
    ] as const) {
      ids.push((await created(lister.token, { name, price: '85000', stock })).id!);
    }
    const first = await call<ListMsg>(clients.catalog, 'ListProducts', { seller_id: lister.id, limit: 2 });
    expect(first.response?.products).toHaveLength(2);
    expect(first.response?.next_cursor).toBeDefined();
    const second = await call<ListMsg>(clients.catalog, 'ListProducts', {
      seller_id: lister.id,
      limit: 2,
      cursor: first.response!.next_cursor,
    });
    expect(second.response?.products).toHaveLength(1);
    expect(second.response?.next_cursor).toBeUndefined();
    const walked = [...first.response!.products, ...second.response!.products].map((p) => p.id);
    expect(walked.toSorted()).toEqual(ids.toSorted());
    // Newest first, as the REST listing orders the same query (limit 20, sort newest by default).
    const rest = await app.api<ProductJson[]>('GET', `/products?seller_id=${lister.id}`);
    expect(walked).toEqual(rest.body.results.map((p) => p.id));

    const kopiInStock = await call<ListMsg>(clients.catalog, 'ListProducts', {
      seller_id: lister.id,
      q: 'kopi',
      in_stock: true,
    });
    expect(kopiInStock.response?.products.map((p) => p.name)).toEqual(['Kopi Gayo']);
    const byPrice = await call<ListMsg>(clients.catalog, 'ListProducts', {
      seller_id: lister.id,
      sort: 'price_asc',
      max_price: '90000',
    });
    expect(byPrice.response?.products).toHaveLength(3);
  });

  it('deletes a product, which is then NOT_FOUND', async () => {
    const product = await created();
    expect((await call(clients.catalog, 'GetProduct', { id: product.id })).error).toBeUndefined();
    const deleted = await call(clients.catalog, 'DeleteProduct', { id: product.id }, { token: seller.token });
    expect(deleted.error).toBeUndefined();
    expect(deleted.response).toEqual({});
    const gone = await call(clients.catalog, 'GetProduct', { id: product.id });
    expect(gone.error?.code).toBe(status.NOT_FOUND);
    expect(gone.reason).toBe('product_not_found');
    const again = await call(clients.catalog, 'DeleteProduct', { id: product.id }, { token: seller.token });
    expect(again.error?.code).toBe(status.NOT_FOUND);
  });

  it('answers bad input with INVALID_ARGUMENT and a field violation per field', async () => {
    const badPrice = await call(
      clients.catalog,
      'CreateProduct',
      { ...batik, price: '1.234' },
      { token: seller.token },
    );
    expect(badPrice.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(badPrice.reason).toBe('validation_failed');
    expect(badPrice.fields).toEqual([{ field: 'price', reason: 'too_many_decimals' }]);

    const negativeStock = await call(
      clients.catalog,
      'CreateProduct',
      { ...batik, stock: -1, currency: 'usd!' },
      { token: seller.token },
    );
    expect(negativeStock.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(negativeStock.fields).toEqual(
      expect.arrayContaining([
        { field: 'stock', reason: 'out_of_range' },
        { field: 'currency', reason: 'out_of_range' },
      ]),
    );

    const notAnImage = await call(
      clients.catalog,
      'CreateProduct',
      { ...batik, image: { content: Buffer.from('not a picture'), filename: 'x.png' } },
      { token: seller.token },
    );
    expect(notAnImage.fields).toEqual([{ field: 'image', reason: 'unsupported_image' }]);

    const badSort = await call(clients.catalog, 'ListProducts', { sort: 'cheapest', limit: 101 });
    expect(badSort.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(badSort.fields).toEqual(
      expect.arrayContaining([
        { field: 'sort', reason: 'invalid_value' },
        { field: 'limit', reason: 'out_of_range' },
      ]),
    );
    const badCursor = await call(clients.catalog, 'ListProducts', { cursor: 'garbage' });
    expect(badCursor.fields).toEqual([{ field: 'cursor', reason: 'invalid_cursor' }]);
    const badId = await call(clients.catalog, 'GetProduct', { id: 'nope' });
    expect(badId.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(badId.fields).toEqual([{ field: 'id', reason: 'invalid_format' }]);
  });

  it('maps auth failures: no token UNAUTHENTICATED, a buyer PERMISSION_DENIED, another seller NOT_FOUND', async () => {
    const anonymous = await call(clients.catalog, 'CreateProduct', batik);
    expect(anonymous.error?.code).toBe(status.UNAUTHENTICATED);
    expect(anonymous.reason).toBe('authentication_required');
    const forged = await call(clients.catalog, 'CreateProduct', batik, { token: 'not.a.jwt' });
    expect(forged.error?.code).toBe(status.UNAUTHENTICATED);
    const asBuyer = await call(clients.catalog, 'CreateProduct', batik, { token: buyer.token });
    expect(asBuyer.error?.code).toBe(status.PERMISSION_DENIED);
    expect(asBuyer.reason).toBe('role_not_allowed');

    const product = await created();
    const byOther = await call(
      clients.catalog,
      'UpdateProduct',
      { id: product.id, stock: 0 },
      { token: otherSeller.token },
    );
    expect(byOther.error?.code).toBe(status.NOT_FOUND);
    expect(byOther.reason).toBe('product_not_found');
    const deleteByOther = await call(
      clients.catalog,
      'DeleteProduct',
      { id: product.id },
      { token: otherSeller.token },
    );
    expect(deleteByOther.error?.code).toBe(status.NOT_FOUND);
    const unchanged = await call<ProductMsg>(clients.catalog, 'GetProduct', { id: product.id });
    expect(unchanged.response?.stock).toBe(batik.stock);
  });

  it('fails with DEADLINE_EXCEEDED when the deadline is shorter than the call', async () => {
    const late = await call(
      clients.catalog,
      'CreateProduct',
      { ...batik, image: { content: png(9), filename: 'late.png' } },
      { token: seller.token, deadlineMs: 1 },
    );
    expect(late.error?.code).toBe(status.DEADLINE_EXCEEDED);
  });
});

describe('CatalogGrpcClient', () => {
  let client: CatalogGrpcClient;
  beforeAll(() => {
    client = new CatalogGrpcClient(app.grpcAddress, { deadlineMs: 10_000 });
  });
  afterAll(() => client?.close());

  it('returns exactly what the REST API shows, down to empty descriptions, zero stock and null images', async () => {
    const owner = await signUp(app, { role: 'seller' });
    const actor: Actor = { userId: owner.id, role: 'seller', credential: owner.token };
    const bare = await client.create(actor, { name: 'Plain', description: '', price: '1000', stock: 0 });
    const pictured = await client.create(
      actor,
      { name: 'Pictured', price: '2000', stock: 3 },
      { field: 'image', bytes: png(5) },
    );
    expect(bare).toMatchObject({ description: '', stock: 0, image_url: null, user_id: owner.id });

    for (const product of [bare, pictured]) {
      const rest = await app.api<ProductJson>('GET', `/products/${product.id}`);
      const viaGrpc = await client.retrieve(product.id);
      expect(viaGrpc).toStrictEqual(rest.body.results);
      expect(JSON.stringify(viaGrpc)).toBe(JSON.stringify(rest.body.results));
      expect(viaGrpc).toStrictEqual(await app.platform.catalog.catalog.retrieve(product.id));
    }

    const rest = await app.api<ProductJson[]>('GET', `/products?seller_id=${owner.id}&limit=1`);
    const page = await client.list({ seller_id: owner.id, limit: 1, sort: 'newest' });
    expect(JSON.stringify(page.items)).toBe(JSON.stringify(rest.body.results));
    expect(page.nextCursor).toBe((rest.body.meta.pagination as { next_cursor: string }).next_cursor);
    const last = await client.list({
      seller_id: owner.id,
      limit: 1,
      sort: 'newest',
      cursor: page.nextCursor!,
    });
    expect(last).toStrictEqual(
      await app.platform.catalog.catalog.list({
        seller_id: owner.id,
        limit: 1,
        sort: 'newest',
        cursor: page.nextCursor!,
      }),
    );
    expect(last.nextCursor).toBeNull();

    const updated = await client.update(actor, bare.id, { stock: 4 });
    expect(updated).toStrictEqual(await app.platform.catalog.catalog.retrieve(bare.id));
    await client.remove(actor, bare.id);
    await expect(client.retrieve(bare.id)).rejects.toMatchObject({
      kind: 'not_found',
      code: 'product_not_found',
    });
  });

  it('raises the same errors as the in-process service, naming the image field the client used', async () => {
    const owner = await signUp(app, { role: 'seller' });
    const actor: Actor = { userId: owner.id, role: 'seller', credential: owner.token };
    const input = { name: 'Broken picture', price: '1000', stock: 1 };
    const image = { field: 'image_url', bytes: Buffer.from('not a picture') };
    const inProcess = await app.platform.catalog.catalog.create(actor, input, image).catch((e: unknown) => e);
    const remote = await client.create(actor, input, image).catch((e: unknown) => e);
    expect(remote).toMatchObject({
      code: 'validation_failed',
      message: 'image_url must be a JPEG, PNG or WebP image',
    });
    expect(remote).toStrictEqual(inProcess);
    const unauthenticated = await client.create(undefined, input).catch((e: unknown) => e);
    expect(unauthenticated).toMatchObject({ kind: 'unauthenticated', code: 'authentication_required' });
  });
});
