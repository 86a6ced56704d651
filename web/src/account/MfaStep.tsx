import { useMutation } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useAuth } from '../auth/auth';
import { ErrorAlert } from '../storefront/common';
import { useRecoveryT } from './recovery.messages';

/** The second step of signing in: the authenticator's code, or one recovery code. */
export function MfaStep({ mfaToken, onDone, onBack }: { mfaToken: string; onDone(): void; onBack(): void }) {
  const t = useRecoveryT();
  const id = useId();
  const { completeMfa } = useAuth();
  const [recovery, setRecovery] = useState(false);
  const submit = useMutation({
    mutationFn: (value: string) =>
      completeMfa(mfaToken, recovery ? { recovery_code: value } : { code: value.replace(/\s/g, '') }),
    onSuccess: onDone,
  });
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    submit.mutate(String(new FormData(event.currentTarget).get('code')));
  };
  return (
    <section className="stack narrow">
      <h1>{t('mfaTitle')}</h1>
      <form onSubmit={onSubmit} key={String(recovery)}>
        <div className="field">
          <label htmlFor={`${id}-code`}>{recovery ? t('recoveryCode') : t('code')}</label>
          <input
            id={`${id}-code`}
            name="code"
            autoComplete="one-time-code"
            inputMode={recovery ? 'text' : 'numeric'}
            pattern={recovery ? undefined : '[0-9 ]{6,7}'}
            required
            autoFocus
            aria-describedby={`${id}-hint`}
          />
          <p className="muted hint" id={`${id}-hint`}>
            {recovery ? '' : t('mfaHint')}
          </p>
        </div>
        <ErrorAlert error={submit.error} />
        <button type="submit" disabled={submit.isPending}>
          {t('verify')}
        </button>
      </form>
      <p>
        <button type="button" className="link" onClick={() => setRecovery((value) => !value)}>
          {recovery ? t('useCode') : t('useRecovery')}
        </button>{' '}
        <button type="button" className="link" onClick={onBack}>
          {t('back')}
        </button>
      </p>
    </section>
  );
}
