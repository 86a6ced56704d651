import { useInfiniteQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { ApiError } from '../api/client';
import { ErrorMessage } from '../common/errors';
import { useFormat } from '../format';
import { Loading } from '../layout/Shell';
import { useAuditT } from './audit-messages';

interface Filters {
  actor_id?: string;
  subject_user_id?: string;
  action?: string;
  from?: string;
  to?: string;
}

/** datetime-local has no zone: read it as the browser's local time, sent as ISO 8601. */
const isoOf = (local: string) => (local ? new Date(local).toISOString() : undefined);

/** The audit log, newest first: filter by who, whose data, action and time; keyset pages. */
export default function AuditPage() {
  const t = useAuditT();
  const { date } = useFormat();
  const [filters, setFilters] = useState<Filters>({});
  const entries = useInfiniteQuery({
    queryKey: ['admin', 'audit', filters],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) => {
      const { data, error, response } = await api.GET('/admin/audit', {
        params: { query: { ...filters, limit: 50, cursor: pageParam } },
      });
      if (!data) {
        const meta = (error as { meta?: { code?: string; message?: string } } | undefined)?.meta;
        throw new ApiError(response.status, meta?.code ?? `http_${response.status}`, meta?.message ?? '');
      }
      return data;
    },
    getNextPageParam: (page) => page.meta.pagination.next_cursor ?? undefined,
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? '').trim() || undefined;
    setFilters({
      actor_id: value('actor_id'),
      subject_user_id: value('subject_user_id'),
      action: value('action'),
      from: isoOf(value('from') ?? ''),
      to: isoOf(value('to') ?? ''),
    });
  };
  const rows = entries.data?.pages.flatMap((page) => page.results) ?? [];
  return (
    <div className="stack">
      <h2>{t('title')}</h2>
      <form className="filters" onSubmit={submit}>
        <div className="field">
          <label htmlFor="audit-actor">{t('actor')}</label>
          <input id="audit-actor" name="actor_id" />
        </div>
        <div className="field">
          <label htmlFor="audit-subject">{t('subject')}</label>
          <input id="audit-subject" name="subject_user_id" />
        </div>
        <div className="field">
          <label htmlFor="audit-action">{t('action')}</label>
          <input id="audit-action" name="action" placeholder="admin.*" aria-describedby="audit-action-hint" />
          <span className="muted hint" id="audit-action-hint">
            {t('actionHint')}
          </span>
        </div>
        <div className="field">
          <label htmlFor="audit-from">{t('from')}</label>
          <input id="audit-from" name="from" type="datetime-local" />
        </div>
        <div className="field">
          <label htmlFor="audit-to">{t('to')}</label>
          <input id="audit-to" name="to" type="datetime-local" />
        </div>
        <button type="submit">{t('filter')}</button>
      </form>
      {entries.isPending ? (
        <Loading />
      ) : entries.isError ? (
        <ErrorMessage error={entries.error} />
      ) : rows.length === 0 ? (
        <p className="muted">{t('none')}</p>
      ) : (
        <div className="table-wrap">
          <table className="responsive-table">
            <caption className="visually-hidden">{t('title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('when')}</th>
                <th scope="col">{t('action')}</th>
                <th scope="col">{t('who')}</th>
                <th scope="col">{t('target')}</th>
                <th scope="col">{t('whose')}</th>
                <th scope="col">{t('where')}</th>
                <th scope="col">{t('outcome')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((entry) => (
                <tr key={entry.sequence}>
                  <td data-label={t('when')}>{date(entry.occurred_at)}</td>
                  <th scope="row" className="mono" data-label={t('action')}>
                    {entry.action}
                  </th>
                  <td className="mono" data-label={t('who')}>
                    {entry.actor.id ?? '—'} {entry.actor.role && `(${entry.actor.role})`}
                    {entry.actor.client_id && ` · ${entry.actor.client_id}`}
                  </td>
                  <td className="mono" data-label={t('target')}>
                    {entry.target ? `${entry.target.kind} ${entry.target.id}` : '—'}
                  </td>
                  <td className="mono" data-label={t('whose')}>
                    {entry.subject_user_id ?? '—'}
                  </td>
                  <td data-label={t('where')}>
                    {entry.ip ?? '—'}
                    {entry.user_agent && <span className="muted"> · {entry.user_agent}</span>}
                  </td>
                  <td data-label={t('outcome')}>{entry.status_code ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {entries.hasNextPage && (
        <button type="button" onClick={() => entries.fetchNextPage()} disabled={entries.isFetchingNextPage}>
          {t('more')}
        </button>
      )}
    </div>
  );
}
