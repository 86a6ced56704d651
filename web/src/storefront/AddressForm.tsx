import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { paths } from '../api/schema';
import { Field } from '../common/errors';
import { CheckField, FormFooter } from '../common/form-controls';
import { useAddressesT } from './addresses.messages';

export type Address =
  paths['/users/me/addresses']['get']['responses'][200]['content']['application/json']['results'][number];

const TEXT_FIELDS = ['name', 'line1', 'line2', 'city', 'region', 'postal_code', 'country', 'phone'] as const;
type TextField = (typeof TEXT_FIELDS)[number];
type Extra = Omit<Parameters<typeof Field>[0], 'label' | 'name' | 'value' | 'onChange'>;

/** Add an address, or edit `address`. The server checks every field; its errors show beside them. */
export function AddressForm({
  address,
  onDone,
  onCancel,
}: {
  address?: Address;
  onDone(saved: Address): void;
  onCancel?(): void;
}) {
  const t = useAddressesT();
  const [values, setValues] = useState<Record<TextField, string>>(
    () =>
      Object.fromEntries(TEXT_FIELDS.map((field) => [field, address?.[field] ?? ''])) as Record<
        TextField,
        string
      >,
  );
  const [isDefault, setDefault] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (address) heading.current?.focus();
  }, [address]);

  const save = useMutation({
    mutationFn: () => {
      const text = (field: TextField) => values[field].trim();
      // An emptied optional line is cleared (null), as the API asks.
      const optional = (field: 'line2' | 'phone') => text(field) || null;
      const body = {
        name: text('name'),
        line1: text('line1'),
        line2: optional('line2'),
        city: text('city'),
        region: text('region'),
        postal_code: text('postal_code'),
        country: text('country').toUpperCase(),
        phone: optional('phone'),
      };
      return address
        ? unwrap(api.PATCH('/users/me/addresses/{id}', { params: { path: { id: address.id } }, body }))
        : unwrap(
            api.POST('/users/me/addresses', {
              body: { ...body, ...(isDefault ? { is_default: true } : {}) },
            }),
          );
    },
    onSuccess: onDone,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const field = (name: TextField, label: string, autoComplete: string, extra: Extra = {}) => (
    <Field
      label={label}
      name={name}
      value={values[name]}
      onChange={(value) => setValues((current) => ({ ...current, [name]: value }))}
      error={save.error}
      autoComplete={autoComplete}
      {...extra}
    />
  );
  const headingId = address ? `address-form-${address.id}` : 'address-form-new';
  return (
    <form className="card settings-form" onSubmit={submit} aria-labelledby={headingId} noValidate>
      <h2 id={headingId} ref={heading} tabIndex={-1}>
        {address ? t('editAddress', { name: address.name }) : t('newAddress')}
      </h2>
      {field('name', t('recipient'), 'name', { required: true, maxLength: 200 })}
      {field('line1', t('line1'), 'address-line1', { required: true, maxLength: 200 })}
      {field('line2', t('line2'), 'address-line2', { maxLength: 200 })}
      {field('city', t('city'), 'address-level2', { required: true, maxLength: 100 })}
      {field('region', t('region'), 'address-level1', { required: true, maxLength: 100 })}
      {field('postal_code', t('postalCode'), 'postal-code', { required: true, maxLength: 20 })}
      {field('country', t('country'), 'country', { required: true, maxLength: 2, hint: t('countryHint') })}
      {field('phone', t('phone'), 'tel', { type: 'tel', maxLength: 32 })}
      {!address && (
        <CheckField
          label={t('makeDefaultOnSave')}
          name="is_default"
          checked={isDefault}
          onChange={setDefault}
          error={save.error}
        />
      )}
      <FormFooter
        error={save.error}
        pending={save.isPending}
        submitLabel={address ? t('saveChanges') : t('addAddress')}
        pendingLabel={t('saving')}
        cancelLabel={t('cancel')}
        onCancel={onCancel}
      />
    </form>
  );
}
