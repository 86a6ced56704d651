/** What one process of Mamlaka is: everything (the default), or one part of the split deployment. */
export type Role = 'all' | 'gateway' | 'users' | 'catalog' | 'payments' | 'notifications';

export const SPLIT_ROLES = ['gateway', 'users', 'catalog', 'payments', 'notifications'] as const;

export interface RolePlan {
  /** The whole REST API (else only /health and /ready, for probes). */
  rest: boolean;
  /** The gRPC services this process serves. */
  grpc: ('users' | 'catalog' | 'payments')[];
  /** REST routes of these modules call the named services over gRPC instead of in process. */
  remote: ('users' | 'catalog' | 'payments')[];
  /** The outbox relay and the event consumers (webhooks, mail). */
  events: boolean;
  /** Sending queued webhooks and mail. */
  delivery: boolean;
  /** Expiring pending payments. */
  expiry: boolean;
  /** Settling refunds left pending by a gateway that did not answer (one leader at a time). */
  refundReconciler: boolean;
  /** Deleting old idempotency records. */
  idempotencyCleanup: boolean;
  /** Deleting what outlived its retention period: finished mail, pushes, webhook deliveries, audit entries. */
  retention: boolean;
  /** Encrypting values stored before encryption at rest (once, at start; owns the users' e-mail index). */
  legacyEncryption: boolean;
  /** Re-checking the ledger periodically for the metrics (ledger gauges, payouts pending). */
  ledgerCheck: boolean;
}

/**
 * Which parts run where. Every background job runs in exactly one role, so that a split
 * deployment does each job once per instance of that role, as the all-in-one process does.
 */
export function planFor(role: Role): RolePlan {
  const none: RolePlan = {
    rest: false,
    grpc: [],
    remote: [],
    events: false,
    delivery: false,
    expiry: false,
    refundReconciler: false,
    idempotencyCleanup: false,
    retention: false,
    legacyEncryption: false,
    ledgerCheck: false,
  };
  switch (role) {
    case 'all':
      return {
        rest: true,
        grpc: ['users', 'catalog', 'payments'],
        remote: [],
        events: true,
        delivery: true,
        expiry: true,
        refundReconciler: true,
        idempotencyCleanup: true,
        retention: true,
        legacyEncryption: true,
        ledgerCheck: true,
      };
    case 'gateway':
      return {
        ...none,
        rest: true,
        remote: ['users', 'catalog', 'payments'],
        idempotencyCleanup: true,
        retention: true,
      };
    case 'users':
      return { ...none, grpc: ['users'], legacyEncryption: true };
    case 'catalog':
      return { ...none, grpc: ['catalog'] };
    case 'payments':
      return { ...none, grpc: ['payments'], expiry: true, refundReconciler: true, ledgerCheck: true };
    case 'notifications':
      return { ...none, events: true, delivery: true };
  }
}
