import sharp from 'sharp';
import type { PublicProduct } from '../../src/modules/catalog/catalog.rules.js';
import { encodePng } from '../../src/cli/seed/png.js';
import type { TestApp } from './test-app.js';

export const png = (seed = 1) =>
  encodePng(8, 8, (x, y) => [(x * 30 + seed) % 256, (y * 30) % 256, seed % 256]);

export function productForm(
  fields: Record<string, string>,
  file?: { field: string; bytes: Buffer; name?: string },
) {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  if (file) form.append(file.field, new Blob([file.bytes]), file.name ?? 'picture.png');
  return form;
}

/** What a stored image decodes as: uploads are re-encoded, so this is what a test can compare. */
export async function imageInfo(bytes: Buffer) {
  const { format, width, height, exif, icc, xmp } = await sharp(bytes).metadata();
  return { format, width, height, exif, icc, xmp };
}

/** A product as the API answers it. */
export type ProductJson = PublicProduct;

export async function createProduct(app: TestApp, token: string, overrides: Record<string, unknown> = {}) {
  const res = await app.api<ProductJson>('POST', '/products', {
    token,
    body: {
      name: 'Batik shirt',
      description: 'Hand-stamped cotton',
      price: '150000',
      stock: 5,
      ...overrides,
    },
  });
  if (res.status !== 201) throw new Error(`create product failed: ${JSON.stringify(res.body)}`);
  return res.body.results;
}

export async function countProducts(app: TestApp): Promise<number> {
  const row = await app.db.database.db
    .selectFrom('products' as never)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
