import type { paths } from '../api/schema';
import { useStoreT } from './messages';

export type Product =
  paths['/products']['get']['responses'][200]['content']['application/json']['results'][number];

/**
 * A product's picture with its box reserved (width/height and a square aspect ratio), so
 * nothing moves when it arrives. The alt text is the product's name.
 */
export function ProductImage({
  product,
  eager = false,
  large = false,
}: {
  product: Pick<Product, 'name' | 'image_url' | 'thumbnail_url'>;
  eager?: boolean;
  large?: boolean;
}) {
  const t = useStoreT();
  const src = large
    ? (product.image_url ?? product.thumbnail_url)
    : (product.thumbnail_url ?? product.image_url);
  const size = large ? 800 : 400;
  if (!src)
    return (
      <div
        className={`product-image placeholder${large ? ' large' : ''}`}
        {...(product.name ? { role: 'img', 'aria-label': product.name } : { 'aria-hidden': true })}
      >
        <span aria-hidden="true">{t('noImage')}</span>
      </div>
    );
  return (
    <img
      className={`product-image${large ? ' large' : ''}`}
      src={src}
      alt={product.name}
      width={size}
      height={size}
      loading={eager ? 'eager' : 'lazy'}
      decoding="async"
      {...(eager ? { fetchPriority: 'high' as const } : {})}
    />
  );
}

export function StockState({ stock }: { stock: number }) {
  const t = useStoreT();
  return stock > 0 ? (
    <p className="stock in-stock">{t('inStock', { count: stock })}</p>
  ) : (
    <p className="stock out-of-stock">{t('outOfStock')}</p>
  );
}
