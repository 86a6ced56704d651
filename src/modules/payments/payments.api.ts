import type { Checkout } from './payments.checkout.js';
import type { Refunds } from './payments.refunds.js';
import type { PaymentsService } from './payments.service.js';

/**
 * What the REST routes need of the payments module. The all-in-one process passes the
 * services themselves; the split gateway passes a gRPC client with the same methods
 * (payments.grpc-client.ts).
 */
export type CheckoutApi = Pick<Checkout, 'create'>;
export type PaymentsApi = Pick<PaymentsService, 'list' | 'retrieve' | 'cancel' | 'capture'>;
export type RefundsApi = Pick<Refunds, 'refund' | 'retrieveRefund' | 'listRefunds'>;
