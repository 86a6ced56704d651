import { useQuery } from '@tanstack/react-query';
import { Link, useParams, useSearchParams } from 'react-router';
import { ApiError, api, unwrap } from '../api/client';
import { useFormat } from '../format';
import { Loading } from '../layout/Shell';
import { ErrorAlert, RequireUser, usePaymentStatus } from './common';
import { useStoreT } from './messages';

// While a payment is pending (a Midtrans page, a notification on its way) the page asks again.
const PENDING_POLL_MS = 3000;

type OrderItem = { fulfilment_status: string };

function useShippingStatus() {
  const t = useStoreT();
  return (item: OrderItem) =>
    item.fulfilment_status === 'shipped'
      ? t('shipped')
      : item.fulfilment_status === 'delivered'
        ? t('delivered')
        : item.fulfilment_status === 'canceled'
          ? t('canceled')
          : t('notShipped');
}

function Order({ id }: { id: string }) {
  const t = useStoreT();
  const { money, date } = useFormat();
  const status = usePaymentStatus();
  const shipping = useShippingStatus();
  const [params] = useSearchParams();
  const order = useQuery({
    queryKey: ['orders', 'one', id],
    queryFn: () => unwrap(api.GET('/orders/{id}', { params: { path: { id } } })),
    refetchInterval: (query) => (query.state.data?.payment?.status === 'pending' ? PENDING_POLL_MS : false),
  });
  if (order.isPending) return <Loading />;
  if (order.isError) {
    const missing = order.error instanceof ApiError && [400, 404].includes(order.error.status);
    return (
      <section className="stack">
        <h1>{missing ? t('orderMissing') : t('loadFailed')}</h1>
        {!missing && <ErrorAlert error={order.error} />}
        <p>
          <Link to="/account/orders">{t('backToOrders')}</Link>
        </p>
      </section>
    );
  }
  const data = order.data;
  const payment = data.payment;
  // Back from the payment page: the gateway's word arrives by notification, a moment later.
  const backFromGateway = params.has('transaction_status') || params.has('order_id');
  return (
    <article className="stack">
      <p>
        <Link to="/account/orders">{t('backToOrders')}</Link>
      </p>
      <h1>{t('orderTitle', { code: payment?.code ?? data.id.slice(0, 8) })}</h1>
      <p className="muted">{t('placedOn', { date: date(data.created_at) })}</p>

      <section aria-labelledby="payment-heading" className="card">
        <h2 id="payment-heading">{t('payment')}</h2>
        {payment ? (
          <>
            <dl className="facts">
              <dt>{t('paymentStatus')}</dt>
              <dd>
                <span className="status" data-testid="payment-status">
                  {status(payment.status)}
                </span>
              </dd>
              <dt>{t('method')}</dt>
              <dd>
                {payment.method === 'wallet'
                  ? t('wallet')
                  : payment.method === 'midtrans'
                    ? t('midtrans')
                    : payment.method}
              </dd>
              <dt>{t('amount')}</dt>
              <dd>{money(payment.amount, data.currency)}</dd>
              {!/^0*(\.0*)?$/.test(payment.refunded) && (
                <>
                  <dt>{t('refunded')}</dt>
                  <dd>{money(payment.refunded, data.currency)}</dd>
                </>
              )}
            </dl>
            <div role="status">
              {payment.status === 'pending' && (backFromGateway || !payment.payment_url) && (
                <p>{t('waitingForPayment')}</p>
              )}
            </div>
            {payment.status === 'pending' && payment.payment_url && (
              <p>
                <a className="button" href={payment.payment_url}>
                  {t('payNow')}
                </a>
              </p>
            )}
          </>
        ) : (
          <p>{t('noPayment')}</p>
        )}
      </section>

      <section aria-labelledby="items-heading">
        <h2 id="items-heading">{t('items')}</h2>
        <div className="table-wrap">
          <table className="responsive-table">
            <thead>
              <tr>
                <th scope="col">{t('product')}</th>
                <th scope="col" className="amount">
                  {t('quantity')}
                </th>
                <th scope="col" className="amount">
                  {t('unitPrice')}
                </th>
                <th scope="col" className="amount">
                  {t('subtotal')}
                </th>
                <th scope="col">{t('shipping')}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((item) => (
                <tr key={item.id}>
                  <th scope="row">
                    <Link to={`/item/${item.product_id}`}>{item.name}</Link>
                  </th>
                  <td className="amount" data-label={t('quantity')}>
                    {item.quantity}
                  </td>
                  <td className="amount" data-label={t('unitPrice')}>
                    {money(item.unit_price, data.currency)}
                  </td>
                  <td className="amount" data-label={t('subtotal')}>
                    {money(item.subtotal, data.currency)}
                  </td>
                  <td data-label={t('shipping')}>
                    <span className="status">{shipping(item)}</span>
                    {item.carrier && (
                      <dl className="facts shipping-facts">
                        <dt>{t('carrier')}</dt>
                        <dd>{item.carrier}</dd>
                        {item.tracking_number && (
                          <>
                            <dt>{t('tracking')}</dt>
                            <dd>{item.tracking_number}</dd>
                          </>
                        )}
                        {item.shipped_at && (
                          <>
                            <dt>{t('shipped')}</dt>
                            <dd>{date(item.shipped_at)}</dd>
                          </>
                        )}
                        {item.delivered_at && (
                          <>
                            <dt>{t('delivered')}</dt>
                            <dd>{date(item.delivered_at)}</dd>
                          </>
                        )}
                      </dl>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={3}>
                  {t('total')}
                </th>
                <td className="amount">{money(data.total, data.currency)}</td>
                <td />
              </tr>
            </tfoot>
          </table>
        </div>
      </section>

      <section aria-labelledby="refunds-heading">
        <h2 id="refunds-heading">{t('refunds')}</h2>
        {data.refunds.length === 0 ? (
          <p className="muted">{t('noRefunds')}</p>
        ) : (
          <div className="table-wrap">
            <table className="responsive-table">
              <thead>
                <tr>
                  <th scope="col">{t('date')}</th>
                  <th scope="col" className="amount">
                    {t('amount')}
                  </th>
                  <th scope="col">{t('status')}</th>
                  <th scope="col">{t('reason')}</th>
                </tr>
              </thead>
              <tbody>
                {data.refunds.map((refund) => (
                  <tr key={refund.id}>
                    <td data-label={t('date')}>{date(refund.created_at)}</td>
                    <td className="amount" data-label={t('amount')}>
                      {money(refund.amount, data.currency)}
                    </td>
                    <td data-label={t('status')}>
                      {refund.status === 'succeeded' ? t('st_refunded') : status(refund.status)}
                    </td>
                    <td data-label={t('reason')}>{refund.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </article>
  );
}

export default function OrderPage() {
  const { id = '' } = useParams();
  return (
    <RequireUser>
      <Order id={id} />
    </RequireUser>
  );
}
