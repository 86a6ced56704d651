import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { useFormat } from '../format';
import { Loading } from '../layout/Shell';
import { ErrorMessage } from '../common/errors';
import { useAdminT } from './messages';

/** Midtrans notifications where the gateway and the platform disagree about the money. */
export default function MidtransPage() {
  const t = useAdminT();
  const { date } = useFormat();
  const held = useQuery({
    queryKey: ['admin', 'midtrans', 'held_for_review'],
    queryFn: () =>
      unwrap(
        api.GET('/admin/midtrans/notifications', {
          params: { query: { outcome: 'held_for_review', limit: 100 } },
        }),
      ),
  });
  return (
    <div className="stack">
      <h2>{t('heldForReview')}</h2>
      {held.isPending ? (
        <Loading />
      ) : held.isError ? (
        <ErrorMessage error={held.error} />
      ) : held.data.length === 0 ? (
        <p className="muted">{t('noHeld')}</p>
      ) : (
        <div className="table-wrap">
          <table className="responsive-table">
            <caption className="visually-hidden">{t('heldForReview')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('received')}</th>
                <th scope="col">{t('order')}</th>
                <th scope="col">{t('transactionStatus')}</th>
                <th scope="col">{t('signature')}</th>
                <th scope="col">{t('raw')}</th>
              </tr>
            </thead>
            <tbody>
              {held.data.map((note) => (
                <tr key={note.id}>
                  <td data-label={t('received')}>{date(note.received_at)}</td>
                  <th scope="row" className="mono" data-label={t('order')}>
                    {note.order_id}
                  </th>
                  <td data-label={t('transactionStatus')}>{note.transaction_status ?? '—'}</td>
                  <td
                    className={note.signature_valid ? 'status-ok' : 'status-bad'}
                    data-label={t('signature')}
                  >
                    {note.signature_valid ? t('valid') : t('invalid')}
                  </td>
                  <td data-label={t('raw')}>
                    <details>
                      <summary>{t('showRaw')}</summary>
                      <pre className="raw-json">{JSON.stringify(note.raw ?? note.raw_sample, null, 2)}</pre>
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
