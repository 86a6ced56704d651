import { useId, type InputHTMLAttributes, type ReactNode } from 'react';
import { ApiError, OfflineError } from '../api/client';
import { useShellT } from '../layout/messages';
import { useCommonT } from './messages';

/** The words to show for a failed call: the server's own message, or ours when it has none. */
export function useErrorText(): (error: unknown) => string {
  const t = useCommonT();
  const shell = useShellT();
  return (error) => {
    if (error instanceof OfflineError) return shell('needsNetwork');
    if (error instanceof ApiError) {
      if (error.message && !error.code.startsWith('http_')) return error.message;
      if (error.status === 401) return t('notSignedIn');
      if (error.status === 403) return t('forbidden');
      if (error.status === 404) return t('notFound');
      if (error.status === 429) return t('rateLimited');
      if (error.status >= 500) return t('serverError');
    }
    return t('unknownError');
  };
}

/** A failed call, announced to screen readers; nothing when there is no error. */
export function ErrorMessage({ error, children }: { error: unknown; children?: ReactNode }) {
  const text = useErrorText();
  if (!error) return null;
  return (
    <div className="error" role="alert">
      <p>{text(error)}</p>
      {children}
    </div>
  );
}

/** What the server said about one field of a refused form, if anything. */
export function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  return error.fields.find((each) => each.field === field || each.field.endsWith('.' + field))?.message;
}

type FieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value' | 'name'> & {
  label: string;
  name: string;
  value: string;
  onChange(value: string): void;
  /** The form's last error: the field shows the part of it that concerns `name`. */
  error?: unknown;
  hint?: string;
  multiline?: boolean;
};

/** A labelled input with its hint and its field error, tied together for assistive technology. */
export function Field({ label, name, value, onChange, error, hint, multiline, ...input }: FieldProps) {
  const id = useId();
  const message = fieldError(error, name);
  const described = [hint && `${id}-hint`, message && `${id}-error`].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    name,
    value,
    'aria-invalid': message ? true : undefined,
    'aria-describedby': described,
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <span id={`${id}-hint`} className="muted">
          {hint}
        </span>
      )}
      {multiline ? (
        <textarea
          {...common}
          rows={4}
          required={input.required}
          maxLength={input.maxLength}
          onChange={(event) => onChange(event.target.value)}
        />
      ) : (
        <input {...input} {...common} onChange={(event) => onChange(event.target.value)} />
      )}
      {message && (
        <span id={`${id}-error`} className="field-error">
          {message}
        </span>
      )}
    </div>
  );
}
