import { useState } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { api, unwrapPage } from '../api/client';
import { Loading } from '../layout/Shell';
import { ErrorMessage } from '../common/errors';
import { LoadMore } from '../common/LoadMore';
import { useSellerT } from './messages';
import { OrderCard } from './OrderCard';

/** Orders holding the seller's items, newest first: ship, deliver, refund. */
export default function OrdersPage() {
  const t = useSellerT();
  const [notice, setNotice] = useState('');
  const orders = useInfiniteQuery({
    queryKey: ['seller', 'orders'],
    queryFn: ({ pageParam }) =>
      unwrapPage(api.GET('/orders', { params: { query: { cursor: pageParam, limit: 20 } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = orders.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <div className="stack">
      <h2>{t('ordersToFulfil')}</h2>
      <p role="status" className="success">
        {notice}
      </p>
      {orders.isPending ? (
        <Loading />
      ) : orders.isError && items.length === 0 ? (
        <ErrorMessage error={orders.error} />
      ) : items.length === 0 ? (
        <p className="muted">{t('noOrders')}</p>
      ) : (
        items.map((order) => <OrderCard key={order.id} order={order} onNotice={setNotice} />)
      )}
      <LoadMore query={orders} />
    </div>
  );
}
