/** Rules of the address book: pure, no I/O. */

/** Most addresses one user keeps. */
export const MAX_ADDRESSES_PER_USER = 20;

const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
// Codes ICU names that ISO 3166-1 does not assign to a country (groupings and reservations).
const NOT_COUNTRIES = new Set(['EU', 'EZ', 'UN', 'QO', 'ZZ', 'UK']);

/**
 * The ISO 3166-1 alpha-2 code a client sent, upper-cased, or undefined when it names no
 * country. ICU's region names stand in for the ISO list, so no copy of it is kept here.
 */
export function countryCode(text: string): string | undefined {
  const code = text.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(code) || NOT_COUNTRIES.has(code)) return undefined;
  return regionNames.of(code) === undefined ? undefined : code;
}

/** A free-text field as stored: trimmed, and undefined when nothing is left. */
export function cleanText(text: string | null | undefined): string | undefined {
  const trimmed = text?.trim();
  return trimmed ? trimmed : undefined;
}
