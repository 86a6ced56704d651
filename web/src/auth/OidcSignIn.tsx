import { useSearchParams } from 'react-router';
import { safeNext } from '../storefront/common';
import { oidcAuthorizeUrl, useOidcProvider } from './oidc';
import { useOidcT } from './oidc.messages';

/**
 * "Sign in with <provider>" under the password form, when the server has a provider
 * configured. A plain link: the server answers it with a redirect to the provider, which
 * sends the browser back to /signin/callback.
 */
export default function OidcSignIn() {
  const t = useOidcT();
  const [params] = useSearchParams();
  const provider = useOidcProvider();
  if (!provider.data?.enabled || !provider.data.name) return null;
  return (
    <div className="stack">
      <p aria-hidden="true">— {t('or')} —</p>
      <a className="button secondary" href={oidcAuthorizeUrl(safeNext(params.get('next')))}>
        {t('signInWith', { name: provider.data.name })}
      </a>
    </div>
  );
}
