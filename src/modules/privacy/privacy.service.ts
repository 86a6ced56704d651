import type { AuditLog } from '../../platform/audit/audit.log.js';
import type { AuditOrigin } from '../../platform/audit/audit.rules.js';
import { type Actor, authorize } from '../../platform/auth/policy.js';
import type { NotificationsService } from '../notifications/notifications.service.js';
import type { Consents } from './privacy.consents.js';
import type { PrivacyErasure } from './privacy.erasure.js';
import type { PrivacyExport } from './privacy.export.js';
import { currentConsents } from './privacy.rules.js';

export interface PrivacySettingsInput {
  do_not_sell?: boolean;
  marketing_email?: boolean;
}

/** The privacy module's facade: a person's privacy choices, their data export, erasure. */
export class PrivacyService {
  constructor(
    private readonly consents: Consents,
    private readonly notifications: Pick<NotificationsService, 'updatePreferences'>,
    private readonly exporter: PrivacyExport,
    private readonly erasure: PrivacyErasure,
    private readonly audit: AuditLog,
  ) {}

  /** The caller's current choices (do-not-sell, each consent) and their history, newest first. */
  async settings(actor: Actor | undefined) {
    const me = authorize(actor);
    const history = await this.consents.history(me.userId);
    const consents = currentConsents(history);
    return { do_not_sell: consents.do_not_sell.granted, consents, history };
  }

  /**
   * Records the caller's choices, each as a consent record with time, source and address.
   * Marketing goes through the mail preferences, which record it in their own transaction.
   */
  async updateSettings(actor: Actor | undefined, input: PrivacySettingsInput, origin: AuditOrigin) {
    const me = authorize(actor);
    if (input.do_not_sell !== undefined) {
      await this.consents.record({
        userId: me.userId,
        purpose: 'do_not_sell',
        granted: input.do_not_sell,
        source: 'privacy_settings',
        ip: origin.ip,
      });
    }
    if (input.marketing_email !== undefined) {
      await this.notifications.updatePreferences(
        me,
        { marketing: input.marketing_email },
        { ip: origin.ip, source: 'privacy_settings' },
      );
    }
    return this.settings(me);
  }

  /**
   * Everything held about the caller, as one JSON document. The export is audited before it
   * is handed over: if the entry cannot be written, nothing is.
   */
  async export(actor: Actor | undefined, origin: AuditOrigin) {
    const me = authorize(actor);
    const document = await this.exporter.assemble(me);
    await this.audit.write({
      action: 'user.export',
      actor: me,
      target: { kind: 'user', id: me.userId },
      subjectUserId: me.userId,
      origin,
      statusCode: 200,
    });
    return document;
  }

  eraseSelf(actor: Actor | undefined, input: { password?: string }, origin: AuditOrigin) {
    return this.erasure.eraseSelf(actor, input, origin);
  }

  eraseByAdmin(actor: Actor | undefined, userId: string, origin: AuditOrigin) {
    return this.erasure.eraseByAdmin(actor, userId, origin);
  }
}
