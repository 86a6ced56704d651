import { Navigate, NavLink, Route, Routes } from 'react-router';
import { NotFound } from '../layout/Shell';
import { AreaGate } from '../common/AreaGate';
import '../common/area.css';
import AnnouncementsPage from './AnnouncementsPage';
import AuditPage from './AuditPage';
import LedgerPage from './LedgerPage';
import MailPage from './MailPage';
import { useAdminT } from './messages';
import MidtransPage from './MidtransPage';
import PaymentsPage from './PaymentsPage';
import PayoutsPage from './PayoutsPage';
import TaxRatesPage from './TaxRatesPage';
import UsersPage from './UsersPage';
import WebhooksPage from './WebhooksPage';
import './admin.css';

const PAGES = [
  ['users', UsersPage],
  ['payments', PaymentsPage],
  ['payouts', PayoutsPage],
  ['taxes', TaxRatesPage],
  ['midtrans', MidtransPage],
  ['webhooks', WebhooksPage],
  ['announcements', AnnouncementsPage],
  ['ledger', LedgerPage],
  ['mail', MailPage],
  ['audit', AuditPage],
] as const;

/** The admin console at /console/*: one chunk, its own routes and sub-navigation. */
export default function AdminApp() {
  const t = useAdminT();
  return (
    <AreaGate role="admin" title={t('title')}>
      <h1>{t('title')}</h1>
      <nav aria-label={t('nav')} className="area-nav">
        <ul>
          {PAGES.map(([path]) => (
            <li key={path}>
              <NavLink to={`/console/${path}`}>{t(path)}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <Routes>
        <Route index element={<Navigate to="users" replace />} />
        {PAGES.map(([path, Page]) => (
          <Route key={path} path={path} element={<Page />} />
        ))}
        <Route path="*" element={<NotFound />} />
      </Routes>
    </AreaGate>
  );
}
