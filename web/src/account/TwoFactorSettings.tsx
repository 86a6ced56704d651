import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client';
import { unwrapDone } from '../common/unwrapDone';
import type { User } from '../auth/auth';
import { Loading } from '../layout/Shell';
import { ErrorAlert } from '../storefront/common';
import { useRecoveryT } from './recovery.messages';

function RecoveryCodes({ codes }: { codes: string[] }) {
  const t = useRecoveryT();
  return (
    <div role="status">
      <h3>{t('codesTitle')}</h3>
      <p>{t('codesHint')}</p>
      <ul className="codes" aria-label={t('codesTitle')}>
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Sellers and admins: turn TOTP two-step sign-in on (with recovery codes) or off. */
export function TwoFactorSettings({ user }: { user: User }) {
  const t = useRecoveryT();
  const id = useId();
  const queries = useQueryClient();
  const key = ['mfa', user.id];
  const status = useQuery({ queryKey: key, queryFn: () => unwrap(api.GET('/users/me/mfa')) });
  const [codes, setCodes] = useState<string[]>();
  const refresh = () => void queries.invalidateQueries({ queryKey: key });
  const start = useMutation({ mutationFn: () => unwrap(api.POST('/users/me/mfa/totp')) });
  const confirm = useMutation({
    mutationFn: (code: string) => unwrap(api.POST('/users/me/mfa/totp/confirm', { body: { code } })),
    onSuccess: (result) => {
      setCodes(result.recovery_codes);
      start.reset();
      refresh();
    },
  });
  const renew = useMutation({
    mutationFn: (code: string) => unwrap(api.POST('/users/me/mfa/recovery-codes', { body: { code } })),
    onSuccess: (result) => {
      setCodes(result.recovery_codes);
      refresh();
    },
  });
  const turnOff = useMutation({
    mutationFn: (password: string) => unwrapDone(api.DELETE('/users/me/mfa/totp', { body: { password } })),
    onSuccess: () => {
      setCodes(undefined);
      refresh();
    },
  });
  const field = (event: FormEvent<HTMLFormElement>, name: string) => {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget).get(name));
    event.currentTarget.reset();
    return value;
  };
  const data = status.data;
  return (
    <section className="stack" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('twoFactorTitle')}</h2>
      {status.isPending && <Loading />}
      <ErrorAlert error={status.error ?? start.error ?? confirm.error ?? renew.error ?? turnOff.error} />
      {user.mfaEnrollmentRequired && !codes && <p role="alert">{t('enrolmentRequired')}</p>}
      {codes && <RecoveryCodes codes={codes} />}
      {codes && user.mfaEnrollmentRequired && <p>{t('signInAgain')}</p>}
      {data && !data.totp_enabled && !start.data && (
        <>
          <p>{t('twoFactorOff')}</p>
          <button type="button" onClick={() => start.mutate()} disabled={start.isPending}>
            {t('setUp')}
          </button>
        </>
      )}
      {start.data && (
        <form onSubmit={(event) => confirm.mutate(field(event, 'code'))}>
          <p>{t('scan')}</p>
          <p>
            {t('secret')}: <code aria-label={t('secret')}>{start.data.secret}</code>{' '}
            <a href={start.data.otpauth_uri}>otpauth://</a>
          </p>
          <div className="field">
            <label htmlFor={`${id}-confirm`}>{t('code')}</label>
            <input
              id={`${id}-confirm`}
              name="code"
              autoComplete="one-time-code"
              inputMode="numeric"
              required
            />
          </div>
          <button type="submit" disabled={confirm.isPending}>
            {t('confirm')}
          </button>
        </form>
      )}
      {data?.totp_enabled && (
        <>
          <p>{t('twoFactorOn', { count: data.recovery_codes_left })}</p>
          <form onSubmit={(event) => renew.mutate(field(event, 'code'))}>
            <div className="field">
              <label htmlFor={`${id}-renew`}>{t('code')}</label>
              <input
                id={`${id}-renew`}
                name="code"
                autoComplete="one-time-code"
                inputMode="numeric"
                required
              />
            </div>
            <button type="submit" disabled={renew.isPending}>
              {t('newCodes')}
            </button>
          </form>
          {
            <form onSubmit={(event) => turnOff.mutate(field(event, 'password'))}>
              <div className="field">
                <label htmlFor={`${id}-password`}>{t('password')}</label>
                <input
                  id={`${id}-password`}
                  name="password"
                  type="password"
                  autoComplete="current-password"
                  required
                />
              </div>
              <button type="submit" disabled={turnOff.isPending}>
                {t('turnOff')}
              </button>
            </form>
          }
        </>
      )}
    </section>
  );
}
