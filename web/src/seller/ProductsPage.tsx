import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrapPage } from '../api/client';
import { useAuth } from '../auth/auth';
import { useFormat } from '../format';
import { EditDeleteActions } from '../common/EditDeleteActions';
import { ErrorMessage } from '../common/errors';
import { unwrapDone } from '../common/unwrapDone';
import { PagedTable } from '../common/PagedTable';
import { useSellerT } from './messages';
import { ProductForm, type Product } from './ProductForm';
import { useVariants, VariantsEditor } from './VariantsEditor';

/** Editing one product: its fields, then its variants (which then own its price and stock). */
function EditProduct({
  product,
  onDone,
  onCancel,
}: {
  product: Product;
  onDone(saved: Product): void;
  onCancel(): void;
}) {
  const variants = useVariants(product.id);
  return (
    <>
      <ProductForm
        product={product}
        hasVariants={(variants.data?.length ?? 0) > 0}
        onDone={onDone}
        onCancel={onCancel}
      />
      <VariantsEditor product={product} />
    </>
  );
}

/** The seller's products: list, create, edit (with a picture and variants) and delete. */
export default function ProductsPage() {
  const t = useSellerT();
  const { money, number } = useFormat();
  const sellerId = useAuth().user!.id;
  const queries = useQueryClient();
  const [editing, setEditing] = useState<Product | null>(null);
  const [notice, setNotice] = useState('');
  // A new key remounts the create form empty after each product.
  const [formKey, setFormKey] = useState(0);
  const refresh = () => queries.invalidateQueries({ queryKey: ['seller', 'products'] });

  const remove = useMutation({
    mutationFn: (product: Product) =>
      unwrapDone(api.DELETE('/products/{id}', { params: { path: { id: product.id } } })),
    onSuccess: (_, product) => {
      setNotice(t('deleted', { name: product.name }));
      if (editing?.id === product.id) setEditing(null);
      void refresh();
    },
  });
  const saved = (product: Product) => {
    setNotice(editing ? t('saved', { name: product.name }) : t('created', { name: product.name }));
    setEditing(null);
    setFormKey((key) => key + 1);
    void refresh();
  };

  return (
    <div className="stack">
      <h2>{t('products')}</h2>
      <p role="status" className="success">
        {notice}
      </p>
      <ErrorMessage error={remove.error} />
      <section aria-labelledby="products-heading" className="stack">
        <h3 id="products-heading">{t('yourProducts')}</h3>
        <PagedTable<Product>
          queryKey={['seller', 'products', sellerId]}
          fetchPage={(cursor) =>
            unwrapPage(
              api.GET('/products', { params: { query: { seller_id: sellerId, cursor, limit: 20 } } }),
            )
          }
          caption={t('yourProducts')}
          columns={[t('picture'), t('name'), t('price'), t('stock'), t('actions')]}
          numeric={[2, 3]}
          empty={t('noProducts')}
          row={(product) => (
            <tr key={product.id}>
              <td>
                {product.thumbnail_url && (
                  <img className="product-thumb" src={product.thumbnail_url} alt="" />
                )}
              </td>
              <th scope="row">{product.name}</th>
              <td className="amount" data-label={t('price')}>
                {money(product.price, product.currency)}
              </td>
              <td className="amount" data-label={t('stock')}>
                {number(product.stock)}
              </td>
              <td data-label={t('actions')}>
                <EditDeleteActions
                  subject={product.name}
                  editLabel={t('edit')}
                  deleteLabel={t('delete')}
                  deleting={remove.isPending}
                  onEdit={() => setEditing(product)}
                  onDelete={() => remove.mutate(product)}
                />
              </td>
            </tr>
          )}
        />
      </section>
      {editing ? (
        <EditProduct key={editing.id} product={editing} onDone={saved} onCancel={() => setEditing(null)} />
      ) : (
        <ProductForm key={formKey} onDone={saved} />
      )}
    </div>
  );
}
