import { useInfiniteQuery } from '@tanstack/react-query';
import { useId, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, unwrapPage } from '../api/client';
import { useFormat } from '../format';
import { Loading } from '../layout/Shell';
import { ErrorAlert } from './common';
import { useStoreT } from './messages';
import { ProductImage, StockState, type Product } from './product-parts';

const PAGE_SIZE = 24;
// Loaded at once: the first row is what a visitor sees before scrolling.
const EAGER_IMAGES = 4;
const SORTS = ['newest', 'price_asc', 'price_desc'] as const;
type Sort = (typeof SORTS)[number];

/** The API query the address bar describes (so a search is a link, and Back works). */
function queryOf(params: URLSearchParams) {
  const sort = params.get('sort');
  const text = (name: string) => params.get(name)?.trim() || undefined;
  return {
    q: text('q'),
    sort: SORTS.includes(sort as Sort) ? (sort as Sort) : undefined,
    min_price: text('min'),
    max_price: text('max'),
    currency: text('currency')?.toUpperCase(),
    seller_id: text('seller'),
    in_stock: params.get('in_stock') === '1' ? true : undefined,
  };
}

function ProductCard({ product, eager }: { product: Product; eager: boolean }) {
  const { money } = useFormat();
  return (
    <li className="card product-card">
      <ProductImage product={product} eager={eager} />
      <h2 className="product-name">
        <Link to={`/item/${product.id}`}>{product.name}</Link>
      </h2>
      <p className="price">{money(product.price, product.currency)}</p>
      <StockState stock={product.stock} />
    </li>
  );
}

function Filters() {
  const t = useStoreT();
  const [params, setParams] = useSearchParams();
  const id = useId();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = new URLSearchParams();
    for (const name of ['q', 'sort', 'min', 'max', 'currency'] as const) {
      const value = String(form.get(name) ?? '').trim();
      if (value && !(name === 'sort' && value === 'newest')) next.set(name, value);
    }
    if (form.get('in_stock')) next.set('in_stock', '1');
    const seller = params.get('seller');
    if (seller) next.set('seller', seller);
    setParams(next);
  };
  // Keyed by the address so that Back, or "Clear filters", resets what the fields show.
  return (
    <form role="search" className="catalog-search" onSubmit={submit} key={params.toString()}>
      <div className="search-row">
        <label htmlFor={`${id}-q`} className="visually-hidden">
          {t('search')}
        </label>
        <input
          id={`${id}-q`}
          name="q"
          type="search"
          placeholder={t('search')}
          defaultValue={params.get('q') ?? ''}
          maxLength={200}
        />
        <button type="submit">{t('searchButton')}</button>
      </div>
      <details
        className="filters"
        open={['min', 'max', 'currency', 'in_stock', 'sort'].some((n) => params.has(n))}
      >
        <summary>{t('filters')}</summary>
        <div className="filter-grid">
          <div className="field">
            <label htmlFor={`${id}-sort`}>{t('sort')}</label>
            <select id={`${id}-sort`} name="sort" defaultValue={params.get('sort') ?? 'newest'}>
              <option value="newest">{t('sortNewest')}</option>
              <option value="price_asc">{t('sortPriceAsc')}</option>
              <option value="price_desc">{t('sortPriceDesc')}</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-min`}>{t('minPrice')}</label>
            <input
              id={`${id}-min`}
              name="min"
              inputMode="decimal"
              pattern="[0-9]+([.][0-9]+)?"
              defaultValue={params.get('min') ?? ''}
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-max`}>{t('maxPrice')}</label>
            <input
              id={`${id}-max`}
              name="max"
              inputMode="decimal"
              pattern="[0-9]+([.][0-9]+)?"
              defaultValue={params.get('max') ?? ''}
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-currency`}>{t('currency')}</label>
            <input
              id={`${id}-currency`}
              name="currency"
              placeholder="IDR"
              maxLength={3}
              pattern="[A-Za-z]{3}"
              autoCapitalize="characters"
              defaultValue={params.get('currency') ?? ''}
            />
          </div>
          <label className="check">
            <input type="checkbox" name="in_stock" defaultChecked={params.get('in_stock') === '1'} />
            {t('inStockOnly')}
          </label>
        </div>
        <div className="row">
          <button type="submit">{t('applyFilters')}</button>
          <Link to="/" className="button secondary">
            {t('clearFilters')}
          </Link>
        </div>
      </details>
    </form>
  );
}

export default function CatalogPage() {
  const t = useStoreT();
  const { number } = useFormat();
  const [params] = useSearchParams();
  const query = queryOf(params);
  const products = useInfiniteQuery({
    queryKey: ['products', query],
    queryFn: ({ pageParam }) =>
      unwrapPage(
        api.GET('/products', {
          params: { query: { ...query, limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = products.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <section className="stack">
      <h1>{t('catalogTitle')}</h1>
      <Filters />
      {query.seller_id && (
        <p className="row">
          {t('sellerFilter')} <Link to="/">{t('allProducts')}</Link>
        </p>
      )}
      {products.isPending && <Loading />}
      {products.isError && <ErrorAlert error={products.error} />}
      {products.isSuccess && items.length === 0 && <p role="status">{t('noProducts')}</p>}
      {items.length > 0 && (
        <>
          <ul className="grid product-grid" aria-label={t('catalogTitle')}>
            {items.map((product, index) => (
              <ProductCard key={product.id} product={product} eager={index < EAGER_IMAGES} />
            ))}
          </ul>
          <p className="muted" role="status">
            {t('productCount', { count: number(items.length) })}
          </p>
        </>
      )}
      {products.isFetchNextPageError && <ErrorAlert error={products.error} />}
      {products.hasNextPage && (
        <p>
          <button
            type="button"
            className="secondary"
            onClick={() => void products.fetchNextPage()}
            disabled={products.isFetchingNextPage}
            aria-busy={products.isFetchingNextPage}
          >
            {t('loadMore')}
          </button>
        </p>
      )}
    </section>
  );
}
