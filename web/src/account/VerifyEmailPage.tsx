import { useMutation } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link, useLocation } from 'react-router';
import { api, unwrap } from '../api/client';
import { useAuth } from '../auth/auth';
import { ErrorAlert } from '../storefront/common';
import { tokenFromHash, useRecoveryT } from './recovery.messages';

/** Where the verification mail's link leads: confirms the address at once, signed in or not. */
export default function VerifyEmailPage() {
  const t = useRecoveryT();
  const token = tokenFromHash(useLocation().hash);
  const { user, reload } = useAuth();
  const verify = useMutation({
    mutationFn: (value: string) => unwrap(api.POST('/auth/verify-email', { body: { token: value } })),
    onSuccess: () => {
      if (user) void reload().catch(() => undefined);
    },
  });
  const { mutate, isIdle } = verify;
  useEffect(() => {
    if (token && isIdle) mutate(token);
  }, [token, isIdle, mutate]);
  return (
    <section className="stack narrow">
      <h1>{t('verifyTitle')}</h1>
      {!token && <p role="alert">{t('noToken')}</p>}
      <div role="status">
        {verify.isPending && <p>{t('verifying')}</p>}
        {verify.isSuccess && <p className="success">{t('verified')}</p>}
      </div>
      <ErrorAlert error={verify.error} />
      <Link to={user ? '/' : '/signin'}>{user ? t('continue') : t('signIn')}</Link>
    </section>
  );
}
