// The streaming chat turn: send a message (creating the conversation first
// from a new chat), show the answer as it streams in, stop it, and retry a
// failed turn with the same clientMessageId. Writes into the messages state of
// the conversation view that uses it.
import { type Dispatch, type SetStateAction, useEffect, useRef, useState } from 'react';
import { api } from '../../config';
import { newClientMessageId } from '../../api/client';
import { humanMessage } from '../../api/errors';
import type { Conversation, Message } from '../../api/types';
import { navigate } from '../../router';

/** A message as shown: the API's, plus the state of a turn still on this page. */
export interface UIMessage extends Message {
  local?: 'streaming' | 'failed' | 'stopped';
  error?: string;
  /** For retries of the turn this message belongs to. */
  turn?: { clientMessageId: string; content: string };
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

  async function send(content: string, retryOf?: { clientMessageId: string }) {
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
    const clientMessageId = retryOf?.clientMessageId ?? newClientMessageId();
    const turn = { clientMessageId, content };
    const now = new Date().toISOString();
    let userId = `local-user-${clientMessageId}`;
    let asstId = `local-asst-${clientMessageId}`;
    opts.onTurnStart();
    setSendError(null);
    setMessages((prev) => {
      // A retry replaces the failed answer of its turn (whether or not the stream had started).
      const rest = prev.filter((m) => !(m.role === 'assistant' && m.turn?.clientMessageId === clientMessageId));
      const hasUser = rest.some((m) => m.turn?.clientMessageId === clientMessageId && m.role === 'user');
      const user: UIMessage = { id: userId, role: 'user', content, status: 'complete', createdAt: now, turn };
      const asst: UIMessage = { id: asstId, role: 'assistant', content: '', status: 'incomplete', createdAt: now, local: 'streaming', turn };
      return hasUser ? [...rest, asst] : [...rest, user, asst];
    });
    const ctrl = new AbortController();
    abortRef.current = ctrl;
    setStreaming(true);
    try {
      await api.sendMessage(
        conversationId,
        { content, clientMessageId },
        {
          onStart: (e) => {
            const u = userId, a = asstId;
            userId = e.userMessageId;
            asstId = e.assistantMessageId;
            setMessages((prev) => prev.map((m) => (m.id === u ? { ...m, id: userId } : m.id === a ? { ...m, id: asstId } : m)));
          },
          onDelta: (e) => patch(asstId, (m) => ({ ...m, content: m.content + e.text })),
          onDone: () => patch(asstId, (m) => ({ ...m, status: 'complete', local: undefined })),
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

  return {
    streaming,
    sendError,
    send: (content: string) => send(content),
    /** Resends a failed turn with its clientMessageId: the server never stores its message twice. */
    retry(m: UIMessage) {
      if (!m.turn || streaming) return;
      send(m.turn.content, { clientMessageId: m.turn.clientMessageId });
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
