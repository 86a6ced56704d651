import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, ApiError, unwrap } from '../api/client';
import { useFormat } from '../format';
import { ErrorAlert } from '../storefront/common';
import { useStoreT } from '../storefront/messages';
import { type PaymentMethod, PaymentMethodChoice } from './PaymentMethodChoice';
import { CheckoutDetails } from './CheckoutDetails';
import { DiscountCodes } from './DiscountCodes';
import { QuoteSummary } from './QuoteSummary';
import { useCartT } from './messages';
import { usePricingT } from './pricing.messages';
import { type ServerCart, serverCart, useServerCartVersion } from './server-cart';

type Line = ServerCart['lines'][number];
type Method = PaymentMethod;
const path = (id: string) => ({ params: { path: { id } } });

function Quantity({
  cartId,
  line,
  onChange,
}: {
  cartId: string;
  line: Line;
  onChange(cart: ServerCart): void;
}) {
  const t = useStoreT();
  const id = useId();
  const [value, setValue] = useState(String(line.quantity));
  useEffect(() => setValue(String(line.quantity)), [line.quantity]);
  const update = useMutation({
    mutationFn: (quantity: number) =>
      unwrap(
        api.PATCH('/carts/{id}/lines/{lineId}', {
          params: { path: { id: cartId, lineId: line.id } },
          body: { quantity },
        }),
      ),
    onSuccess: onChange,
    onError: () => setValue(String(line.quantity)),
  });
  const commit = () => {
    const quantity = Math.trunc(Number(value));
    if (Number.isFinite(quantity) && quantity >= 1 && quantity !== line.quantity) update.mutate(quantity);
    else setValue(String(line.quantity));
  };
  return (
    <div className="field">
      <label htmlFor={id}>{t('quantity')}</label>
      <input
        id={id}
        className="quantity-input"
        type="number"
        inputMode="numeric"
        min={1}
        step={1}
        value={value}
        onChange={(event) => setValue(event.target.value)}
        onBlur={commit}
      />
      <ErrorAlert error={update.error} />
    </div>
  );
}

function Price({ line }: { line: Line }) {
  const c = useCartT();
  const { money } = useFormat();
  if (!line.price_changed || line.current_unit_price === null)
    return <>{money(line.unit_price, line.currency)}</>;
  const was = money(line.unit_price, line.currency);
  const now = money(line.current_unit_price, line.currency);
  return (
    <span className="price-changed">
      <del aria-hidden="true">{was}</del> <ins aria-hidden="true">{now}</ins>
      <span className="visually-hidden">{c('priceChangedLine', { old: was, new: now })}</span>
    </span>
  );
}

function Checkout({ cart, onDone, onStale }: { cart: ServerCart; onDone(): void; onStale(): void }) {
  const t = useStoreT();
  const p = usePricingT();
  const navigate = useNavigate();
  const methodId = useId();
  const [method, setMethod] = useState<Method>('wallet');
  const [failed, setFailed] = useState<string | undefined>();
  const order = useMutation({
    // No Idempotency-Key needed: the server makes one payment per cart, however often asked.
    mutationFn: () =>
      unwrap(
        api.POST('/carts/{id}/checkout', {
          ...path(cart.id),
          // The total the buyer was shown: the server refuses to charge any other.
          body: { payment_method: method, ...(cart.quote ? { expected_total: cart.quote.total } : {}) },
        }),
      ),
    onSuccess: (payment) => {
      if (payment.status === 'failed') {
        setFailed(payment.failure_code ?? 'failed');
        return;
      }
      onDone();
      if (payment.payment_url && payment.status === 'pending') location.assign(payment.payment_url);
      else void navigate(`/account/orders/${payment.order_id}`);
    },
    onError: (error) => {
      if (isTotalChanged(error)) onStale();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setFailed(undefined);
    order.mutate();
  };
  return (
    <form onSubmit={submit} aria-labelledby={`${methodId}-title`}>
      <h2 id={`${methodId}-title`}>{t('checkout')}</h2>
      <PaymentMethodChoice method={method} onChange={setMethod} />
      <div role="status">{order.isPending && <p>{t('placing')}</p>}</div>
      {isTotalChanged(order.error) ? (
        <p className="error" role="alert">
          {p('totalChanged')}
        </p>
      ) : (
        <ErrorAlert error={order.error} />
      )}
      {failed && (
        <p className="error" role="alert">
          {failed === 'insufficient_funds' ? (
            <>
              {t('insufficientFunds')} <Link to="/account/wallet">{t('topUpWallet')}</Link>
            </>
          ) : (
            t('error', { message: failed })
          )}
        </p>
      )}
      <button type="submit" disabled={order.isPending || cart.totals.prices_changed}>
        {t('placeOrder')}
      </button>
    </form>
  );
}

const isTotalChanged = (error: unknown) => error instanceof ApiError && error.code === 'order_total_changed';

/** A signed-in buyer's cart, as the server keeps it: live prices, changes shown, one checkout. */
export function ServerCartView({ id }: { id: string }) {
  const t = useStoreT();
  const c = useCartT();
  const { money } = useFormat();
  const queries = useQueryClient();
  const version = useServerCartVersion();
  const key = ['cart', id, version];
  const cart = useQuery({ queryKey: key, queryFn: () => unwrap(api.GET('/carts/{id}', path(id))) });
  const show = (next: ServerCart) => queries.setQueryData(key, next);
  const remove = useMutation({
    mutationFn: (lineId: string) =>
      unwrap(api.DELETE('/carts/{id}/lines/{lineId}', { params: { path: { id, lineId } } })),
    onSuccess: show,
  });
  const accept = useMutation({
    mutationFn: () => unwrap(api.POST('/carts/{id}/accept-prices', path(id))),
    onSuccess: show,
  });
  useEffect(() => serverCart.observe(cart.data), [cart.data]);
  // An expired cart is gone: the device's own cart takes over.
  useEffect(() => {
    if (cart.error instanceof ApiError && cart.error.code === 'cart_not_found') serverCart.end();
  }, [cart.error]);
  if (cart.isPending) return <p role="status">{c('loading')}</p>;
  if (cart.isError) return <ErrorAlert error={cart.error} />;
  const { lines, totals } = cart.data;
  if (lines.length === 0)
    return (
      <p>
        {t('cartEmpty')} <Link to="/">{t('backToShop')}</Link>
      </p>
    );
  return (
    <>
      <div className="table-wrap">
        <table className="cart-lines responsive-table">
          <thead>
            <tr>
              <th scope="col">{t('product')}</th>
              <th scope="col" className="amount">
                {t('unitPrice')}
              </th>
              <th scope="col">{t('quantity')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('remove')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {lines.map((line) => (
              <tr key={line.id}>
                <th scope="row">
                  <Link to={`/item/${line.product_id}`}>{line.title}</Link>
                  {line.current_unit_price === null ? (
                    <p className="muted">{c('unavailable')}</p>
                  ) : (
                    !line.in_stock && (
                      <p className="muted">{c('notEnoughStock', { count: line.available_stock })}</p>
                    )
                  )}
                </th>
                <td className="amount" data-label={t('unitPrice')}>
                  <Price line={line} />
                </td>
                <td>
                  <Quantity cartId={id} line={line} onChange={show} />
                </td>
                <td>
                  <button
                    type="button"
                    className="secondary"
                    aria-label={t('removeItem', { name: line.title })}
                    onClick={() => remove.mutate(line.id)}
                  >
                    {t('remove')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ErrorAlert error={remove.error ?? accept.error} />
      {totals.prices_changed && (
        <div role="alert">
          <p>{c('pricesChanged')}</p>
          <button type="button" onClick={() => accept.mutate()} disabled={accept.isPending}>
            {c('acceptPrices')}
          </button>
        </div>
      )}
      <CheckoutDetails cart={cart.data} onChange={show} />
      <DiscountCodes cart={cart.data} onChange={show} />
      <QuoteSummary cart={cart.data} />
      <div className="totals" data-testid="cart-totals">
        {!cart.data.quote && totals.subtotal !== null && totals.currency !== null && (
          <p className="price">
            {t('totals')}: {money(totals.subtotal, totals.currency)}
          </p>
        )}
      </div>
      <Checkout
        cart={cart.data}
        onStale={() => void cart.refetch()}
        onDone={() => {
          void queries.invalidateQueries({ queryKey: ['orders'] });
          void queries.invalidateQueries({ queryKey: ['wallet'] });
          // The checked-out cart is closed: the next item starts the buyer's new cart.
          const userId = serverCart.userId();
          if (userId) void serverCart.sync(userId, []);
        }}
      />
    </>
  );
}
