import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { AuditLog } from '../../platform/audit/audit.log.js';
import type { NotificationsService } from '../notifications/notifications.service.js';
import type { Consents } from './privacy.consents.js';
import { PrivacyErasure } from './privacy.erasure.js';
import { PrivacyExport } from './privacy.export.js';
import { privacyRoutes } from './privacy.routes.js';
import { PrivacyService } from './privacy.service.js';
import type { ErasureTargets, ExportSources } from './privacy.sources.js';

export interface PrivacyModule {
  privacy: PrivacyService;
  consents: Consents;
  routes(app: FastifyInstance): void;
}

/**
 * GDPR / CCPA rights over the other modules' facades. `consents` is made before the other
 * modules (createConsents), since mail preferences and webhooks use it.
 */
export function createPrivacyModule(deps: {
  db: Kysely<object>;
  consents: Consents;
  audit: AuditLog;
  sources: ExportSources &
    ErasureTargets & { notifications: Pick<NotificationsService, 'updatePreferences'> };
}): PrivacyModule {
  const { sources } = deps;
  const privacy = new PrivacyService(
    deps.consents,
    sources.notifications,
    new PrivacyExport(sources, deps.consents, deps.audit),
    new PrivacyErasure(deps.db, sources, deps.consents, deps.audit),
    deps.audit,
  );
  return { privacy, consents: deps.consents, routes: (app) => privacyRoutes(app, { privacy }) };
}
