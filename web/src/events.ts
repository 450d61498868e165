// App-wide news between pages that do not hold each other: "the
// conversations changed elsewhere" (an import finished), after which the chat
// page's sidebar lists them anew.
const listeners = new Set<() => void>();

/** Calls fn whenever conversations were added or changed outside the chat page; returns the unsubscribe. */
export function onConversationsChanged(fn: () => void): () => void {
  listeners.add(fn);
  return () => { listeners.delete(fn); };
}

export function conversationsChanged(): void {
  listeners.forEach((fn) => fn());
}
