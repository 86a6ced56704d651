import { useId } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useFormat } from '../format';
import type { paths } from '../api/schema';
import { useSellerT } from './messages';

type Series =
  paths['/sellers/me/sales']['get']['responses'][200]['content']['application/json']['results']['series'][number];

/** A bucket's day at noon UTC: formatted in any time zone, it stays the same calendar day. */
const noon = (day: string) => `${day.slice(0, 10)}T12:00:00Z`;

/**
 * One currency's sales per day as a bar chart, described in words and repeated as a table
 * for anyone who cannot see the chart.
 */
export default function SalesChart({ series, from, to }: { series: Series; from: string; to: string }) {
  const t = useSellerT();
  const { money, date, number } = useFormat();
  const id = useId();
  const currency = series.currency;
  // The chart needs numbers to draw bars; the money shown in words stays the API's string.
  const points = series.buckets.map((bucket) => ({
    day: date(noon(bucket.start), false),
    gross: Number(bucket.gross),
    label: money(bucket.gross, currency),
  }));
  return (
    <figure className="sales-chart" aria-labelledby={`${id}-title`} aria-describedby={`${id}-desc`}>
      <figcaption>
        <strong id={`${id}-title`}>
          {t('sales')} ({currency})
        </strong>
        <span id={`${id}-desc`} className="muted">
          {' '}
          {t('salesDescription', { currency, from: date(noon(from), false), to: date(noon(to), false) })}{' '}
          {t('totals', {
            orders: number(series.totals.orders),
            gross: money(series.totals.gross, currency),
            net: money(series.totals.net, currency),
          })}
        </span>
      </figcaption>
      <div className="chart-box" aria-hidden="true">
        <ResponsiveContainer width="100%" height={260}>
          <BarChart
            data={points}
            margin={{ top: 8, right: 8, bottom: 8, left: 8 }}
            accessibilityLayer={false}
          >
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="day" tick={{ fontSize: 12 }} minTickGap={16} />
            <YAxis tickFormatter={(value: number) => number(value)} tick={{ fontSize: 12 }} width={72} />
            <Tooltip
              formatter={(_value, _name, item) => [(item.payload as { label: string }).label, t('gross')]}
            />
            <Bar dataKey="gross" fill="#0f5f4f" name={t('gross')} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <details>
        <summary>{t('salesTable')}</summary>
        <div className="table-wrap">
          <table className="responsive-table">
            <caption className="visually-hidden">
              {t('sales')} ({currency})
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('date')}</th>
                <th scope="col" className="amount">
                  {t('ordersCount')}
                </th>
                <th scope="col" className="amount">
                  {t('units')}
                </th>
                <th scope="col" className="amount">
                  {t('gross')}
                </th>
                <th scope="col" className="amount">
                  {t('fees')}
                </th>
                <th scope="col" className="amount">
                  {t('net')}
                </th>
                <th scope="col" className="amount">
                  {t('refunded')}
                </th>
              </tr>
            </thead>
            <tbody>
              {series.buckets.map((bucket) => (
                <tr key={bucket.start}>
                  <th scope="row">{date(noon(bucket.start), false)}</th>
                  <td className="amount" data-label={t('ordersCount')}>
                    {number(bucket.orders)}
                  </td>
                  <td className="amount" data-label={t('units')}>
                    {number(bucket.units)}
                  </td>
                  <td className="amount" data-label={t('gross')}>
                    {money(bucket.gross, currency)}
                  </td>
                  <td className="amount" data-label={t('fees')}>
                    {money(bucket.fees, currency)}
                  </td>
                  <td className="amount" data-label={t('net')}>
                    {money(bucket.net, currency)}
                  </td>
                  <td className="amount" data-label={t('refunded')}>
                    {money(bucket.refunded, currency)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
