import { useCallback, useId, useRef, type ReactNode } from 'react';
import { Link, useLocation } from 'react-router';
import { ApiError, OfflineError, idempotencyKey } from '../api/client';
import { useAuth } from '../auth/auth';
import { Loading } from '../layout/Shell';
import { useShellT } from '../layout/messages';
import { useStoreT, type StoreKey } from './messages';
import './storefront.css';

/** A message for any failure: the server's code when we know it, "needs a connection" offline. */
export function useErrorText() {
  const t = useStoreT();
  const shell = useShellT();
  return useCallback(
    (error: unknown): string => {
      if (error instanceof OfflineError) return shell('needsNetwork');
      if (error instanceof ApiError) {
        const key = `e_${error.code}` as StoreKey;
        // Codes without a translation of their own read as the server wrote them.
        return (t(key) as string | undefined) ?? error.message;
      }
      return t('error', { message: error instanceof Error ? error.message : String(error) });
    },
    [t, shell],
  );
}

/** The alert shown next to a form or a section when its action failed. */
export function ErrorAlert({ error, children }: { error: unknown; children?: ReactNode }) {
  const text = useErrorText();
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {text(error)} {children}
    </p>
  );
}

/** The server's message for one field, by the field's name in the request body. */
export function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  return error.fields.find((each) => each.field === field || each.field === `/${field}`)?.message;
}

/** Props that tie an input to its error message (aria-invalid, aria-describedby). */
export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <span className="field-error" id={id} role="alert">
      {message}
    </span>
  );
}

export const invalidProps = (id: string, message: string | undefined) =>
  message ? { 'aria-invalid': true as const, 'aria-describedby': id } : {};

/** A local path to come back to after signing in; anything else (another site, `//x`) is `/`. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next;
}

/** Pages of signed-in users: a sign-in link (that comes back here) for visitors. */
export function RequireUser({ children }: { children: ReactNode }) {
  const { user } = useAuth();
  const t = useStoreT();
  const location = useLocation();
  if (user === undefined) return <Loading />;
  if (user === null) {
    const next = encodeURIComponent(location.pathname + location.search);
    return (
      <section className="stack narrow">
        <p role="status">{t('signInRequired')}</p>
        <p>
          <Link className="button" to={`/signin?next=${next}`}>
            {t('signInButton')}
          </Link>
        </p>
      </section>
    );
  }
  return children;
}

/**
 * One Idempotency-Key per attempt: the same while the request (its body) is retried, a new one
 * for a different request or once the attempt is over.
 */
export function useAttemptKey() {
  const attempt = useRef<{ fingerprint: string; key: string } | undefined>(undefined);
  const keyFor = useCallback((body: unknown) => {
    const fingerprint = JSON.stringify(body);
    if (attempt.current?.fingerprint !== fingerprint)
      attempt.current = { fingerprint, key: idempotencyKey() };
    return attempt.current.key;
  }, []);
  const done = useCallback(() => {
    attempt.current = undefined;
  }, []);
  return { keyFor, done };
}

/** A payment status in words ("Paid", "Pending"…). */
export function usePaymentStatus() {
  const t = useStoreT();
  return useCallback(
    (status: string) => {
      const key = `st_${status}` as StoreKey;
      return (t(key) as string | undefined) ?? status;
    },
    [t],
  );
}

/** A radio button whose accessible name is just its label; the hint describes it. */
export function Choice({
  name,
  value,
  label,
  hint,
  checked,
  defaultChecked,
  onChange,
}: {
  name: string;
  value: string;
  label: string;
  hint?: string;
  checked?: boolean;
  defaultChecked?: boolean;
  onChange?: () => void;
}) {
  const id = useId();
  return (
    <div className="choice">
      <input
        id={id}
        type="radio"
        name={name}
        value={value}
        {...(checked === undefined ? { defaultChecked } : { checked, onChange })}
        {...(hint ? { 'aria-describedby': `${id}-hint` } : {})}
      />
      <span>
        <label htmlFor={id}>{label}</label>
        {hint && (
          <span className="muted" id={`${id}-hint`}>
            {hint}
          </span>
        )}
      </span>
    </div>
  );
}
