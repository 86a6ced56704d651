import { useQuery } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, api, unwrap } from '../api/client';
import { cart } from '../cart/cart';
import { useFormat } from '../format';
import { Loading } from '../layout/Shell';
import { ErrorAlert } from './common';
import { useStoreT } from './messages';
import { ProductImage, StockState } from './product-parts';
import { VariantPicker, firstChoice, variantLabel, variantMatching, type Selection } from './VariantPicker';

const MAX_QUANTITY = 99;

export default function ProductPage() {
  const { id = '' } = useParams();
  const t = useStoreT();
  const { money } = useFormat();
  const quantityId = useId();
  const [quantity, setQuantity] = useState('1');
  const [added, setAdded] = useState<string | undefined>();
  // Until the buyer picks, the page shows the first variant in stock. Kept with its product's
  // id: following a link to another product reuses this page.
  const [picked, setPicked] = useState<{ productId: string; selection: Selection } | undefined>();
  const product = useQuery({
    queryKey: ['products', 'one', id],
    queryFn: () => unwrap(api.GET('/products/{id}', { params: { path: { id } } })),
  });

  if (product.isPending) return <Loading />;
  if (product.isError) {
    const missing =
      product.error instanceof ApiError && (product.error.status === 404 || product.error.status === 400);
    return (
      <section className="stack">
        <h1>{missing ? t('productMissing') : t('loadFailed')}</h1>
        {!missing && <ErrorAlert error={product.error} />}
        <p>
          <Link to="/">{t('backToShop')}</Link>
        </p>
      </section>
    );
  }

  const item = product.data;
  const variants = item.variants ?? [];
  const selection = picked?.productId === item.id ? picked.selection : firstChoice(variants);
  const variant = variants.length > 0 ? variantMatching(variants, selection) : undefined;
  // A product sold in variants is bought as one of them: its price and stock are the variant's.
  const unavailable = variants.length > 0 && !variant;
  const price = variant?.price ?? item.price;
  const stock = unavailable ? 0 : (variant?.stock ?? item.stock);
  const most = Math.min(MAX_QUANTITY, stock);
  const add = (event: FormEvent) => {
    event.preventDefault();
    if (unavailable) return;
    const count = Math.max(1, Math.min(most, Math.trunc(Number(quantity)) || 1));
    const label = variant && variantLabel(variant);
    cart.add(
      {
        product_id: item.id,
        name: item.name,
        price,
        currency: item.currency,
        seller_id: item.user_id,
        image_url: item.thumbnail_url ?? item.image_url,
        ...(variant ? { variant_id: variant.id, variant_label: label } : {}),
      },
      count,
    );
    setAdded(t('added', { count, name: label ? `${item.name} (${label})` : item.name }));
  };

  return (
    <article className="product-page">
      <ProductImage product={item} eager large />
      <div className="stack">
        <h1>{item.name}</h1>
        <p className="price" {...(variants.length > 0 ? { 'aria-live': 'polite' as const } : {})}>
          <span className="visually-hidden">{t('price')}: </span>
          {money(price, item.currency)}
        </p>
        {variants.length > 0 && (
          <VariantPicker
            variants={variants}
            selection={selection}
            onChange={(next) => {
              setPicked({ productId: item.id, selection: next });
              setAdded(undefined);
            }}
          />
        )}
        {unavailable ? (
          <p className="stock out-of-stock">{t('variantUnavailable')}</p>
        ) : (
          <StockState stock={stock} />
        )}
        {variant && <p className="muted">{t('sku', { sku: variant.sku })}</p>}
        <p>
          {t('seller')}:{' '}
          <Link to={`/?seller=${encodeURIComponent(item.user_id)}`}>{t('moreFromSeller')}</Link>
        </p>
        {stock > 0 ? (
          <form className="row" onSubmit={add}>
            <div className="field">
              <label htmlFor={quantityId}>{t('quantity')}</label>
              <input
                id={quantityId}
                className="quantity-input"
                type="number"
                inputMode="numeric"
                min={1}
                max={most}
                step={1}
                value={quantity}
                onChange={(event) => setQuantity(event.target.value)}
                required
              />
            </div>
            <button type="submit">{t('addToCart')}</button>
          </form>
        ) : (
          <p>
            <button type="button" disabled>
              {t('addToCart')}
            </button>
          </p>
        )}
        <div role="status">
          {added && (
            <p className="success">
              {added} <Link to="/cart">{t('viewCart')}</Link>
            </p>
          )}
        </div>
        {item.description && (
          <section>
            <h2>{t('description')}</h2>
            <p className="description">{item.description}</p>
          </section>
        )}
      </div>
    </article>
  );
}
