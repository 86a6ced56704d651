import { lazy, Suspense, useState, type FormEvent } from 'react';
import { BalanceTable } from '../common/BalanceTable';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { Loading } from '../layout/Shell';
import { ErrorMessage } from '../common/errors';
import { useSellerT } from './messages';

// recharts is most of this area's weight: only the overview loads it.
const SalesChart = lazy(() => import('./SalesChart'));

/** A UTC calendar day, YYYY-MM-DD, `days` before today: the API's sales ranges are UTC days. */
const dayBefore = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

export function Balances() {
  const t = useSellerT();
  const wallet = useQuery({ queryKey: ['wallet'], queryFn: () => unwrap(api.GET('/wallet')) });
  if (wallet.isPending) return <Loading />;
  if (wallet.isError) return <ErrorMessage error={wallet.error} />;
  if (wallet.data.length === 0) return <p className="muted">{t('noBalance')}</p>;
  return (
    <BalanceTable
      balances={wallet.data}
      labels={{ caption: t('balance'), currency: t('currency'), available: t('available'), held: t('held') }}
    />
  );
}

function Sales() {
  const t = useSellerT();
  const [draft, setDraft] = useState({ from: dayBefore(29), to: dayBefore(0) });
  const [range, setRange] = useState(draft);
  const badRange = draft.from > draft.to;
  const sales = useQuery({
    queryKey: ['seller', 'sales', range],
    queryFn: () => unwrap(api.GET('/sellers/me/sales', { params: { query: { ...range, interval: 'day' } } })),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!badRange) setRange(draft);
  };
  return (
    <section aria-labelledby="sales-heading" className="stack">
      <h3 id="sales-heading">{t('sales')}</h3>
      <form className="filters" onSubmit={submit}>
        <div className="field">
          <label htmlFor="sales-from">{t('from')}</label>
          <input
            id="sales-from"
            type="date"
            value={draft.from}
            max={draft.to}
            required
            onChange={(event) => setDraft({ ...draft, from: event.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="sales-to">{t('to')}</label>
          <input
            id="sales-to"
            type="date"
            value={draft.to}
            min={draft.from}
            required
            onChange={(event) => setDraft({ ...draft, to: event.target.value })}
          />
        </div>
        <button type="submit" disabled={badRange}>
          {t('show')}
        </button>
      </form>
      {badRange && (
        <p className="field-error" role="alert">
          {t('badRange')}
        </p>
      )}
      {sales.isPending ? (
        <Loading />
      ) : sales.isError ? (
        <ErrorMessage error={sales.error} />
      ) : (
        <Suspense fallback={<Loading />}>
          {sales.data.series.map((series) => (
            <SalesChart key={series.currency} series={series} from={range.from} to={range.to} />
          ))}
        </Suspense>
      )}
    </section>
  );
}

export default function OverviewPage() {
  const t = useSellerT();
  return (
    <div className="stack">
      <h2>{t('overview')}</h2>
      <section aria-labelledby="balance-heading">
        <h3 id="balance-heading">{t('balance')}</h3>
        <Balances />
      </section>
      <Sales />
    </div>
  );
}
