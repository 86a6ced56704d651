import { useMutation } from '@tanstack/react-query';
import { useId, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client';
import { unwrapDone } from '../common/unwrapDone';
import { ErrorAlert } from '../storefront/common';
import { useRecoveryT } from './recovery.messages';

/** Asks for a reset link; the answer is the same whether or not the address has an account. */
export default function ForgotPasswordPage() {
  const t = useRecoveryT();
  const id = useId();
  const request = useMutation({
    mutationFn: (email: string) => unwrapDone(api.POST('/auth/password-reset', { body: { email } })),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    request.mutate(String(new FormData(event.currentTarget).get('email')));
  };
  return (
    <section className="stack narrow">
      <h1>{t('forgotTitle')}</h1>
      <p>{t('forgotHint')}</p>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor={`${id}-email`}>{t('email')}</label>
          <input id={`${id}-email`} name="email" type="email" autoComplete="email" required />
        </div>
        <ErrorAlert error={request.error} />
        <div role="status">
          {request.isPending && <p>{t('sending')}</p>}
          {request.isSuccess && <p className="success">{t('sent')}</p>}
        </div>
        <button type="submit" disabled={request.isPending}>
          {t('sendLink')}
        </button>
      </form>
      <p>
        <Link to="/signin">{t('back')}</Link>
      </p>
    </section>
  );
}
