import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, unwrap } from '../api/client';
import { useAuth } from '../auth/auth';
import { useFormat } from '../format';
import { useOnline } from '../layout/status';
import { ErrorAlert, useAttemptKey } from '../storefront/common';
import { useStoreT } from '../storefront/messages';
import { type PaymentMethod, PaymentMethodChoice } from './PaymentMethodChoice';
import { ProductImage } from '../storefront/product-parts';
import { cart, lineTitle, useCart, type CartLine } from './cart';
import { ServerCartView } from './ServerCart';
import { useServerCartId } from './server-cart';

type Method = PaymentMethod;

/** Sums decimal strings exactly, in minor units as bigint (never floats). */
function sum(amounts: { amount: string; times: number }[]): string {
  let scale = 0;
  for (const { amount } of amounts) scale = Math.max(scale, amount.split('.')[1]?.length ?? 0);
  let total = 0n;
  for (const { amount, times } of amounts) {
    const [whole = '0', fraction = ''] = amount.split('.');
    const minor = BigInt(whole + fraction.padEnd(scale, '0'));
    total += minor * BigInt(times);
  }
  const digits = total.toString().padStart(scale + 1, '0');
  return scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

export function totalsByCurrency(lines: CartLine[]): [string, string][] {
  const groups = new Map<string, CartLine[]>();
  for (const line of lines) groups.set(line.currency, [...(groups.get(line.currency) ?? []), line]);
  return [...groups].map(([currency, each]) => [
    currency,
    sum(each.map((line) => ({ amount: line.price, times: line.quantity }))),
  ]);
}

function QuantityInput({ line }: { line: CartLine }) {
  const t = useStoreT();
  const id = useId();
  const [value, setValue] = useState(String(line.quantity));
  useEffect(() => setValue(String(line.quantity)), [line.quantity]);
  const commit = () => {
    const quantity = Math.trunc(Number(value));
    if (Number.isFinite(quantity) && quantity >= 1) cart.setQuantity(line, quantity);
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
        max={99}
        step={1}
        value={value}
        onChange={(event) => {
          setValue(event.target.value);
          const quantity = Math.trunc(Number(event.target.value));
          if (event.target.value !== '' && quantity >= 1) cart.setQuantity(line, quantity);
        }}
        onBlur={commit}
      />
    </div>
  );
}

function Lines({ lines }: { lines: CartLine[] }) {
  const t = useStoreT();
  const { money } = useFormat();
  return (
    <div className="table-wrap">
      <table className="cart-lines responsive-table">
        <thead>
          <tr>
            <th scope="col">{t('product')}</th>
            <th scope="col" className="amount">
              {t('unitPrice')}
            </th>
            <th scope="col">{t('quantity')}</th>
            <th scope="col" className="amount">
              {t('subtotal')}
            </th>
            <th scope="col">
              <span className="visually-hidden">{t('remove')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {lines.map((line) => (
            <tr key={`${line.product_id}/${line.variant_id ?? ''}`}>
              <th scope="row">
                <span className="cart-line-name">
                  <ProductImage
                    product={{ name: '', image_url: line.image_url, thumbnail_url: line.image_url }}
                  />
                  <Link to={`/item/${line.product_id}`}>{lineTitle(line)}</Link>
                </span>
              </th>
              <td className="amount" data-label={t('unitPrice')}>
                {money(line.price, line.currency)}
              </td>
              <td>
                <QuantityInput line={line} />
              </td>
              <td className="amount" data-label={t('subtotal')}>
                {money(sum([{ amount: line.price, times: line.quantity }]), line.currency)}
              </td>
              <td>
                <button
                  type="button"
                  className="secondary"
                  aria-label={t('removeItem', { name: lineTitle(line) })}
                  onClick={() => cart.remove(line)}
                >
                  {t('remove')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Checkout({ lines }: { lines: CartLine[] }) {
  const t = useStoreT();
  const { user } = useAuth();
  const online = useOnline();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [method, setMethod] = useState<Method>('wallet');
  const [failedPayment, setFailedPayment] = useState<string | undefined>();
  const attempt = useAttemptKey();
  const methodId = useId();

  const order = useMutation({
    mutationFn: async (body: {
      items: { product_id: string; variant_id?: string; quantity: number }[];
      payment_method: Method;
    }) =>
      unwrap(
        api.POST('/orders', {
          body,
          params: { header: { 'idempotency-key': attempt.keyFor(body) } },
        }),
      ),
    onSuccess: (payment) => {
      // The server answered: this attempt is over, whatever its outcome.
      attempt.done();
      void queries.invalidateQueries({ queryKey: ['orders'] });
      void queries.invalidateQueries({ queryKey: ['wallet'] });
      void queries.invalidateQueries({ queryKey: ['products'] });
      if (payment.status === 'failed') {
        setFailedPayment(payment.failure_code ?? 'failed');
        return;
      }
      cart.clear();
      if (payment.payment_url && payment.status === 'pending') location.assign(payment.payment_url);
      else void navigate(`/account/orders/${payment.order_id}`);
    },
  });

  if (user === undefined) return null;
  const next = encodeURIComponent('/cart');
  if (user === null)
    return (
      <p>
        <Link className="button" to={`/signin?next=${next}`}>
          {t('signInToCheckout')}
        </Link>
      </p>
    );
  if (user.role !== 'buyer') return <p role="status">{t('buyersOnly')}</p>;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setFailedPayment(undefined);
    order.mutate({
      items: lines.map((line) => ({
        product_id: line.product_id,
        ...(line.variant_id ? { variant_id: line.variant_id } : {}),
        quantity: line.quantity,
      })),
      payment_method: method,
    });
  };
  const redirecting = order.isSuccess && order.data.status === 'pending' && !!order.data.payment_url;

  return (
    <form onSubmit={submit} aria-labelledby={`${methodId}-title`}>
      <h2 id={`${methodId}-title`}>{t('checkout')}</h2>
      <PaymentMethodChoice method={method} onChange={setMethod} />
      <div role="status">
        {order.isPending && <p>{t('placing')}</p>}
        {redirecting && <p>{t('redirecting')}</p>}
      </div>
      <ErrorAlert error={order.error} />
      {failedPayment && (
        <p className="error" role="alert">
          {failedPayment === 'insufficient_funds' ? (
            <>
              {t('insufficientFunds')} <Link to="/account/wallet">{t('topUpWallet')}</Link>
            </>
          ) : (
            t('error', { message: failedPayment })
          )}
        </p>
      )}
      {!online && <p className="muted">{t('offlineCart')}</p>}
      <button type="submit" disabled={order.isPending || redirecting}>
        {t('placeOrder')}
      </button>
    </form>
  );
}

export default function CartPage() {
  const t = useStoreT();
  const { money } = useFormat();
  const lines = useCart();
  const serverCartId = useServerCartId();
  const totals = totalsByCurrency(lines);
  return (
    <section className="stack">
      <h1>{t('cartTitle')}</h1>
      {serverCartId ? (
        <ServerCartView id={serverCartId} />
      ) : lines.length === 0 ? (
        <p>
          {t('cartEmpty')} <Link to="/">{t('backToShop')}</Link>
        </p>
      ) : (
        <>
          <Lines lines={lines} />
          <div className="totals" data-testid="cart-totals">
            {totals.map(([currency, amount]) => (
              <p key={currency} className="price">
                {totals.length > 1 ? t('totalIn', { currency }) : t('totals')}: {money(amount, currency)}
              </p>
            ))}
          </div>
          {totals.length > 1 && <p className="muted">{t('mixedCurrencies')}</p>}
          <Checkout lines={lines} />
        </>
      )}
    </section>
  );
}
