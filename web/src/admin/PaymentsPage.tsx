import { useState, type FormEvent } from 'react';
import { useFormat } from '../format';
import { api, unwrapPage } from '../api/client';
import type { paths } from '../api/schema';
import { PagedTable } from '../common/PagedTable';
import { RefundList } from '../common/RefundList';
import { useAdminT } from './messages';
import { useStatusLabel } from '../common/status';

const STATUSES = [
  'pending',
  'succeeded',
  'failed',
  'canceled',
  'expired',
  'partially_refunded',
  'refunded',
] as const;
type Status = (typeof STATUSES)[number];
type AdminPayment =
  paths['/admin/payments']['get']['responses'][200]['content']['application/json']['results'][number];

/** Every payment: find one by its code or status, and read its refunds. */
export default function PaymentsPage() {
  const t = useAdminT();
  const statusLabel = useStatusLabel();
  const { money, date } = useFormat();
  const [draft, setDraft] = useState<{ code: string; status: Status | '' }>({ code: '', status: '' });
  const [filter, setFilter] = useState(draft);
  const [open, setOpen] = useState<AdminPayment | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setFilter({ code: draft.code.trim(), status: draft.status });
    setOpen(null);
  };
  return (
    <div className="stack">
      <h2>{t('paymentsAndRefunds')}</h2>
      <form className="filters" role="search" onSubmit={submit}>
        <div className="field">
          <label htmlFor="payment-code">{t('paymentCode')}</label>
          <input
            id="payment-code"
            type="search"
            value={draft.code}
            maxLength={100}
            onChange={(event) => setDraft({ ...draft, code: event.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="payment-status">{t('status')}</label>
          <select
            id="payment-status"
            value={draft.status}
            onChange={(event) => setDraft({ ...draft, status: event.target.value as Status | '' })}
          >
            <option value="">{t('anyStatus')}</option>
            {STATUSES.map((status) => (
              <option key={status} value={status}>
                {statusLabel(status)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">{t('search')}</button>
      </form>
      <PagedTable
        queryKey={['admin', 'payments', filter]}
        fetchPage={(cursor) =>
          unwrapPage(
            api.GET('/admin/payments', {
              params: {
                query: {
                  code: filter.code || undefined,
                  status: filter.status || undefined,
                  cursor,
                  limit: 20,
                },
              },
            }),
          )
        }
        caption={t('payments')}
        columns={[t('code'), t('date'), t('amount'), t('refunded'), t('method'), t('status'), t('actions')]}
        numeric={[2, 3]}
        empty={t('noPayments')}
        row={(payment) => (
          <tr key={payment.id}>
            <th scope="row" className="mono">
              {payment.payment_code}
            </th>
            <td data-label={t('date')}>{date(payment.created_at)}</td>
            <td className="amount" data-label={t('amount')}>
              {money(payment.total_amount, payment.currency)}
            </td>
            <td className="amount" data-label={t('refunded')}>
              {money(payment.refunded_amount, payment.currency)}
            </td>
            <td data-label={t('method')}>{payment.payment_method}</td>
            <td data-label={t('status')}>
              <span className="status">{statusLabel(payment.status)}</span>
            </td>
            <td data-label={t('actions')}>
              <button
                type="button"
                className="secondary"
                aria-expanded={open?.id === payment.id}
                aria-label={`${open?.id === payment.id ? t('hideRefunds') : t('showRefunds')} ${payment.payment_code}`}
                onClick={() => setOpen(open?.id === payment.id ? null : payment)}
              >
                {open?.id === payment.id ? t('hideRefunds') : t('showRefunds')}
              </button>
            </td>
          </tr>
        )}
        footer={
          open && (
            <section aria-labelledby="refunds-heading" className="card stack">
              <h3 id="refunds-heading">{t('refundsOf', { code: open.payment_code })}</h3>
              <RefundList paymentId={open.id} code={open.payment_code} />
            </section>
          )
        }
      />
    </div>
  );
}
