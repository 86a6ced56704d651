import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { useFormat } from '../format';
import { ErrorMessage } from '../common/errors';
import { useAdminT } from './messages';

/** The ledger reconciliation, run on demand, with its verdict first. */
export default function LedgerPage() {
  const t = useAdminT();
  const { number } = useFormat();
  const check = useMutation({ mutationFn: () => unwrap(api.GET('/admin/ledger/check')) });
  const result = check.data;
  return (
    <div className="stack">
      <h2>{t('ledgerCheck')}</h2>
      <p className="muted">{t('ledgerHint')}</p>
      <div>
        <button type="button" disabled={check.isPending} onClick={() => check.mutate()}>
          {check.isPending ? t('running') : t('runLedgerCheck')}
        </button>
      </div>
      <ErrorMessage error={check.error} />
      <div role="status">
        {result && (
          <p className={result.ok ? 'verdict' : 'verdict bad'} data-testid="ledger-verdict">
            <strong>
              {result.ok ? t('ledgerOk') : t('ledgerBroken', { count: number(result.violation_count) })}
            </strong>
          </p>
        )}
      </div>
      {result && result.violations.length > 0 && (
        <section aria-labelledby="violations-heading">
          <h3 id="violations-heading">{t('violations')}</h3>
          <ul>
            {result.violations.map((line, index) => (
              <li key={index}>{line}</li>
            ))}
          </ul>
          {result.truncated && (
            <p className="muted">{t('truncated', { shown: number(result.violations.length) })}</p>
          )}
        </section>
      )}
      {result && result.warnings.length > 0 && (
        <section aria-labelledby="warnings-heading">
          <h3 id="warnings-heading">{t('warnings')}</h3>
          <ul>
            {result.warnings.map((line, index) => (
              <li key={index}>{line}</li>
            ))}
          </ul>
        </section>
      )}
      {result && (
        <section aria-labelledby="counts-heading">
          <h3 id="counts-heading">{t('counted')}</h3>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('what')}</th>
                  <th scope="col" className="amount">
                    {t('count')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(result.counts).map(([what, count]) => (
                  <tr key={what}>
                    <th scope="row">{what}</th>
                    <td className="amount">{number(count)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </div>
  );
}
