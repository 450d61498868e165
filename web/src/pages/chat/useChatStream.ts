// The streaming chat turn: send a message (creating the conversation first
// from a new chat), show the answer as it streams in, stop it, and retry a
// failed turn with the same clientMessageId. An edit is a turn sent with the
// edited message's parentId (a new branch: the messages after it give way to
// the new turn); a regeneration streams a new answer in place of the one shown
// (a sibling of it). Writes into the messages state of the conversation view
// that uses it.
import { type Dispatch, type SetStateAction, useEffect, useRef, useState } from 'react';
import { api } from '../../config';
import { newClientMessageId } from '../../api/client';
import { humanMessage } from '../../api/errors';
import type { Conversation, DoneEvent, Message } from '../../api/types';
import { navigate } from '../../router';
import { isLocalId as isLocal, renameSibling, withNewSibling } from './branches';

/** A message as shown: the API's, plus the state of a turn still on this page. */
export interface UIMessage extends Message {
  local?: 'streaming' | 'failed' | 'stopped';
  error?: string;
  /** For retries of the turn this message belongs to (parentId: of an edit). */
  turn?: { clientMessageId: string; content: string; parentId?: string | null };
  /** Of a regenerated answer: the answer it replaced (a retry regenerates that one again). */
  regenOf?: UIMessage;
}

/** A conversation created by the composer whose first message is still to send. */
let pendingFirst: { conversationId: string; content: string } | null = null;

/** Whether the view of this conversation opens by sending its first message (no history to load). */
export function hasPendingFirst(conversationId: string | null): boolean {
  return !!conversationId && pendingFirst?.conversationId === conversationId;
}

export function useChatStream(opts: {
  conversationId: string | null;
  setMessages: Dispatch<SetStateAction<UIMessage[]>>;
  /** A turn starts: the view follows the answer down. */
  onTurnStart: () => void;
  onCreated: (c: Conversation) => void;
  onTurnFinished: (id: string) => void;
}) {
  const { conversationId, setMessages } = opts;
  const [sendError, setSendError] = useState<string | null>(null);
  const [streaming, setStreaming] = useState(false);
  const abortRef = useRef<AbortController | null>(null);
  const sentFirst = useRef(false);

  useEffect(() => () => abortRef.current?.abort(), []);

  function patch(id: string, f: (m: UIMessage) => UIMessage) {
    setMessages((prev) => prev.map((m) => (m.id === id ? f(m) : m)));
  }
  const done = (m: UIMessage, e: DoneEvent): UIMessage => ({
    ...m, status: 'complete', local: undefined, model: e.model ?? m.model, usage: e.usage ?? m.usage, durationMs: e.durationMs ?? m.durationMs,
  });

  async function send(content: string, o: { retryOf?: { clientMessageId: string }; parentId?: string | null; edit?: UIMessage } = {}) {
    if (!conversationId) {
      // The composer of a new chat: create it, then send from its own view.
      setSendError(null);
      setStreaming(true);
      try {
        const c = await api.createConversation({});
        opts.onCreated(c);
        pendingFirst = { conversationId: c.id, content };
        navigate(`/c/${c.id}`);
      } catch (err) {
        setSendError(humanMessage(err));
        setStreaming(false);
      }
      return;
    }
    const clientMessageId = o.retryOf?.clientMessageId ?? newClientMessageId();
    const parentId = o.parentId;
    const turn = { clientMessageId, content, parentId };
    const now = new Date().toISOString();
    let userId = `local-user-${clientMessageId}`;
    let asstId = `local-asst-${clientMessageId}`;
    const edit = o.edit;
    opts.onTurnStart();
    setSendError(null);
    setMessages((prev) => {
      // A retry replaces the failed answer of its turn (whether or not the stream had started).
      let rest = prev.filter((m) => !(m.role === 'assistant' && m.turn?.clientMessageId === clientMessageId));
      const hasUser = rest.some((m) => m.turn?.clientMessageId === clientMessageId && m.role === 'user');
      const user: UIMessage = { id: userId, role: 'user', content, status: 'complete', createdAt: now, turn };
      if (edit && !hasUser) {
        // An edit: a new version of the edited message, and the branch goes on from it.
        const i = rest.findIndex((m) => m.id === edit.id);
        if (i >= 0) rest = rest.slice(0, i);
        if (parentId) user.parentId = parentId;
        user.siblingIds = withNewSibling(edit, userId);
      }
      const asst: UIMessage = { id: asstId, role: 'assistant', content: '', status: 'incomplete', createdAt: now, local: 'streaming', turn };
      return hasUser ? [...rest, asst] : [...rest, user, asst];
    });
    const ctrl = new AbortController();
    abortRef.current = ctrl;
    setStreaming(true);
    try {
      await api.sendMessage(
        conversationId,
        // parentId: absent for a turn after the branch shown (undefined is left out of the JSON), null or an id for an edit.
        { content, clientMessageId, parentId },
        {
          onStart: (e) => {
            const u = userId, a = asstId;
            userId = e.userMessageId;
            asstId = e.assistantMessageId;
            setMessages((prev) => prev.map((m) => (
              m.id === u ? { ...m, id: userId, siblingIds: renameSibling(m.siblingIds, u, userId) }
                : m.id === a ? { ...m, id: asstId, parentId: userId } : m
            )));
          },
          onDelta: (e) => patch(asstId, (m) => ({ ...m, content: m.content + e.text })),
          // The done event says who answered, with how many tokens, in how long: the answer's usage line.
          onDone: (e) => patch(asstId, (m) => done(m, e)),
        },
        ctrl.signal,
      );
      opts.onTurnFinished(conversationId);
    } catch (err) {
      if (ctrl.signal.aborted) {
        patch(asstId, (m) => ({ ...m, local: 'stopped', status: 'incomplete' }));
        opts.onTurnFinished(conversationId);
      } else {
        patch(asstId, (m) => ({ ...m, local: 'failed', error: humanMessage(err) }));
      }
    } finally {
      if (abortRef.current === ctrl) abortRef.current = null;
      setStreaming(false);
    }
  }

  /**
   * A new answer in place of `of` (streamed like a turn): it replaces the
   * message `replace` (the answer shown, or a failed regeneration of it) and
   * whatever followed it, as a new sibling of `of`.
   */
  async function regenerate(of: UIMessage, replace: string) {
    if (!conversationId || isLocal(of.id)) return;
    let asstId = `local-regen-${newClientMessageId()}`;
    const now = new Date().toISOString();
    opts.onTurnStart();
    setSendError(null);
    setMessages((prev) => {
      const i = prev.findIndex((m) => m.id === replace);
      const rest = i >= 0 ? prev.slice(0, i) : prev;
      const asst: UIMessage = {
        id: asstId, role: 'assistant', content: '', status: 'incomplete', createdAt: now, local: 'streaming',
        parentId: of.parentId, siblingIds: withNewSibling(of, asstId), regenOf: of,
      };
      return [...rest, asst];
    });
    const ctrl = new AbortController();
    abortRef.current = ctrl;
    setStreaming(true);
    try {
      await api.regenerateAnswer(conversationId, of.id, {
        onStart: (e) => {
          const a = asstId;
          asstId = e.assistantMessageId;
          patch(a, (m) => ({ ...m, id: asstId, siblingIds: renameSibling(m.siblingIds, a, asstId) }));
        },
        onDelta: (e) => patch(asstId, (m) => ({ ...m, content: m.content + e.text })),
        onDone: (e) => patch(asstId, (m) => done(m, e)),
      }, ctrl.signal);
      opts.onTurnFinished(conversationId);
    } catch (err) {
      if (ctrl.signal.aborted) {
        patch(asstId, (m) => ({ ...m, local: 'stopped', status: 'incomplete' }));
        opts.onTurnFinished(conversationId);
      } else {
        patch(asstId, (m) => ({ ...m, local: 'failed', error: humanMessage(err) }));
      }
    } finally {
      if (abortRef.current === ctrl) abortRef.current = null;
      setStreaming(false);
    }
  }

  return {
    streaming,
    sendError,
    send: (content: string) => send(content),
    /** Resends a failed turn with its clientMessageId (the server never stores its message twice); a failed regeneration asks again. */
    retry(m: UIMessage) {
      if (streaming) return;
      if (m.regenOf) regenerate(m.regenOf, m.id);
      else if (m.turn) send(m.turn.content, { retryOf: { clientMessageId: m.turn.clientMessageId }, parentId: m.turn.parentId });
    },
    /** Sends `content` as a new version of the user message m (parentId: m's, null for a first message). */
    edit(m: UIMessage, content: string, parentId: string | null) {
      if (streaming) return;
      send(content, { parentId, edit: m });
    },
    /** Streams a new answer in place of the answer m (both are kept; the new one is shown). */
    regenerate(m: UIMessage) {
      if (streaming) return;
      regenerate(m, m.id);
    },
    stop: () => abortRef.current?.abort(),
    /**
     * Sends the first message of a conversation the composer just created.
     * True when it did, or had already: the view then loads no history.
     * (StrictMode runs the view's effects twice in development: the first
     * message is on its way already the second time.)
     */
    sendPendingFirst(): boolean {
      if (hasPendingFirst(conversationId)) {
        const { content } = pendingFirst!;
        pendingFirst = null;
        sentFirst.current = true;
        send(content);
        return true;
      }
      return sentFirst.current;
    },
  };
}
