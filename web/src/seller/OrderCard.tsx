import { Fragment, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, idempotencyKey, unwrap } from '../api/client';
import type { paths } from '../api/schema';
import { useFormat } from '../format';
import { ErrorMessage, Field } from '../common/errors';
import { useSellerT } from './messages';
import { RefundPanel } from './RefundPanel';
import { useStatusLabel } from '../common/status';

export type Order =
  paths['/orders']['get']['responses'][200]['content']['application/json']['results'][number];
type Item = Order['items'][number];

const FULFILMENT = {
  unfulfilled: 'f_unfulfilled',
  shipped: 'f_shipped',
  delivered: 'f_delivered',
  canceled: 'f_canceled',
} as const;
/** Only paid goods ship (the server enforces it; this only hides a button that would fail). */
const PAID = new Set(['succeeded', 'partially_refunded']);

function ShipForm({ item, onDone }: { item: Item; onDone(): void }) {
  const t = useSellerT();
  const [carrier, setCarrier] = useState('');
  const [tracking, setTracking] = useState('');
  const [key] = useState(idempotencyKey);
  const ship = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/orders/{id}/items/{itemId}/shipments', {
          params: { path: { id: item.order_id, itemId: item.id }, header: { 'idempotency-key': key } },
          body: { carrier: carrier.trim(), tracking_number: tracking.trim() },
        }),
      ),
    onSuccess: onDone,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    ship.mutate();
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label={`${t('markShipped')}: ${item.name}`}>
      <Field
        label={t('carrier')}
        name="carrier"
        value={carrier}
        onChange={setCarrier}
        error={ship.error}
        required
        maxLength={100}
        autoFocus
      />
      <Field
        label={t('trackingNumber')}
        name="tracking_number"
        value={tracking}
        onChange={setTracking}
        error={ship.error}
        required
        maxLength={100}
      />
      <ErrorMessage error={ship.error} />
      <button type="submit" disabled={ship.isPending}>
        {t('saveShipment')}
      </button>
    </form>
  );
}

/** One order as its seller sees it: their items, each one's fulfilment, and the refunds. */
export function OrderCard({ order, onNotice }: { order: Order; onNotice(text: string): void }) {
  const t = useSellerT();
  const statusLabel = useStatusLabel();
  const { money, date, number } = useFormat();
  const queries = useQueryClient();
  const [shipping, setShipping] = useState<string | null>(null);
  const [refundsOpen, setRefundsOpen] = useState(false);
  const [deliverKey] = useState(idempotencyKey);
  const refresh = () => queries.invalidateQueries({ queryKey: ['seller', 'orders'] });
  const deliver = useMutation({
    mutationFn: (item: Item) =>
      unwrap(
        api.POST('/orders/{id}/items/{itemId}/delivered', {
          params: {
            path: { id: order.id, itemId: item.id },
            header: { 'idempotency-key': `${deliverKey}-${item.id}` },
          },
        }),
      ),
    onSuccess: () => {
      onNotice(t('delivered'));
      void refresh();
    },
  });
  const paid = order.payment !== null && PAID.has(order.payment.status);
  const titleId = `order-${order.id}`;
  return (
    <article className="card order-card stack" aria-labelledby={titleId}>
      <header>
        <h3 id={titleId}>{t('order', { id: order.id.slice(0, 8) })}</h3>
        <span className="muted">{t('placed', { date: date(order.created_at) })}</span>
      </header>
      <p>
        {order.payment
          ? t('payment', { code: order.payment.code, status: statusLabel(order.payment.status) })
          : t('noPayment')}
        {' · '}
        {t('total', { amount: money(order.total, order.currency) })}
      </p>
      <div className="table-wrap">
        <table className="responsive-table">
          <caption className="visually-hidden">{t('order', { id: order.id.slice(0, 8) })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('product')}</th>
              <th scope="col" className="amount">
                {t('quantity')}
              </th>
              <th scope="col" className="amount">
                {t('subtotal')}
              </th>
              <th scope="col">{t('fulfilment')}</th>
              <th scope="col">{t('actions')}</th>
            </tr>
          </thead>
          <tbody>
            {order.items.map((item) => (
              <Fragment key={item.id}>
                <tr>
                  <th scope="row">{item.name}</th>
                  <td className="amount" data-label={t('quantity')}>
                    {number(item.quantity)}
                  </td>
                  <td className="amount" data-label={t('subtotal')}>
                    {money(item.subtotal, order.currency)}
                  </td>
                  <td data-label={t('fulfilment')}>
                    <span className="status">
                      {item.fulfilment_status in FULFILMENT
                        ? t(FULFILMENT[item.fulfilment_status as keyof typeof FULFILMENT])
                        : item.fulfilment_status}
                    </span>
                    {item.carrier && (
                      <div className="muted">
                        {t('tracking', { carrier: item.carrier, tracking: item.tracking_number ?? '' })}
                      </div>
                    )}
                  </td>
                  <td data-label={t('actions')}>
                    {paid && item.fulfilment_status === 'unfulfilled' && (
                      <button
                        type="button"
                        className="secondary"
                        aria-expanded={shipping === item.id}
                        onClick={() => setShipping(shipping === item.id ? null : item.id)}
                      >
                        {t('markShipped')}
                      </button>
                    )}
                    {paid && item.fulfilment_status === 'shipped' && (
                      <button
                        type="button"
                        className="secondary"
                        disabled={deliver.isPending}
                        onClick={() => deliver.mutate(item)}
                      >
                        {t('markDelivered')}
                      </button>
                    )}
                  </td>
                </tr>
                {shipping === item.id && (
                  <tr>
                    <td colSpan={5}>
                      <ShipForm
                        item={item}
                        onDone={() => {
                          setShipping(null);
                          onNotice(t('shipped'));
                          void refresh();
                        }}
                      />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      </div>
      <ErrorMessage error={deliver.error} />
      {order.payment && (
        <details onToggle={(event) => setRefundsOpen(event.currentTarget.open)}>
          <summary>{t('refunds')}</summary>
          {refundsOpen && <RefundPanel payment={order.payment} />}
        </details>
      )}
    </article>
  );
}
