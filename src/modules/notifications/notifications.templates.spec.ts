import { describe, expect, it } from 'vitest';
import { escapeHtml, formatMoney, formatTime } from './notifications.layout.js';
import {
  type Branding,
  type PaymentMailInput,
  paymentStatusWords,
  renderPaymentReceipt,
  renderPayoutNotice,
  renderRefundNotice,
  renderWelcomeMail,
} from './notifications.templates.js';

const branding: Branding = {
  productName: 'Mamlaka',
  from: 'Mamlaka <no-reply@mamlaka.test>',
  supportEmail: 'help@mamlaka.test',
  accentColor: '#123abc',
  footer: 'Mamlaka Ltd, Jakarta',
};

const payment: PaymentMailInput = {
  id: '0b7c9a4e-2f4d-4a53-9d61-6f0c2a1b3c4d',
  payment_code: 'GC-6929-3605-5424',
  status: 'succeeded',
  total_amount: '1234.50',
  refunded_amount: '0.00',
  currency: 'USD',
  payment_method: 'wallet',
  created_at: '2026-11-22T14:03:05.123Z',
  updated_at: '2026-11-22T14:05:00.000Z',
  items: [
    { name: 'Batik shirt', quantity: 2, unit_price: '500.00', subtotal: '1000.00' },
    { name: 'Kopi luwak 250 g', quantity: 1, unit_price: '234.50', subtotal: '234.50' },
  ],
};

/** The visible text of an HTML body, to check what a reader of the HTML version sees. */
const visibleText = (html: string) =>
  html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

describe('renderPaymentReceipt', () => {
  it('shows the products, quantities, amounts, status, payment code and time in both bodies', () => {
    const mail = renderPaymentReceipt(payment, branding);
    for (const body of [mail.text, visibleText(mail.html)]) {
      expect(body).toContain('Batik shirt');
      expect(body).toContain('Kopi luwak 250 g');
      expect(body).toContain('USD 500.00');
      expect(body).toContain('USD 1,000.00');
      expect(body).toContain('USD 234.50');
      expect(body).toContain('USD 1,234.50');
      expect(body).toContain('GC-6929-3605-5424');
      expect(body).toContain('Paid');
      expect(body).toContain('Wallet balance');
      expect(body).toContain('2026-11-22 14:03 UTC');
      expect(body).toContain('help@mamlaka.test');
      expect(body).toContain('Mamlaka Ltd, Jakarta');
    }
    expect(mail.text).toMatch(/2 × USD 500\.00 = USD 1,000\.00/);
    expect(mail.text).toMatch(/Total: USD 1,234\.50/);
  });

  it('lists a priced order’s subtotal, shipping, discount and tax before its total', () => {
    const mail = renderPaymentReceipt(
      {
        ...payment,
        total_amount: '1290.50',
        pricing: {
          subtotal: '1234.50',
          shipping: '30.00',
          tax: '60.00',
          tax_added: '36.00',
          discount: '10.00',
        },
      },
      branding,
    );
    for (const body of [mail.text, visibleText(mail.html)]) {
      expect(body).toMatch(/Subtotal:? USD 1,234\.50/);
      expect(body).toMatch(/Shipping:? USD 30\.00/);
      expect(body).toMatch(/Discount:? −USD 10\.00/);
      expect(body).toMatch(/Tax:? USD 36\.00/);
      expect(body).toMatch(/Tax included in the prices:? USD 24\.00/);
    }
    expect(mail.text).toMatch(
      /Discount: −USD 10\.00\nTax: USD 36\.00\nTax included in the prices: USD 24\.00\nTotal: USD 1,290\.50/,
    );
    // An order of items alone lists no such lines.
    expect(renderPaymentReceipt(payment, branding).text).not.toContain('Shipping');
  });

  it.each([
    ['pending', 'Payment pending'],
    ['succeeded', 'Payment received'],
    ['failed', 'Payment failed'],
    ['expired', 'Payment expired'],
    ['canceled', 'Payment canceled'],
    ['partially_refunded', 'Refund issued'],
    ['refunded', 'Refund issued'],
    ['disputed', 'Payment updated'],
  ])('titles a %s payment "%s"', (status, subject) => {
    const mail = renderPaymentReceipt({ ...payment, status }, branding);
    expect(mail.subject).toBe(`${subject}: GC-6929-3605-5424`);
    expect(mail.text.startsWith(subject)).toBe(true);
  });

  it.each([
    ['pending', 'Awaiting payment'],
    ['succeeded', 'Paid'],
    ['failed', 'Failed'],
    ['expired', 'Expired'],
    ['canceled', 'Canceled'],
    ['partially_refunded', 'Partially refunded'],
    ['refunded', 'Refunded'],
    ['on_hold', 'On hold'],
  ])('says a %s payment is "%s"', (status, words) => {
    expect(paymentStatusWords(status)).toBe(words);
    expect(renderPaymentReceipt({ ...payment, status }, branding).text).toMatch(
      new RegExp(`^Status: +${words}$`, 'm'),
    );
  });

  it('shows what was refunded only once something was', () => {
    expect(renderPaymentReceipt(payment, branding).text).not.toContain('Refunded:');
    const partial = renderPaymentReceipt(
      { ...payment, status: 'partially_refunded', refunded_amount: '234.50' },
      branding,
    );
    expect(partial.text).toMatch(/^Refunded: +USD 234\.50$/m);
    expect(partial.text).toContain('We refunded USD 234.50 of your payment of USD 1,234.50.');
  });

  it('escapes a product name holding markup in the HTML, and keeps it as written in the text', () => {
    const evil = '<script>alert("x")</script> & <img src=x onerror=alert(1)>';
    const mail = renderPaymentReceipt(
      { ...payment, items: [{ name: evil, quantity: 1, unit_price: '1.00', subtotal: '1.00' }] },
      branding,
    );
    expect(mail.html).not.toContain('<script');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;',
    );
    expect(mail.text).toContain(evil);
  });

  it('escapes every other field that comes from data', () => {
    const mail = renderPaymentReceipt(
      { ...payment, payment_code: '<b>code</b>', payment_method: '<i>m</i>', currency: '<u>' },
      { ...branding, productName: '<em>Shop</em>', footer: '<a href="x">f</a>', supportEmail: '"><x>@y' },
    );
    expect(mail.html).not.toMatch(/<(b|i|u|em|x)>|<a href="x"/);
  });

  it('ignores an accent colour that is not a plain CSS colour', () => {
    const mail = renderPaymentReceipt(payment, { ...branding, accentColor: 'red;background:url(x)' });
    expect(mail.html).not.toContain('url(x)');
    expect(mail.html).toContain('#0f766e');
    expect(renderPaymentReceipt(payment, branding).html).toContain('border-bottom:4px solid #123abc');
  });

  it('reads on its own as text, with no markup in it', () => {
    const { text } = renderPaymentReceipt(payment, branding);
    expect(text).not.toMatch(/<[a-z]/i);
    expect(text).not.toMatch(/&[a-z]+;/);
    expect(text.endsWith('\n')).toBe(true);
  });
});

describe('the pending mail of a payment paid on a gateway page', () => {
  const payUrl = 'http://localhost:8080/midtrans-sandbox/snap/v2/vtweb/7f6c2a4e-1b2d-4c3e-8f9a-0a1b2c3d4e5f';
  const pending: PaymentMailInput = {
    ...payment,
    status: 'pending',
    payment_method: 'midtrans',
    payment_url: payUrl,
    expires_at: '2026-11-23T14:03:05.123Z',
  };

  it('carries the pay link and when the payment expires, in both bodies', () => {
    const mail = renderPaymentReceipt(pending, branding);
    for (const body of [mail.text, visibleText(mail.html)]) {
      expect(body).toContain(payUrl);
      expect(body).toContain('Complete it before 2026-11-23 14:03 UTC');
    }
    expect(mail.text).toMatch(/^Pay by: +2026-11-23 14:03 UTC$/m);
    expect(mail.text).toContain(`Complete your payment: ${payUrl}`);
    expect(mail.html).toContain(`href="${payUrl}"`);
  });

  it('shows no pay link once the payment is no longer pending, nor for a payment without one', () => {
    for (const mail of [
      renderPaymentReceipt({ ...pending, status: 'succeeded' }, branding),
      renderPaymentReceipt({ ...pending, payment_url: null }, branding),
    ]) {
      expect(mail.text).not.toContain('Complete your payment');
      expect(mail.html).not.toContain('href="http://localhost');
    }
  });

  it('never makes a link that is not a web address clickable', () => {
    const mail = renderPaymentReceipt({ ...pending, payment_url: 'javascript:alert(1)' }, branding);
    expect(mail.html).not.toContain('href="javascript');
    expect(mail.text).toContain('Complete your payment: javascript:alert(1)');
  });
});

describe('renderRefundNotice', () => {
  it('names this refund, the total refunded and the payment', () => {
    const mail = renderRefundNotice(
      { ...payment, status: 'partially_refunded', refunded_amount: '500.00' },
      { amount: '300.00' },
      branding,
    );
    expect(mail.subject).toBe('Refund of USD 300.00: GC-6929-3605-5424');
    expect(mail.text).toContain('We refunded USD 300.00 of your payment of USD 1,234.50.');
    expect(mail.text).toMatch(/^This refund: +USD 300\.00$/m);
    expect(mail.text).toMatch(/^Refunded: +USD 500\.00$/m);
    expect(visibleText(mail.html)).toContain('Batik shirt');
  });

  it('says so when the whole payment was refunded at once', () => {
    const mail = renderRefundNotice(
      { ...payment, status: 'refunded', refunded_amount: '1234.50' },
      { amount: '1234.50' },
      branding,
    );
    expect(mail.text).toContain('We refunded your payment of USD 1,234.50 in full.');
  });
});

describe('renderPayoutNotice', () => {
  it.each([
    ['pending', 'Payout requested', 'Processing'],
    ['paid', 'Payout sent', 'Paid out'],
    ['canceled', 'Payout canceled', 'Canceled'],
    ['failed', 'Payout failed', 'Failed'],
  ])('titles a %s payout "%s" and calls it "%s"', (status, subject, words) => {
    const mail = renderPayoutNotice({ id: 'po_1', amount: '1500000', currency: 'IDR', status }, branding);
    expect(mail.subject).toBe(`${subject}: IDR 1,500,000`);
    expect(mail.text).toMatch(new RegExp(`^Status: +${words}$`, 'm'));
    expect(mail.text).toMatch(/^Reference: +po_1$/m);
    expect(visibleText(mail.html)).toContain('IDR 1,500,000');
  });
});

describe('renderWelcomeMail', () => {
  it('greets the user by name and names the address they signed up with', () => {
    const mail = renderWelcomeMail({ name: 'Ana', email: 'ana@example.com' }, branding);
    expect(mail.subject).toBe('Welcome to Mamlaka');
    expect(mail.text).toContain('Welcome, Ana!');
    expect(mail.text).toContain('ana@example.com');
    expect(visibleText(mail.html)).toContain('Welcome, Ana!');
  });

  it('escapes a name holding markup', () => {
    const mail = renderWelcomeMail({ name: '<script>x</script>', email: 'a@b.c' }, branding);
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('Welcome, &lt;script&gt;x&lt;/script&gt;!');
  });

  it('points to support only when there is a support address', () => {
    const { supportEmail: _, ...noSupport } = branding;
    const mail = renderWelcomeMail({ name: 'Ana', email: 'ana@example.com' }, noSupport);
    expect(mail.text).not.toContain('Questions?');
    expect(mail.text).toContain('you can ignore this mail');
  });
});

describe('formatting', () => {
  it.each([
    ['0.05', 'USD', 'USD 0.05'],
    ['999', 'IDR', 'IDR 999'],
    ['1000', 'IDR', 'IDR 1,000'],
    ['1234567.89', 'EUR', 'EUR 1,234,567.89'],
    ['1000000000000000', 'IDR', 'IDR 1,000,000,000,000,000'],
    ['-1000.00', 'USD', 'USD -1,000.00'],
    ['n/a', 'USD', 'USD n/a'],
  ])('groups %s %s as %s without touching the digits', (amount, currency, expected) => {
    expect(formatMoney(amount, currency)).toBe(expected);
  });

  it('shows times in UTC to the minute, and an unreadable time as given', () => {
    expect(formatTime('2026-11-22T21:03:05+07:00')).toBe('2026-11-22 14:03 UTC');
    expect(formatTime('yesterday')).toBe('yesterday');
  });

  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});
