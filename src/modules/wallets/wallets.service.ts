import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type Actor, authorize } from '../../platform/auth/policy.js';
import { conflict, forbidden, invalidField, notFound } from '../../platform/errors.js';
import type { Outbox } from '../../platform/events/outbox.js';
import { formatAmount, isSupportedCurrency, parseAmount } from '../../platform/money.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import { payoutRequested } from './wallets.events.js';
import type { GatewayTopUp, GatewayTopUps } from './wallets.gateway-top-ups.js';
import type { PayoutRoute } from './wallets.payout-route.js';

export interface MoneyInput {
  amount: string;
  currency: string;
}

export interface WalletMovement {
  id: string;
  kind: 'top_up' | 'payout';
  amount: string;
  currency: string;
  status: 'succeeded' | 'pending' | 'paid' | 'canceled' | 'failed' | 'expired';
  /** Gateway top-ups: where the payer completes the payment. */
  payment_url?: string | null;
  token?: string | null;
}

export interface WalletBalance {
  currency: string;
  available: string;
  held: string;
  posted: string;
}

/**
 * Wallets are ledger accounts; this facade turns wallet commands into ledger postings:
 * test top-ups (sandbox only) and sellers' payouts, which hold the money until an admin
 * marks the payout paid (posted) or cancels it (voided).
 */
export class WalletsService {
  /** Payouts to banks, when a module offering them is wired in (routePayoutsThrough). */
  private payoutRoute?: PayoutRoute;

  constructor(
    /** Only to open transactions: balances are the ledger's, top-ups GatewayTopUps's. */
    private readonly db: Kysely<object>,
    private readonly ledger: LedgerService,
    private readonly mode: 'sandbox' | 'live',
    /** The most one top-up may add: the order maximum, so no top-up is larger than any purchase. */
    private readonly maxTopUpMinor: bigint,
    /** Where `payout.requested` is written, in the transaction that holds the money. */
    private readonly outbox: Outbox,
    /** Present when Midtrans is configured: top-ups paid through it. */
    private readonly gatewayTopUps?: GatewayTopUps,
  ) {}

  async balances(actor: Actor | undefined): Promise<WalletBalance[]> {
    const me = authorize(actor);
    return (await this.ledger.wallets(me.userId)).map((wallet) => ({
      currency: wallet.currency,
      available: formatAmount(wallet.available, wallet.currency),
      // What payouts in progress hold back: settled, but not spendable.
      held: formatAmount(wallet.posted - wallet.available, wallet.currency),
      posted: formatAmount(wallet.posted, wallet.currency),
    }));
  }

  /**
   * Adds money to the caller's wallet. `midtrans`: a pending top-up with a payment page,
   * credited when Midtrans confirms the payment. `test` (sandbox mode only, since it
   * creates money): credited at once from the gateway clearing account.
   * At most `maxTopUpMinor` (the order maximum) at a time.
   * @throws `unsupported_top_up_method` (400), `validation_failed` (400; an `amount_too_large`
   *   field above the maximum), `sandbox_only` (403), `gateway_unavailable` (503)
   */
  async topUp(
    actor: Actor | undefined,
    input: MoneyInput & { method: string },
    key?: string,
  ): Promise<WalletMovement> {
    const me = authorize(actor);
    if (input.method === 'midtrans' && this.gatewayTopUps) {
      const { currency, minor } = this.money(input, this.maxTopUpMinor);
      const topUp = await this.gatewayTopUps.create(me.userId, currency, minor);
      return {
        id: topUp.id,
        kind: 'top_up',
        amount: topUp.amount,
        currency: topUp.currency,
        status: topUp.status,
        payment_url: topUp.payment_url,
        token: topUp.token,
      };
    }
    if (input.method !== 'test') {
      throw invalidField(
        'method',
        'unsupported_top_up_method',
        `top-up method ${input.method} is not available`,
      );
    }
    if (this.mode !== 'sandbox') throw forbidden('sandbox_only', 'test top-ups exist only in sandbox mode');
    const { currency, minor } = this.money(input, this.maxTopUpMinor);
    const { transactionId } = await this.db.transaction().execute((trx) =>
      this.ledger.post(trx, {
        kind: 'top_up',
        reference: key ? `${me.userId}:${key}` : randomUUID(),
        currency,
        entries: [
          { account: { kind: 'gateway_clearing', currency }, direction: 'debit', amountMinor: minor },
          {
            account: { kind: 'user_wallet', ownerId: me.userId, currency },
            direction: 'credit',
            amountMinor: minor,
          },
        ],
      }),
    );
    return {
      id: transactionId,
      kind: 'top_up',
      amount: formatAmount(minor, currency),
      currency,
      status: 'succeeded',
    };
  }

  /** A gateway top-up of the caller's (an admin's: anyone's), to follow it until it settles. */
  async retrieveTopUp(actor: Actor | undefined, id: string): Promise<GatewayTopUp> {
    if (!this.gatewayTopUps) throw notFound('top_up');
    return this.gatewayTopUps.retrieve(actor, id);
  }

  /**
   * A seller asks for their available balance to be paid out; the amount is held meanwhile.
   * Transactional: the hold and its `payout.requested` event commit together. Idempotent by
   * `key`: a replay returns the same payout and announces nothing new.
   * @throws `role_not_allowed` (403) for a non-seller, `insufficient_funds` (422),
   *   `ledger_reference_reused` (409) when the key was used for a different amount; with a
   *   payout route, `destination_not_found` or `currency_not_supported` (400) for a destination
   */
  async requestPayout(
    actor: Actor | undefined,
    input: MoneyInput & { destination_id?: string },
    key?: string,
  ): Promise<WalletMovement> {
    const seller = authorize(actor, { roles: ['seller'] });
    const { currency, minor } = this.money(input);
    let routed = false;
    const payout = await this.db.transaction().execute(async (trx) => {
      const { transactionId, created } = await this.ledger.hold(trx, {
        kind: 'payout',
        reference: key ? `${seller.userId}:${key}` : randomUUID(),
        currency,
        entries: [
          {
            account: { kind: 'user_wallet', ownerId: seller.userId, currency },
            direction: 'debit',
            amountMinor: minor,
          },
          { account: { kind: 'payout_clearing', currency }, direction: 'credit', amountMinor: minor },
        ],
      });
      const movement = {
        id: transactionId,
        kind: 'payout',
        amount: formatAmount(minor, currency),
        currency,
        status: 'pending',
      } as const satisfies WalletMovement;
      // A replayed request (same key) is the same payout: it is announced once.
      if (created) await this.outbox.write(trx, [payoutRequested({ ...movement, seller_id: seller.userId })]);
      routed =
        (await this.payoutRoute?.attach(trx, {
          id: transactionId,
          sellerId: seller.userId,
          amountMinor: minor,
          currency,
          destinationId: input.destination_id,
        })) ?? false;
      return movement;
    });
    if (routed) this.payoutRoute?.send(payout.id);
    return payout;
  }

  /** Wires in payouts to banks: a payout with a destination goes out through `route`. */
  routePayoutsThrough(route: PayoutRoute): void {
    this.payoutRoute = route;
  }

  /**
   * An admin confirms the money left the platform (posted) or cancels the payout (voided).
   * @throws `payout_sent_to_bank` (409) for a payout a bank transfer settles
   */
  async resolvePayout(
    actor: Actor | undefined,
    payoutId: string,
    outcome: 'paid' | 'canceled',
  ): Promise<void> {
    authorize(actor, { roles: ['admin'] });
    // The bank decides how such a payout ends; settling it by hand too would move the money twice.
    if (await this.payoutRoute?.isRouted(payoutId)) {
      throw conflict('payout_sent_to_bank', 'this payout went out through the bank and settles itself');
    }
    await this.db.transaction().execute(async (trx) => {
      if (outcome === 'paid') await this.ledger.postPending(trx, payoutId);
      else await this.ledger.voidPending(trx, payoutId);
    });
  }

  /** With `maxMinor`, anything above it (the ledger's own limit included) is `amount_too_large`. */
  private money(input: MoneyInput, maxMinor?: bigint): { currency: string; minor: bigint } {
    const currency = input.currency.toUpperCase();
    if (!isSupportedCurrency(currency)) {
      throw invalidField('currency', 'unsupported_currency', `currency ${input.currency} is not supported`);
    }
    const parsed = parseAmount(input.amount, currency);
    if (maxMinor !== undefined && (parsed.ok ? parsed.minor > maxMinor : parsed.error === 'too_large')) {
      throw invalidField(
        'amount',
        'amount_too_large',
        `amount must be at most ${formatAmount(maxMinor, currency)} ${currency}`,
      );
    }
    if (!parsed.ok)
      throw invalidField('amount', parsed.error, `amount is invalid: ${parsed.error.replaceAll('_', ' ')}`);
    return { currency, minor: parsed.minor };
  }
}
