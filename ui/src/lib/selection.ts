// Keyboard selection in the app's lists (Owed, Inbox, Heard, Drafts): one rule for all.

/** The id `step` rows from `selectedId` (the first row when nothing is selected), stopping at the ends. */
export function moved(items: readonly { id: string }[], selectedId: string | null, step: number): string | null {
  if (items.length === 0) return selectedId;
  const index = items.findIndex((item) => item.id === selectedId);
  const next = index === -1 ? 0 : Math.min(items.length - 1, Math.max(0, index + step));
  return items[next]?.id ?? null;
}

/**
 * The selection after the list was read again: kept while its row is there; when it left
 * (answered, done, dismissed), its neighbour in the old list's place.
 */
export function kept(
  before: readonly { id: string }[],
  after: readonly { id: string }[],
  selectedId: string | null,
): string | null {
  if (!selectedId || after.some((item) => item.id === selectedId)) return selectedId;
  const index = before.findIndex((item) => item.id === selectedId);
  return after[Math.min(index, after.length - 1)]?.id ?? null;
}
