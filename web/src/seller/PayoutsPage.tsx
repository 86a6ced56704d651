import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, idempotencyKey, unwrap, unwrapPage } from '../api/client';
import { useFormat } from '../format';
import { ErrorMessage, Field, fieldError } from '../common/errors';
import { PagedTable } from '../common/PagedTable';
import { useSellerT } from './messages';
import { Balances } from './OverviewPage';
import { useStatusLabel } from '../common/status';
import { PayoutSettings } from './PayoutSettings';

function PayoutForm() {
  const t = useSellerT();
  const { money } = useFormat();
  const queries = useQueryClient();
  const wallet = useQuery({ queryKey: ['wallet'], queryFn: () => unwrap(api.GET('/wallet')) });
  const currencies = wallet.data?.map((balance) => balance.currency) ?? [];
  const [amount, setAmount] = useState('');
  const [chosen, setCurrency] = useState('');
  const currency = chosen || currencies[0] || 'IDR';
  const [key, setKey] = useState(idempotencyKey);
  const [notice, setNotice] = useState('');
  const request = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/wallet/payouts', {
          // Idempotent on the server, though its schema does not list the header yet.
          headers: { 'Idempotency-Key': key },
          body: { amount: amount.trim(), currency },
        }),
      ),
    onSuccess: (payout) => {
      setNotice(t('payoutRequested', { amount: money(payout.amount, payout.currency) }));
      setAmount('');
      setKey(idempotencyKey());
      for (const queryKey of [['wallet'], ['seller', 'payouts'], ['seller', 'transactions']])
        void queries.invalidateQueries({ queryKey });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setNotice('');
    request.mutate();
  };
  const available = wallet.data?.find((balance) => balance.currency === currency);
  return (
    <form className="card stack" onSubmit={submit} aria-labelledby="payout-heading">
      <h3 id="payout-heading">{t('requestPayout')}</h3>
      {available && (
        <p className="muted">{t('availableNow', { amount: money(available.available, currency) })}</p>
      )}
      <div className="filters">
        <Field
          label={t('amount')}
          name="amount"
          value={amount}
          onChange={(value) => {
            setAmount(value);
            setKey(idempotencyKey());
          }}
          error={request.error}
          inputMode="decimal"
          required
        />
        <div className="field">
          <label htmlFor="payout-currency">{t('currency')}</label>
          <select
            id="payout-currency"
            value={currency}
            onChange={(event) => {
              setCurrency(event.target.value);
              setKey(idempotencyKey());
            }}
          >
            {(currencies.length ? currencies : [currency]).map((code) => (
              <option key={code}>{code}</option>
            ))}
          </select>
          {fieldError(request.error, 'currency') && (
            <span className="field-error">{fieldError(request.error, 'currency')}</span>
          )}
        </div>
      </div>
      <ErrorMessage error={request.error} />
      <p role="status" className="success">
        {notice}
      </p>
      <div>
        <button type="submit" disabled={request.isPending}>
          {t('requestPayout')}
        </button>
      </div>
    </form>
  );
}

/** Payouts: ask for one, follow them, and read the wallet's statement. */
export default function PayoutsPage() {
  const t = useSellerT();
  const statusLabel = useStatusLabel();
  const { money, date } = useFormat();
  return (
    <div className="stack">
      <h2>{t('payouts')}</h2>
      <section aria-labelledby="payout-balance">
        <h3 id="payout-balance">{t('balance')}</h3>
        <Balances />
      </section>
      <PayoutForm />
      <PayoutSettings />
      <section aria-labelledby="payouts-heading" className="stack">
        <h3 id="payouts-heading">{t('yourPayouts')}</h3>
        <PagedTable
          queryKey={['seller', 'payouts']}
          fetchPage={(cursor) =>
            unwrapPage(api.GET('/wallet/payouts', { params: { query: { cursor, limit: 20 } } }))
          }
          caption={t('yourPayouts')}
          columns={[t('date'), t('amount'), t('status'), t('resolved')]}
          numeric={[1]}
          empty={t('noPayouts')}
          row={(payout) => (
            <tr key={payout.id}>
              <td data-label={t('date')}>{date(payout.created_at)}</td>
              <td className="amount" data-label={t('amount')}>
                {money(payout.amount, payout.currency)}
              </td>
              <td data-label={t('status')}>
                <span className="status">{statusLabel(payout.status)}</span>
              </td>
              <td data-label={t('resolved')}>{payout.resolved_at ? date(payout.resolved_at) : '—'}</td>
            </tr>
          )}
        />
      </section>
      <section aria-labelledby="history-heading" className="stack">
        <h3 id="history-heading">{t('history')}</h3>
        <PagedTable
          queryKey={['seller', 'transactions']}
          fetchPage={(cursor) =>
            unwrapPage(api.GET('/wallet/transactions', { params: { query: { cursor, limit: 20 } } }))
          }
          caption={t('history')}
          columns={[t('date'), t('description'), t('amount'), t('status'), t('balanceAfter')]}
          numeric={[2, 4]}
          empty={t('noHistory')}
          row={(entry) => (
            <tr key={entry.id}>
              <td data-label={t('date')}>{date(entry.created_at)}</td>
              <td data-label={t('description')}>{entry.description}</td>
              <td className="amount" data-label={t('amount')}>
                {money(entry.amount, entry.currency)}
              </td>
              <td data-label={t('status')}>
                <span className="status">{statusLabel(entry.status)}</span>
              </td>
              <td className="amount" data-label={t('balanceAfter')}>
                {money(entry.balance_after, entry.currency)}
              </td>
            </tr>
          )}
        />
      </section>
    </div>
  );
}
