import type { DomainEvent } from '../../platform/events/event.js';
import type { PushUrgency } from './push.tables.js';

/**
 * What the browser's service worker receives (decrypted): it shows `title` and `body`,
 * opens `url` (a path of the web app) on click, and a newer message with the same `tag`
 * replaces the older one instead of stacking.
 */
export interface PushMessage {
  title: string;
  body: string;
  url: string;
  tag: string;
}

/** One message an event calls for, to every browser of one user. */
export interface PushPlan {
  userId: string;
  message: PushMessage;
  urgency: PushUrgency;
}

/** The events the push consumer acts on (its NATS consumer filters on them). */
export const PUSHED_EVENTS = [
  'payment.succeeded',
  'payment.failed',
  'payment.expired',
  'payment.refunded',
  'refund.succeeded',
  'refund.failed',
  'order.shipped',
  'order.delivered',
] as const;

interface PaymentData {
  id: string;
  order_id?: string | null;
  user_id: string;
  payment_code: string;
  total_amount: string;
  refunded_amount?: string;
  currency: string;
  /** Present on a `payment.refunded` that a refund's settlement wrote. */
  refund?: { id: string; amount: string };
}
interface RefundData {
  id: string;
  amount: string;
  currency: string;
  payment_method: string;
  payment: PaymentData;
}
interface OrderItemData {
  order_id: string;
  buyer_id: string;
  item: {
    id: string;
    product_name: string;
    quantity: number;
    carrier: string | null;
    tracking_number: string | null;
  };
}

// Push services take about 4 KB encrypted; notifications show far less than this anyway.
const MAX_TITLE = 80;
const MAX_BODY = 240;

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** `125000.50` IDR → `IDR 125,000.50`: regrouped for display, never computed with. */
export function formatMoney(amount: string, currency: string): string {
  const match = /^(-?)(\d+)(\.\d+)?$/.exec(amount);
  if (!match) return `${currency} ${amount}`;
  const [, sign = '', whole = '', fraction = ''] = match;
  return `${currency} ${sign}${whole.replace(/\B(?=(\d{3})+$)/g, ',')}${fraction}`;
}

/** The web app's page for an order; a payment with no order can only be followed in the wallet. */
export const orderPage = (orderId: string | null | undefined) =>
  orderId ? `/account/orders/${encodeURIComponent(orderId)}` : '/account/wallet';

const plan = (userId: unknown, message: PushMessage, urgency: PushUrgency = 'normal'): PushPlan[] =>
  typeof userId === 'string' && userId
    ? [
        {
          userId,
          urgency,
          message: { ...message, title: clip(message.title, MAX_TITLE), body: clip(message.body, MAX_BODY) },
        },
      ]
    : [];

function paymentPush(type: string, payment: PaymentData): PushPlan[] {
  const amount = formatMoney(payment.total_amount, payment.currency);
  const url = orderPage(payment.order_id);
  const tag = `payment-${payment.id}`;
  switch (type) {
    case 'payment.succeeded':
      return plan(payment.user_id, {
        title: 'Payment succeeded',
        body: `Your payment of ${amount} (${payment.payment_code}) went through.`,
        url,
        tag,
      });
    case 'payment.failed':
      return plan(
        payment.user_id,
        {
          title: 'Payment failed',
          body: `Your payment of ${amount} (${payment.payment_code}) did not go through. You can try again.`,
          url,
          tag,
        },
        'high',
      );
    case 'payment.expired':
      return plan(payment.user_id, {
        title: 'Payment expired',
        body: `Your payment of ${amount} (${payment.payment_code}) expired before it was completed.`,
        url,
        tag,
      });
    case 'payment.refunded':
      // A settled refund writes this and its own `refund.succeeded` together: the buyer hears
      // of it once, from the refund's event, which says how much came back.
      if (payment.refund) return [];
      return plan(payment.user_id, {
        title: 'Payment refunded',
        body: `${formatMoney(payment.refunded_amount ?? payment.total_amount, payment.currency)} of your payment ${payment.payment_code} has been refunded.`,
        url,
        tag,
      });
    default:
      return [];
  }
}

function refundPush(type: string, refund: RefundData): PushPlan[] {
  const amount = formatMoney(refund.amount, refund.currency);
  const code = refund.payment.payment_code;
  const url = orderPage(refund.payment.order_id);
  const tag = `refund-${refund.id}`;
  if (type === 'refund.succeeded') {
    const where = refund.payment_method === 'wallet' ? ' to your wallet' : '';
    return plan(refund.payment.user_id, {
      title: 'Refund completed',
      body: `${amount} has been refunded${where} for payment ${code}.`,
      url,
      tag,
    });
  }
  return plan(refund.payment.user_id, {
    title: 'Refund failed',
    body: `The refund of ${amount} for payment ${code} could not be completed. Contact support if you need help.`,
    url,
    tag,
  });
}

function orderPush(type: string, data: OrderItemData): PushPlan[] {
  const { item } = data;
  const what = item.quantity > 1 ? `${item.quantity} × ${item.product_name}` : item.product_name;
  const tag = `order-${data.order_id}-${item.id}`;
  const url = orderPage(data.order_id);
  if (type === 'order.shipped') {
    const carrier = item.carrier ? ` with ${item.carrier}` : '';
    const tracking = item.tracking_number ? ` (tracking ${item.tracking_number})` : '';
    return plan(data.buyer_id, {
      title: 'Order shipped',
      body: `${what} is on its way${carrier}${tracking}.`,
      url,
      tag,
    });
  }
  return plan(data.buyer_id, { title: 'Order delivered', body: `${what} has been delivered.`, url, tag });
}

/**
 * The push messages an event calls for: all to its buyer. Data that is not the shape its
 * producer documents yields nothing rather than a broken notification.
 */
export function pushesFor(event: Pick<DomainEvent, 'type' | 'data'>): PushPlan[] {
  const data = event.data as Record<string, unknown> | null;
  if (!data || typeof data !== 'object') return [];
  try {
    if (event.type.startsWith('payment.')) return paymentPush(event.type, data as unknown as PaymentData);
    if (event.type === 'refund.succeeded' || event.type === 'refund.failed')
      return refundPush(event.type, data as unknown as RefundData);
    if (event.type === 'order.shipped' || event.type === 'order.delivered')
      return orderPush(event.type, data as unknown as OrderItemData);
  } catch {
    // A missing nested object (a refund without its payment): malformed, so nothing to say.
    return [];
  }
  return [];
}
