import { status, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { PlatformMetrics } from './metrics.platform.js';

const STATUS_NAMES = new Map<number, string>(
  Object.entries(status)
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
    .map(([name, code]) => [code, name]),
);

/**
 * The implementation of one gRPC service with every unary handler timed: the answer's
 * status (OK, NOT_FOUND…) is read from what the handler passes to its callback.
 */
export function observedService(
  metrics: PlatformMetrics,
  service: string,
  implementation: UntypedServiceImplementation,
): UntypedServiceImplementation {
  const observed: UntypedServiceImplementation = {};
  for (const [method, handler] of Object.entries(implementation)) {
    // Streaming handlers take no callback: they are passed through untimed.
    if (typeof handler !== 'function' || handler.length < 2) {
      observed[method] = handler;
      continue;
    }
    const unary = handler as (call: unknown, callback: (error: unknown, ...rest: unknown[]) => void) => void;
    observed[method] = ((call: unknown, callback: (error: unknown, ...rest: unknown[]) => void) => {
      const started = performance.now();
      unary(call, (error, ...rest) => {
        const code = (error as { code?: number } | null)?.code ?? status.OK;
        const name = STATUS_NAMES.get(code) ?? String(code);
        metrics.grpc.observe(service, method, name, (performance.now() - started) / 1000);
        callback(error, ...rest);
      });
    }) as UntypedServiceImplementation[string];
  }
  return observed;
}
