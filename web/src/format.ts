import { useCallback } from 'react';
import { useLanguage } from './i18n/i18n';

/**
 * Money as the API gives it (a decimal string in the currency's major unit, e.g. "150000" IDR or
 * "12.50" USD) in the reader's locale. Intl formats the string exactly: no float on the way.
 */
export function formatMoney(amount: string, currency: string, locale: string): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amount as unknown as number);
}

export function formatDate(iso: string, locale: string, withTime = true): string {
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    ...(withTime ? { timeStyle: 'short' } : {}),
  }).format(new Date(iso));
}

/** Formatters bound to the current language. */
export function useFormat() {
  const { locale } = useLanguage();
  return {
    money: useCallback((amount: string, currency: string) => formatMoney(amount, currency, locale), [locale]),
    date: useCallback((iso: string, withTime = true) => formatDate(iso, locale, withTime), [locale]),
    number: useCallback((value: number) => new Intl.NumberFormat(locale).format(value), [locale]),
  };
}
