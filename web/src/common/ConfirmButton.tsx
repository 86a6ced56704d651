import { useState } from 'react';
import { useCommonT } from './messages';

interface Props {
  /** The button's words, e.g. "Delete". */
  label: string;
  /** Names the object, for the accessible name and the question: "Delete Blue mug". */
  subject?: string;
  danger?: boolean;
  disabled?: boolean;
  onConfirm(): void;
}

/**
 * A button that asks before it acts: the first press shows the question with "Confirm" and
 * "Go back" in place of the button, so nothing irreversible happens on one slip.
 */
export function ConfirmButton({ label, subject, danger, disabled, onConfirm }: Props) {
  const t = useCommonT();
  const [asking, setAsking] = useState(false);
  const action = subject ? `${label} ${subject}` : label;
  if (!asking)
    return (
      <button
        type="button"
        className={danger ? 'danger' : 'secondary'}
        disabled={disabled}
        aria-label={subject ? action : undefined}
        onClick={() => setAsking(true)}
      >
        {label}
      </button>
    );
  return (
    <span className="confirm" role="group" aria-label={action}>
      <span role="status">{t('confirmPrompt', { action })}</span>
      <button
        type="button"
        className={danger ? 'danger' : undefined}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
        autoFocus
      >
        {t('confirm')}
      </button>
      <button type="button" className="secondary" onClick={() => setAsking(false)}>
        {t('goBack')}
      </button>
    </span>
  );
}
