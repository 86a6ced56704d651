import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client';
import { useAuth, type User } from '../auth/auth';
import { Loading } from '../layout/Shell';
import { PushSettings } from '../push/PushSettings';
import { PrivacySettings } from '../privacy/PrivacySettings';
import { TwoFactorSettings } from '../account/TwoFactorSettings';
import { ErrorAlert, FieldError, fieldError, invalidProps, RequireUser } from './common';
import { useStoreT } from './messages';

interface ProfileChange {
  name?: string;
  email?: string;
  password?: string;
  confirm_password?: string;
  current_password?: string;
}

function Profile({ user }: { user: User }) {
  const t = useStoreT();
  const id = useId();
  const { reload } = useAuth();
  const [problem, setProblem] = useState<'nothingChanged' | 'passwordsDiffer' | undefined>();
  const [formKey, setFormKey] = useState(0);
  const save = useMutation({
    mutationFn: (body: ProfileChange) => unwrap(api.PATCH('/users/me', { body })),
    onSuccess: async () => {
      await reload().catch(() => undefined);
      // A fresh form: the saved values, and the password fields empty.
      setFormKey((key) => key + 1);
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? '');
    const body: ProfileChange = {};
    if (value('name').trim() && value('name').trim() !== user.name) body.name = value('name').trim();
    if (value('email').trim() && value('email').trim() !== user.email) body.email = value('email').trim();
    if (value('password')) {
      body.password = value('password');
      body.confirm_password = value('confirm_password');
    }
    if (value('current_password')) body.current_password = value('current_password');
    const changes = Object.keys(body).filter((key) => key !== 'current_password');
    const next =
      changes.length === 0
        ? 'nothingChanged'
        : body.password !== undefined && body.password !== body.confirm_password
          ? 'passwordsDiffer'
          : undefined;
    setProblem(next);
    save.reset();
    if (!next) save.mutate(body);
  };
  const field = (
    name: keyof ProfileChange,
    label: string,
    type: string,
    autoComplete: string,
    options: { defaultValue?: string; hint?: string; extraError?: string } = {},
  ) => {
    const message = options.extraError ?? fieldError(save.error, name);
    const described = [message && `${id}-${name}-error`, options.hint && `${id}-${name}-hint`]
      .filter(Boolean)
      .join(' ');
    return (
      <div className="field">
        <label htmlFor={`${id}-${name}`}>{label}</label>
        <input
          id={`${id}-${name}`}
          name={name}
          type={type}
          autoComplete={autoComplete}
          defaultValue={options.defaultValue}
          {...invalidProps(`${id}-${name}-error`, message)}
          {...(described ? { 'aria-describedby': described } : {})}
        />
        {options.hint && (
          <span className="muted hint" id={`${id}-${name}-hint`}>
            {options.hint}
          </span>
        )}
        <FieldError id={`${id}-${name}-error`} message={message} />
      </div>
    );
  };
  return (
    <section aria-labelledby="profile-heading" className="card">
      <h2 id="profile-heading">{t('profile')}</h2>
      <form onSubmit={submit} key={`${formKey}:${user.name}:${user.email}`} className="narrow">
        {field('name', t('name'), 'text', 'name', { defaultValue: user.name })}
        {field('email', t('email'), 'email', 'email', { defaultValue: user.email })}
        {field('password', t('newPassword'), 'password', 'new-password')}
        {field('confirm_password', t('confirmNewPassword'), 'password', 'new-password', {
          extraError: problem === 'passwordsDiffer' ? t('passwordsDiffer') : undefined,
        })}
        {field('current_password', t('currentPassword'), 'password', 'current-password', {
          hint: t('currentPasswordHint'),
        })}
        <ErrorAlert error={save.error} />
        <div role="status">
          {problem === 'nothingChanged' && <p>{t('nothingChanged')}</p>}
          {save.isPending && <Loading />}
          {save.isSuccess && <p className="success">{t('saved')}</p>}
        </div>
        <button type="submit" disabled={save.isPending}>
          {t('saveChanges')}
        </button>
      </form>
    </section>
  );
}

function Mail({ user }: { user: User }) {
  const t = useStoreT();
  const queries = useQueryClient();
  const key = ['preferences', user.id];
  const preferences = useQuery({
    queryKey: key,
    queryFn: () => unwrap(api.GET('/users/me/preferences')),
  });
  const save = useMutation({
    mutationFn: (marketing: boolean) => unwrap(api.PUT('/users/me/preferences', { body: { marketing } })),
    onSuccess: (result) => queries.setQueryData(key, result),
  });
  const checked = save.isPending ? save.variables : preferences.data?.marketing;
  return (
    <section aria-labelledby="mail-heading" className="card">
      <h2 id="mail-heading">{t('mailTitle')}</h2>
      {preferences.isPending && <Loading />}
      <ErrorAlert error={preferences.error ?? save.error} />
      {preferences.data && (
        <label className="check">
          <input
            type="checkbox"
            checked={checked ?? false}
            onChange={(event) => save.mutate(event.target.checked)}
          />
          {t('marketing')}
        </label>
      )}
      <div role="status">{save.isSuccess && <p className="success">{t('saved')}</p>}</div>
    </section>
  );
}

function Settings() {
  const { user } = useAuth();
  if (!user) return null;
  // An admin who must set up two-step sign-in can do nothing else yet.
  if (user.mfaEnrollmentRequired) return <TwoFactorSettings user={user} />;
  return (
    <>
      <Profile user={user} />
      <Mail user={user} />
      <PushSettings user={user} />
      <PrivacySettings user={user} />
      {user.role !== 'buyer' && <TwoFactorSettings user={user} />}
    </>
  );
}

export default function SettingsPage() {
  const t = useStoreT();
  return (
    <section className="stack">
      <h1>{t('settingsTitle')}</h1>
      <RequireUser>
        <Settings />
      </RequireUser>
    </section>
  );
}
