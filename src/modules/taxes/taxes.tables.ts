import type { Generated, Selectable } from 'kysely';

export interface TaxRatesTable {
  id: Generated<string>;
  country: string;
  region: string | null;
  tax_class: Generated<string>;
  rate_bps: number;
  inclusive: boolean;
  currency: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** The tables the taxes module owns. */
export interface TaxesTables {
  tax_rates: TaxRatesTable;
}

export type TaxRateRow = Selectable<TaxRatesTable>;
