import { useMutation } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useAuth } from '../auth/auth';
import { Choice, ErrorAlert, FieldError, fieldError, invalidProps, safeNext } from './common';
import { useStoreT } from './messages';

interface Registration {
  name: string;
  email: string;
  password: string;
  confirm_password: string;
  role: 'buyer' | 'seller';
}

export default function SignUpPage() {
  const t = useStoreT();
  const id = useId();
  const { register } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [mismatch, setMismatch] = useState(false);
  const create = useMutation({
    mutationFn: (input: Registration) => register(input),
    onSuccess: (user) => {
      const next = safeNext(params.get('next'));
      void navigate(user.role === 'seller' && next === '/' ? '/dashboard' : next, { replace: true });
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input: Registration = {
      name: String(form.get('name')).trim(),
      email: String(form.get('email')).trim(),
      password: String(form.get('password')),
      confirm_password: String(form.get('confirm_password')),
      role: form.get('role') === 'seller' ? 'seller' : 'buyer',
    };
    const differ = input.password !== input.confirm_password;
    setMismatch(differ);
    if (!differ) create.mutate(input);
  };
  const error = (field: string) => fieldError(create.error, field);
  const input = (
    name: keyof Registration,
    label: string,
    type: string,
    autoComplete: string,
    extra?: string,
  ) => {
    const message = extra ?? error(name);
    return (
      <div className="field">
        <label htmlFor={`${id}-${name}`}>{label}</label>
        <input
          id={`${id}-${name}`}
          name={name}
          type={type}
          autoComplete={autoComplete}
          required
          {...invalidProps(`${id}-${name}-error`, message)}
        />
        <FieldError id={`${id}-${name}-error`} message={message} />
      </div>
    );
  };
  const next = params.get('next');
  return (
    <section className="stack narrow">
      <h1>{t('signUpTitle')}</h1>
      <form onSubmit={submit}>
        {input('name', t('name'), 'text', 'name')}
        {input('email', t('email'), 'email', 'email')}
        {input('password', t('password'), 'password', 'new-password')}
        {input(
          'confirm_password',
          t('confirmPassword'),
          'password',
          'new-password',
          mismatch ? t('passwordsDiffer') : undefined,
        )}
        <fieldset>
          <legend>{t('accountType')}</legend>
          <Choice name="role" value="buyer" label={t('roleBuyer')} hint={t('roleBuyerHint')} defaultChecked />
          <Choice name="role" value="seller" label={t('roleSeller')} hint={t('roleSellerHint')} />
          <FieldError id={`${id}-role-error`} message={error('role')} />
        </fieldset>
        <ErrorAlert error={create.error} />
        <div role="status">{create.isPending && <p>{t('signingIn')}</p>}</div>
        <button type="submit" disabled={create.isPending}>
          {t('createAccountButton')}
        </button>
      </form>
      <p>
        {t('haveAccount')}{' '}
        <Link to={next ? `/signin?next=${encodeURIComponent(safeNext(next))}` : '/signin'}>
          {t('signInButton')}
        </Link>
      </p>
    </section>
  );
}
