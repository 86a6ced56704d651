import { escapeHtml } from '../../../platform/html.js';
import { formatAmount, statusCodeOf } from './sandbox.state.js';
import type { SandboxTransaction } from './sandbox.store.js';

/** The sandbox's stand-in for Snap's hosted payment page: plain HTML, no scripts, no external assets. */

export const PAGE_ACTIONS = ['settlement', 'deny', 'expire'] as const;
export type PageAction = (typeof PAGE_ACTIONS)[number];

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#222}' +
  'dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem}dt{color:#666}' +
  'form{display:inline-block;margin:.25rem}button{font-size:1rem;padding:.5rem 1rem;cursor:pointer}' +
  '.note{color:#a60;font-size:.9rem}';

function layout(title: string, content: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>` +
    `<body><h1>${escapeHtml(title)}</h1>${content}` +
    `<p class="note">Midtrans sandbox: no real money moves.</p></body></html>`
  );
}

const summary = (transaction: SandboxTransaction) =>
  `<dl><dt>Order</dt><dd id="order-id">${escapeHtml(transaction.orderId)}</dd>` +
  `<dt>Amount</dt><dd id="gross-amount">IDR ${escapeHtml(formatAmount(transaction.grossAmount))}</dd>` +
  `<dt>Status</dt><dd id="status">${escapeHtml(transaction.status)}</dd></dl>`;

export function paymentPage(transaction: SandboxTransaction): string {
  // Relative to the page (`…/snap/v2/vtweb/<token>`), so the form works wherever the sandbox
  // is mounted: on its own port or under a path prefix of the main server.
  const action = `${encodeURIComponent(transaction.token)}/pay`;
  const buttons = PAGE_ACTIONS.map(
    (outcome) =>
      `<form method="post" action="${escapeHtml(action)}">` +
      `<input type="hidden" name="action" value="${outcome}">` +
      `<button type="submit">${outcome === 'settlement' ? 'Pay' : outcome === 'deny' ? 'Deny' : 'Expire'}</button>` +
      `</form>`,
  ).join('');
  return layout('Payment', summary(transaction) + buttons);
}

export const resultPage = (transaction: SandboxTransaction, message?: string): string =>
  layout(
    'Payment result',
    summary(transaction) + (message ? `<p id="message">${escapeHtml(message)}</p>` : ''),
  );

/** The merchant's finish URL with the query Snap adds to it. */
export function finishRedirect(transaction: SandboxTransaction, finishUrl: string): string {
  const url = new URL(finishUrl);
  url.searchParams.set('order_id', transaction.orderId);
  if (transaction.status !== 'created') {
    url.searchParams.set('status_code', statusCodeOf(transaction.status));
    url.searchParams.set('transaction_status', transaction.status);
  }
  return url.toString();
}

export const notFoundPage = (): string => layout('Payment not found', '<p>This payment link is unknown.</p>');
