import type { PaymentProvider } from './payments.providers.js';
import { gatewayAgrees, gatewayDisagreement, type RefundSums } from './payments.reconcile.rules.js';
import type { PaymentRow } from './payments.tables.js';

/** Gateways asked at once: a few hundred answers in seconds, without hammering the gateway. */
export const GATEWAY_CONCURRENCY = 8;
/** One answer's longest wait; the provider's own HTTP timeout should come first. */
export const GATEWAY_ANSWER_TIMEOUT_MS = 15_000;

/** A gateway payment with refunds, and what its refunds added up to in the database snapshot. */
export interface GatewayCandidate {
  payment: PaymentRow;
  sums: RefundSums;
}

/** The candidates chosen for one check, out of `found`. */
export interface GatewayCandidates {
  payments: GatewayCandidate[];
  found: number;
}

export interface GatewayComparison {
  violations: string[];
  violationCount: number;
  /** Payments that could not be compared: no provider able to tell, or no answer. */
  warnings: string[];
  /** Payments whose gateway answered. */
  compared: number;
}

/**
 * Runs `fn` over `items`, at most `limit` at a time, results in input order. Written here
 * because it is ten lines and the project has no concurrency-limiting dependency.
 */
async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The gateway's refunded total, or undefined when it cannot say in time (or throws). */
async function ask(provider: PaymentProvider, payment: PaymentRow, timeoutMs: number) {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  try {
    return await Promise.race([provider.refundedByGateway!(payment), late]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

const bump = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

/**
 * Compares what each gateway says it refunded with our refunds. Runs with no database
 * transaction open (the answers take HTTP round trips). A gateway total outside what our
 * succeeded and pending refunds allow is a violation only if it also disagrees with our
 * rows as they are once the answers are in: the snapshot is older than the answer, so a
 * refund made in between would otherwise look like a disagreement. A gateway that cannot
 * be asked or does not answer is a warning: the comparison was not made, nothing agreed.
 */
export async function compareWithGateways(
  candidates: GatewayCandidates,
  providers: ReadonlyMap<string, Pick<PaymentProvider, 'refundedByGateway'>>,
  currentSums: (paymentIds: string[]) => Promise<Map<string, RefundSums>>,
  maxViolations: number,
  options: { concurrency: number; timeoutMs: number } = {
    concurrency: GATEWAY_CONCURRENCY,
    timeoutMs: GATEWAY_ANSWER_TIMEOUT_MS,
  },
): Promise<GatewayComparison> {
  const warnings: string[] = [];
  if (candidates.found > candidates.payments.length) {
    warnings.push(
      `only the ${candidates.payments.length} most recently updated of ${candidates.found} gateway ` +
        'payments with refunds were compared with their gateway',
    );
  }
  const cannotTell = new Map<string, number>();
  const unanswered = new Map<string, number>();
  const askable = candidates.payments.filter((candidate) => {
    if (providers.get(candidate.payment.method)?.refundedByGateway) return true;
    bump(cannotTell, candidate.payment.method);
    return false;
  });
  const answers = await mapConcurrently(askable, options.concurrency, async (candidate) => ({
    candidate,
    gatewayMinor: await ask(
      providers.get(candidate.payment.method) as PaymentProvider,
      candidate.payment,
      options.timeoutMs,
    ),
  }));
  let compared = 0;
  const disputed: { candidate: GatewayCandidate; gatewayMinor: bigint }[] = [];
  for (const { candidate, gatewayMinor } of answers) {
    if (gatewayMinor === undefined) {
      bump(unanswered, candidate.payment.method);
      continue;
    }
    compared++;
    if (!gatewayAgrees(candidate.sums, gatewayMinor)) disputed.push({ candidate, gatewayMinor });
  }
  const now = disputed.length ? await currentSums(disputed.map((d) => d.candidate.payment.id)) : new Map();
  const violations: string[] = [];
  let violationCount = 0;
  for (const { candidate, gatewayMinor } of disputed) {
    const current = now.get(candidate.payment.id) ?? { succeededMinor: 0n, pendingMinor: 0n };
    if (gatewayAgrees(current, gatewayMinor)) continue;
    violationCount++;
    if (violations.length < maxViolations)
      violations.push(gatewayDisagreement(candidate.payment, current, gatewayMinor));
  }
  for (const [method, count] of cannotTell) {
    warnings.push(
      `${method} cannot be asked what it refunded: ${count} payment(s) with refunds not compared`,
    );
  }
  for (const [method, count] of unanswered) {
    warnings.push(
      `${method} did not answer for ${count} payment(s) (unreachable, or it does not know them): ` +
        'their refunds were not compared',
    );
  }
  return { violations, violationCount, warnings, compared };
}
