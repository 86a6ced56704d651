import { NavLink, Route, Routes } from 'react-router';
import { NotFound } from '../layout/Shell';
import { AreaGate } from '../common/AreaGate';
import { useSellerT } from './messages';
import OverviewPage from './OverviewPage';
import ProductsPage from './ProductsPage';
import OrdersPage from './OrdersPage';
import PayoutsPage from './PayoutsPage';
import ShippingPage from './ShippingPage';
import '../common/area.css';
import './seller.css';

/** The seller dashboard at /dashboard/*: one chunk, its own routes and sub-navigation. */
export default function SellerApp() {
  const t = useSellerT();
  return (
    <AreaGate role="seller" title={t('title')}>
      <h1>{t('title')}</h1>
      <nav aria-label={t('nav')} className="area-nav">
        <ul>
          <li>
            <NavLink to="/dashboard" end>
              {t('overview')}
            </NavLink>
          </li>
          <li>
            <NavLink to="/dashboard/products">{t('products')}</NavLink>
          </li>
          <li>
            <NavLink to="/dashboard/orders">{t('orders')}</NavLink>
          </li>
          <li>
            <NavLink to="/dashboard/shipping">{t('shipping')}</NavLink>
          </li>
          <li>
            <NavLink to="/dashboard/payouts">{t('payouts')}</NavLink>
          </li>
        </ul>
      </nav>
      <Routes>
        <Route index element={<OverviewPage />} />
        <Route path="products" element={<ProductsPage />} />
        <Route path="orders" element={<OrdersPage />} />
        <Route path="shipping" element={<ShippingPage />} />
        <Route path="payouts" element={<PayoutsPage />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </AreaGate>
  );
}
