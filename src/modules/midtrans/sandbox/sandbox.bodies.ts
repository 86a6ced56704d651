import { midtransSignature } from './signature.js';
import { formatAmount, jakartaTime, statusCodeOf, type TransactionStatus } from './sandbox.state.js';
import type { SandboxRefund, SandboxTransaction } from './sandbox.store.js';

/** The JSON bodies Midtrans answers and notifies with, built from a sandbox transaction. */

export interface Signer {
  serverKey: string;
  merchantId: string;
}

function common(transaction: SandboxTransaction, status: TransactionStatus, signer: Signer) {
  const statusCode = statusCodeOf(status);
  const grossAmount = formatAmount(transaction.grossAmount);
  const body: Record<string, unknown> = {
    transaction_time: jakartaTime(transaction.transactionTime ?? transaction.createdAt),
    transaction_status: status,
    transaction_id: transaction.transactionId,
    status_code: statusCode,
    signature_key: midtransSignature(transaction.orderId, statusCode, grossAmount, signer.serverKey),
    payment_type: transaction.paymentType ?? 'bank_transfer',
    order_id: transaction.orderId,
    merchant_id: signer.merchantId,
    gross_amount: grossAmount,
    fraud_status: status === 'deny' && transaction.paymentType === 'credit_card' ? 'deny' : 'accept',
    currency: 'IDR',
  };
  if (transaction.settlementTime && status !== 'pending') {
    body.settlement_time = jakartaTime(transaction.settlementTime);
  }
  if (transaction.refunds.length > 0 && (status === 'refund' || status === 'partial_refund')) {
    body.refund_amount = formatAmount(transaction.refundedAmount);
    body.refunds = transaction.refunds.map(refundEntry);
  }
  return body;
}

const refundEntry = (refund: SandboxRefund) => ({
  refund_chargeback_id: refund.refundChargebackId,
  refund_amount: formatAmount(refund.amount),
  created_at: jakartaTime(refund.createdAt),
  reason: refund.reason ?? '',
  refund_key: refund.refundKey,
});

/**
 * An HTTP notification. `status` may differ from the transaction's current one: tests use
 * that to send a stale notification, signed for the status it carries.
 */
export const notificationBody = (
  transaction: SandboxTransaction,
  status: TransactionStatus,
  signer: Signer,
) => ({
  ...common(transaction, status, signer),
  status_message: 'midtrans payment notification',
});

/** `GET /v2/:order_id/status` for a transaction Midtrans knows (not a bare Snap token). */
export function statusBody(transaction: SandboxTransaction, signer: Signer) {
  if (transaction.status === 'created') throw new Error('a bare Snap token has no status');
  return {
    ...common(transaction, transaction.status, signer),
    status_message: 'Success, transaction is found',
  };
}

/** `POST /v2/:order_id/refund`, approved. */
export const refundBody = (transaction: SandboxTransaction, refund: SandboxRefund) => ({
  status_code: '200',
  status_message: 'Success, refund request is approved',
  transaction_id: transaction.transactionId,
  order_id: transaction.orderId,
  gross_amount: formatAmount(transaction.grossAmount),
  currency: 'IDR',
  payment_type: transaction.paymentType ?? 'bank_transfer',
  transaction_time: jakartaTime(transaction.transactionTime ?? transaction.createdAt),
  transaction_status: refund.statusAfter,
  refund_chargeback_id: refund.refundChargebackId,
  refund_amount: formatAmount(refund.amount),
  refund_key: refund.refundKey,
});

export const notFoundBody = () => ({ status_code: '404', status_message: "Transaction doesn't exist." });
