import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { useFormat } from '../format';
import { Loading } from '../layout/Shell';
import { ErrorMessage } from './errors';
import { useCommonT } from './messages';
import { useStatusLabel } from './status';

/** A payment's refunds, oldest first (GET /payments/{id}/refunds). */
export function RefundList({ paymentId, code }: { paymentId: string; code: string }) {
  const t = useCommonT();
  const statusLabel = useStatusLabel();
  const { money, date } = useFormat();
  const refunds = useQuery({
    queryKey: ['refunds', paymentId],
    queryFn: () => unwrap(api.GET('/payments/{id}/refunds', { params: { path: { id: paymentId } } })),
  });
  if (refunds.isPending) return <Loading />;
  if (refunds.isError) return <ErrorMessage error={refunds.error} />;
  if (refunds.data.length === 0) return <p className="muted">{t('noRefunds')}</p>;
  return (
    <div className="table-wrap">
      <table className="responsive-table">
        <caption className="visually-hidden">{t('refundsCaption', { code })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('date')}</th>
            <th scope="col" className="amount">
              {t('amount')}
            </th>
            <th scope="col">{t('reason')}</th>
            <th scope="col">{t('status')}</th>
          </tr>
        </thead>
        <tbody>
          {refunds.data.map((refund) => (
            <tr key={refund.id}>
              <td data-label={t('date')}>{date(refund.created_at)}</td>
              <td className="amount" data-label={t('amount')}>
                {money(refund.amount, refund.currency)}
              </td>
              <td data-label={t('reason')}>{refund.reason}</td>
              <td data-label={t('status')}>
                <span className="status">{statusLabel(refund.status)}</span>
                {refund.failure_message && <span className="error"> {refund.failure_message}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
