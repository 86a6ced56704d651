export {
  createMidtransSandbox,
  type MidtransSandbox,
  type MidtransSandboxOptions,
} from './sandbox.server.js';
export { midtransSignature } from './signature.js';
export type { PayOutcome, TransactionStatus } from './sandbox.state.js';
export type { IrisSandbox, IrisSandboxOptions } from './iris.server.js';
export { FAILING_ACCOUNTS } from './iris.store.js';
