import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, unwrapPage } from '../api/client';
import { useFormat } from '../format';
import { ConfirmButton } from '../common/ConfirmButton';
import { ErrorMessage } from '../common/errors';
import { PagedTable } from '../common/PagedTable';
import { useAdminT } from './messages';
import { useStatusLabel } from '../common/status';

/** Accounts: search, page through, disable and enable. */
export default function UsersPage() {
  const t = useAdminT();
  const statusLabel = useStatusLabel();
  const { date } = useFormat();
  const queries = useQueryClient();
  const [draft, setDraft] = useState('');
  const [q, setQ] = useState('');
  const [notice, setNotice] = useState('');
  const toggle = useMutation({
    mutationFn: ({ id, action }: { id: string; email: string; action: 'disable' | 'enable' }) =>
      unwrap(
        action === 'disable'
          ? api.POST('/admin/users/{id}/disable', { params: { path: { id } } })
          : api.POST('/admin/users/{id}/enable', { params: { path: { id } } }),
      ),
    onSuccess: (user, { email }) => {
      setNotice(user.status === 'disabled' ? t('userDisabled', { email }) : t('userEnabled', { email }));
      void queries.invalidateQueries({ queryKey: ['admin', 'users'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setQ(draft.trim());
  };
  return (
    <div className="stack">
      <h2>{t('users')}</h2>
      <form className="filters" role="search" onSubmit={submit}>
        <div className="field">
          <label htmlFor="user-search">{t('searchUsers')}</label>
          <input
            id="user-search"
            type="search"
            value={draft}
            maxLength={254}
            placeholder={t('searchHint')}
            onChange={(event) => setDraft(event.target.value)}
          />
        </div>
        <button type="submit">{t('search')}</button>
      </form>
      <p role="status" className="success">
        {notice}
      </p>
      <ErrorMessage error={toggle.error} />
      <PagedTable
        queryKey={['admin', 'users', q]}
        fetchPage={(cursor) =>
          unwrapPage(api.GET('/admin/users', { params: { query: { q: q || undefined, cursor, limit: 20 } } }))
        }
        caption={t('users')}
        columns={[t('name'), t('email'), t('role'), t('status'), t('joined'), t('actions')]}
        empty={t('noUsers')}
        row={(user) => {
          const disabled = user.status === 'disabled';
          return (
            <tr key={user.id} className={disabled ? 'is-disabled' : undefined}>
              <th scope="row">{user.name}</th>
              <td data-label={t('email')}>{user.email}</td>
              <td data-label={t('role')}>{user.role}</td>
              <td data-label={t('status')}>
                <span className={disabled ? 'status status-bad' : 'status'}>{statusLabel(user.status)}</span>
                {user.disabled_at && (
                  <div className="muted">{t('disabledOn', { date: date(user.disabled_at) })}</div>
                )}
              </td>
              <td data-label={t('joined')}>{date(user.created_at, false)}</td>
              <td data-label={t('actions')}>
                <ConfirmButton
                  label={disabled ? t('enable') : t('disable')}
                  subject={user.email}
                  danger={!disabled}
                  disabled={toggle.isPending}
                  onConfirm={() =>
                    toggle.mutate({ id: user.id, email: user.email, action: disabled ? 'enable' : 'disable' })
                  }
                />
              </td>
            </tr>
          );
        }}
      />
    </div>
  );
}
