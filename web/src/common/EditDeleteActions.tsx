import { ConfirmButton } from './ConfirmButton';

/**
 * A table row's two actions on its object: edit, and delete after a confirmation. Both name
 * the object (`subject`) in their accessible names, so a screen reader tells the rows apart.
 */
export function EditDeleteActions({
  subject,
  editLabel,
  deleteLabel,
  editName,
  deleting,
  onEdit,
  onDelete,
}: {
  subject: string;
  editLabel: string;
  deleteLabel: string;
  /** The edit button's accessible name; "<editLabel> <subject>" by default. */
  editName?: string;
  deleting: boolean;
  onEdit(): void;
  onDelete(): void;
}) {
  return (
    <div className="actions">
      <button
        type="button"
        className="secondary"
        aria-label={editName ?? `${editLabel} ${subject}`}
        onClick={onEdit}
      >
        {editLabel}
      </button>
      <ConfirmButton label={deleteLabel} subject={subject} danger disabled={deleting} onConfirm={onDelete} />
    </div>
  );
}
