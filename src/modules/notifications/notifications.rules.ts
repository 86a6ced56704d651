import type { DomainEvent } from '../../platform/events/event.js';
import {
  type Branding,
  type PaymentMailInput,
  type PayoutMailInput,
  type RenderedMail,
  renderPaymentReceipt,
  renderPayoutNotice,
  renderRefundNotice,
  renderWelcomeMail,
} from './notifications.templates.js';
import type { MailCategory } from './notifications.tables.js';

export type MailKind = 'welcome' | 'receipt' | 'refund' | 'payout' | 'announcement';

/** A mail an event calls for, before its recipient's address is known. */
export interface MailPlan {
  kind: MailKind;
  category: MailCategory;
  recipientId: string;
  render(recipient: { name: string; email: string }, branding: Branding): RenderedMail;
}

/** The events the notification service acts on (its NATS consumer filters on them). */
export const NOTIFIED_EVENTS = [
  'user.registered',
  'payment.created',
  'payment.succeeded',
  'payment.failed',
  'payment.canceled',
  'payment.expired',
  'payment.refunded',
  'payout.requested',
] as const;

type PaymentEventData = PaymentMailInput & { user_id: string; refund?: { amount: string } };
type PayoutEventData = PayoutMailInput & { seller_id: string };

/**
 * Which mails an event calls for. A receipt goes to the buyer on every status change; a
 * payment that is created already settled (paid from the wallet) also emits its
 * `payment.succeeded`, so `payment.created` only mails while the payment is still pending,
 * and each change gives exactly one receipt.
 */
export function mailsFor(event: DomainEvent): MailPlan[] {
  switch (event.type) {
    case 'user.registered': {
      const user = event.data as { id: string };
      return [
        {
          kind: 'welcome',
          category: 'transactional',
          recipientId: user.id,
          render: (to, branding) => renderWelcomeMail({ name: to.name, email: to.email }, branding),
        },
      ];
    }
    case 'payment.created':
    case 'payment.succeeded':
    case 'payment.failed':
    case 'payment.canceled':
    case 'payment.expired': {
      const payment = event.data as PaymentEventData;
      if (event.type === 'payment.created' && payment.status !== 'pending') return [];
      return [
        {
          kind: 'receipt',
          category: 'transactional',
          recipientId: payment.user_id,
          render: (_to, branding) => renderPaymentReceipt(payment, branding),
        },
      ];
    }
    case 'payment.refunded': {
      const payment = event.data as PaymentEventData;
      const refund = payment.refund ?? { amount: payment.refunded_amount };
      return [
        {
          kind: 'refund',
          category: 'transactional',
          recipientId: payment.user_id,
          render: (_to, branding) => renderRefundNotice(payment, refund, branding),
        },
      ];
    }
    case 'payout.requested': {
      const payout = event.data as PayoutEventData;
      return [
        {
          kind: 'payout',
          category: 'transactional',
          recipientId: payout.seller_id,
          render: (_to, branding) => renderPayoutNotice(payout, branding),
        },
      ];
    }
    default:
      return [];
  }
}
