import { AsyncResource } from 'node:async_hooks';
import type { Kysely } from 'kysely';
import { busy, isAppError } from '../../platform/errors.js';
import { checkoutGroupSize, checkoutQueueWaiting } from '../../platform/metrics/metrics.registry.js';
import type { CatalogService } from '../catalog/catalog.service.js';
import type { UnitPrice } from '../catalog/catalog.stock.js';
import type { CheckoutInput } from './payments.checkout-lines.js';
import { CheckoutQueue } from './payments.checkout-queue.js';
import {
  type GroupDeps,
  type GroupMember,
  placeTogether,
  type Written,
} from './payments.checkout-together.js';
import type { PaymentEvents } from './payments.events.js';
import type { PaymentProvider } from './payments.providers.js';
import { type PublicPayment, toPublicPayment } from './payments.rules.js';

/** A checkout waiting for its group; `settle` answers its request. */
interface Queued extends GroupMember {
  settle(outcome: Promise<PublicPayment>): void;
}

/**
 * True when the transaction that threw `error` certainly committed nothing: the code
 * refused something, or the database answered with an error (SQLSTATE and severity). A
 * lost connection gives neither, and its COMMIT may have gone through.
 */
function rolledBack(error: unknown): boolean {
  if (isAppError(error)) return true;
  const { code, severity } = (error ?? {}) as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof severity === 'string';
}

/** The checkout was not placed, nothing was written for it: trying again is safe. */
const checkoutsBusy = (queuedMs: number) =>
  busy(
    'checkouts_busy',
    'too many checkouts are being placed right now; nothing was charged, try again shortly',
    queuedMs,
  );

/**
 * How groups form (payments.checkout-queue.ts): `slots` transactions at once, up to
 * `maxGroup` checkouts in one, none waiting longer than `maxWaitMs` for its turn.
 */
export interface CheckoutGroupSettings {
  slots: number;
  maxGroup: number;
  maxWaitMs: number;
}

export interface CheckoutGroupsDeps {
  db: Kysely<object>;
  catalog: CatalogService;
  providers: ReadonlyMap<string, PaymentProvider>;
  events: PaymentEvents;
  feeBps: number;
  refuseAboveLimits(input: CheckoutInput, prices: ReadonlyMap<string, UnitPrice>): void;
  /** A checkout in a transaction of its own, as every checkout outside a group is placed. */
  placeAlone(member: GroupMember): Promise<PublicPayment>;
}

/**
 * Wallet checkouts queued (CheckoutQueue) and committed in groups (placeTogether). Only
 * checkouts whose provider authorizes many at once and settles at once, priced by their
 * items alone and without an idempotency key, are taken (`takes`): a keyed one's replay
 * rules read what its own transaction wrote, a priced one reads its pricing first, and a
 * gateway's opens at the gateway after its commit.
 */
export class CheckoutGroups {
  readonly #queue: CheckoutQueue<Queued>;

  constructor(
    private readonly deps: CheckoutGroupsDeps,
    settings: CheckoutGroupSettings,
  ) {
    this.#queue = new CheckoutQueue(
      // The group's statements show in the trace of its first checkout, not of whichever
      // request freed the slot. What place did not answer (a fault of its own) is answered
      // with the fault.
      (group) =>
        group[0]!
          .inContext(() => this.#place(group))
          .catch((error: unknown) => {
            for (const member of group) member.settle(Promise.reject(error));
          }),
      {
        ...settings,
        refuse: (member, queuedMs) => member.settle(Promise.reject(checkoutsBusy(queuedMs))),
        waitingChanged: (by) => checkoutQueueWaiting.inc(by),
      },
    );
  }

  takes(provider: PaymentProvider, input: CheckoutInput, idempotencyKey?: string): boolean {
    return Boolean(provider.authorizeMany && !provider.afterCommit && !input.pricing && !idempotencyKey);
  }

  /** Queues a checkout `takes` accepted; answers with its payment, or its error, alone or not. */
  place(buyerId: string, input: CheckoutInput, method: string): Promise<PublicPayment> {
    const context = new AsyncResource('mamlaka.checkout');
    return new Promise<PublicPayment>((resolve, reject) =>
      this.#queue.submit({
        buyerId,
        input,
        method,
        inContext: (write) => context.runInAsyncScope(write),
        settle: (outcome) => void outcome.then(resolve, reject),
      }),
    );
  }

  /**
   * Several queued checkouts committed in one transaction (placeTogether); one alone is
   * placed as every other checkout is. Whoever the group leaves out is placed alone, and so
   * is everyone when the group fails in a way that rolled it back (a product short of stock
   * for the group's total, a deadlock); a failure that may have committed (the connection
   * lost at COMMIT) is answered as it is, as a checkout alone would answer it.
   */
  async #place(group: Queued[]): Promise<void> {
    const alone = (member: Queued) => {
      const outcome = member.inContext(() => this.deps.placeAlone(member));
      member.settle(outcome);
      return outcome.then(
        () => checkoutGroupSize.observe(1),
        () => undefined,
      );
    };
    // A group pays through one provider: checkouts of another method are placed alone.
    const method = group[0]!.method;
    const together = group.filter((member) => member.method === method);
    const others: Promise<unknown>[] = group.filter((member) => member.method !== method).map(alone);
    if (together.length === 1) others.push(alone(together[0]!));
    else others.push(this.#together(together, method, alone));
    // The slot is held until those placed alone are answered, so a failing group cannot
    // release more transactions at once than the slots allow.
    await Promise.all(others);
  }

  async #together(group: Queued[], method: string, alone: (member: Queued) => Promise<unknown>) {
    const { db, catalog, providers, events, feeBps, refuseAboveLimits } = this.deps;
    let placed: Map<GroupMember, Written>;
    try {
      placed = await db.transaction().execute((trx) =>
        placeTogether(
          trx,
          {
            catalog,
            provider: providers.get(method) as GroupDeps['provider'],
            events,
            feeBps,
            refuseAboveLimits,
          },
          group,
        ),
      );
    } catch (error) {
      if (!rolledBack(error)) {
        for (const member of group) member.settle(Promise.reject(error));
        return;
      }
      placed = new Map();
    }
    if (placed.size > 0) checkoutGroupSize.observe(placed.size);
    const changed = catalog.stockChanged(
      [...placed.values()].flatMap(({ items }) => items.map((item) => item.product_id)),
    );
    const others: Promise<unknown>[] = [changed.catch(() => undefined)];
    for (const member of group) {
      const written = placed.get(member);
      if (written) member.settle(changed.then(() => toPublicPayment(written.payment, written.items)));
      else others.push(alone(member));
    }
    await Promise.all(others);
  }
}
