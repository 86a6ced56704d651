import { describe, expect, it } from 'vitest';
import { planFor, SPLIT_ROLES } from './roles.js';

describe('role plans', () => {
  it('run every background job in exactly one split role, as the all-in-one process runs them all', () => {
    const all = planFor('all');
    const jobs = [
      'events',
      'delivery',
      'expiry',
      'refundReconciler',
      'idempotencyCleanup',
      'retention',
      'legacyEncryption',
      'ledgerCheck',
    ] as const;
    for (const job of jobs) {
      expect(all[job]).toBe(true);
      expect(SPLIT_ROLES.filter((role) => planFor(role)[job])).toHaveLength(1);
    }
  });

  it('serve each gRPC service in exactly one split role, and the gateway reaches all three remotely', () => {
    for (const service of ['users', 'catalog', 'payments'] as const) {
      expect(SPLIT_ROLES.filter((role) => planFor(role).grpc.includes(service))).toEqual([service]);
    }
    expect(planFor('gateway')).toMatchObject({
      rest: true,
      remote: ['users', 'catalog', 'payments'],
      grpc: [],
    });
    expect(planFor('all').remote).toEqual([]);
  });
});
