import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { BalanceTable } from '../common/BalanceTable';
import { useId, useState, type FormEvent } from 'react';
import { ApiError, api, unwrap, unwrapPage } from '../api/client';
import { useAuth } from '../auth/auth';
import { useFormat } from '../format';
import { Loading } from '../layout/Shell';
import { serverMode } from '../layout/status';
import {
  Choice,
  ErrorAlert,
  FieldError,
  fieldError,
  invalidProps,
  RequireUser,
  useAttemptKey,
} from './common';
import { useStoreT } from './messages';

const HISTORY_PAGE = 20;

function Balances() {
  const t = useStoreT();
  const { user } = useAuth();
  const wallet = useQuery({
    queryKey: ['wallet', 'balances', user?.id],
    queryFn: () => unwrap(api.GET('/wallet')),
  });
  return (
    <section aria-labelledby="balances-heading">
      <h2 id="balances-heading">{t('balances')}</h2>
      {wallet.isPending && <Loading />}
      <ErrorAlert error={wallet.error} />
      {wallet.data?.length === 0 && <p>{t('noBalances')}</p>}
      {wallet.data && wallet.data.length > 0 && (
        <BalanceTable
          balances={wallet.data}
          labels={{ currency: t('currency'), available: t('available'), held: t('held') }}
        />
      )}
    </section>
  );
}

type TopUpMethod = 'test' | 'midtrans';

function TopUp() {
  const t = useStoreT();
  const id = useId();
  const { money } = useFormat();
  const queries = useQueryClient();
  const sandbox = serverMode() === 'sandbox';
  const [method, setMethod] = useState<TopUpMethod>(sandbox ? 'test' : 'midtrans');
  const attempt = useAttemptKey();
  const topUp = useMutation({
    mutationFn: async (body: { amount: string; currency: string; method: TopUpMethod }) =>
      unwrap(api.POST('/wallet/top-ups', { body, headers: { 'Idempotency-Key': attempt.keyFor(body) } })),
    onSuccess: (result) => {
      attempt.done();
      if (result.payment_url && result.status === 'pending') {
        location.assign(result.payment_url);
        return;
      }
      void queries.invalidateQueries({ queryKey: ['wallet'] });
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    topUp.mutate({
      amount: String(form.get('amount')).trim(),
      currency: String(form.get('currency')).trim().toUpperCase(),
      method,
    });
  };
  const amountError = fieldError(topUp.error, 'amount');
  const currencyError = fieldError(topUp.error, 'currency');
  return (
    <section aria-labelledby="top-up-heading">
      <h2 id="top-up-heading">{t('topUp')}</h2>
      <form onSubmit={submit} className="narrow">
        <div className="field">
          <label htmlFor={`${id}-amount`}>{t('amount')}</label>
          <input
            id={`${id}-amount`}
            name="amount"
            inputMode="decimal"
            pattern="[0-9]+([.][0-9]{1,2})?"
            required
            {...invalidProps(`${id}-amount-error`, amountError)}
          />
          <FieldError id={`${id}-amount-error`} message={amountError} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-currency`}>{t('currency')}</label>
          <input
            id={`${id}-currency`}
            name="currency"
            defaultValue="IDR"
            maxLength={3}
            pattern="[A-Za-z]{3}"
            required
            {...invalidProps(`${id}-currency-error`, currencyError)}
          />
          <FieldError id={`${id}-currency-error`} message={currencyError} />
        </div>
        <fieldset>
          <legend>{t('topUpMethod')}</legend>
          {sandbox && (
            <Choice
              name="top_up_method"
              value="test"
              label={t('testTopUp')}
              checked={method === 'test'}
              onChange={() => setMethod('test')}
            />
          )}
          <Choice
            name="top_up_method"
            value="midtrans"
            label={t('midtrans')}
            hint={t('midtransHint')}
            checked={method === 'midtrans'}
            onChange={() => setMethod('midtrans')}
          />
        </fieldset>
        <ErrorAlert
          error={topUp.error instanceof ApiError && (amountError || currencyError) ? undefined : topUp.error}
        />
        <div role="status">
          {topUp.isPending && <Loading />}
          {topUp.isSuccess && topUp.data.status !== 'pending' && (
            <p className="success">
              {t('topUpDone', { amount: money(topUp.data.amount, topUp.data.currency) })}
            </p>
          )}
          {topUp.isSuccess && topUp.data.status === 'pending' && topUp.data.payment_url && (
            <p>{t('redirecting')}</p>
          )}
        </div>
        <button type="submit" disabled={topUp.isPending}>
          {t('topUp')}
        </button>
      </form>
    </section>
  );
}

function History() {
  const t = useStoreT();
  const { money, date } = useFormat();
  const { user } = useAuth();
  const history = useInfiniteQuery({
    queryKey: ['wallet', 'history', user?.id],
    queryFn: ({ pageParam }) =>
      unwrapPage(
        api.GET('/wallet/transactions', {
          params: { query: { limit: HISTORY_PAGE, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const lines = history.data?.pages.flatMap((page) => page.items) ?? [];
  const unavailable = history.error instanceof ApiError && history.error.status === 404;
  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">{t('history')}</h2>
      {history.isPending && <Loading />}
      {unavailable ? (
        <p className="muted">{t('historyUnavailable')}</p>
      ) : (
        <ErrorAlert error={history.error} />
      )}
      {history.isSuccess && lines.length === 0 && <p>{t('noHistory')}</p>}
      {lines.length > 0 && (
        <div className="table-wrap">
          <table className="responsive-table">
            <thead>
              <tr>
                <th scope="col">{t('date')}</th>
                <th scope="col">{t('descriptionCol')}</th>
                <th scope="col" className="amount">
                  {t('amount')}
                </th>
                <th scope="col">{t('status')}</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((line) => (
                <tr key={line.id}>
                  <td data-label={t('date')}>{date(line.created_at)}</td>
                  <td data-label={t('descriptionCol')}>{line.description}</td>
                  <td
                    className={line.amount.startsWith('-') ? 'amount amount-negative' : 'amount'}
                    data-label={t('amount')}
                  >
                    {money(line.amount, line.currency)}
                  </td>
                  <td data-label={t('status')}>{t(`line_${line.status}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {history.hasNextPage && (
        <p>
          <button
            type="button"
            className="secondary"
            onClick={() => void history.fetchNextPage()}
            disabled={history.isFetchingNextPage}
            aria-busy={history.isFetchingNextPage}
          >
            {t('loadMore')}
          </button>
        </p>
      )}
    </section>
  );
}

export default function WalletPage() {
  const t = useStoreT();
  return (
    <section className="stack">
      <h1>{t('walletTitle')}</h1>
      <RequireUser>
        <Balances />
        <TopUp />
        <History />
      </RequireUser>
    </section>
  );
}
