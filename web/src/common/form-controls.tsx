import { useId, type ReactNode } from 'react';
import { ApiError } from '../api/client';
import { ErrorMessage, fieldError } from './errors';
import './forms.css';

/** The field error of a refused form tied to its control, as `Field` does for inputs. */
function useDescribed(error: unknown, name: string, hint?: string) {
  const id = useId();
  const message = fieldError(error, name);
  const described = [hint && `${id}-hint`, message && `${id}-error`].filter(Boolean).join(' ') || undefined;
  const after = message && (
    <span id={`${id}-error`} className="field-error">
      {message}
    </span>
  );
  const before = hint && (
    <span id={`${id}-hint`} className="muted">
      {hint}
    </span>
  );
  return {
    id,
    before,
    after,
    control: { id, name, 'aria-invalid': message ? true : undefined, 'aria-describedby': described },
  };
}

/** A labelled select with its hint and the server's error for `name`. */
export function SelectField({
  label,
  name,
  value,
  onChange,
  options,
  error,
  hint,
  disabled,
}: {
  label: string;
  name: string;
  value: string;
  onChange(value: string): void;
  options: readonly { value: string; label: string }[];
  error?: unknown;
  hint?: string;
  disabled?: boolean;
}) {
  const { id, before, after, control } = useDescribed(error, name, hint);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {before}
      <select
        {...control}
        value={value}
        disabled={disabled}
        onChange={(event) => onChange(event.target.value)}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {after}
    </div>
  );
}

/** A checkbox whose name is its label, with the server's error for `name`. */
export function CheckField({
  label,
  name,
  checked,
  onChange,
  error,
}: {
  label: ReactNode;
  name: string;
  checked: boolean;
  onChange(checked: boolean): void;
  error?: unknown;
}) {
  const { id, after, control } = useDescribed(error, name);
  return (
    <div className="field">
      <label className="check-field" htmlFor={id}>
        <input
          {...control}
          type="checkbox"
          checked={checked}
          onChange={(event) => onChange(event.target.checked)}
        />
        {label}
      </label>
      {after}
    </div>
  );
}

/**
 * The error with only the field errors named exactly `field`. `Field` also matches a nested
 * name's tail, so a top-level "amount" would otherwise show a region row's "regions.0.amount".
 */
export function exactField(error: unknown, field: string): unknown {
  if (!(error instanceof ApiError)) return error;
  return new ApiError(
    error.status,
    error.code,
    error.message,
    error.fields.filter((each) => each.field === field),
  );
}

/**
 * A refusal found before asking the server, shaped as the server's own so that the field
 * shows it in the same place (e.g. a percentage that cannot be read).
 */
export const localFieldError = (field: string, message: string): ApiError =>
  new ApiError(400, 'validation_failed', message, [{ field, code: 'invalid', message }]);

/**
 * The end of an edit form: its error, the submit button (its label while saving) and, when
 * the form can be closed, cancel.
 */
export function FormFooter({
  error,
  pending,
  submitLabel,
  pendingLabel,
  cancelLabel,
  onCancel,
}: {
  error: unknown;
  pending: boolean;
  submitLabel: string;
  pendingLabel: string;
  cancelLabel: string;
  onCancel?: () => void;
}) {
  return (
    <>
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="submit" disabled={pending}>
          {pending ? pendingLabel : submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="secondary" onClick={onCancel}>
            {cancelLabel}
          </button>
        )}
      </div>
    </>
  );
}
