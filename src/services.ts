import { ConfigError, type Config } from './config.js';
import { CatalogGrpcClient } from './modules/catalog/catalog.grpc-client.js';
import { PaymentsGrpcClient } from './modules/payments/payments.grpc-client.js';
import { UsersGrpcClient } from './modules/users/users.grpc-client.js';
import { grpcChannelCredentials } from './platform/tls/tls.options.js';

/**
 * The split gateway's clients of the three services, at their configured addresses. They
 * have the in-process services' methods, so the REST routes take them unchanged.
 */
export function connectServices(config: Config) {
  const need = (value: string | undefined, variable: string) => {
    if (!value) throw new ConfigError(variable, 'is required by the gateway of the split deployment');
    return value;
  };
  const options = {
    deadlineMs: config.services.callTimeoutMs,
    credentials: grpcChannelCredentials(config.tls),
  };
  const users = new UsersGrpcClient(need(config.services.users, 'USERS_SERVICE_ADDRESS'), options);
  const catalog = new CatalogGrpcClient(need(config.services.catalog, 'CATALOG_SERVICE_ADDRESS'), options);
  const payments = new PaymentsGrpcClient(
    need(config.services.payments, 'PAYMENTS_SERVICE_ADDRESS'),
    options,
  );
  return {
    users,
    catalog,
    payments,
    close() {
      users.close();
      catalog.close();
      payments.close();
    },
  };
}
