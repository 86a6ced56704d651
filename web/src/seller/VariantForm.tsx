import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { paths } from '../api/schema';
import { Field } from '../common/errors';
import { FormFooter } from '../common/form-controls';
import { useSellerT } from './messages';
import { StockField } from './ProductForm';

export type Variant =
  paths['/products/{id}/variants']['get']['responses'][200]['content']['application/json']['results'][number];

/** The API takes up to 3 options per variant. */
const MAX_OPTIONS = 3;

interface OptionPair {
  name: string;
  value: string;
}

/** Empty pairs are left out; the server lower-cases and trims the names. */
const optionsOf = (pairs: readonly OptionPair[]): Record<string, string> =>
  Object.fromEntries(
    pairs.filter((pair) => pair.name.trim() !== '').map((pair) => [pair.name.trim(), pair.value.trim()]),
  );

/**
 * Add a variant of a product (SKU, options, price, stock), or change `variant`'s price and
 * stock. A new variant's option names start as those its siblings use.
 */
export function VariantForm({
  productId,
  variant,
  optionNames,
  onDone,
  onCancel,
}: {
  productId: string;
  variant?: Variant;
  optionNames: readonly string[];
  onDone(saved: Variant): void;
  onCancel?(): void;
}) {
  const t = useSellerT();
  const [sku, setSku] = useState(variant?.sku ?? '');
  const [pairs, setPairs] = useState<OptionPair[]>(() =>
    Array.from({ length: MAX_OPTIONS }, (_, index) => ({ name: optionNames[index] ?? '', value: '' })),
  );
  const [price, setPrice] = useState(variant?.price ?? '');
  const [stock, setStock] = useState(variant ? String(variant.stock) : '');

  const save = useMutation({
    mutationFn: () => {
      const common = { ...(price.trim() ? { price: price.trim() } : {}), stock: Number(stock) };
      return variant
        ? unwrap(
            api.PATCH('/products/{id}/variants/{variantId}', {
              params: { path: { id: productId, variantId: variant.id } },
              body: common,
            }),
          )
        : unwrap(
            api.POST('/products/{id}/variants', {
              params: { path: { id: productId } },
              body: { sku: sku.trim(), options: optionsOf(pairs), ...common },
            }),
          );
    },
    onSuccess: onDone,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const setPair = (index: number, change: Partial<OptionPair>) =>
    setPairs((current) => current.map((pair, at) => (at === index ? { ...pair, ...change } : pair)));
  const titleId = `variant-form-${variant?.id ?? 'new'}`;

  return (
    <form className="card variant-form" onSubmit={submit} aria-labelledby={titleId} noValidate>
      <h4 id={titleId}>{variant ? t('editVariant', { sku: variant.sku }) : t('newVariant')}</h4>
      {!variant && (
        <>
          <Field
            label={t('sku')}
            name="sku"
            value={sku}
            onChange={setSku}
            error={save.error}
            required
            maxLength={64}
          />
          <fieldset className="form-rows">
            <legend>{t('options')}</legend>
            <span className="muted">{t('optionsHint')}</span>
            {pairs.map((pair, index) => (
              <div key={index} className="form-row">
                <Field
                  label={t('optionName', { number: index + 1 })}
                  name={`option_name_${index}`}
                  value={pair.name}
                  onChange={(name) => setPair(index, { name })}
                  error={save.error}
                  required={index === 0}
                  maxLength={32}
                />
                <Field
                  label={t('optionValue', { number: index + 1 })}
                  name={`option_value_${index}`}
                  value={pair.value}
                  onChange={(value) => setPair(index, { value })}
                  error={save.error}
                  required={index === 0}
                  maxLength={64}
                />
              </div>
            ))}
          </fieldset>
        </>
      )}
      <Field
        label={t('price')}
        name="price"
        value={price}
        onChange={setPrice}
        error={save.error}
        hint={variant ? t('priceHint') : `${t('priceHint')}. ${t('variantPriceHint')}`}
        inputMode="decimal"
      />
      <StockField value={stock} onChange={setStock} error={save.error} />
      <FormFooter
        error={save.error}
        pending={save.isPending}
        submitLabel={variant ? t('saveChanges') : t('addVariant')}
        pendingLabel={t('saving')}
        cancelLabel={t('cancel')}
        onCancel={onCancel}
      />
    </form>
  );
}
