import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrapPage } from '../api/client';
import { useAuth } from '../auth/auth';
import { useFormat } from '../format';
import { Loading } from '../layout/Shell';
import { ErrorAlert, RequireUser, usePaymentStatus } from './common';
import { useStoreT } from './messages';

const PAGE_SIZE = 20;

function Orders() {
  const t = useStoreT();
  const { money, date, number } = useFormat();
  const status = usePaymentStatus();
  const { user } = useAuth();
  const orders = useInfiniteQuery({
    queryKey: ['orders', 'mine', user?.id],
    queryFn: ({ pageParam }) =>
      unwrapPage(
        api.GET('/orders', {
          params: { query: { limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = orders.data?.pages.flatMap((page) => page.items) ?? [];
  if (orders.isPending) return <Loading />;
  if (orders.isError && items.length === 0) return <ErrorAlert error={orders.error} />;
  if (items.length === 0) return <p role="status">{t('noOrders')}</p>;
  return (
    <>
      <div className="table-wrap">
        <table className="responsive-table">
          <thead>
            <tr>
              <th scope="col">{t('order')}</th>
              <th scope="col">{t('date')}</th>
              <th scope="col" className="amount">
                {t('items')}
              </th>
              <th scope="col" className="amount">
                {t('total')}
              </th>
              <th scope="col">{t('payment')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((order) => (
              <tr key={order.id}>
                <th scope="row">
                  <Link to={`/account/orders/${order.id}`}>
                    {order.payment?.code ?? order.id.slice(0, 8)}
                  </Link>
                </th>
                <td data-label={t('date')}>{date(order.created_at)}</td>
                <td className="amount" data-label={t('items')}>
                  {number(order.items.reduce((sum, item) => sum + item.quantity, 0))}
                </td>
                <td className="amount" data-label={t('total')}>
                  {money(order.total, order.currency)}
                </td>
                <td data-label={t('payment')}>
                  <span className="status">
                    {order.payment ? status(order.payment.status) : t('noPayment')}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {orders.isFetchNextPageError && <ErrorAlert error={orders.error} />}
      {orders.hasNextPage && (
        <p>
          <button
            type="button"
            className="secondary"
            onClick={() => void orders.fetchNextPage()}
            disabled={orders.isFetchingNextPage}
            aria-busy={orders.isFetchingNextPage}
          >
            {t('loadMore')}
          </button>
        </p>
      )}
    </>
  );
}

export default function OrdersPage() {
  const t = useStoreT();
  return (
    <section className="stack">
      <h1>{t('ordersTitle')}</h1>
      <RequireUser>
        <Orders />
      </RequireUser>
    </section>
  );
}
