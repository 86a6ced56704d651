import type { ReactNode } from 'react';
import { Link, useLocation } from 'react-router';
import { useAuth, type Role } from '../auth/auth';
import { Loading } from '../layout/Shell';
import { useCommonT } from './messages';

const ROLE_KEY = { seller: 'roleSeller', admin: 'roleAdmin', buyer: 'roleBuyer' } as const;

/**
 * Shows its children only to a signed-in user of `role`: a visitor gets a link to sign in
 * that comes back here, another role a plain "not for your account". The server enforces
 * the same rule; this only spares people requests that would be refused.
 */
export function AreaGate({ role, title, children }: { role: Role; title: string; children: ReactNode }) {
  const t = useCommonT();
  const { user } = useAuth();
  const location = useLocation();
  if (user === undefined) return <Loading />;
  if (user === null) {
    const next = encodeURIComponent(location.pathname + location.search);
    return (
      <section className="area-gate">
        <h1>{title}</h1>
        <h2>{t('signInTitle')}</h2>
        <p>{t('signInBody', { role: t(ROLE_KEY[role]) })}</p>
        <Link className="button" to={`/signin?next=${next}`}>
          {t('signInLink')}
        </Link>
      </section>
    );
  }
  if (user.role !== role)
    return (
      <section className="area-gate">
        <h1>{title}</h1>
        <div role="alert">
          <h2>{t('wrongRoleTitle')}</h2>
          <p>{t('wrongRoleBody', { role: t(ROLE_KEY[role]), current: t(ROLE_KEY[user.role]) })}</p>
        </div>
      </section>
    );
  return <>{children}</>;
}
