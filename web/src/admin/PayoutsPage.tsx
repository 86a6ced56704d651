import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, idempotencyKey, unwrapPage } from '../api/client';
import { useFormat } from '../format';
import { ErrorMessage } from '../common/errors';
import { unwrapDone } from '../common/unwrapDone';
import { PagedTable } from '../common/PagedTable';
import { useAdminT } from './messages';

interface Payout {
  id: string;
  seller_id: string;
  amount: string;
  currency: string;
}

/** Payouts sellers asked for and nobody has paid yet: mark them paid, or cancel them. */
export default function PayoutsPage() {
  const t = useAdminT();
  const { money, date } = useFormat();
  const queries = useQueryClient();
  const [notice, setNotice] = useState('');
  const resolve = useMutation({
    mutationFn: ({ payout, action }: { payout: Payout; action: 'complete' | 'cancel' }) => {
      const init = { params: { path: { id: payout.id } }, headers: { 'Idempotency-Key': idempotencyKey() } };
      return unwrapDone(
        action === 'complete'
          ? api.POST('/admin/payouts/{id}/complete', init)
          : api.POST('/admin/payouts/{id}/cancel', init),
      );
    },
    onSuccess: (_, { payout, action }) => {
      const amount = money(payout.amount, payout.currency);
      setNotice(action === 'complete' ? t('payoutPaid', { amount }) : t('payoutCanceled', { amount }));
      void queries.invalidateQueries({ queryKey: ['admin', 'payouts'] });
    },
  });
  return (
    <div className="stack">
      <h2>{t('payoutsWaiting')}</h2>
      <p role="status" className="success">
        {notice}
      </p>
      <ErrorMessage error={resolve.error} />
      <PagedTable
        queryKey={['admin', 'payouts', 'pending']}
        fetchPage={(cursor) =>
          unwrapPage(
            api.GET('/admin/payouts', { params: { query: { status: 'pending', cursor, limit: 20 } } }),
          )
        }
        caption={t('payoutsWaiting')}
        columns={[t('date'), t('seller'), t('amount'), t('actions')]}
        numeric={[2]}
        empty={t('noPayouts')}
        row={(payout) => (
          <tr key={payout.id}>
            <td data-label={t('date')}>{date(payout.created_at)}</td>
            <td className="mono" data-label={t('seller')}>
              {payout.seller_id}
            </td>
            <th scope="row" className="amount" data-label={t('amount')}>
              {money(payout.amount, payout.currency)}
            </th>
            <td data-label={t('actions')}>
              <div className="actions">
                <button
                  type="button"
                  disabled={resolve.isPending}
                  onClick={() => resolve.mutate({ payout, action: 'complete' })}
                >
                  {t('markPaid')}
                </button>
                <button
                  type="button"
                  className="danger"
                  disabled={resolve.isPending}
                  onClick={() => resolve.mutate({ payout, action: 'cancel' })}
                >
                  {t('cancel')}
                </button>
              </div>
            </td>
          </tr>
        )}
      />
    </div>
  );
}
