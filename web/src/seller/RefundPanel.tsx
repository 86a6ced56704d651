import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, idempotencyKey, unwrap } from '../api/client';
import { useFormat } from '../format';
import { ErrorMessage, Field } from '../common/errors';
import { RefundList } from '../common/RefundList';
import { useSellerT } from './messages';

/** A payment's refunds and the form to refund part or all of what is left. */
export function RefundPanel({ payment }: { payment: { id: string; code: string } }) {
  const t = useSellerT();
  const { money } = useFormat();
  const queries = useQueryClient();
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  // One key per refund the seller means: a retry after a lost answer cannot refund twice.
  const [key, setKey] = useState(idempotencyKey);
  const [notice, setNotice] = useState('');
  const refund = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/payments/{id}/refunds', {
          params: { path: { id: payment.id }, header: { 'idempotency-key': key } },
          body: { reason, ...(amount.trim() ? { amount: amount.trim() } : {}) },
        }),
      ),
    onSuccess: (result) => {
      setNotice(t('refunded_ok', { amount: money(result.amount, result.currency), status: result.status }));
      setAmount('');
      setReason('');
      setKey(idempotencyKey());
      void queries.invalidateQueries({ queryKey: ['refunds', payment.id] });
      void queries.invalidateQueries({ queryKey: ['seller', 'orders'] });
      void queries.invalidateQueries({ queryKey: ['wallet'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setNotice('');
    refund.mutate();
  };
  return (
    <div className="stack">
      <RefundList paymentId={payment.id} code={payment.code} />
      <form className="inline-form" onSubmit={submit} aria-label={t('refundsOf', { code: payment.code })}>
        <Field
          label={t('amount')}
          name="amount"
          value={amount}
          onChange={(value) => {
            setAmount(value);
            setKey(idempotencyKey());
          }}
          error={refund.error}
          hint={t('amountHint')}
          inputMode="decimal"
        />
        <Field
          label={t('reason')}
          name="reason"
          value={reason}
          onChange={(value) => {
            setReason(value);
            setKey(idempotencyKey());
          }}
          error={refund.error}
          required
          maxLength={500}
        />
        <ErrorMessage error={refund.error} />
        <p role="status" className="success">
          {notice}
        </p>
        <button type="submit" disabled={refund.isPending}>
          {t('refund')}
        </button>
      </form>
    </div>
  );
}
