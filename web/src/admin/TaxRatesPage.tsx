import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { paths } from '../api/schema';
import { EditDeleteActions } from '../common/EditDeleteActions';
import { ErrorMessage, Field } from '../common/errors';
import { CheckField, localFieldError, SelectField, FormFooter } from '../common/form-controls';
import { unwrapDone } from '../common/unwrapDone';
import { useLanguage } from '../i18n/i18n';
import { Loading } from '../layout/Shell';
import { useAdminT } from './messages';
import { useTaxRatesT } from './tax-rates.messages';

type TaxRate =
  paths['/admin/tax-rates']['get']['responses'][200]['content']['application/json']['results'][number];

const CURRENCIES = ['IDR', 'USD', 'EUR', 'GBP', 'SGD', 'MYR', 'JPY', 'KES'];

/**
 * "11" or "7.25" (a percentage, as people write one) in basis points, or undefined. Read as
 * text: a float would turn 7.29 into 728.9999… basis points.
 */
function basisPoints(percent: string): number | undefined {
  const match = /^(\d{1,3})(?:[.,](\d{1,2}))?$/.exec(percent.trim());
  if (!match) return undefined;
  const bps = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return bps <= 10_000 ? bps : undefined;
}

/** Basis points as the form shows them: 1100 → "11", 725 → "7.25", 750 → "7.5". */
const percentText = (bps: number): string => {
  const fraction = String(bps % 100)
    .padStart(2, '0')
    .replace(/0$/, '');
  return `${Math.trunc(bps / 100)}${bps % 100 ? `.${fraction}` : ''}`;
};

/** Basis points as a decimal fraction in text (1100 → "0.1100"), which Intl formats exactly. */
const fractionText = (bps: number): string =>
  `${Math.trunc(bps / 10_000)}.${String(bps % 10_000).padStart(4, '0')}`;

function usePercent() {
  const { locale } = useLanguage();
  const format = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 });
  return (bps: number) => format.format(fractionText(bps) as unknown as number);
}

const placeOf = (rate: Pick<TaxRate, 'country' | 'region'>) =>
  rate.region ? `${rate.country}, ${rate.region}` : rate.country;

function TaxRateForm({
  rate,
  onDone,
  onCancel,
}: {
  rate?: TaxRate;
  onDone(saved: TaxRate): void;
  onCancel?(): void;
}) {
  const t = useTaxRatesT();
  const [country, setCountry] = useState(rate?.country ?? '');
  const [region, setRegion] = useState(rate?.region ?? '');
  const [taxClass, setTaxClass] = useState(rate?.tax_class ?? '');
  const [percent, setPercent] = useState(rate ? percentText(rate.rate_bps) : '');
  const [inclusive, setInclusive] = useState(rate?.inclusive ?? false);
  const [currency, setCurrency] = useState(rate?.currency ?? '');
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (rate) heading.current?.focus();
  }, [rate]);

  const save = useMutation({
    mutationFn: () => {
      const rateBps = basisPoints(percent);
      if (rateBps === undefined) return Promise.reject(localFieldError('rate_bps', t('badRate')));
      const common = {
        country: country.trim().toUpperCase(),
        rate_bps: rateBps,
        inclusive,
        ...(taxClass.trim() ? { tax_class: taxClass.trim() } : {}),
      };
      if (rate) {
        // Emptied, the region and currency are cleared (null): the rate then covers more.
        const body = { ...common, region: region.trim() || null, currency: currency || null };
        return unwrap(api.PATCH('/admin/tax-rates/{id}', { params: { path: { id: rate.id } }, body }));
      }
      const body = {
        ...common,
        ...(region.trim() ? { region: region.trim() } : {}),
        ...(currency ? { currency } : {}),
      };
      return unwrap(api.POST('/admin/tax-rates', { body }));
    },
    onSuccess: onDone,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const headingId = rate ? `tax-form-${rate.id}` : 'tax-form-new';
  return (
    <form className="card settings-form" onSubmit={submit} aria-labelledby={headingId} noValidate>
      <h3 id={headingId} ref={heading} tabIndex={-1}>
        {rate ? t('editRate', { country: placeOf(rate), taxClass: rate.tax_class }) : t('newRate')}
      </h3>
      <Field
        label={t('country')}
        name="country"
        value={country}
        onChange={setCountry}
        error={save.error}
        hint={t('countryHint')}
        required
        maxLength={2}
      />
      <Field
        label={t('region')}
        name="region"
        value={region}
        onChange={setRegion}
        error={save.error}
        hint={t('regionHint')}
        maxLength={64}
      />
      <Field
        label={t('taxClass')}
        name="tax_class"
        value={taxClass}
        onChange={setTaxClass}
        error={save.error}
        hint={t('taxClassHint')}
        maxLength={32}
      />
      <Field
        label={t('rate')}
        name="rate_bps"
        value={percent}
        onChange={setPercent}
        error={save.error}
        hint={t('rateHint')}
        inputMode="decimal"
        required
      />
      <CheckField
        label={t('inclusive')}
        name="inclusive"
        checked={inclusive}
        onChange={setInclusive}
        error={save.error}
      />
      <SelectField
        label={t('currency')}
        name="currency"
        value={currency}
        onChange={setCurrency}
        options={[
          { value: '', label: t('anyCurrency') },
          ...CURRENCIES.map((code) => ({ value: code, label: code })),
        ]}
        error={save.error}
      />
      <FormFooter
        error={save.error}
        pending={save.isPending}
        submitLabel={rate ? t('saveChanges') : t('createRate')}
        pendingLabel={t('saving')}
        cancelLabel={t('cancel')}
        onCancel={onCancel}
      />
    </form>
  );
}

/** Every tax rate: list, create, edit and delete. */
export default function TaxRatesPage() {
  const t = useTaxRatesT();
  const admin = useAdminT();
  const percent = usePercent();
  const queries = useQueryClient();
  const key = ['admin', 'tax-rates'];
  const [editing, setEditing] = useState<TaxRate | null>(null);
  const [notice, setNotice] = useState('');
  // A new key remounts the create form empty after each rate.
  const [formKey, setFormKey] = useState(0);
  const rates = useQuery({ queryKey: key, queryFn: () => unwrap(api.GET('/admin/tax-rates')) });
  const refresh = () => queries.invalidateQueries({ queryKey: key });

  const remove = useMutation({
    mutationFn: (rate: TaxRate) =>
      unwrapDone(api.DELETE('/admin/tax-rates/{id}', { params: { path: { id: rate.id } } })),
    onSuccess: (_, rate) => {
      setNotice(t('deleted', { place: placeOf(rate) }));
      if (editing?.id === rate.id) setEditing(null);
      void refresh();
    },
  });
  const saved = (rate: TaxRate) => {
    setNotice(editing ? t('saved', { place: placeOf(rate) }) : t('created', { place: placeOf(rate) }));
    setEditing(null);
    setFormKey((current) => current + 1);
    void refresh();
  };

  return (
    <div className="stack">
      <h2>{t('title')}</h2>
      <p role="status" className="success">
        {notice}
      </p>
      <ErrorMessage error={remove.error} />
      {rates.isPending ? (
        <Loading />
      ) : rates.isError ? (
        <ErrorMessage error={rates.error} />
      ) : rates.data.length === 0 ? (
        <p className="muted">{t('noRates')}</p>
      ) : (
        <div className="table-wrap">
          <table className="responsive-table">
            <caption className="visually-hidden">{t('title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('country')}</th>
                <th scope="col">{t('region')}</th>
                <th scope="col">{t('taxClass')}</th>
                <th scope="col" className="amount">
                  {t('rate')}
                </th>
                <th scope="col">{t('inclusiveShort')}</th>
                <th scope="col">{t('currency')}</th>
                <th scope="col">{admin('actions')}</th>
              </tr>
            </thead>
            <tbody>
              {rates.data.map((rate) => {
                const subject = t('rateOf', { place: placeOf(rate), taxClass: rate.tax_class });
                return (
                  <tr key={rate.id}>
                    <th scope="row">{rate.country}</th>
                    <td data-label={t('region')}>{rate.region ?? t('wholeCountry')}</td>
                    <td data-label={t('taxClass')}>{rate.tax_class}</td>
                    <td className="amount" data-label={t('rate')}>
                      {percent(rate.rate_bps)}
                    </td>
                    <td data-label={t('inclusiveShort')}>{rate.inclusive ? t('yes') : t('no')}</td>
                    <td data-label={t('currency')}>{rate.currency ?? t('anyCurrency')}</td>
                    <td data-label={admin('actions')}>
                      <EditDeleteActions
                        subject={subject}
                        editLabel={t('edit')}
                        deleteLabel={t('delete')}
                        deleting={remove.isPending}
                        onEdit={() => setEditing(rate)}
                        onDelete={() => {
                          setNotice('');
                          remove.mutate(rate);
                        }}
                      />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {editing ? (
        <TaxRateForm key={editing.id} rate={editing} onDone={saved} onCancel={() => setEditing(null)} />
      ) : (
        <TaxRateForm key={formKey} onDone={saved} />
      )}
    </div>
  );
}
