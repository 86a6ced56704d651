import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { Field, fieldError } from '../common/errors';
import { FormFooter } from '../common/form-controls';
import { useSellerT } from './messages';

const CURRENCIES = ['IDR', 'USD', 'EUR', 'GBP', 'SGD', 'MYR', 'JPY', 'KES'];

export interface Product {
  id: string;
  name: string;
  description: string;
  price: string;
  currency: string;
  stock: number;
  image_url: string | null;
  thumbnail_url: string | null;
  tax_class?: string;
}

interface Fields {
  name: string;
  description: string;
  price: string;
  currency: string;
  stock: number;
  tax_class: string;
}

/** A whole number of units in stock, as products and variants take it. */
export function StockField({
  value,
  onChange,
  error,
}: {
  value: string;
  onChange(value: string): void;
  error: unknown;
}) {
  const t = useSellerT();
  return (
    <Field
      label={t('stock')}
      name="stock"
      value={value}
      onChange={onChange}
      error={error}
      type="number"
      min={0}
      step={1}
      inputMode="numeric"
      required
    />
  );
}

/** With a picture the product goes as multipart/form-data (catalog.multipart.ts reads `image`). */
function multipart(image: File | null) {
  if (!image) return undefined;
  return (fields: object) => {
    const form = new FormData();
    for (const [key, value] of Object.entries(fields)) form.append(key, String(value));
    form.append('image', image);
    return form;
  };
}

/** A local preview of the chosen file, released when the file changes or the form goes. */
function usePreview(file: File | null): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!file) return setUrl(null);
    const next = URL.createObjectURL(file);
    setUrl(next);
    return () => URL.revokeObjectURL(next);
  }, [file]);
  return url;
}

/**
 * Create a product, or edit `product`: its fields and optionally a new picture. A product
 * with variants takes its price, currency and stock from them (the API refuses them here).
 */
export function ProductForm({
  product,
  hasVariants = false,
  onDone,
  onCancel,
}: {
  product?: Product;
  hasVariants?: boolean;
  onDone(saved: Product): void;
  onCancel?(): void;
}) {
  const t = useSellerT();
  const [name, setName] = useState(product?.name ?? '');
  const [description, setDescription] = useState(product?.description ?? '');
  const [price, setPrice] = useState(product?.price ?? '');
  const [currency, setCurrency] = useState(product?.currency ?? 'IDR');
  const [stock, setStock] = useState(String(product?.stock ?? ''));
  const [taxClass, setTaxClass] = useState(product?.tax_class ?? 'standard');
  const [image, setImage] = useState<File | null>(null);
  const preview = usePreview(image);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (product) heading.current?.focus();
  }, [product]);

  const save = useMutation({
    mutationFn: async () => {
      const tax_class = taxClass.trim() || 'standard';
      const fields: Fields = { name, description, price, currency, stock: Number(stock), tax_class };
      const bodySerializer = multipart(image);
      if (!product) return (await unwrap(api.POST('/products', { body: fields, bodySerializer }))) as Product;
      const body = hasVariants ? { name, description, tax_class } : fields;
      return (await unwrap(
        api.PUT('/products/{id}', { params: { path: { id: product.id } }, body, bodySerializer }),
      )) as Product;
    },
    onSuccess: onDone,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const title = product ? t('editProduct', { name: product.name }) : t('newProduct');
  return (
    <form className="card product-form" onSubmit={submit} aria-labelledby="product-form-title" noValidate>
      <h3 id="product-form-title" ref={heading} tabIndex={-1}>
        {title}
      </h3>
      <Field
        label={t('name')}
        name="name"
        value={name}
        onChange={setName}
        error={save.error}
        required
        maxLength={200}
      />
      <Field
        label={t('description')}
        name="description"
        value={description}
        onChange={setDescription}
        error={save.error}
        multiline
        maxLength={5000}
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
      {hasVariants ? (
        <p className="muted">{t('fromVariants')}</p>
      ) : (
        <>
          <Field
            label={t('price')}
            name="price"
            value={price}
            onChange={setPrice}
            error={save.error}
            hint={t('priceHint')}
            inputMode="decimal"
            required
          />
          <div className="field">
            <label htmlFor="product-currency">{t('currency')}</label>
            <select
              id="product-currency"
              value={currency}
              onChange={(event) => setCurrency(event.target.value)}
            >
              {CURRENCIES.map((code) => (
                <option key={code}>{code}</option>
              ))}
            </select>
            {fieldError(save.error, 'currency') && (
              <span className="field-error">{fieldError(save.error, 'currency')}</span>
            )}
          </div>
          <StockField value={stock} onChange={setStock} error={save.error} />
        </>
      )}
      <div className="field">
        <label htmlFor="product-image">{t('image')}</label>
        <span id="product-image-hint" className="muted">
          {t('imageHint')}
        </span>
        <input
          id="product-image"
          type="file"
          accept="image/jpeg,image/png,image/webp"
          aria-describedby="product-image-hint"
          onChange={(event) => setImage(event.target.files?.[0] ?? null)}
        />
        {(fieldError(save.error, 'image') ?? fieldError(save.error, 'image_url')) && (
          <span className="field-error">
            {fieldError(save.error, 'image') ?? fieldError(save.error, 'image_url')}
          </span>
        )}
        {preview ? (
          <img className="image-preview" src={preview} alt={t('preview')} />
        ) : (
          product?.thumbnail_url && (
            <img
              className="image-preview"
              src={product.thumbnail_url}
              alt={t('currentImage', { name: product.name })}
            />
          )
        )}
      </div>
      <FormFooter
        error={save.error}
        pending={save.isPending}
        submitLabel={product ? t('saveChanges') : t('createProduct')}
        pendingLabel={t('saving')}
        cancelLabel={t('cancel')}
        onCancel={onCancel}
      />
    </form>
  );
}
