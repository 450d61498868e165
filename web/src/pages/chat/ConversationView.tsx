// One conversation's view: loads its messages (pages toward older ones, and
// as far back as a search hit), keeps the scroll position right (pinned to the
// bottom while an answer streams, in place when an older page arrives, and
// the switched message where it was when another branch is shown), and puts
// the message list above the composer, with turns run by useChatStream.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { api } from '../../config';
import { humanMessage } from '../../api/errors';
import type { Conversation } from '../../api/types';
import { Composer } from './Composer';
import { MessageList } from './MessageList';
import { hasPendingFirst, type UIMessage, useChatStream } from './useChatStream';

const MESSAGE_PAGE = 50;

export function ConversationView(props: {
  conversationId: string | null;
  targetMessageId: string | null;
  onCreated: (c: Conversation) => void;
  onTurnFinished: (id: string) => void;
}) {
  const { conversationId } = props;
  const [messages, setMessages] = useState<UIMessage[]>([]);
  const [older, setOlder] = useState<string | null>(null);
  const [loading, setLoading] = useState<'initial' | 'older' | null>(conversationId && !hasPendingFirst(conversationId) ? 'initial' : null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [highlight, setHighlight] = useState<string | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const preserve = useRef<{ height: number; top: number } | null>(null);
  /** After a branch switch: the message to keep where it was on screen (its offset from the list's top). */
  const anchor = useRef<{ id: string; offset: number } | null>(null);
  const [switching, setSwitching] = useState(false);
  const [branchError, setBranchError] = useState<string | null>(null);

  const chat = useChatStream({
    conversationId,
    setMessages,
    onTurnStart: () => { stickToBottom.current = true; setBranchError(null); },
    onCreated: props.onCreated,
    onTurnFinished: props.onTurnFinished,
  });

  const loadOlder = useCallback(async (before: string | null, initial: boolean) => {
    if (!conversationId) return null;
    setLoading(initial ? 'initial' : 'older');
    setLoadError(null);
    const el = scroller.current;
    if (!initial && el) preserve.current = { height: el.scrollHeight, top: el.scrollTop };
    try {
      const page = await api.listMessages(conversationId, { limit: MESSAGE_PAGE, before: before ?? undefined });
      setMessages((prev) => {
        const seen = new Set(prev.map((m) => m.id));
        return [...page.items.filter((m) => !seen.has(m.id)), ...prev];
      });
      setOlder(page.nextCursor);
      return page;
    } catch (err) {
      setLoadError(humanMessage(err));
      preserve.current = null;
      return null;
    } finally {
      setLoading(null);
    }
  }, [conversationId]);

  // First page, or the first message of a conversation the composer just created.
  useEffect(() => {
    if (!conversationId) return;
    if (chat.sendPendingFirst()) return;
    let cancelled = false;
    (async () => {
      let page = await loadOlder(null, true);
      // A search hit: page toward older messages until it is loaded.
      const target = props.targetMessageId;
      let found = page?.items.some((m) => m.id === target);
      for (let n = 0; target && !found && page?.nextCursor && n < 20 && !cancelled; n++) {
        page = await loadOlder(page.nextCursor, true);
        found = page?.items.some((m) => m.id === target);
      }
    })();
    return () => { cancelled = true; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [conversationId]);

  // Jump to a search hit once it is on screen.
  useEffect(() => {
    const target = props.targetMessageId;
    if (!target || loading) return;
    const el = document.getElementById(`m-${target}`);
    if (el) {
      stickToBottom.current = false;
      el.scrollIntoView({ block: 'center' });
      setHighlight(target);
      const t = setTimeout(() => setHighlight(null), 2500);
      return () => clearTimeout(t);
    }
  }, [props.targetMessageId, loading, messages.length]);

  // Keep the view pinned: to the bottom while answers stream, in place when older pages arrive.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (anchor.current) {
      const target = document.getElementById(`m-${anchor.current.id}`);
      if (target) el.scrollTop += target.getBoundingClientRect().top - el.getBoundingClientRect().top - anchor.current.offset;
      anchor.current = null;
      stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    } else if (preserve.current) {
      el.scrollTop = el.scrollHeight - preserve.current.height + preserve.current.top;
      preserve.current = null;
    } else if (stickToBottom.current && !props.targetMessageId) {
      el.scrollTop = el.scrollHeight;
    }
  }, [messages, props.targetMessageId]);

  /**
   * Shows the branch through `to`, a sibling of m: PUT the leaf, then load
   * that branch (as far back as `to`), keeping the switched message where it
   * was on screen.
   */
  async function switchBranch(m: UIMessage, to: string) {
    if (!conversationId || switching || chat.streaming) return;
    setSwitching(true);
    setBranchError(null);
    try {
      await api.switchBranch(conversationId, { messageId: to });
      let page = await api.listMessages(conversationId, { limit: MESSAGE_PAGE });
      const items = [...page.items];
      for (let n = 0; !items.some((x) => x.id === to) && page.nextCursor && n < 20; n++) {
        page = await api.listMessages(conversationId, { limit: MESSAGE_PAGE, before: page.nextCursor });
        items.unshift(...page.items);
      }
      const el = document.getElementById(`m-${m.id}`);
      const box = scroller.current?.getBoundingClientRect();
      anchor.current = { id: to, offset: el && box ? el.getBoundingClientRect().top - box.top : 0 };
      stickToBottom.current = false;
      setMessages(items);
      setOlder(page.nextCursor);
    } catch (err) {
      setBranchError(humanMessage(err));
    } finally {
      setSwitching(false);
    }
  }

  function onScroll() {
    const el = scroller.current;
    if (!el) return;
    stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (el.scrollTop < 80 && older && !loading) loadOlder(older, false);
  }

  return (
    <>
      <MessageList
        conversationId={conversationId}
        messages={messages}
        older={older}
        loading={loading}
        loadError={loadError}
        highlight={highlight}
        streaming={chat.streaming}
        scrollerRef={scroller}
        onScroll={onScroll}
        onLoadOlder={() => loadOlder(older, false)}
        onRetryLoad={() => loadOlder(older, messages.length === 0)}
        onRetry={chat.retry}
        onEdit={chat.edit}
        onRegenerate={chat.regenerate}
        onSwitch={switchBranch}
        switching={switching}
        branchError={branchError}
      />
      <Composer streaming={chat.streaming} error={chat.sendError} onSend={chat.send} onStop={chat.stop} />
    </>
  );
}
