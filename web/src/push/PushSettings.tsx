import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { User } from '../auth/auth';
import { ErrorAlert } from '../storefront/common';
import { useStoreT } from '../storefront/messages';
import { disablePush, enablePush, PushDeniedError, pushState } from './push';

/** The settings section that turns this device's push notifications on or off. */
export function PushSettings({ user }: { user: User }) {
  const t = useStoreT();
  const [state, setState] = useState(() => pushState(user.id));
  const change = useMutation({
    mutationFn: (on: boolean) => (on ? enablePush(user.id) : disablePush()),
    onSettled: () => setState(pushState(user.id)),
  });
  const denied = state === 'denied' || change.error instanceof PushDeniedError;
  return (
    <section aria-labelledby="push-heading" className="card">
      <h2 id="push-heading">{t('notifications')}</h2>
      <p className="muted">{t('notificationsHint')}</p>
      <div role="status">
        {state === 'unsupported' && <p>{t('pushUnsupported')}</p>}
        {state === 'on' && <p className="success">{t('pushOn')}</p>}
        {state === 'off' && !denied && <p>{t('pushOff')}</p>}
      </div>
      {denied && (
        <p className="error" role="alert">
          {t('pushDenied')}
        </p>
      )}
      {!denied && <ErrorAlert error={change.error} />}
      {state === 'off' && (
        <button type="button" onClick={() => change.mutate(true)} disabled={change.isPending}>
          {t('turnOn')}
        </button>
      )}
      {state === 'on' && (
        <button
          type="button"
          className="secondary"
          onClick={() => change.mutate(false)}
          disabled={change.isPending}
        >
          {t('turnOff')}
        </button>
      )}
    </section>
  );
}
