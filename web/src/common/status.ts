import { useCallback } from 'react';
import { defineMessages } from '../i18n/i18n';

// The states the API reports across payments, refunds, payouts, ledger lines, users, mail
// and webhook deliveries, in words. A state not listed shows as its code, spaced.
const useStatusT = defineMessages({
  en: {
    pending: 'Pending',
    succeeded: 'Succeeded',
    failed: 'Failed',
    canceled: 'Canceled',
    expired: 'Expired',
    refunded: 'Refunded',
    partially_refunded: 'Partly refunded',
    paid: 'Paid',
    posted: 'Posted',
    settled: 'Settled',
    voided: 'Voided',
    active: 'Active',
    disabled: 'Disabled',
    sent: 'Sent',
    delivered: 'Delivered',
    dead: 'Gave up',
    unfulfilled: 'Not shipped yet',
    shipped: 'Shipped',
  },
  id: {
    pending: 'Menunggu',
    succeeded: 'Berhasil',
    failed: 'Gagal',
    canceled: 'Dibatalkan',
    expired: 'Kedaluwarsa',
    refunded: 'Dikembalikan',
    partially_refunded: 'Dikembalikan sebagian',
    paid: 'Dibayar',
    posted: 'Dibukukan',
    settled: 'Diselesaikan',
    voided: 'Dibatalkan',
    active: 'Aktif',
    disabled: 'Dinonaktifkan',
    sent: 'Terkirim',
    delivered: 'Diterima',
    dead: 'Dihentikan',
    unfulfilled: 'Belum dikirim',
    shipped: 'Dikirim',
  },
});

type StatusKey = Parameters<ReturnType<typeof useStatusT>>[0];

/** A status code in the reader's language ("partially_refunded" → "Partly refunded"). */
export function useStatusLabel() {
  const t = useStatusT();
  return useCallback(
    (status: string) => {
      const text = t(status as StatusKey) as string | undefined;
      return text ?? status.replaceAll('_', ' ');
    },
    [t],
  );
}
