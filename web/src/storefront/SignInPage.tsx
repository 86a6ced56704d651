import { useMutation } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { MfaStep } from '../account/MfaStep';
import { useRecoveryT } from '../account/recovery.messages';
import { useAuth } from '../auth/auth';
import OidcSignIn from '../auth/OidcSignIn';
import { ErrorAlert, FieldError, fieldError, invalidProps, safeNext } from './common';
import { useStoreT } from './messages';

export default function SignInPage() {
  const t = useStoreT();
  const id = useId();
  const { signIn } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const recoveryT = useRecoveryT();
  // Set when the password was right and the account asks for its second factor.
  const [mfaToken, setMfaToken] = useState<string>();
  const login = useMutation({
    mutationFn: ({ email, password }: { email: string; password: string }) => signIn(email, password),
    onSuccess: (result) => {
      if ('mfaToken' in result) setMfaToken(result.mfaToken);
      // Nothing else is open to such a session until two-step sign-in is set up.
      else if (result.mfaEnrollmentRequired) void navigate('/account/settings', { replace: true });
      else void navigate(next, { replace: true });
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    login.mutate({ email: String(form.get('email')), password: String(form.get('password')) });
  };
  const emailError = fieldError(login.error, 'email');
  const passwordError = fieldError(login.error, 'password');
  const signUp = next === '/' ? '/signup' : `/signup?next=${encodeURIComponent(next)}`;
  if (mfaToken) {
    return (
      <MfaStep
        mfaToken={mfaToken}
        onDone={() => void navigate(next, { replace: true })}
        onBack={() => {
          setMfaToken(undefined);
          login.reset();
        }}
      />
    );
  }
  return (
    <section className="stack narrow">
      <h1>{t('signInTitle')}</h1>
      <form onSubmit={submit} noValidate={false}>
        <div className="field">
          <label htmlFor={`${id}-email`}>{t('email')}</label>
          <input
            id={`${id}-email`}
            name="email"
            type="email"
            autoComplete="email"
            required
            {...invalidProps(`${id}-email-error`, emailError)}
          />
          <FieldError id={`${id}-email-error`} message={emailError} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-password`}>{t('password')}</label>
          <input
            id={`${id}-password`}
            name="password"
            type="password"
            autoComplete="current-password"
            required
            {...invalidProps(`${id}-password-error`, passwordError)}
          />
          <FieldError id={`${id}-password-error`} message={passwordError} />
        </div>
        <ErrorAlert error={login.error} />
        <div role="status">{login.isPending && <p>{t('signingIn')}</p>}</div>
        <button type="submit" disabled={login.isPending}>
          {t('signInButton')}
        </button>
      </form>
      <OidcSignIn />
      <p>
        <Link to="/account/forgot-password">{recoveryT('forgotLink')}</Link>
      </p>
      <p>
        {t('noAccount')} <Link to={signUp}>{t('createAccountButton')}</Link>
      </p>
    </section>
  );
}
