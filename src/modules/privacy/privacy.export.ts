import type { Actor } from '../../platform/auth/policy.js';
import type { AuditLog } from '../../platform/audit/audit.log.js';
import type { PublicAuditEntry } from '../../platform/audit/audit.rules.js';
import type { Consents } from './privacy.consents.js';
import { currentConsents } from './privacy.rules.js';
import type { ExportSources } from './privacy.sources.js';

/** Bumped whenever a section changes shape, so machine readers know what they hold. */
export const EXPORT_SCHEMA_VERSION = 1;
/** Most items one section holds; beyond it the section is cut and `truncated` says so. */
export const SECTION_CAP = 5_000;
const PAGE = 100;
/** Refunds are looked up per payment: only for so many payments. */
const REFUND_LOOKUPS = 500;

type Page<T> = { items: T[]; nextCursor: string | null };

/** Every page of a listing, up to `cap` items: memory stays bounded whatever the user's history. */
async function collect<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  cap = SECTION_CAP,
): Promise<{ items: T[]; truncated: boolean }> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    if (items.length >= cap) return { items: items.slice(0, cap), truncated: true };
    if (page.nextCursor === null) return { items, truncated: false };
    cursor = page.nextCursor;
  }
}

/**
 * Assembles everything held about a person into one JSON document (GDPR Art. 20), through
 * each module's own services: no table of another module is read here.
 */
export class PrivacyExport {
  constructor(
    private readonly sources: ExportSources,
    private readonly consents: Consents,
    private readonly audit: AuditLog,
  ) {}

  async assemble(me: Actor) {
    const { sources } = this;
    const userId = me.userId;
    const truncated: string[] = [];
    const note = <T>(name: string, result: { items: T[]; truncated: boolean }) => {
      if (result.truncated) truncated.push(name);
      return result.items;
    };
    // The listings answer by role (an admin sees everyone's); acting as the plain buyer and
    // seller this person is narrows each to what is theirs, in each capacity.
    const asBuyer: Actor = { userId, role: 'buyer' };
    const asSeller: Actor = { userId, role: 'seller' };

    const profile = await sources.users.retrieve(me, userId);
    const consentHistory = await this.consents.history(userId);
    const paymentsAsBuyer = note(
      'payments.as_buyer',
      await collect((cursor) => sources.payments.list(asBuyer, { limit: PAGE, cursor })),
    );
    const paymentsAsSeller = note(
      'payments.as_seller',
      await collect((cursor) => sources.payments.list(asSeller, { limit: PAGE, cursor })),
    );
    const refunds = [];
    const refunded = [...paymentsAsBuyer, ...paymentsAsSeller].filter((payment) =>
      ['succeeded', 'partially_refunded', 'refunded'].includes(payment.status),
    );
    if (refunded.length > REFUND_LOOKUPS) truncated.push('refunds');
    for (const payment of refunded.slice(0, REFUND_LOOKUPS)) {
      const owner = payment.user_id === userId ? asBuyer : asSeller;
      refunds.push(...(await sources.refunds.listRefunds(owner, payment.id)));
    }
    const auditAbout = note(
      'audit.about_you',
      await collect<PublicAuditEntry>((cursor) =>
        this.audit.list({ subjectUserId: userId, limit: 200, cursor }),
      ),
    );
    const auditBy = note(
      'audit.by_you',
      await collect<PublicAuditEntry>((cursor) => this.audit.list({ actorId: userId, limit: 200, cursor })),
    );

    return {
      schema_version: EXPORT_SCHEMA_VERSION,
      generated_at: new Date().toISOString(),
      user: profile,
      preferences: { mail: await sources.notifications.preferences(me) },
      privacy: { consents: currentConsents(consentHistory), consent_history: consentHistory },
      push_subscriptions: await sources.push.subscriptionsOf(userId),
      addresses: (await sources.addresses?.exportOf(userId)) ?? [],
      carts: (await sources.carts?.exportOf(userId)) ?? [],
      orders: {
        as_buyer: note(
          'orders.as_buyer',
          await collect((cursor) => sources.orders.list(asBuyer, { limit: PAGE, cursor })),
        ),
        as_seller: note(
          'orders.as_seller',
          await collect((cursor) => sources.orders.list(asSeller, { limit: PAGE, cursor })),
        ),
      },
      payments: { as_buyer: paymentsAsBuyer, as_seller: paymentsAsSeller },
      refunds,
      wallet: {
        balances: await sources.wallet.balances(me),
        transactions: note(
          'wallet.transactions',
          await collect((cursor) => sources.wallet.transactions(me, { limit: PAGE, cursor })),
        ),
      },
      sessions: await sources.userPrivacy.sessionsOf(userId),
      webhooks: await sources.webhooks.exportOf(userId),
      api_clients: sources.oauth && me.role !== 'buyer' ? await sources.oauth.list(me) : [],
      audit: { about_you: auditAbout, by_you: auditBy },
      truncated,
    };
  }
}
