import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { useFormat } from '../format';
import { Loading } from '../layout/Shell';
import { ErrorMessage } from '../common/errors';
import { useAdminT } from './messages';
import { useStatusLabel } from '../common/status';

const STATUSES = ['pending', 'sent', 'failed', 'suppressed'] as const;
type Status = (typeof STATUSES)[number];

/** The mail log, newest first, with a status filter. */
export default function MailPage() {
  const t = useAdminT();
  const statusLabel = useStatusLabel();
  const { date, number } = useFormat();
  const [status, setStatus] = useState<Status | ''>('');
  const mail = useQuery({
    queryKey: ['admin', 'mail', status],
    queryFn: () =>
      unwrap(api.GET('/admin/mail', { params: { query: { status: status || undefined, limit: 100 } } })),
  });
  return (
    <div className="stack">
      <h2>{t('mailLog')}</h2>
      <div className="filters">
        <div className="field">
          <label htmlFor="mail-status">{t('status')}</label>
          <select
            id="mail-status"
            value={status}
            onChange={(event) => setStatus(event.target.value as Status | '')}
          >
            <option value="">{t('anyStatus')}</option>
            {STATUSES.map((each) => (
              <option key={each}>{each}</option>
            ))}
          </select>
        </div>
      </div>
      {mail.isPending ? (
        <Loading />
      ) : mail.isError ? (
        <ErrorMessage error={mail.error} />
      ) : mail.data.length === 0 ? (
        <p className="muted">{t('noMail')}</p>
      ) : (
        <div className="table-wrap">
          <table className="responsive-table">
            <caption className="visually-hidden">{t('mailLog')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('date')}</th>
                <th scope="col">{t('to')}</th>
                <th scope="col">{t('subject')}</th>
                <th scope="col">{t('kind')}</th>
                <th scope="col">{t('status')}</th>
                <th scope="col" className="amount">
                  {t('attempts')}
                </th>
                <th scope="col">{t('lastError')}</th>
              </tr>
            </thead>
            <tbody>
              {mail.data.map((each) => (
                <tr key={each.id}>
                  <td data-label={t('date')}>{date(each.created_at)}</td>
                  <td data-label={t('to')}>{each.to}</td>
                  <th scope="row" data-label={t('subject')}>
                    {each.subject}
                  </th>
                  <td data-label={t('kind')}>{each.kind}</td>
                  <td data-label={t('status')}>
                    <span className={each.status === 'failed' ? 'status status-bad' : 'status'}>
                      {statusLabel(each.status)}
                    </span>
                  </td>
                  <td className="amount" data-label={t('attempts')}>
                    {number(each.attempts)}
                  </td>
                  <td className="mono" data-label={t('lastError')}>
                    {each.last_error ?? '—'}
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
