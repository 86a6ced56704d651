import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { ApiError, api, unwrap } from '../api/client';
import { safeNext } from '../storefront/common';
import { useAuth } from './auth';
import { oidcErrorKey, useOidcT } from './oidc.messages';
import { session, type TokenPair } from './tokens';

/**
 * Where the server sends the browser after the provider: `#code=…&return_to=…` on success,
 * `#error=<code>` otherwise. The one-time code is exchanged for a session here, by a POST,
 * so no token ever sits in a URL, a history entry or a server log.
 */
export default function OidcCallbackPage() {
  const t = useOidcT();
  const navigate = useNavigate();
  const { reload } = useAuth();
  const [error, setError] = useState<string | undefined>();
  const started = useRef(false);

  useEffect(() => {
    // Once only (StrictMode runs effects twice): the code is single-use.
    if (started.current) return;
    started.current = true;
    const fragment = new URLSearchParams(location.hash.slice(1));
    // The code leaves the address bar and the history at once.
    history.replaceState(history.state, '', location.pathname);
    const code = fragment.get('code');
    if (!code) {
      setError(fragment.get('error') ?? 'oidc_failed');
      return;
    }
    void (async () => {
      try {
        const pair = (await unwrap(api.POST('/auth/oidc/exchange', { body: { code } }))) as TokenPair;
        session.store(pair);
        await reload();
        void navigate(safeNext(fragment.get('return_to')), { replace: true });
      } catch (failure) {
        setError(failure instanceof ApiError ? failure.code : 'oidc_failed');
      }
    })();
  }, [navigate, reload]);

  if (!error) {
    return (
      <section className="stack narrow">
        <h1>{t('finishingTitle')}</h1>
        <p role="status">{t('finishing')}</p>
      </section>
    );
  }
  return (
    <section className="stack narrow">
      <h1>{t('failedTitle')}</h1>
      <p className="error" role="alert">
        {t(oidcErrorKey(error))}
      </p>
      <p>
        <Link to="/signin">{t('tryAgain')}</Link>
      </p>
    </section>
  );
}
