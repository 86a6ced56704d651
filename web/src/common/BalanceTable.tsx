import { useFormat } from '../format';

export interface Balance {
  currency: string;
  available: string;
  held: string;
}

/** A wallet's balances, one row per currency: the buyer's wallet page and the seller's overview. */
export function BalanceTable({
  balances,
  labels,
}: {
  balances: readonly Balance[];
  labels: { caption?: string; currency: string; available: string; held: string };
}) {
  const { money } = useFormat();
  return (
    <div className="table-wrap">
      <table className="responsive-table">
        {labels.caption && <caption className="visually-hidden">{labels.caption}</caption>}
        <thead>
          <tr>
            <th scope="col">{labels.currency}</th>
            <th scope="col" className="amount">
              {labels.available}
            </th>
            <th scope="col" className="amount">
              {labels.held}
            </th>
          </tr>
        </thead>
        <tbody>
          {balances.map((balance) => (
            <tr key={balance.currency}>
              <th scope="row">{balance.currency}</th>
              <td
                className="amount"
                data-label={labels.available}
                data-testid={`available-${balance.currency}`}
              >
                {money(balance.available, balance.currency)}
              </td>
              <td className="amount" data-label={labels.held}>
                {money(balance.held, balance.currency)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
