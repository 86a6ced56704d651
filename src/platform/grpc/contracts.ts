import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PACKAGE_ROOT } from '../fs/package-root.js';
import type { ProtoGrpcType as CatalogProto } from '../../generated/proto/catalog.js';
import type { ProtoGrpcType as PaymentsProto } from '../../generated/proto/payments.js';
import type { ProtoGrpcType as UsersProto } from '../../generated/proto/users.js';

/** proto/ at the repository root. */
export const PROTO_DIR = path.join(PACKAGE_ROOT, 'proto');

export const CONTRACT_FILES = {
  users: 'mamlaka/users/v1/users.proto',
  catalog: 'mamlaka/catalog/v1/catalog.proto',
  payments: 'mamlaka/payments/v1/payments.proto',
} as const;

/**
 * The options the generated types in src/generated/proto were made with (scripts/proto-gen.mjs):
 * field names as written (snake_case, as in the REST API), 64-bit numbers as strings, unset
 * optional fields absent rather than defaulted, repeated fields always arrays.
 */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: false,
  arrays: true,
  oneofs: false,
  includeDirs: [PROTO_DIR],
};

export interface Contracts {
  users: UsersProto;
  catalog: CatalogProto;
  payments: PaymentsProto;
  /** The loaded definitions, for server reflection. */
  definitions: protoLoader.PackageDefinition;
}

let loaded: Contracts | undefined;

/** The three services' contracts, parsed once per process. */
export function loadContracts(): Contracts {
  if (loaded) return loaded;
  const definitions = protoLoader.loadSync(Object.values(CONTRACT_FILES), LOADER_OPTIONS);
  const root = grpc.loadPackageDefinition(definitions);
  loaded = {
    users: root as unknown as UsersProto,
    catalog: root as unknown as CatalogProto,
    payments: root as unknown as PaymentsProto,
    definitions,
  };
  return loaded;
}
