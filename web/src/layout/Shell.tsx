import { Suspense, type ReactNode } from 'react';
import { Link, NavLink, Outlet } from 'react-router';
import { useAuth } from '../auth/auth';
import { useCart } from '../cart/cart';
import { useServerCartCount, useServerCartId } from '../cart/server-cart';
import { LANGUAGES, useLanguage } from '../i18n/i18n';
import { useShellT } from './messages';
import { serverMode, useOnline } from './status';

export function Loading() {
  const t = useShellT();
  return (
    <p className="loading" role="status">
      {t('loading')}
    </p>
  );
}

function Banners() {
  const t = useShellT();
  const online = useOnline();
  return (
    <>
      {serverMode() === 'sandbox' && (
        <p className="banner banner-sandbox" role="note">
          {t('sandbox')}
        </p>
      )}
      {!online && (
        <p className="banner banner-offline" role="status">
          {t('offline')}
        </p>
      )}
    </>
  );
}

function Nav() {
  const t = useShellT();
  const { user, signOut } = useAuth();
  const lines = useCart();
  // A signed-in buyer's cart is on the server (cart/server-cart.ts); a guest's on the device.
  const serverCount = useServerCartCount();
  const onServer = useServerCartId() !== undefined;
  const count = onServer ? serverCount : lines.reduce((sum, line) => sum + line.quantity, 0);
  const { language, setLanguage } = useLanguage();
  const link = (to: string, label: ReactNode, aria?: string) => (
    <li>
      <NavLink to={to} aria-label={aria} end={to === '/'}>
        {label}
      </NavLink>
    </li>
  );
  return (
    <nav aria-label={t('mainNav')}>
      <ul className="nav">
        {link('/', t('catalog'))}
        {link(
          '/cart',
          <>
            {t('cart')} <span className="badge">{count}</span>
          </>,
          t('cartCount', { count }),
        )}
        {user && link('/account/orders', t('orders'))}
        {user && link('/account/wallet', t('wallet'))}
        {user?.role === 'buyer' && link('/account/addresses', t('addresses'))}
        {user?.role === 'seller' && link('/dashboard', t('dashboard'))}
        {user?.role === 'admin' && link('/console', t('console'))}
        {user && link('/account/settings', t('account'))}
        {user === null && link('/signin', t('signIn'))}
        {user === null && link('/signup', t('signUp'))}
        {user && (
          <li>
            <button type="button" className="link" onClick={() => void signOut()}>
              {t('signOut')}
            </button>
          </li>
        )}
        <li>
          <label className="language">
            <span className="visually-hidden">{t('language')}</span>
            <select value={language} onChange={(event) => setLanguage(event.target.value as typeof language)}>
              {LANGUAGES.map((each) => (
                <option key={each} value={each}>
                  {each === 'en' ? 'English' : 'Bahasa Indonesia'}
                </option>
              ))}
            </select>
          </label>
        </li>
      </ul>
    </nav>
  );
}

/** Every page's frame: banners, the header with navigation, the page itself. */
export function Shell() {
  const t = useShellT();
  return (
    <>
      <a className="skip-link" href="#main">
        {t('skip')}
      </a>
      <header>
        <Banners />
        <div className="header">
          <Link to="/" className="brand">
            Mamlaka
          </Link>
          <Nav />
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
    </>
  );
}

export function NotFound() {
  const t = useShellT();
  return (
    <section>
      <h1>{t('notFound')}</h1>
      <Link to="/">{t('home')}</Link>
    </section>
  );
}
