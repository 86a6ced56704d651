import { useMutation } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client';
import { ErrorAlert } from '../storefront/common';
import { usePricingT } from './pricing.messages';
import type { ServerCart } from './server-cart';

/** The buyer's codes on the cart: apply one, remove one; the server says why a code is refused. */
export function DiscountCodes({ cart, onChange }: { cart: ServerCart; onChange(cart: ServerCart): void }) {
  const p = usePricingT();
  const id = useId();
  const [code, setCode] = useState('');
  const apply = useMutation({
    mutationFn: (value: string) =>
      unwrap(api.POST('/carts/{id}/discounts', { params: { path: { id: cart.id } }, body: { code: value } })),
    onSuccess: (next) => {
      setCode('');
      onChange(next);
    },
  });
  const remove = useMutation({
    mutationFn: (value: string) =>
      unwrap(api.DELETE('/carts/{id}/discounts/{code}', { params: { path: { id: cart.id, code: value } } })),
    onSuccess: onChange,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = code.trim();
    remove.reset();
    if (value) apply.mutate(value);
  };
  return (
    <section aria-labelledby={`${id}-title`} className="discount-codes">
      <h2 id={`${id}-title`}>{p('discountCodes')}</h2>
      {cart.discount_codes.length > 0 && (
        <ul>
          {cart.discount_codes.map((each) => (
            <li key={each}>
              <code>{each}</code>{' '}
              <button
                type="button"
                className="secondary"
                aria-label={p('removeCode', { code: each })}
                disabled={remove.isPending}
                onClick={() => remove.mutate(each)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={submit} className="field">
        <label htmlFor={`${id}-code`}>{p('discountCode')}</label>
        <input
          id={`${id}-code`}
          value={code}
          autoComplete="off"
          autoCapitalize="characters"
          aria-invalid={apply.isError || undefined}
          onChange={(event) => setCode(event.target.value)}
        />
        <button type="submit" disabled={apply.isPending || code.trim() === ''}>
          {p('apply')}
        </button>
        <ErrorAlert error={apply.error ?? remove.error} />
      </form>
    </section>
  );
}
