import { lazy } from 'react';
import { createBrowserRouter } from 'react-router';
import { NotFound, Shell } from './layout/Shell';

// Each area is its own chunk: a visitor's first page loads the storefront only, never the
// seller's charts or the admin console.
const Catalog = lazy(() => import('./storefront/CatalogPage'));
const Product = lazy(() => import('./storefront/ProductPage'));
const Cart = lazy(() => import('./cart/CartPage'));
const SignIn = lazy(() => import('./storefront/SignInPage'));
const OidcCallback = lazy(() => import('./auth/OidcCallbackPage'));
const SignUp = lazy(() => import('./storefront/SignUpPage'));
const Orders = lazy(() => import('./storefront/OrdersPage'));
const Order = lazy(() => import('./storefront/OrderPage'));
const Wallet = lazy(() => import('./storefront/WalletPage'));
const Settings = lazy(() => import('./storefront/SettingsPage'));
const Addresses = lazy(() => import('./storefront/AddressesPage'));
const ForgotPassword = lazy(() => import('./account/ForgotPasswordPage'));
const ResetPassword = lazy(() => import('./account/ResetPasswordPage'));
const VerifyEmail = lazy(() => import('./account/VerifyEmailPage'));
const Seller = lazy(() => import('./seller/SellerApp'));
const Admin = lazy(() => import('./admin/AdminApp'));

/**
 * The app's paths. None is an API path: the gateway serves the API at /products, /orders,
 * /wallet, /admin… and this app at /, /item/…, /cart, /account/…, /dashboard/…, /console/…
 * (src/platform/http/web-app.routes.ts lists the same prefixes).
 */
export const router = createBrowserRouter([
  {
    element: <Shell />,
    children: [
      { path: '/', element: <Catalog /> },
      { path: '/item/:id', element: <Product /> },
      { path: '/cart', element: <Cart /> },
      { path: '/signin', element: <SignIn /> },
      { path: '/signin/callback', element: <OidcCallback /> },
      { path: '/signup', element: <SignUp /> },
      { path: '/account/orders', element: <Orders /> },
      { path: '/account/orders/:id', element: <Order /> },
      { path: '/account/wallet', element: <Wallet /> },
      { path: '/account/settings', element: <Settings /> },
      { path: '/account/addresses', element: <Addresses /> },
      { path: '/account/forgot-password', element: <ForgotPassword /> },
      { path: '/account/reset-password', element: <ResetPassword /> },
      { path: '/account/verify-email', element: <VerifyEmail /> },
      { path: '/dashboard/*', element: <Seller /> },
      { path: '/console/*', element: <Admin /> },
      { path: '*', element: <NotFound /> },
    ],
  },
]);
