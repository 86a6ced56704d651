import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { CatalogModule } from './modules/catalog/catalog.module.js';
import type { PaymentsModule } from './modules/payments/payments.module.js';
import type { UsersModule } from './modules/users/users.module.js';
import type { AuditLog } from './platform/audit/audit.log.js';
import type { AccessTokens } from './platform/auth/tokens.js';
import { GrpcAudit } from './platform/grpc/audit.js';
import { loadContracts } from './platform/grpc/contracts.js';
import { GrpcServer } from './platform/grpc/server.js';
import type { RateLimits } from './platform/http/rate-limits.js';
import type { PlatformMetrics } from './platform/metrics/metrics.platform.js';
import type { RolePlan } from './roles.js';

/** The gRPC services of a role, bound to no port until the caller listens. */
export function createGrpcServer(parts: {
  config: Config;
  logger: Logger;
  plan: RolePlan;
  /**
   * gRPC faces clients as REST does (the all-in-one process), so it spends the same budgets
   * and writes the same audit entries. Otherwise it sits behind the split gateway, which
   * spent them, recorded the call and forwards the client's address.
   */
  facesClients: boolean;
  tokens: AccessTokens;
  limits: RateLimits;
  metrics: PlatformMetrics;
  audit: AuditLog;
  users: UsersModule;
  catalog: CatalogModule;
  payments: PaymentsModule;
}): GrpcServer {
  const { config, logger, plan, facesClients } = parts;
  const grpc = new GrpcServer(
    {
      tokens: parts.tokens,
      logger,
      limits: facesClients ? parts.limits : undefined,
      trustForwardedFor: !facesClients || config.trustProxy,
      tls: config.tls,
      metrics: parts.metrics,
      audit: facesClients
        ? new GrpcAudit(parts.audit, logger, { repeatWindowMs: config.auditRepeatWindowMs })
        : undefined,
    },
    loadContracts().definitions,
  );
  if (plan.grpc.includes('users')) parts.users.grpc(grpc);
  if (plan.grpc.includes('catalog')) parts.catalog.grpc?.(grpc);
  if (plan.grpc.includes('payments')) parts.payments.grpc?.(grpc);
  return grpc;
}
