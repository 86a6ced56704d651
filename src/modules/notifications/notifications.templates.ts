import {
  type Branding,
  formatMoney,
  formatTime,
  humanize,
  type MailContent,
  type MailItem,
  type RenderedMail,
  renderMail,
} from './notifications.layout.js';
import { formatAmount, parseAmount } from '../../platform/money.js';

export type { Branding, RenderedMail } from './notifications.layout.js';

/**
 * The mails Mamlaka sends, as pure functions from plain data to subject, text and HTML.
 * Amounts arrive as the API's decimal strings and are only regrouped for display, never
 * computed with; statuses are the API's codes, turned into words here.
 */

export interface WelcomeMailInput {
  name: string;
  email: string;
  /** The link that verifies the address, and until when it works. */
  verification?: { url: string; expires_at: string };
}

/** A payment as the API shows it (the fields a receipt needs). */
export interface PaymentMailInput {
  id: string;
  payment_code: string;
  status: string;
  total_amount: string;
  refunded_amount: string;
  currency: string;
  payment_method: string;
  created_at: string;
  updated_at: string;
  items: MailItem[];
  /** A priced order's shipping, tax and discounts (decimal strings), as its events carry them. */
  pricing?: { subtotal: string; shipping: string; tax: string; tax_added: string; discount: string };
  /** Where a gateway payment is paid (Midtrans's Snap page), while it is pending. */
  payment_url?: string | null;
  /** When a pending payment expires unpaid. */
  expires_at?: string | null;
}

export interface PayoutMailInput {
  id: string;
  amount: string;
  currency: string;
  status: string;
}

/** Per payment status: the subject's words, the status in words, and what happened. */
const PAYMENT_WORDING: Record<
  string,
  { subject: string; status: string; lead: (paid: string, refunded: string) => string }
> = {
  pending: {
    subject: 'Payment pending',
    status: 'Awaiting payment',
    lead: (paid) => `Your payment of ${paid} has been created and is waiting to be completed.`,
  },
  succeeded: {
    subject: 'Payment received',
    status: 'Paid',
    lead: (paid) => `We received your payment of ${paid}. Thank you!`,
  },
  failed: {
    subject: 'Payment failed',
    status: 'Failed',
    lead: (paid) =>
      `Your payment of ${paid} did not go through. You can try again with another payment method.`,
  },
  expired: {
    subject: 'Payment expired',
    status: 'Expired',
    lead: (paid) => `Your payment of ${paid} was not completed in time and has expired.`,
  },
  canceled: {
    subject: 'Payment canceled',
    status: 'Canceled',
    lead: (paid) => `Your payment of ${paid} was canceled.`,
  },
  partially_refunded: {
    subject: 'Refund issued',
    status: 'Partially refunded',
    lead: (paid, refunded) => `We refunded ${refunded} of your payment of ${paid}.`,
  },
  refunded: {
    subject: 'Refund issued',
    status: 'Refunded',
    lead: (paid) => `Your payment of ${paid} has been refunded in full.`,
  },
};

// A status added to the API later still gets a sensible mail rather than a crash.
const paymentWording = (status: string) =>
  PAYMENT_WORDING[status] ?? {
    subject: 'Payment updated',
    status: humanize(status),
    lead: (paid: string) => `There is an update to your payment of ${paid}.`,
  };

const PAYMENT_METHOD_WORDS: Record<string, string> = {
  wallet: 'Wallet balance',
  manual: 'Manual payment',
  credit_card: 'Credit card',
};

/** The human words for a payment status code, e.g. `partially_refunded` → `Partially refunded`. */
export const paymentStatusWords = (status: string): string => paymentWording(status).status;

const isZero = (amount: string): boolean => /^0+(\.0+)?$/.test(amount);

function paymentDetails(payment: PaymentMailInput): [string, string][] {
  const details: [string, string][] = [
    ['Status', paymentStatusWords(payment.status)],
    ['Payment code', payment.payment_code],
    ['Amount', formatMoney(payment.total_amount, payment.currency)],
  ];
  if (!isZero(payment.refunded_amount)) {
    details.push(['Refunded', formatMoney(payment.refunded_amount, payment.currency)]);
  }
  details.push(
    ['Payment method', PAYMENT_METHOD_WORDS[payment.payment_method] ?? humanize(payment.payment_method)],
    ['Created', formatTime(payment.created_at)],
  );
  if (payment.updated_at !== payment.created_at) details.push(['Updated', formatTime(payment.updated_at)]);
  if (payment.status === 'pending' && payment.expires_at)
    details.push(['Pay by', formatTime(payment.expires_at)]);
  return details;
}

/** A priced order's lines between its items and its total; none for an order of items alone. */
function pricingLines(payment: PaymentMailInput): [string, string][] {
  const pricing = payment.pricing;
  if (!pricing) return [];
  const money = (amount: string) => formatMoney(amount, payment.currency);
  const minor = (amount: string) => {
    const parsed = parseAmount(amount, payment.currency, { allowZero: true });
    return parsed.ok ? parsed.minor : 0n;
  };
  const included = minor(pricing.tax) - minor(pricing.tax_added);
  const lines: [string, string][] = [
    ['Subtotal', money(pricing.subtotal)],
    ['Shipping', money(pricing.shipping)],
  ];
  if (!isZero(pricing.discount)) lines.push(['Discount', `−${money(pricing.discount)}`]);
  if (!isZero(pricing.tax_added)) lines.push(['Tax', money(pricing.tax_added)]);
  if (included > 0n)
    lines.push(['Tax included in the prices', money(formatAmount(included, payment.currency))]);
  return lines;
}

const paymentItems = (payment: PaymentMailInput): MailContent['items'] => ({
  rows: payment.items,
  currency: payment.currency,
  total: payment.total_amount,
  adjustments: pricingLines(payment),
});

/** Sent once a user has registered. */
export function renderWelcomeMail(user: WelcomeMailInput, branding: Branding): RenderedMail {
  const paragraphs = [
    `Your ${branding.productName} account is ready. You signed up with ${user.email}.`,
    branding.supportEmail
      ? `If you did not create this account, please tell us at ${branding.supportEmail}.`
      : 'If you did not create this account, you can ignore this mail.',
  ];
  const verification = user.verification;
  if (verification) {
    paragraphs.splice(
      1,
      0,
      `Please confirm your e-mail address: the link works once, until ${formatTime(verification.expires_at)}.`,
    );
  }
  return renderMail(
    {
      subject: `Welcome to ${branding.productName}`,
      heading: `Welcome, ${user.name}!`,
      paragraphs,
      ...(verification ? { action: { label: 'Confirm e-mail address', url: verification.url } } : {}),
    },
    branding,
  );
}

/**
 * Sent on every status change of a payment: what was bought, for how much, and where the
 * payment stands now. The subject names the status, so a buyer can tell the mails apart.
 */
export function renderPaymentReceipt(payment: PaymentMailInput, branding: Branding): RenderedMail {
  const wording = paymentWording(payment.status);
  const paid = formatMoney(payment.total_amount, payment.currency);
  const refunded = formatMoney(payment.refunded_amount, payment.currency);
  // A pending gateway payment is completed on the gateway's page: the mail carries its link.
  const payLink = payment.status === 'pending' && payment.payment_url ? payment.payment_url : undefined;
  const deadline = payment.expires_at
    ? `Complete it before ${formatTime(payment.expires_at)}; after that it expires and nothing is charged.`
    : 'Complete it on the payment page.';
  return renderMail(
    {
      subject: `${wording.subject}: ${payment.payment_code}`,
      heading: wording.subject,
      paragraphs: [wording.lead(paid, refunded), ...(payLink ? [deadline] : [])],
      ...(payLink ? { action: { label: 'Complete your payment', url: payLink } } : {}),
      details: paymentDetails(payment),
      items: paymentItems(payment),
    },
    branding,
  );
}

/**
 * Sent when money goes back to the buyer: `refund.amount` is this refund, while the
 * payment's `refunded_amount` is everything refunded so far (this refund included).
 */
export function renderRefundNotice(
  payment: PaymentMailInput,
  refund: { amount: string },
  branding: Branding,
): RenderedMail {
  const amount = formatMoney(refund.amount, payment.currency);
  const paid = formatMoney(payment.total_amount, payment.currency);
  const full = payment.status === 'refunded' && refund.amount === payment.total_amount;
  return renderMail(
    {
      subject: `Refund of ${amount}: ${payment.payment_code}`,
      heading: 'Refund issued',
      paragraphs: [
        full
          ? `We refunded your payment of ${paid} in full.`
          : `We refunded ${amount} of your payment of ${paid}.`,
      ],
      details: [['This refund', amount], ...paymentDetails(payment)],
      items: paymentItems(payment),
    },
    branding,
  );
}

/** A refund as the API shows it (the fields its mails need). */
export interface RefundMailInput {
  amount: string;
  reason: string;
  failure_message: string | null;
}

/** The words of a refund mail whose refund is not (or not yet) done, given its amount and gateway. */
const REFUND_WORDING = {
  pending: {
    subject: (amount: string) => `Refund of ${amount} on its way`,
    heading: 'Refund requested',
    lead: (amount: string, gateway: string) =>
      `We asked ${gateway} to refund ${amount} of your payment. ` +
      'We will write again once it confirms the money is on its way back to you.',
  },
  failed: {
    subject: (amount: string) => `Refund of ${amount} failed`,
    heading: 'Refund failed',
    lead: (amount: string, gateway: string, failure: string | null) =>
      `The refund of ${amount} you asked for was refused by ${gateway}` +
      `${failure ? `: ${failure}` : '.'} Nothing was taken from your balance.`,
  },
};

function renderRefundUpdate(
  status: keyof typeof REFUND_WORDING,
  payment: PaymentMailInput,
  refund: RefundMailInput,
  branding: Branding,
): RenderedMail {
  const amount = formatMoney(refund.amount, payment.currency);
  const wording = REFUND_WORDING[status];
  return renderMail(
    {
      subject: `${wording.subject(amount)}: ${payment.payment_code}`,
      heading: wording.heading,
      paragraphs: [wording.lead(amount, humanize(payment.payment_method), refund.failure_message)],
      details: [['This refund', amount], ['Reason', refund.reason], ...paymentDetails(payment)],
      items: paymentItems(payment),
    },
    branding,
  );
}

/** Sent when a gateway refund is on its way but not yet confirmed (card and bank refunds take days). */
export const renderRefundPending = (payment: PaymentMailInput, refund: RefundMailInput, branding: Branding) =>
  renderRefundUpdate('pending', payment, refund, branding);

/** Sent to whoever asked for a refund that the payment's gateway refused. */
export const renderRefundFailed = (payment: PaymentMailInput, refund: RefundMailInput, branding: Branding) =>
  renderRefundUpdate('failed', payment, refund, branding);

const PAYOUT_WORDING: Record<string, { subject: string; status: string; lead: (amount: string) => string }> =
  {
    pending: {
      subject: 'Payout requested',
      status: 'Processing',
      lead: (amount) =>
        `We received your payout request of ${amount}. The amount is held from your balance until it is sent.`,
    },
    paid: {
      subject: 'Payout sent',
      status: 'Paid out',
      lead: (amount) => `Your payout of ${amount} has been sent.`,
    },
    canceled: {
      subject: 'Payout canceled',
      status: 'Canceled',
      lead: (amount) =>
        `Your payout of ${amount} was canceled, and the amount is available in your balance again.`,
    },
    failed: {
      subject: 'Payout failed',
      status: 'Failed',
      lead: (amount) =>
        `Your payout of ${amount} could not be paid into your bank account, and the amount is available in your balance again. Check the payout destination's details.`,
    },
  };

/** Sent to a seller when a payout is requested, paid out, canceled or failed at the bank. */
export function renderPayoutNotice(payout: PayoutMailInput, branding: Branding): RenderedMail {
  const amount = formatMoney(payout.amount, payout.currency);
  const wording = PAYOUT_WORDING[payout.status] ?? {
    subject: 'Payout updated',
    status: humanize(payout.status),
    lead: (text: string) => `There is an update to your payout of ${text}.`,
  };
  return renderMail(
    {
      subject: `${wording.subject}: ${amount}`,
      heading: wording.subject,
      paragraphs: [wording.lead(amount)],
      details: [
        ['Status', wording.status],
        ['Amount', amount],
        ['Reference', payout.id],
      ],
    },
    branding,
  );
}

/**
 * A marketing message from the platform's admins, sent only to those who still accept
 * marketing mail; it says how to stop receiving them.
 */
export function renderAnnouncement(
  announcement: { subject: string; text: string },
  to: { name: string },
  branding: Branding,
): RenderedMail {
  return renderMail(
    {
      subject: announcement.subject,
      heading: `Hello ${to.name}`,
      paragraphs: [
        ...announcement.text
          .split(/\n{2,}/)
          .map((paragraph) => paragraph.trim())
          .filter(Boolean),
        `You get this because marketing mail is on in your ${branding.productName} preferences; turn it off there (PUT /users/me/preferences) to stop these.`,
      ],
    },
    branding,
  );
}
