import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { useFormat } from '../format';
import { Loading } from '../layout/Shell';
import { ErrorMessage } from '../common/errors';
import { useAdminT } from './messages';
import { useStatusLabel } from '../common/status';

function Deliveries({ endpoint }: { endpoint: { id: string; url: string } }) {
  const t = useAdminT();
  const statusLabel = useStatusLabel();
  const { date, number } = useFormat();
  const queries = useQueryClient();
  const [notice, setNotice] = useState('');
  const deliveries = useQuery({
    queryKey: ['admin', 'webhooks', endpoint.id, 'deliveries'],
    queryFn: () =>
      unwrap(
        api.GET('/webhooks/{id}/deliveries', { params: { path: { id: endpoint.id }, query: { limit: 50 } } }),
      ),
  });
  const replay = useMutation({
    mutationFn: (id: string) =>
      unwrap(api.POST('/webhooks/deliveries/{id}/replay', { params: { path: { id } } })),
    onSuccess: () => {
      setNotice(t('replayed'));
      void queries.invalidateQueries({ queryKey: ['admin', 'webhooks', endpoint.id, 'deliveries'] });
    },
  });
  const title = t('deliveriesOf', { url: endpoint.url });
  return (
    <section aria-labelledby="deliveries-heading" className="card stack">
      <h3 id="deliveries-heading">{title}</h3>
      <p role="status" className="success">
        {notice}
      </p>
      <ErrorMessage error={replay.error} />
      {deliveries.isPending ? (
        <Loading />
      ) : deliveries.isError ? (
        <ErrorMessage error={deliveries.error} />
      ) : deliveries.data.length === 0 ? (
        <p className="muted">{t('noDeliveries')}</p>
      ) : (
        <div className="table-wrap">
          <table className="responsive-table">
            <caption className="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">{t('event')}</th>
                <th scope="col">{t('date')}</th>
                <th scope="col">{t('status')}</th>
                <th scope="col" className="amount">
                  {t('attempts')}
                </th>
                <th scope="col">{t('lastResult')}</th>
                <th scope="col">{t('actions')}</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.data.map((delivery) => (
                <tr key={delivery.id}>
                  <th scope="row">{delivery.event_type}</th>
                  <td data-label={t('date')}>{date(delivery.created_at)}</td>
                  <td data-label={t('status')}>
                    <span className={delivery.status === 'failed' ? 'status status-bad' : 'status'}>
                      {statusLabel(delivery.status)}
                    </span>
                  </td>
                  <td className="amount" data-label={t('attempts')}>
                    {number(delivery.attempts)}
                  </td>
                  <td className="mono" data-label={t('lastResult')}>
                    {delivery.last_error ?? delivery.last_status_code ?? '—'}
                  </td>
                  <td data-label={t('actions')}>
                    <button
                      type="button"
                      className="secondary"
                      disabled={replay.isPending}
                      onClick={() => replay.mutate(delivery.id)}
                    >
                      {t('replay')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** Every webhook endpoint, and an endpoint's deliveries with a replay for each. */
export default function WebhooksPage() {
  const t = useAdminT();
  const statusLabel = useStatusLabel();
  const { number } = useFormat();
  const [open, setOpen] = useState<{ id: string; url: string } | null>(null);
  const endpoints = useQuery({
    queryKey: ['admin', 'webhooks'],
    queryFn: () => unwrap(api.GET('/webhooks')),
  });
  return (
    <div className="stack">
      <h2>{t('webhookEndpoints')}</h2>
      {endpoints.isPending ? (
        <Loading />
      ) : endpoints.isError ? (
        <ErrorMessage error={endpoints.error} />
      ) : endpoints.data.length === 0 ? (
        <p className="muted">{t('noEndpoints')}</p>
      ) : (
        <div className="table-wrap">
          <table className="responsive-table">
            <caption className="visually-hidden">{t('webhookEndpoints')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('url')}</th>
                <th scope="col">{t('events')}</th>
                <th scope="col">{t('status')}</th>
                <th scope="col" className="amount">
                  {t('failures')}
                </th>
                <th scope="col">{t('actions')}</th>
              </tr>
            </thead>
            <tbody>
              {endpoints.data.map((endpoint) => (
                <tr key={endpoint.id}>
                  <th scope="row" className="mono">
                    {endpoint.url}
                  </th>
                  <td data-label={t('events')}>{endpoint.event_types.join(', ')}</td>
                  <td data-label={t('status')}>
                    <span className="status">{statusLabel(endpoint.status)}</span>
                  </td>
                  <td className="amount" data-label={t('failures')}>
                    {number(endpoint.failure_streak)}
                  </td>
                  <td data-label={t('actions')}>
                    <button
                      type="button"
                      className="secondary"
                      aria-expanded={open?.id === endpoint.id}
                      onClick={() => setOpen(open?.id === endpoint.id ? null : endpoint)}
                    >
                      {t('showDeliveries')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {open && <Deliveries key={open.id} endpoint={open} />}
    </div>
  );
}
