import { useId } from 'react';
import type { paths } from '../api/schema';
import { Choice } from './common';
import { useStoreT } from './messages';

export type Variant =
  paths['/products/{id}']['get']['responses'][200]['content']['application/json']['results']['variants'][number];

/** A choice of one value per option name, e.g. `{ size: 'M', colour: 'red' }`. */
export type Selection = Record<string, string>;

/** Option names in the order the seller's first variants name them. */
export function optionNamesOf(variants: readonly Variant[]): string[] {
  const names: string[] = [];
  for (const variant of variants)
    for (const name of Object.keys(variant.options)) if (!names.includes(name)) names.push(name);
  return names;
}

export const variantMatching = (variants: readonly Variant[], selection: Selection): Variant | undefined =>
  variants.find((variant) =>
    Object.entries(variant.options).every(([name, value]) => selection[name] === value),
  );

/** What a product page starts with: the first variant that can be bought, else the first. */
export const firstChoice = (variants: readonly Variant[]): Selection =>
  (variants.find((variant) => variant.stock > 0) ?? variants[0])?.options ?? {};

/** The variant's option values as orders name them ("M, red"). */
export const variantLabel = (variant: Variant): string => Object.values(variant.options).join(', ');

const capitalised = (name: string) => name.charAt(0).toLocaleUpperCase() + name.slice(1);

/**
 * One radio group per option. Every choice lands on a variant that exists: a value that does
 * not go with the other options chosen switches them to its first variant (one in stock if
 * there is one), so "add to cart" always names a real variant.
 */
export function VariantPicker({
  variants,
  selection,
  onChange,
}: {
  variants: readonly Variant[];
  selection: Selection;
  onChange(selection: Selection): void;
}) {
  const t = useStoreT();
  const group = useId();
  const choose = (name: string, value: string) => {
    const next = { ...selection, [name]: value };
    if (variantMatching(variants, next)) return onChange(next);
    const withValue = variants.filter((variant) => variant.options[name] === value);
    const fallback = withValue.find((variant) => variant.stock > 0) ?? withValue[0];
    if (fallback) onChange({ ...fallback.options });
  };
  return (
    <div className="stack variant-picker">
      {optionNamesOf(variants).map((name) => {
        const values = [...new Set(variants.flatMap((variant) => variant.options[name] ?? []))];
        return (
          <fieldset key={name}>
            <legend>{capitalised(name)}</legend>
            {values.map((value) => {
              const variant = variantMatching(variants, { ...selection, [name]: value });
              return (
                <Choice
                  key={value}
                  name={`${group}-${name}`}
                  value={value}
                  label={value}
                  hint={variant && variant.stock === 0 ? t('outOfStock') : undefined}
                  checked={selection[name] === value}
                  onChange={() => choose(name, value)}
                />
              );
            })}
          </fieldset>
        );
      })}
    </div>
  );
}
