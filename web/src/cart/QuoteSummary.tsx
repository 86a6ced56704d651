import { useFormat } from '../format';
import { useLanguage } from '../i18n/i18n';
import { usePricingT } from './pricing.messages';
import type { ServerCart } from './server-cart';

/** Basis points as a percentage for reading ("1100" → "11"); a rate, never money. */
function percent(bps: number, locale: string): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(bps / 100);
}

/** What the checkout will charge, as the server priced it; or why it could not price it. */
export function QuoteSummary({ cart }: { cart: ServerCart }) {
  const p = usePricingT();
  const { money } = useFormat();
  const { locale } = useLanguage();
  const { quote, quote_error: error } = cart;
  if (error)
    return (
      <p className="error" role="alert">
        {p('quoteError', { message: error.message })}
      </p>
    );
  if (!quote) return null;
  const amount = (value: string) => money(value, quote.currency);
  // Tax already in the prices adds nothing to the total: say so instead of summing it twice.
  const included = quote.tax_added === '0';
  const rates = [...new Set(quote.tax_lines.map((line) => line.rate_bps))];
  const taxLabel = rates.length === 1 ? p('taxRate', { rate: percent(rates[0]!, locale) }) : p('tax');
  return (
    <section aria-labelledby="quote-summary-title" className="quote-summary" data-testid="quote-summary">
      <h2 id="quote-summary-title">{p('summary')}</h2>
      <dl>
        <dt>{p('subtotal')}</dt>
        <dd className="amount">{amount(quote.subtotal)}</dd>
        <dt>{p('shipping')}</dt>
        <dd className="amount">{amount(quote.shipping)}</dd>
        <dt>
          {taxLabel}
          {included && ` (${p('incl')})`}
        </dt>
        <dd className="amount">{amount(quote.tax)}</dd>
        {quote.discount !== '0' && (
          <>
            <dt>{p('discount')}</dt>
            <dd className="amount">−{amount(quote.discount)}</dd>
          </>
        )}
        <dt>
          <strong>{p('total')}</strong>
        </dt>
        <dd className="amount price" data-testid="quote-total">
          <strong>{amount(quote.total)}</strong>
        </dd>
      </dl>
    </section>
  );
}
