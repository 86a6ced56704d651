/** A product's gallery holds at most this many images; the first is the product's cover. */
export const MAX_GALLERY_IMAGES = 10;

/** True when `proposed` names each of `current` exactly once and nothing else. */
export function isPermutation(current: readonly string[], proposed: readonly string[]): boolean {
  if (current.length !== proposed.length) return false;
  const remaining = new Set(current);
  for (const id of proposed) {
    if (!remaining.delete(id)) return false;
  }
  return remaining.size === 0;
}
