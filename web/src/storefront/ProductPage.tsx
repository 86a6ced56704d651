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

const MAX_QUANTITY = 99;

export default function ProductPage() {
  const { id = '' } = useParams();
  const t = useStoreT();
  const { money } = useFormat();
  const quantityId = useId();
  const [quantity, setQuantity] = useState('1');
  const [added, setAdded] = useState<string | undefined>();
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
  const most = Math.min(MAX_QUANTITY, item.stock);
  const add = (event: FormEvent) => {
    event.preventDefault();
    const count = Math.max(1, Math.min(most, Math.trunc(Number(quantity)) || 1));
    cart.add(
      {
        product_id: item.id,
        name: item.name,
        price: item.price,
        currency: item.currency,
        seller_id: item.user_id,
        image_url: item.thumbnail_url ?? item.image_url,
      },
      count,
    );
    setAdded(t('added', { count, name: item.name }));
  };

  return (
    <article className="product-page">
      <ProductImage product={item} eager large />
      <div className="stack">
        <h1>{item.name}</h1>
        <p className="price">
          <span className="visually-hidden">{t('price')}: </span>
          {money(item.price, item.currency)}
        </p>
        <StockState stock={item.stock} />
        <p>
          {t('seller')}:{' '}
          <Link to={`/?seller=${encodeURIComponent(item.user_id)}`}>{t('moreFromSeller')}</Link>
        </p>
        {item.stock > 0 ? (
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
