import { useMutation } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { Link, useLocation } from 'react-router';
import { api } from '../api/client';
import { unwrapDone } from '../common/unwrapDone';
import { ErrorAlert, FieldError, fieldError, invalidProps } from '../storefront/common';
import { tokenFromHash, useRecoveryT } from './recovery.messages';

/** Where the reset mail's link leads: a new password for the token in the URL fragment. */
export default function ResetPasswordPage() {
  const t = useRecoveryT();
  const id = useId();
  const token = tokenFromHash(useLocation().hash);
  const [differ, setDiffer] = useState(false);
  const reset = useMutation({
    mutationFn: (body: { token: string; password: string; confirm_password: string }) =>
      unwrapDone(api.POST('/auth/password-reset/confirm', { body })),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = String(form.get('password'));
    const confirmation = String(form.get('confirm_password'));
    setDiffer(password !== confirmation);
    if (password !== confirmation || !token) return;
    reset.mutate({ token, password, confirm_password: confirmation });
  };
  const passwordError = fieldError(reset.error, 'password');
  const confirmError = differ ? t('passwordsDiffer') : fieldError(reset.error, 'confirm_password');
  if (!token) return <p role="alert">{t('noToken')}</p>;
  if (reset.isSuccess) {
    return (
      <section className="stack narrow">
        <h1>{t('resetTitle')}</h1>
        <p className="success" role="status">
          {t('resetDone')}
        </p>
        <Link to="/signin">{t('signIn')}</Link>
      </section>
    );
  }
  return (
    <section className="stack narrow">
      <h1>{t('resetTitle')}</h1>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor={`${id}-password`}>{t('newPassword')}</label>
          <input
            id={`${id}-password`}
            name="password"
            type="password"
            autoComplete="new-password"
            minLength={8}
            required
            {...invalidProps(`${id}-password-error`, passwordError)}
          />
          <FieldError id={`${id}-password-error`} message={passwordError} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-confirm`}>{t('confirmPassword')}</label>
          <input
            id={`${id}-confirm`}
            name="confirm_password"
            type="password"
            autoComplete="new-password"
            required
            {...invalidProps(`${id}-confirm-error`, confirmError)}
          />
          <FieldError id={`${id}-confirm-error`} message={confirmError} />
        </div>
        <ErrorAlert error={passwordError || confirmError ? undefined : reset.error} />
        <button type="submit" disabled={reset.isPending}>
          {t('setPassword')}
        </button>
      </form>
    </section>
  );
}
