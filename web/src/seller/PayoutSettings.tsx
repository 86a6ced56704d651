import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { paths } from '../api/schema';
import { ConfirmButton } from '../common/ConfirmButton';
import { ErrorMessage, Field } from '../common/errors';
import { CheckField, SelectField } from '../common/form-controls';
import { useFormat } from '../format';
import { useLanguage } from '../i18n/i18n';
import { Loading } from '../layout/Shell';
import { unwrapDone } from '../common/unwrapDone';
import { usePayoutSettingsT } from './payout-settings.messages';

type Destination =
  paths['/sellers/me/payout-destinations']['get']['responses'][200]['content']['application/json']['results'][number];
type Schedule =
  paths['/sellers/me/payout-schedule']['get']['responses'][200]['content']['application/json']['results'];
type Frequency = Schedule['frequency'];

type BankCode = Destination['bank_code'];
// The banks the server pays to (Iris), in the order offered. The contract types them, so a
// bank added or removed on the server fails this file's type check until the list follows.
// prettier-ignore
const BANKS = [
  'bca', 'bni', 'bri', 'mandiri', 'permata', 'cimb', 'danamon', 'btn', 'bsi', 'mega', 'maybank',
  'panin', 'ocbc', 'btpn', 'muamalat', 'sinarmas', 'uob', 'hsbc', 'citibank', 'dbs', 'bukopin', 'jago',
] as const satisfies readonly BankCode[];
const everyBankListed: Exclude<BankCode, (typeof BANKS)[number]> extends never ? true : never = true;
void everyBankListed;
const FREQUENCIES: readonly Frequency[] = ['off', 'daily', 'weekly'];
const DESTINATIONS_KEY = ['seller', 'payout-destinations'];
const SCHEDULE_KEY = ['seller', 'payout-schedule'];

const bankName = (code: string) => code.toUpperCase();

/** Weekday names in the reader's language, 0 = Sunday as the API counts them. */
function useWeekdays(): string[] {
  const { locale } = useLanguage();
  const format = new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' });
  // 1 January 2023 was a Sunday.
  return Array.from({ length: 7 }, (_, day) => format.format(Date.UTC(2023, 0, 1 + day)));
}

function AddDestination({ onAdded }: { onAdded(destination: Destination): void }) {
  const t = usePayoutSettingsT();
  const [bank, setBank] = useState<string>(BANKS[0]);
  const [accountNumber, setAccountNumber] = useState('');
  const [holder, setHolder] = useState('');
  const [isDefault, setDefault] = useState(false);
  const add = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/sellers/me/payout-destinations', {
          body: {
            bank_code: bank,
            account_number: accountNumber.trim(),
            holder_name: holder.trim(),
            ...(isDefault ? { is_default: true } : {}),
          },
        }),
      ),
    onSuccess: (destination) => {
      setAccountNumber('');
      setHolder('');
      setDefault(false);
      onAdded(destination);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };
  return (
    <form
      className="inline-form settings-form"
      onSubmit={submit}
      aria-labelledby="add-destination"
      noValidate
    >
      <h4 id="add-destination">{t('addDestination')}</h4>
      <SelectField
        label={t('bank')}
        name="bank_code"
        value={bank}
        onChange={setBank}
        options={BANKS.map((code) => ({ value: code, label: bankName(code) }))}
        error={add.error}
      />
      <Field
        label={t('accountNumber')}
        name="account_number"
        value={accountNumber}
        onChange={setAccountNumber}
        error={add.error}
        hint={t('accountNumberHint')}
        inputMode="numeric"
        autoComplete="off"
        required
        maxLength={40}
      />
      <Field
        label={t('holder')}
        name="holder_name"
        value={holder}
        onChange={setHolder}
        error={add.error}
        required
        maxLength={100}
      />
      <CheckField
        label={t('makeDefault')}
        name="is_default"
        checked={isDefault}
        onChange={setDefault}
        error={add.error}
      />
      <ErrorMessage error={add.error} />
      <div>
        <button type="submit" disabled={add.isPending}>
          {add.isPending ? t('adding') : t('add')}
        </button>
      </div>
    </form>
  );
}

function Destinations({ destinations }: { destinations: Destination[] }) {
  const t = usePayoutSettingsT();
  const queries = useQueryClient();
  const [notice, setNotice] = useState('');
  const refresh = () => {
    void queries.invalidateQueries({ queryKey: DESTINATIONS_KEY });
    // Removing the account a schedule named changes the schedule too.
    void queries.invalidateQueries({ queryKey: SCHEDULE_KEY });
  };
  const words = (destination: Destination) => ({
    bank: bankName(destination.bank_code),
    last4: destination.account_last4,
  });
  const remove = useMutation({
    mutationFn: (destination: Destination) =>
      unwrapDone(
        api.DELETE('/sellers/me/payout-destinations/{id}', { params: { path: { id: destination.id } } }),
      ),
    onSuccess: (_, destination) => {
      setNotice(t('removed', words(destination)));
      refresh();
    },
  });
  return (
    <section aria-labelledby="destinations-heading" className="card stack">
      <h3 id="destinations-heading">{t('destinations')}</h3>
      <p role="status" className="success">
        {notice}
      </p>
      <ErrorMessage error={remove.error} />
      {destinations.length === 0 ? (
        <p className="muted">{t('noDestinations')}</p>
      ) : (
        <div className="table-wrap">
          <table className="responsive-table">
            <caption className="visually-hidden">{t('destinations')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('bank')}</th>
                <th scope="col">{t('account')}</th>
                <th scope="col">{t('holder')}</th>
                <th scope="col">{t('actions')}</th>
              </tr>
            </thead>
            <tbody>
              {destinations.map((destination) => (
                <tr key={destination.id}>
                  <th scope="row">{bankName(destination.bank_code)}</th>
                  <td data-label={t('account')}>
                    <span className="mono" aria-hidden="true">
                      •••• {destination.account_last4}
                    </span>{' '}
                    <span className="visually-hidden">
                      {t('accountMasked', { last4: destination.account_last4 })}
                    </span>
                    {destination.is_default && <span className="status">{t('default')}</span>}
                  </td>
                  <td data-label={t('holder')}>{destination.holder_name}</td>
                  <td data-label={t('actions')}>
                    <ConfirmButton
                      label={t('delete')}
                      subject={t('accountOf', words(destination))}
                      danger
                      disabled={remove.isPending}
                      onConfirm={() => {
                        setNotice('');
                        remove.mutate(destination);
                      }}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <AddDestination
        onAdded={(destination) => {
          setNotice(t('added', words(destination)));
          refresh();
        }}
      />
    </section>
  );
}

/** The schedule in words: "every Monday from Rp 500.000". */
function useSummary() {
  const t = usePayoutSettingsT();
  const weekdays = useWeekdays();
  const { money } = useFormat();
  return (schedule: Schedule) => {
    const minimum =
      schedule.minimum_amount && schedule.currency ? money(schedule.minimum_amount, schedule.currency) : '—';
    if (schedule.frequency === 'daily') return t('summaryDaily', { minimum });
    if (schedule.frequency === 'weekly')
      return t('summaryWeekly', { weekday: weekdays[schedule.weekday ?? 0] ?? '—', minimum });
    return t('summaryOff');
  };
}

function ScheduleForm({ schedule, destinations }: { schedule: Schedule; destinations: Destination[] }) {
  const t = usePayoutSettingsT();
  const weekdays = useWeekdays();
  const summary = useSummary();
  const { date } = useFormat();
  const queries = useQueryClient();
  const wallet = useQuery({ queryKey: ['wallet'], queryFn: () => unwrap(api.GET('/wallet')) });
  const [frequency, setFrequency] = useState<Frequency>(schedule.frequency);
  const [weekday, setWeekday] = useState(String(schedule.weekday ?? 1));
  const [minimum, setMinimum] = useState(schedule.minimum_amount ?? '');
  const [currency, setCurrency] = useState(schedule.currency ?? 'IDR');
  const [destination, setDestination] = useState(schedule.destination_id ?? '');
  const [notice, setNotice] = useState('');
  const currencies = [
    ...new Set([currency, 'IDR', ...(wallet.data?.map((balance) => balance.currency) ?? [])]),
  ];
  // An account removed meanwhile is no longer offered: the default one is meant then.
  const payTo = destinations.some((each) => each.id === destination) ? destination : '';
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PUT('/sellers/me/payout-schedule', {
          body: {
            frequency,
            ...(frequency === 'weekly' ? { weekday: Number(weekday) } : {}),
            minimum_amount: minimum.trim(),
            currency,
            ...(payTo ? { destination_id: payTo } : {}),
          },
        }),
      ),
    onSuccess: (saved) => {
      queries.setQueryData(SCHEDULE_KEY, saved);
      setNotice(t('scheduleSaved', { summary: summary(saved) }));
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setNotice('');
    save.mutate();
  };
  return (
    <form className="card settings-form" onSubmit={submit} aria-labelledby="schedule-heading" noValidate>
      <h3 id="schedule-heading">{t('schedule')}</h3>
      <p className="muted">{t('scheduleHint')}</p>
      <p>
        {t('current', { summary: summary(schedule) })}{' '}
        {schedule.last_run_on && t('lastRun', { date: date(schedule.last_run_on, false) })}
      </p>
      <SelectField
        label={t('frequency')}
        name="frequency"
        value={frequency}
        onChange={(value) => setFrequency(value as Frequency)}
        options={FREQUENCIES.map((each) => ({ value: each, label: t(`f_${each}`) }))}
        error={save.error}
      />
      {frequency === 'weekly' && (
        <SelectField
          label={t('weekday')}
          name="weekday"
          value={weekday}
          onChange={setWeekday}
          options={weekdays.map((label, day) => ({ value: String(day), label }))}
          error={save.error}
        />
      )}
      <div className="filters">
        <Field
          label={t('minimumAmount')}
          name="minimum_amount"
          value={minimum}
          onChange={setMinimum}
          error={save.error}
          hint={t('minimumHint')}
          inputMode="decimal"
          required
        />
        <SelectField
          label={t('currency')}
          name="currency"
          value={currency}
          onChange={setCurrency}
          options={currencies.map((code) => ({ value: code, label: code }))}
          error={save.error}
        />
      </div>
      <SelectField
        label={t('destination')}
        name="destination_id"
        value={payTo}
        onChange={setDestination}
        options={[
          { value: '', label: t('defaultDestination') },
          ...destinations.map((each) => ({
            value: each.id,
            label: t('accountOf', { bank: bankName(each.bank_code), last4: each.account_last4 }),
          })),
        ]}
        error={save.error}
      />
      <ErrorMessage error={save.error} />
      <p role="status" className="success">
        {notice}
      </p>
      <div>
        <button type="submit" disabled={save.isPending}>
          {save.isPending ? t('saving') : t('saveSchedule')}
        </button>
      </div>
    </form>
  );
}

/** Where a seller's payouts go (bank accounts, shown masked) and when they are made on their own. */
export function PayoutSettings() {
  const destinations = useQuery({
    queryKey: DESTINATIONS_KEY,
    queryFn: () => unwrap(api.GET('/sellers/me/payout-destinations')),
  });
  const schedule = useQuery({
    queryKey: SCHEDULE_KEY,
    queryFn: () => unwrap(api.GET('/sellers/me/payout-schedule')),
  });
  if (destinations.isPending || schedule.isPending) return <Loading />;
  if (destinations.isError || schedule.isError)
    return <ErrorMessage error={destinations.error ?? schedule.error} />;
  return (
    <>
      <Destinations destinations={destinations.data} />
      <ScheduleForm schedule={schedule.data} destinations={destinations.data} />
    </>
  );
}
