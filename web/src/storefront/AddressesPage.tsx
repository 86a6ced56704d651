import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { useAuth } from '../auth/auth';
import { AreaGate } from '../common/AreaGate';
import { ConfirmButton } from '../common/ConfirmButton';
import { ErrorMessage } from '../common/errors';
import { unwrapDone } from '../common/unwrapDone';
import { Loading } from '../layout/Shell';
import { AddressForm, type Address } from './AddressForm';
import { useAddressesT } from './addresses.messages';
import '../common/area.css';
import './storefront.css';

function AddressCard({
  address,
  busy,
  onEdit,
  onDelete,
  onMakeDefault,
}: {
  address: Address;
  busy: boolean;
  onEdit(): void;
  onDelete(): void;
  onMakeDefault(): void;
}) {
  const t = useAddressesT();
  return (
    <li className="card stack">
      <div className="row">
        <h3>{address.name}</h3>
        {address.is_default && <span className="status">{t('default')}</span>}
      </div>
      <address>
        {address.line1}
        {address.line2 && (
          <>
            <br />
            {address.line2}
          </>
        )}
        <br />
        {address.city}, {address.region} {address.postal_code}
        <br />
        {address.country}
        {address.phone && (
          <>
            <br />
            {address.phone}
          </>
        )}
      </address>
      <div className="actions">
        <button
          type="button"
          className="secondary"
          aria-label={`${t('edit')} ${t('addressOf', { name: address.name })}`}
          onClick={onEdit}
        >
          {t('edit')}
        </button>
        {!address.is_default && (
          <button
            type="button"
            className="secondary"
            aria-label={`${t('makeDefault')}: ${t('addressOf', { name: address.name })}`}
            disabled={busy}
            onClick={onMakeDefault}
          >
            {t('makeDefault')}
          </button>
        )}
        <ConfirmButton
          label={t('delete')}
          subject={t('addressOf', { name: address.name })}
          danger
          disabled={busy}
          onConfirm={onDelete}
        />
      </div>
    </li>
  );
}

function AddressBook() {
  const t = useAddressesT();
  const userId = useAuth().user!.id;
  const queries = useQueryClient();
  const key = ['addresses', userId];
  const [editing, setEditing] = useState<Address | null>(null);
  const [notice, setNotice] = useState('');
  // A new key remounts the add form empty after each address.
  const [formKey, setFormKey] = useState(0);
  const addresses = useQuery({ queryKey: key, queryFn: () => unwrap(api.GET('/users/me/addresses')) });
  const refresh = () => queries.invalidateQueries({ queryKey: key });

  const remove = useMutation({
    mutationFn: (address: Address) =>
      unwrapDone(api.DELETE('/users/me/addresses/{id}', { params: { path: { id: address.id } } })),
    onSuccess: (_, address) => {
      setNotice(t('deleted', { name: address.name }));
      if (editing?.id === address.id) setEditing(null);
      void refresh();
    },
  });
  const makeDefault = useMutation({
    mutationFn: (address: Address) =>
      unwrap(
        api.PATCH('/users/me/addresses/{id}', {
          params: { path: { id: address.id } },
          body: { is_default: true },
        }),
      ),
    onSuccess: (address) => {
      setNotice(t('nowDefault', { name: address.name }));
      void refresh();
    },
  });
  const saved = (address: Address) => {
    setNotice(editing ? t('saved', { name: address.name }) : t('added', { name: address.name }));
    setEditing(null);
    setFormKey((current) => current + 1);
    void refresh();
  };
  const act = (action: () => void) => {
    setNotice('');
    remove.reset();
    makeDefault.reset();
    action();
  };

  return (
    <>
      <p role="status" className="success">
        {notice}
      </p>
      <ErrorMessage error={remove.error ?? makeDefault.error} />
      <section aria-labelledby="addresses-heading" className="stack">
        <h2 id="addresses-heading">{t('yourAddresses')}</h2>
        {addresses.isPending ? (
          <Loading />
        ) : addresses.isError ? (
          <ErrorMessage error={addresses.error} />
        ) : addresses.data.length === 0 ? (
          <p className="muted">{t('noAddresses')}</p>
        ) : (
          <ul className="address-list">
            {addresses.data.map((address) => (
              <AddressCard
                key={address.id}
                address={address}
                busy={remove.isPending || makeDefault.isPending}
                onEdit={() => setEditing(address)}
                onDelete={() => act(() => remove.mutate(address))}
                onMakeDefault={() => act(() => makeDefault.mutate(address))}
              />
            ))}
          </ul>
        )}
      </section>
      {editing ? (
        <AddressForm key={editing.id} address={editing} onDone={saved} onCancel={() => setEditing(null)} />
      ) : (
        <AddressForm key={formKey} onDone={saved} />
      )}
    </>
  );
}

/** The buyer's address book: list, add, edit, delete, and choose the default one. */
export default function AddressesPage() {
  const t = useAddressesT();
  return (
    <AreaGate role="buyer" title={t('title')}>
      <section className="stack">
        <h1>{t('title')}</h1>
        <AddressBook />
      </section>
    </AreaGate>
  );
}
