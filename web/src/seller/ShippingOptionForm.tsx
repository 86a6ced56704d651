import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { paths } from '../api/schema';
import { Field, fieldError } from '../common/errors';
import { exactField, SelectField, FormFooter } from '../common/form-controls';
import { useShippingT } from './shipping.messages';

export type ShippingOption =
  paths['/sellers/me/shipping-options']['get']['responses'][200]['content']['application/json']['results'][number];
export type Kind = ShippingOption['kind'];
export const KINDS: readonly Kind[] = ['flat', 'free_above', 'per_region'];

// The currencies products are priced in (as in ProductForm): an option is charged in one of them.
const CURRENCIES = ['IDR', 'USD', 'EUR', 'GBP', 'SGD', 'MYR', 'JPY', 'KES'];

interface RegionRow {
  /** React's key for the row: rows are added and removed in the middle. */
  key: number;
  country: string;
  region: string;
  amount: string;
}

let nextRowKey = 0;
const row = (from: Partial<RegionRow> = {}): RegionRow => ({
  key: nextRowKey++,
  country: from.country ?? '',
  region: from.region ?? '',
  amount: from.amount ?? '',
});

function RegionRows({
  rows,
  onChange,
  error,
}: {
  rows: RegionRow[];
  onChange(rows: RegionRow[]): void;
  error: unknown;
}) {
  const t = useShippingT();
  const set = (index: number, change: Partial<RegionRow>) =>
    onChange(rows.map((each, at) => (at === index ? { ...each, ...change } : each)));
  const listError = fieldError(exactField(error, 'regions'), 'regions');
  return (
    <fieldset className="form-rows">
      <legend>{t('regions')}</legend>
      {listError && <span className="field-error">{listError}</span>}
      {rows.map((each, index) => {
        const label = t('regionRow', { number: index + 1 });
        const rowError = fieldError(exactField(error, `regions.${index}`), `regions.${index}`);
        return (
          <div key={each.key} role="group" aria-label={label} className="stack">
            <div className="form-row">
              <Field
                label={t('regionCountry')}
                name={`regions.${index}.country`}
                value={each.country}
                onChange={(country) => set(index, { country })}
                error={error}
                required
                maxLength={2}
              />
              <Field
                label={t('regionName')}
                name={`regions.${index}.region`}
                value={each.region}
                onChange={(region) => set(index, { region })}
                error={error}
                maxLength={64}
              />
              <Field
                label={t('regionAmount')}
                name={`regions.${index}.amount`}
                value={each.amount}
                onChange={(amount) => set(index, { amount })}
                error={error}
                inputMode="decimal"
                required
              />
              <button
                type="button"
                className="secondary"
                aria-label={t('removeRegion', { number: index + 1 })}
                onClick={() => onChange(rows.filter((_, at) => at !== index))}
              >
                ×
              </button>
            </div>
            {rowError && <span className="field-error">{rowError}</span>}
          </div>
        );
      })}
      <div>
        <button type="button" className="secondary" onClick={() => onChange([...rows, row()])}>
          {t('addRegion')}
        </button>
      </div>
    </fieldset>
  );
}

/** Create a shipping option, or edit `option`: its kind decides which amounts it takes. */
export function ShippingOptionForm({
  option,
  onDone,
  onCancel,
}: {
  option?: ShippingOption;
  onDone(saved: ShippingOption): void;
  onCancel?(): void;
}) {
  const t = useShippingT();
  const [name, setName] = useState(option?.name ?? '');
  const [kind, setKind] = useState<Kind>(option?.kind ?? 'flat');
  const [currency, setCurrency] = useState(option?.currency ?? 'IDR');
  const [amount, setAmount] = useState(option?.amount ?? '');
  const [freeAbove, setFreeAbove] = useState(option?.free_above ?? '');
  const [rows, setRows] = useState<RegionRow[]>(() =>
    option?.regions.length
      ? option.regions.map((each) => row({ ...each, region: each.region ?? '' }))
      : [row()],
  );
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (option) heading.current?.focus();
  }, [option]);

  const save = useMutation({
    mutationFn: () => {
      const regions = rows.map((each) => ({
        country: each.country.trim().toUpperCase(),
        ...(each.region.trim() ? { region: each.region.trim() } : {}),
        amount: each.amount.trim(),
      }));
      const rate = amount.trim();
      const threshold = freeAbove.trim();
      if (option) {
        // The whole option as the form shows it: what the new kind does not use is cleared.
        const body = {
          name: name.trim(),
          kind,
          amount: rate || null,
          free_above: kind === 'free_above' ? threshold || null : null,
          regions: kind === 'per_region' ? regions : [],
        };
        return unwrap(
          api.PATCH('/sellers/me/shipping-options/{id}', { params: { path: { id: option.id } }, body }),
        );
      }
      const body = {
        name: name.trim(),
        kind,
        currency,
        ...(rate ? { amount: rate } : {}),
        ...(kind === 'free_above' && threshold ? { free_above: threshold } : {}),
        ...(kind === 'per_region' ? { regions } : {}),
      };
      return unwrap(api.POST('/sellers/me/shipping-options', { body }));
    },
    onSuccess: onDone,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const headingId = option ? `shipping-form-${option.id}` : 'shipping-form-new';
  return (
    <form className="card settings-form" onSubmit={submit} aria-labelledby={headingId} noValidate>
      <h3 id={headingId} ref={heading} tabIndex={-1}>
        {option ? t('editOption', { name: option.name }) : t('newOption')}
      </h3>
      <Field
        label={t('name')}
        name="name"
        value={name}
        onChange={setName}
        error={save.error}
        hint={t('nameHint')}
        required
        maxLength={100}
      />
      <SelectField
        label={t('kind')}
        name="kind"
        value={kind}
        onChange={(value) => setKind(value as Kind)}
        options={KINDS.map((each) => ({ value: each, label: t(`kind_${each}`) }))}
        error={save.error}
      />
      <SelectField
        label={t('currency')}
        name="currency"
        value={currency}
        onChange={setCurrency}
        options={CURRENCIES.map((code) => ({ value: code, label: code }))}
        error={save.error}
        disabled={option !== undefined}
        hint={option ? t('currencyFixed') : undefined}
      />
      <Field
        label={kind === 'per_region' ? t('fallbackAmount') : t('amount')}
        name="amount"
        value={amount}
        onChange={setAmount}
        error={exactField(save.error, 'amount')}
        hint={kind === 'per_region' ? t('fallbackHint') : t('amountHint')}
        inputMode="decimal"
        required={kind !== 'per_region'}
      />
      {kind === 'free_above' && (
        <Field
          label={t('freeAbove')}
          name="free_above"
          value={freeAbove}
          onChange={setFreeAbove}
          error={save.error}
          inputMode="decimal"
          required
        />
      )}
      {kind === 'per_region' && <RegionRows rows={rows} onChange={setRows} error={save.error} />}
      <FormFooter
        error={save.error}
        pending={save.isPending}
        submitLabel={option ? t('saveChanges') : t('createOption')}
        pendingLabel={t('saving')}
        cancelLabel={t('cancel')}
        onCancel={onCancel}
      />
    </form>
  );
}
