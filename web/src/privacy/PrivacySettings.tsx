import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, ApiError, unwrap } from '../api/client';
import { useAuth, type User } from '../auth/auth';
import { useFormat } from '../format';
import { Loading } from '../layout/Shell';
import { ErrorAlert } from '../storefront/common';
import { usePrivacyT } from './messages';

type Purpose = 'marketing_email' | 'do_not_sell';

function Choices({ user }: { user: User }) {
  const t = usePrivacyT();
  const { date } = useFormat();
  const queries = useQueryClient();
  const key = ['privacy', user.id];
  const settings = useQuery({ queryKey: key, queryFn: () => unwrap(api.GET('/users/me/privacy')) });
  // What the person just chose, shown at once; the server's answer replaces it.
  const [choice, setChoice] = useState<boolean | undefined>();
  const save = useMutation({
    mutationFn: (body: { do_not_sell?: boolean; marketing_email?: boolean }) =>
      unwrap(api.PUT('/users/me/privacy', { body })),
    onSettled: () => setChoice(undefined),
    onSuccess: (result) => {
      queries.setQueryData(key, result);
      // The mail preferences show the same marketing choice.
      void queries.invalidateQueries({ queryKey: ['preferences', user.id] });
    },
  });
  const data = settings.data;
  return (
    <>
      {settings.isPending && <Loading />}
      <ErrorAlert error={settings.error ?? save.error} />
      {data && (
        <>
          <label className="check">
            <input
              type="checkbox"
              checked={choice ?? data.do_not_sell}
              onChange={(event) => {
                setChoice(event.target.checked);
                save.mutate({ do_not_sell: event.target.checked });
              }}
              aria-describedby={`${user.id}-dns-hint`}
            />
            {t('doNotSell')}
          </label>
          <p className="muted hint" id={`${user.id}-dns-hint`}>
            {t('doNotSellHint')}
          </p>
          <div role="status">{save.isSuccess && <p className="success">{t('saved')}</p>}</div>
          <h3>{t('historyTitle')}</h3>
          {data.history.length === 0 ? (
            <p className="muted">{t('noHistory')}</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('purpose')}</th>
                  <th scope="col">{t('value')}</th>
                  <th scope="col">{t('when')}</th>
                  <th scope="col">{t('source')}</th>
                </tr>
              </thead>
              <tbody>
                {data.history.map((record, index) => (
                  <tr key={`${record.recorded_at}-${index}`}>
                    <td>{t(`purpose_${record.purpose as Purpose}`)}</td>
                    <td>{record.granted ? t('granted') : t('refused')}</td>
                    <td>{date(record.recorded_at)}</td>
                    <td>{record.source}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </>
  );
}

function Download() {
  const t = usePrivacyT();
  const [file, setFile] = useState<{ name: string; url: string } | undefined>();
  const download = useMutation({
    mutationFn: async () => {
      const { data, error, response } = await api.GET('/users/me/export', { parseAs: 'blob' });
      if (!data || !response.ok) throw new ApiError(response.status, 'export_failed', String(error ?? ''));
      const name =
        /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ??
        'mamlaka-export.json';
      return { name, url: URL.createObjectURL(data as Blob) };
    },
    onSuccess: (made) => {
      if (file) URL.revokeObjectURL(file.url);
      setFile(made);
      // Start the download at once; the link stays for browsers that block it.
      const link = document.createElement('a');
      link.href = made.url;
      link.download = made.name;
      link.click();
    },
  });
  return (
    <section aria-labelledby="privacy-export-heading">
      <h3 id="privacy-export-heading">{t('exportTitle')}</h3>
      <p className="muted">{t('exportHint')}</p>
      <ErrorAlert error={download.error} />
      <div role="status">
        {download.isPending && <p>{t('downloading')}</p>}
        {file && (
          <p className="success">
            <a href={file.url} download={file.name}>
              {t('downloaded', { name: file.name })}
            </a>
          </p>
        )}
      </div>
      <button type="button" onClick={() => download.mutate()} disabled={download.isPending}>
        {t('download')}
      </button>
    </section>
  );
}

function Erase() {
  const t = usePrivacyT();
  const id = useId();
  const navigate = useNavigate();
  const { signOut } = useAuth();
  const [open, setOpen] = useState(false);
  const erase = useMutation({
    mutationFn: (password: string) => unwrap(api.DELETE('/users/me', { body: password ? { password } : {} })),
    onSuccess: async () => {
      await signOut().catch(() => undefined);
      navigate('/');
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    erase.mutate(String(new FormData(event.currentTarget).get('password') ?? ''));
  };
  const blockers =
    erase.error instanceof ApiError && erase.error.code === 'erasure_blocked' ? erase.error.fields : [];
  return (
    <section aria-labelledby="privacy-erase-heading">
      <h3 id="privacy-erase-heading">{t('eraseTitle')}</h3>
      <p className="muted">{t('eraseHint')}</p>
      {!open ? (
        <button type="button" className="danger" onClick={() => setOpen(true)}>
          {t('eraseStart')}
        </button>
      ) : (
        <form onSubmit={submit} className="narrow">
          <div className="field">
            <label htmlFor={`${id}-password`}>{t('erasePassword')}</label>
            <input id={`${id}-password`} name="password" type="password" autoComplete="current-password" />
          </div>
          <label className="check">
            <input type="checkbox" name="confirm" required />
            {t('eraseConfirm')}
          </label>
          {blockers.length > 0 ? (
            <div role="alert" className="error">
              <p>{t('eraseBlocked')}</p>
              <ul>
                {blockers.map((blocker) => (
                  <li key={blocker.code}>{blocker.message}</li>
                ))}
              </ul>
            </div>
          ) : (
            <ErrorAlert error={erase.error} />
          )}
          <button type="submit" className="danger" disabled={erase.isPending}>
            {t('eraseSubmit')}
          </button>{' '}
          <button type="button" className="secondary" onClick={() => setOpen(false)}>
            {t('cancel')}
          </button>
        </form>
      )}
    </section>
  );
}

/** The settings section for a person's privacy rights: do not sell, consents, export, erasure. */
export function PrivacySettings({ user }: { user: User }) {
  const t = usePrivacyT();
  return (
    <section aria-labelledby="privacy-heading" className="card">
      <h2 id="privacy-heading">{t('title')}</h2>
      <Choices user={user} />
      <Download />
      <Erase />
    </section>
  );
}
