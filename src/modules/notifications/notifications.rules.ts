import type { DomainEvent } from '../../platform/events/event.js';
import type { KeyRing } from '../../platform/crypto/keyring.js';
import { openRecoveryMail, RECOVERY_EVENTS } from '../users/users.recovery-events.js';
import {
  type FulfilmentMailInput,
  renderItemDelivered,
  renderItemShipped,
} from './notifications.fulfilment-templates.js';
import {
  type Branding,
  type PaymentMailInput,
  type PayoutMailInput,
  type RenderedMail,
  renderPaymentReceipt,
  renderPayoutNotice,
  renderRefundFailed,
  renderRefundNotice,
  renderRefundPending,
  type RefundMailInput,
  renderWelcomeMail,
} from './notifications.templates.js';
import type { MailCategory } from './notifications.tables.js';

export type MailKind = 'welcome' | 'receipt' | 'refund' | 'payout' | 'announcement' | 'fulfilment';

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
  'refund.created',
  'refund.succeeded',
  'refund.failed',
  'order.shipped',
  'order.delivered',
  'payout.requested',
  'payout.completed',
  'payout.failed',
  // Verification and reset links (notifications.recovery-templates.ts).
  ...RECOVERY_EVENTS,
] as const;

type PaymentEventData = PaymentMailInput & { user_id: string; refund?: { amount: string } };
type PayoutEventData = PayoutMailInput & { seller_id: string };
type RefundEventData = RefundMailInput & {
  id: string;
  created_by: string;
  payment_method: string;
  payment: PaymentEventData;
};

/**
 * Which mails an event calls for. A receipt goes to the buyer on every status change; a
 * payment that is created already settled (paid from the wallet) also emits its
 * `payment.succeeded`, so `payment.created` only mails while the payment is still pending,
 * and each change gives exactly one receipt.
 */
export function mailsFor(event: DomainEvent, keyring?: Pick<KeyRing, 'decrypt'>): MailPlan[] {
  switch (event.type) {
    case 'user.registered': {
      const user = event.data as { id: string; verification?: { sealed: string; expires_at: string } };
      // The verification link travels sealed (users.recovery-events.ts).
      const link =
        user.verification && keyring
          ? openRecoveryMail(keyring, event.aggregate, user.verification.sealed).url
          : undefined;
      const verification = link ? { url: link, expires_at: user.verification!.expires_at } : undefined;
      return [
        {
          kind: 'welcome',
          category: 'transactional',
          recipientId: user.id,
          render: (to, branding) =>
            renderWelcomeMail(
              { name: to.name, email: to.email, ...(verification ? { verification } : {}) },
              branding,
            ),
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
    // A wallet refund settles at once, so only a gateway refund tells the buyer it is on its way.
    case 'refund.created': {
      const refund = event.data as RefundEventData;
      if (refund.payment_method === 'wallet') return [];
      return [refundMail(refund, refund.payment.user_id, renderRefundPending)];
    }
    case 'refund.succeeded': {
      const refund = event.data as RefundEventData;
      return [refundMail(refund, refund.payment.user_id, renderRefundNotice)];
    }
    case 'refund.failed': {
      const refund = event.data as RefundEventData;
      return [refundMail(refund, refund.created_by, renderRefundFailed)];
    }
    // Each item is shipped on its own, so each event is one mail about one item.
    case 'order.shipped':
    case 'order.delivered': {
      const order = event.data as FulfilmentMailInput & { buyer_id: string };
      const render = event.type === 'order.shipped' ? renderItemShipped : renderItemDelivered;
      return [
        {
          kind: 'fulfilment',
          category: 'transactional',
          recipientId: order.buyer_id,
          render: (_to, branding) => render(order, branding),
        },
      ];
    }
    // Requested, and for payouts sent to a bank its outcome (completed, or failed and returned).
    case 'payout.requested':
    case 'payout.completed':
    case 'payout.failed': {
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

function refundMail(
  refund: RefundEventData,
  recipientId: string,
  render: (payment: PaymentMailInput, refund: RefundMailInput, branding: Branding) => RenderedMail,
): MailPlan {
  return {
    kind: 'refund',
    category: 'transactional',
    recipientId,
    render: (_to, branding) => render(refund.payment, refund, branding),
  };
}
