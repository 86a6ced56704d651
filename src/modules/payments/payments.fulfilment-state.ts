import { conflict } from '../../platform/errors.js';
import type { PaymentStatus } from './payments.state.js';

export type FulfilmentStatus = 'unfulfilled' | 'shipped' | 'delivered' | 'canceled';
export type FulfilmentAction = 'ship' | 'deliver' | 'cancel';

export const FULFILMENT_STATUSES: readonly FulfilmentStatus[] = [
  'unfulfilled',
  'shipped',
  'delivered',
  'canceled',
];
export const FULFILMENT_ACTIONS: readonly FulfilmentAction[] = ['ship', 'deliver', 'cancel'];

interface Move {
  /** The item states the action starts from. */
  from: readonly FulfilmentStatus[];
  to: FulfilmentStatus;
  /** The payment states under which the action may happen at all. */
  payment: readonly PaymentStatus[];
  /** The stable code every refusal of this action carries (409). */
  refused: string;
}

/**
 * The fulfilment state machine of one order item, whole. Everything not listed is refused.
 * Only paid goods leave the warehouse (a partial refund leaves the rest of the order paid);
 * delivery follows a shipment whatever the payment does meanwhile, since the parcel is on its
 * way; and only a payment refunded in full cancels what has not been delivered: a delivered
 * item is a matter for a return, not for the fulfilment record.
 */
export const FULFILMENT_MOVES: Readonly<Record<FulfilmentAction, Move>> = {
  ship: {
    from: ['unfulfilled'],
    to: 'shipped',
    payment: ['succeeded', 'partially_refunded'],
    refused: 'item_not_shippable',
  },
  deliver: {
    from: ['shipped'],
    to: 'delivered',
    payment: ['succeeded', 'partially_refunded'],
    refused: 'item_not_deliverable',
  },
  cancel: {
    from: ['unfulfilled', 'shipped'],
    to: 'canceled',
    payment: ['refunded'],
    refused: 'item_not_cancelable',
  },
};

/** The item states a full refund cancels, for the one UPDATE that applies them all. */
export const CANCELED_BY_FULL_REFUND: readonly FulfilmentStatus[] = FULFILMENT_MOVES.cancel.from;

export const canFulfil = (
  action: FulfilmentAction,
  item: FulfilmentStatus,
  payment: PaymentStatus,
): boolean =>
  FULFILMENT_MOVES[action].from.includes(item) && FULFILMENT_MOVES[action].payment.includes(payment);

/**
 * The item's next state after `action`.
 * @throws `item_not_shippable`, `item_not_deliverable` or `item_not_cancelable` (409) for any
 * move the table does not allow, saying whether the item or its payment stands in the way.
 */
export function nextFulfilment(
  action: FulfilmentAction,
  item: FulfilmentStatus,
  payment: PaymentStatus,
): FulfilmentStatus {
  const move = FULFILMENT_MOVES[action];
  if (!move.from.includes(item)) {
    throw conflict(move.refused, `a ${item} item cannot be ${pastTense[action]}`);
  }
  if (!move.payment.includes(payment)) {
    throw conflict(move.refused, `an item cannot be ${pastTense[action]} while its payment is ${payment}`);
  }
  return move.to;
}

const pastTense: Record<FulfilmentAction, string> = {
  ship: 'shipped',
  deliver: 'delivered',
  cancel: 'canceled',
};
