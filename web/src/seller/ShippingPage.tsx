import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { useFormat } from '../format';
import { EditDeleteActions } from '../common/EditDeleteActions';
import { ErrorMessage } from '../common/errors';
import { unwrapDone } from '../common/unwrapDone';
import { Loading } from '../layout/Shell';
import { useSellerT } from './messages';
import { useShippingT } from './shipping.messages';
import { ShippingOptionForm, type ShippingOption } from './ShippingOptionForm';

/** What an option charges, in words: "Rp 15.000", "…, free from …", or its regions' rates. */
function Rates({ option }: { option: ShippingOption }) {
  const t = useShippingT();
  const { money } = useFormat();
  const charge = (amount: string) => money(amount, option.currency);
  if (option.kind === 'flat') return <>{option.amount ? charge(option.amount) : '—'}</>;
  if (option.kind === 'free_above')
    return (
      <>
        {t('freeFrom', {
          amount: option.amount ? charge(option.amount) : '—',
          threshold: option.free_above ? charge(option.free_above) : '—',
        })}
      </>
    );
  return (
    <ul className="plain-list">
      {option.regions.map((rate) => (
        <li key={`${rate.country}:${rate.region ?? ''}`}>
          {rate.region ? `${rate.country}, ${rate.region}` : t('wholeCountry', { country: rate.country })}:{' '}
          {charge(rate.amount)}
        </li>
      ))}
      <li>{option.amount ? t('elsewhere', { amount: charge(option.amount) }) : t('notElsewhere')}</li>
    </ul>
  );
}

/** The seller's shipping options: list, create (flat, free above, per region), edit and delete. */
export default function ShippingPage() {
  const t = useShippingT();
  const seller = useSellerT();
  const queries = useQueryClient();
  const key = ['seller', 'shipping-options'];
  const [editing, setEditing] = useState<ShippingOption | null>(null);
  const [notice, setNotice] = useState('');
  // A new key remounts the create form empty after each option.
  const [formKey, setFormKey] = useState(0);
  const options = useQuery({
    queryKey: key,
    queryFn: () => unwrap(api.GET('/sellers/me/shipping-options')),
  });
  const refresh = () => queries.invalidateQueries({ queryKey: key });

  const remove = useMutation({
    mutationFn: (option: ShippingOption) =>
      unwrapDone(api.DELETE('/sellers/me/shipping-options/{id}', { params: { path: { id: option.id } } })),
    onSuccess: (_, option) => {
      setNotice(t('deleted', { name: option.name }));
      if (editing?.id === option.id) setEditing(null);
      void refresh();
    },
  });
  const saved = (option: ShippingOption) => {
    setNotice(editing ? t('saved', { name: option.name }) : t('created', { name: option.name }));
    setEditing(null);
    setFormKey((current) => current + 1);
    void refresh();
  };

  return (
    <div className="stack">
      <h2>{seller('shipping')}</h2>
      <p role="status" className="success">
        {notice}
      </p>
      <ErrorMessage error={remove.error} />
      <section aria-labelledby="shipping-heading" className="stack">
        <h3 id="shipping-heading">{t('yourOptions')}</h3>
        {options.isPending ? (
          <Loading />
        ) : options.isError ? (
          <ErrorMessage error={options.error} />
        ) : options.data.length === 0 ? (
          <p className="muted">{t('noOptions')}</p>
        ) : (
          <div className="table-wrap">
            <table className="responsive-table">
              <caption className="visually-hidden">{t('yourOptions')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('name')}</th>
                  <th scope="col">{t('kind')}</th>
                  <th scope="col">{t('currency')}</th>
                  <th scope="col">{t('rates')}</th>
                  <th scope="col">{t('actions')}</th>
                </tr>
              </thead>
              <tbody>
                {options.data.map((option) => (
                  <tr key={option.id}>
                    <th scope="row">{option.name}</th>
                    <td data-label={t('kind')}>{t(`kind_${option.kind}`)}</td>
                    <td data-label={t('currency')}>{option.currency}</td>
                    <td data-label={t('rates')}>
                      <Rates option={option} />
                    </td>
                    <td data-label={t('actions')}>
                      <EditDeleteActions
                        subject={option.name}
                        editLabel={t('edit')}
                        deleteLabel={t('delete')}
                        deleting={remove.isPending}
                        onEdit={() => setEditing(option)}
                        onDelete={() => {
                          setNotice('');
                          remove.mutate(option);
                        }}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {editing ? (
        <ShippingOptionForm
          key={editing.id}
          option={editing}
          onDone={saved}
          onCancel={() => setEditing(null)}
        />
      ) : (
        <ShippingOptionForm key={formKey} onDone={saved} />
      )}
    </div>
  );
}
