import { randomBytes } from 'node:crypto';

export type IrisSandboxStatus = 'queued' | 'approved' | 'completed' | 'failed' | 'rejected';

export interface IrisSandboxPayout {
  referenceNo: string;
  beneficiaryName: string;
  beneficiaryAccount: string;
  beneficiaryBank: string;
  /** Rupiah. */
  amount: bigint;
  notes: string;
  status: IrisSandboxStatus;
  errorCode?: string;
  errorMessage?: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface IrisSandboxBeneficiary {
  name: string;
  account: string;
  bank: string;
  aliasName: string;
  email: string;
}

/** Accounts the sandbox's bank refuses on approval, so tests and demos can see a payout fail. */
export const FAILING_ACCOUNTS: readonly string[] = ['0000000000'];

const MAX_PAYOUTS = 10_000;
const MAX_BENEFICIARIES = 10_000;

/**
 * Iris's beneficiaries and payouts, in memory. Synchronous, so each call is atomic. Keeps
 * the newest MAX_PAYOUTS payouts (and idempotency keys with them) so a sandbox in long use
 * never fills up.
 */
export class IrisStore {
  private readonly payouts = new Map<string, IrisSandboxPayout>();
  private readonly byIdempotencyKey = new Map<string, string>();
  private readonly beneficiaries = new Map<string, IrisSandboxBeneficiary>();

  addBeneficiary(beneficiary: IrisSandboxBeneficiary): boolean {
    if (this.beneficiaries.has(beneficiary.aliasName)) return false;
    if (this.beneficiaries.size >= MAX_BENEFICIARIES) {
      this.beneficiaries.delete(this.beneficiaries.keys().next().value!);
    }
    this.beneficiaries.set(beneficiary.aliasName, beneficiary);
    return true;
  }

  beneficiary(alias: string): IrisSandboxBeneficiary | undefined {
    return this.beneficiaries.get(alias);
  }

  /** A payout queued for approval; the same idempotency key gives back the first one. */
  create(
    payout: Omit<IrisSandboxPayout, 'referenceNo' | 'status' | 'createdAt' | 'updatedAt'>,
    idempotencyKey: string | undefined,
  ): IrisSandboxPayout {
    const known = idempotencyKey ? this.byIdempotencyKey.get(idempotencyKey) : undefined;
    const replayed = known ? this.payouts.get(known) : undefined;
    if (replayed) return replayed;
    if (this.payouts.size >= MAX_PAYOUTS) this.evictOldest();
    const now = new Date();
    const created: IrisSandboxPayout = {
      ...payout,
      referenceNo: `ir${randomBytes(9).toString('hex')}`,
      status: 'queued',
      createdAt: now,
      updatedAt: now,
    };
    this.payouts.set(created.referenceNo, created);
    if (idempotencyKey) this.byIdempotencyKey.set(idempotencyKey, created.referenceNo);
    return created;
  }

  get(referenceNo: string): IrisSandboxPayout | undefined {
    return this.payouts.get(referenceNo);
  }

  list(): IrisSandboxPayout[] {
    return [...this.payouts.values()];
  }

  /** Approval sends the money: the sandbox's bank settles at once, failing for FAILING_ACCOUNTS. */
  approve(referenceNo: string): IrisSandboxPayout | undefined {
    const payout = this.payouts.get(referenceNo);
    if (!payout || payout.status !== 'queued') return undefined;
    if (FAILING_ACCOUNTS.includes(payout.beneficiaryAccount)) {
      this.set(payout, 'failed', { code: '001', message: 'Beneficiary account is invalid' });
    } else this.set(payout, 'completed');
    return payout;
  }

  set(payout: IrisSandboxPayout, status: IrisSandboxStatus, error?: { code: string; message: string }): void {
    payout.status = status;
    payout.errorCode = error?.code;
    payout.errorMessage = error?.message;
    payout.updatedAt = new Date();
  }

  private evictOldest(): void {
    const oldest = this.payouts.keys().next().value!;
    this.payouts.delete(oldest);
    for (const [key, reference] of this.byIdempotencyKey) {
      if (reference === oldest) this.byIdempotencyKey.delete(key);
    }
  }
}
