import { defineMessages } from '../i18n/i18n';

/** The server-side cart of a signed-in buyer: changed prices and its checkout. */
export const useCartT = defineMessages({
  en: {
    priceChangedLine: 'Price changed: was {old}, now {new}',
    pricesChanged: 'Some prices changed since you added these items. Check them, then accept the new prices.',
    acceptPrices: 'Accept new prices',
    notEnoughStock: 'Only {count} left',
    unavailable: 'No longer available',
    syncFailed: 'Your cart could not be saved to your account; it is kept on this device.',
    loading: 'Loading your cart…',
  },
  id: {
    priceChangedLine: 'Harga berubah: semula {old}, sekarang {new}',
    pricesChanged:
      'Beberapa harga berubah sejak Anda menambahkan barang ini. Periksa, lalu terima harga yang baru.',
    acceptPrices: 'Terima harga baru',
    notEnoughStock: 'Tersisa {count}',
    unavailable: 'Tidak tersedia lagi',
    syncFailed:
      'Keranjang Anda tidak dapat disimpan ke akun Anda; keranjang tetap tersimpan di perangkat ini.',
    loading: 'Memuat keranjang Anda…',
  },
});
