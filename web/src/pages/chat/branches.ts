// A conversation is a tree (openapi.yaml, listMessages): the view shows one
// branch, and each message of it lists its siblings (the other edits of it,
// the other answers to its question), oldest first. These helpers read that
// for the "‹ 2/3 ›" switcher and for edits and regenerations.

/** A message as far as the branch is concerned. */
export interface BranchMessage {
  id: string;
  parentId?: string;
  siblingIds?: string[];
}

/** Ids of messages that exist on this page only (a turn before its start event). */
export const isLocalId = (id: string) => id.startsWith('local-');

/**
 * Where a message stands among its siblings: "2 / 3" is { index: 2, count: 3 },
 * with the ids of the previous and next ones (null at either end). Null when it
 * has no other version (or does not appear in its own list).
 */
export function siblingPosition(m: BranchMessage): { index: number; count: number; prev: string | null; next: string | null } | null {
  const ids = m.siblingIds;
  if (!ids || ids.length < 2) return null;
  const i = ids.indexOf(m.id);
  if (i < 0) return null;
  return { index: i + 1, count: ids.length, prev: ids[i - 1] ?? null, next: ids[i + 1] ?? null };
}

/** The siblings of a new version of `old` (an edit or a regenerated answer): its siblings, then the new one. */
export function withNewSibling(old: BranchMessage, newId: string): string[] {
  const ids = old.siblingIds?.length ? old.siblingIds : [old.id];
  return [...ids.filter((id) => id !== newId), newId];
}

/** Renames an id in a sibling list (a local id once the start event gave the stored one). */
export function renameSibling(ids: string[] | undefined, from: string, to: string): string[] | undefined {
  return ids?.map((id) => (id === from ? to : id));
}

/**
 * The parentId to send for an edit of messages[index]: its own parentId when
 * the API gave it, else the nearest stored message before it in the branch
 * (a turn sent from this page), else null (an edit of the first message).
 */
export function editParent(messages: BranchMessage[], index: number): string | null {
  const m = messages[index];
  if (!m) return null;
  if (m.parentId) return m.parentId;
  for (let i = index - 1; i >= 0; i--) if (!isLocalId(messages[i].id)) return messages[i].id;
  return null;
}
