import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { EditDeleteActions } from '../common/EditDeleteActions';
import { ErrorMessage } from '../common/errors';
import { unwrapDone } from '../common/unwrapDone';
import { useFormat } from '../format';
import { Loading } from '../layout/Shell';
import { useSellerT } from './messages';
import { VariantForm, type Variant } from './VariantForm';

const variantsKey = (productId: string) => ['seller', 'variants', productId];

/** A product's variants as the API lists them, in the order buyers see them. */
export const useVariants = (productId: string) =>
  useQuery({
    queryKey: variantsKey(productId),
    queryFn: () => unwrap(api.GET('/products/{id}/variants', { params: { path: { id: productId } } })),
  });

const optionsText = (variant: Variant) =>
  Object.entries(variant.options)
    .map(([name, value]) => `${name}: ${value}`)
    .join(', ');

/** The variants of the product being edited: list, add, change price and stock, delete. */
export function VariantsEditor({ product }: { product: { id: string; name: string; currency: string } }) {
  const t = useSellerT();
  const { money, number } = useFormat();
  const queries = useQueryClient();
  const variants = useVariants(product.id);
  const [editing, setEditing] = useState<Variant | null>(null);
  const [notice, setNotice] = useState('');
  // A new key remounts the add form empty after each variant.
  const [formKey, setFormKey] = useState(0);
  // Variants change the product's price and stock as listings show them.
  const refresh = () =>
    Promise.all([
      queries.invalidateQueries({ queryKey: variantsKey(product.id) }),
      queries.invalidateQueries({ queryKey: ['seller', 'products'] }),
      queries.invalidateQueries({ queryKey: ['products'] }),
    ]);

  const remove = useMutation({
    mutationFn: (variant: Variant) =>
      unwrapDone(
        api.DELETE('/products/{id}/variants/{variantId}', {
          params: { path: { id: product.id, variantId: variant.id } },
        }),
      ),
    onSuccess: (_, variant) => {
      setNotice(t('variantDeleted', { sku: variant.sku }));
      if (editing?.id === variant.id) setEditing(null);
      void refresh();
    },
  });
  const saved = (variant: Variant) => {
    setNotice(t(editing ? 'variantSaved' : 'variantAdded', { sku: variant.sku }));
    setEditing(null);
    setFormKey((key) => key + 1);
    void refresh();
  };
  const list = variants.data ?? [];
  const optionNames = [...new Set(list.flatMap((variant) => Object.keys(variant.options)))];
  const headingId = `variants-${product.id}`;

  return (
    <section aria-labelledby={headingId} className="stack">
      <h3 id={headingId}>{t('variantsOf', { name: product.name })}</h3>
      <p className="muted">{t('variantsHint')}</p>
      <p role="status" className="success">
        {notice}
      </p>
      <ErrorMessage error={remove.error} />
      {variants.isPending ? (
        <Loading />
      ) : variants.isError ? (
        <ErrorMessage error={variants.error} />
      ) : list.length === 0 ? (
        <p className="muted">{t('noVariants')}</p>
      ) : (
        <div className="table-wrap">
          <table className="responsive-table">
            <caption className="visually-hidden">{t('variantsOf', { name: product.name })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('sku')}</th>
                <th scope="col">{t('options')}</th>
                <th scope="col" className="amount">
                  {t('price')}
                </th>
                <th scope="col" className="amount">
                  {t('stock')}
                </th>
                <th scope="col">{t('actions')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((variant) => (
                <tr key={variant.id}>
                  <th scope="row">{variant.sku}</th>
                  <td data-label={t('options')}>{optionsText(variant)}</td>
                  <td className="amount" data-label={t('price')}>
                    {money(variant.price, product.currency)}
                  </td>
                  <td className="amount" data-label={t('stock')}>
                    {number(variant.stock)}
                  </td>
                  <td data-label={t('actions')}>
                    <EditDeleteActions
                      subject={variant.sku}
                      editLabel={t('edit')}
                      deleteLabel={t('delete')}
                      editName={t('editVariant', { sku: variant.sku })}
                      deleting={remove.isPending}
                      onEdit={() => setEditing(variant)}
                      onDelete={() => {
                        setNotice('');
                        remove.mutate(variant);
                      }}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing ? (
        <VariantForm
          key={editing.id}
          productId={product.id}
          variant={editing}
          optionNames={optionNames}
          onDone={saved}
          onCancel={() => setEditing(null)}
        />
      ) : (
        !variants.isPending && (
          <VariantForm
            key={`${formKey}-${optionNames.join('|')}`}
            productId={product.id}
            optionNames={optionNames}
            onDone={saved}
          />
        )
      )}
    </section>
  );
}
