import { describe, expect, it } from 'vitest';
import { cleanText, countryCode } from './addresses.rules.js';

describe('countryCode', () => {
  it('accepts assigned ISO 3166-1 alpha-2 codes in any case', () => {
    expect(countryCode('ID')).toBe('ID');
    expect(countryCode(' ke ')).toBe('KE');
  });

  it('refuses codes that name no country', () => {
    for (const code of ['XX', 'ZZ', 'EU', 'UK', 'IDN', 'I', '12', ''])
      expect(countryCode(code)).toBeUndefined();
  });
});

describe('cleanText', () => {
  it('trims and drops what is blank', () => {
    expect(cleanText('  Jl. Sudirman 1 ')).toBe('Jl. Sudirman 1');
    expect(cleanText('   ')).toBeUndefined();
    expect(cleanText(null)).toBeUndefined();
  });
});
