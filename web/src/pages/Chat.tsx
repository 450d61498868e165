import { type KeyboardEvent, type ReactNode, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { api, session } from '../config';
import { newClientMessageId } from '../api/client';
import { ApiError, humanMessage } from '../api/errors';
import type { Conversation, Message, SearchHit } from '../api/types';
import { Markdown } from '../markdown';
import { navigate, useLocation } from '../router';

const PAGE = 20;
const MESSAGE_PAGE = 50;

/** A conversation created by the composer whose first message is still to send. */
let pendingFirst: { conversationId: string; content: string } | null = null;
let chatReadyMarked = false;

export function ChatPage(props: { conversationId: string | null; themeButton: ReactNode }) {
  const { hash } = useLocation();
  const [convs, setConvs] = useState<Conversation[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [listState, setListState] = useState<'idle' | 'loading' | 'done'>('idle');
  const [listError, setListError] = useState<string | null>(null);
  const [navOpen, setNavOpen] = useState(false);
  const loadingRef = useRef(false);

  const loadMore = useCallback(async (reset = false) => {
    if (loadingRef.current) return;
    loadingRef.current = true;
    setListState('loading');
    setListError(null);
    try {
      const page = await api.listConversations({ limit: PAGE, cursor: reset ? undefined : cursor ?? undefined });
      setConvs((prev) => {
        const base = reset ? [] : prev;
        const seen = new Set(base.map((c) => c.id));
        return [...base, ...page.items.filter((c) => !seen.has(c.id))];
      });
      setCursor(page.nextCursor);
      setListState(page.nextCursor ? 'idle' : 'done');
      if (!chatReadyMarked) {
        chatReadyMarked = true;
        requestAnimationFrame(() => performance.mark('app:chat-ready'));
      }
    } catch (err) {
      setListError(humanMessage(err));
      setListState('idle');
    } finally {
      loadingRef.current = false;
    }
  }, [cursor]);

  useEffect(() => {
    loadMore(true);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const upsert = useCallback((c: Conversation) => {
    setConvs((prev) => [c, ...prev.filter((x) => x.id !== c.id)].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)));
  }, []);

  const refreshConversation = useCallback(async (id: string) => {
    try {
      upsert(await api.getConversation(id));
    } catch {
      /* the list stays as it is */
    }
  }, [upsert]);

  const remove = useCallback((id: string) => {
    setConvs((prev) => prev.filter((c) => c.id !== id));
    if (props.conversationId === id) navigate('/', { replace: true });
  }, [props.conversationId]);

  // The open conversation may be older than the pages loaded so far: fetch it for its title.
  const listed = convs.find((c) => c.id === props.conversationId);
  const [fetched, setFetched] = useState<Conversation | null>(null);
  useEffect(() => {
    const id = props.conversationId;
    if (!id || listed || listState === 'loading') return;
    if (fetched?.id === id) return;
    let live = true;
    api.getConversation(id).then((c) => { if (live) setFetched(c); }).catch(() => {});
    return () => { live = false; };
  }, [props.conversationId, listed, listState, fetched?.id]);
  const current = listed ?? (fetched?.id === props.conversationId ? fetched : undefined);
  const targetMessageId = hash.startsWith('m-') ? hash.slice(2) : null;

  return (
    <div className={`chat-layout${navOpen ? ' nav-open' : ''}`}>
      <Sidebar
        convs={convs}
        activeId={props.conversationId}
        listState={listState}
        listError={listError}
        onLoadMore={() => loadMore(false)}
        onRenamed={upsert}
        onDeleted={remove}
        onNavigate={() => setNavOpen(false)}
        themeButton={props.themeButton}
      />
      <div className="scrim" onClick={() => setNavOpen(false)} aria-hidden="true" />
      <main className="chat-main" aria-label="Conversation">
        <header className="chat-header">
          <button type="button" className="icon menu-button" aria-label="Show conversations" onClick={() => setNavOpen(true)}>☰</button>
          <h1 className="chat-title">{props.conversationId ? current?.title ?? 'Conversation' : 'New conversation'}</h1>
        </header>
        <MessageView
          key={props.conversationId ?? 'new'}
          conversationId={props.conversationId}
          targetMessageId={targetMessageId}
          onCreated={upsert}
          onTurnFinished={refreshConversation}
        />
      </main>
    </div>
  );
}

// ---- Sidebar ----------------------------------------------------------------

function Sidebar(props: {
  convs: Conversation[];
  activeId: string | null;
  listState: 'idle' | 'loading' | 'done';
  listError: string | null;
  onLoadMore: () => void;
  onRenamed: (c: Conversation) => void;
  onDeleted: (id: string) => void;
  onNavigate: () => void;
  themeButton: ReactNode;
}) {
  const sentinel = useRef<HTMLLIElement>(null);
  const { onLoadMore, listState } = props;
  useEffect(() => {
    const el = sentinel.current;
    if (!el || listState !== 'idle') return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) onLoadMore();
    }, { rootMargin: '200px' });
    io.observe(el);
    return () => io.disconnect();
  }, [onLoadMore, listState, props.convs.length]);

  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [searchError, setSearchError] = useState<string | null>(null);
  const [searching, setSearching] = useState(false);
  const [signingOut, setSigningOut] = useState(false);

  async function search(e: React.FormEvent) {
    e.preventDefault();
    const q = query.trim();
    if (!q) {
      setHits(null);
      return;
    }
    setSearching(true);
    setSearchError(null);
    try {
      setHits((await api.search({ q, limit: 20 })).items);
    } catch (err) {
      setSearchError(err instanceof ApiError && err.fieldError('q') ? err.fieldError('q')! : humanMessage(err));
    } finally {
      setSearching(false);
    }
  }

  return (
    <nav className="sidebar" aria-label="Conversations">
      <div className="sidebar-top">
        <button
          type="button"
          className="new-chat"
          onClick={() => {
            navigate('/');
            props.onNavigate();
            setTimeout(() => document.getElementById('composer-input')?.focus(), 0);
          }}
        >
          + New chat
        </button>
        {props.themeButton}
      </div>
      <form className="search" role="search" onSubmit={search}>
        <label htmlFor="search-input" className="visually-hidden">Search messages</label>
        <input
          id="search-input"
          type="search"
          placeholder="Search messages"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            if (!e.target.value) { setHits(null); setSearchError(null); }
          }}
          aria-describedby={searchError ? 'search-error' : undefined}
        />
        <button type="submit" className="secondary" disabled={searching}>{searching ? '…' : 'Search'}</button>
      </form>
      {searchError ? <div className="field-error" id="search-error" role="alert">{searchError}</div> : null}
      {hits ? (
        <section className="search-results" aria-label="Search results">
          <div className="section-head">
            <span>{hits.length ? `${hits.length} result${hits.length === 1 ? '' : 's'}` : 'No matches'}</span>
            <button type="button" className="link" onClick={() => { setHits(null); setQuery(''); }}>Clear</button>
          </div>
          <ul>
            {hits.map((h) => (
              <li key={h.messageId}>
                <a
                  href={`/c/${h.conversationId}#m-${h.messageId}`}
                  className="search-hit"
                  onClick={(e) => {
                    e.preventDefault();
                    navigate(`/c/${h.conversationId}#m-${h.messageId}`);
                    props.onNavigate();
                  }}
                >
                  <span className="hit-title">{h.conversationTitle}</span>
                  <span className="hit-snippet">{h.role === 'user' ? 'You: ' : 'AI: '}{h.content.slice(0, 140)}</span>
                </a>
              </li>
            ))}
          </ul>
        </section>
      ) : (
        <ul className="conv-list">
          {props.convs.map((c) => (
            <ConversationItem
              key={c.id}
              conv={c}
              active={c.id === props.activeId}
              onRenamed={props.onRenamed}
              onDeleted={props.onDeleted}
              onNavigate={props.onNavigate}
            />
          ))}
          {props.listError ? (
            <li className="field-error" role="alert">
              {props.listError} <button type="button" className="link" onClick={props.onLoadMore}>Retry</button>
            </li>
          ) : null}
          {props.listState === 'loading' ? <li className="muted" role="status">Loading…</li> : null}
          {props.listState === 'done' && props.convs.length === 0 ? <li className="muted">No conversations yet.</li> : null}
          {props.listState === 'idle' && !props.listError ? <li ref={sentinel} className="sentinel" aria-hidden="true" /> : null}
        </ul>
      )}
      <div className="sidebar-bottom">
        <span className="who" title={session.email}>{session.email ?? 'Signed in'}</span>
        <button
          type="button"
          className="secondary"
          disabled={signingOut}
          onClick={async () => {
            setSigningOut(true);
            try {
              await api.signOut();
            } catch {
              /* the session is cleared either way */
            }
            navigate('/sign-in', { replace: true });
          }}
        >
          Sign out
        </button>
      </div>
    </nav>
  );
}

function ConversationItem(props: {
  conv: Conversation;
  active: boolean;
  onRenamed: (c: Conversation) => void;
  onDeleted: (id: string) => void;
  onNavigate: () => void;
}) {
  const { conv } = props;
  const [mode, setMode] = useState<'view' | 'rename' | 'confirm-delete'>('view');
  const [title, setTitle] = useState(conv.title);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const errId = `conv-err-${conv.id}`;

  async function rename() {
    const t = title.trim();
    if (!t) {
      setError('The title cannot be empty.');
      return;
    }
    if (t === conv.title) {
      setMode('view');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      props.onRenamed(await api.renameConversation(conv.id, { title: t }));
      setMode('view');
    } catch (err) {
      setError(err instanceof ApiError && err.fieldError('title') ? capitalize(err.fieldError('title')!) : humanMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    setBusy(true);
    setError(null);
    try {
      await api.deleteConversation(conv.id);
      props.onDeleted(conv.id);
    } catch (err) {
      setError(humanMessage(err));
      setBusy(false);
    }
  }

  return (
    <li className={`conv${props.active ? ' active' : ''}`} data-conversation-id={conv.id}>
      {mode === 'rename' ? (
        <form className="conv-rename" onSubmit={(e) => { e.preventDefault(); rename(); }}>
          <label htmlFor={`rename-${conv.id}`} className="visually-hidden">New title</label>
          <input
            id={`rename-${conv.id}`}
            value={title}
            maxLength={255}
            autoFocus
            onChange={(e) => setTitle(e.target.value)}
            onKeyDown={(e) => { if (e.key === 'Escape') { setMode('view'); setTitle(conv.title); setError(null); } }}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? errId : undefined}
          />
          <button type="submit" disabled={busy}>Save</button>
          <button type="button" className="secondary" onClick={() => { setMode('view'); setTitle(conv.title); setError(null); }}>Cancel</button>
        </form>
      ) : (
        <div className="conv-row">
          <a
            href={`/c/${conv.id}`}
            className="conv-link"
            aria-current={props.active ? 'page' : undefined}
            onClick={(e) => { e.preventDefault(); navigate(`/c/${conv.id}`); props.onNavigate(); }}
          >
            {conv.title}
          </a>
          {mode === 'confirm-delete' ? (
            <span className="conv-confirm" role="group" aria-label={`Delete “${conv.title}”?`}>
              <span>Delete?</span>
              <button type="button" className="danger" disabled={busy} onClick={remove} autoFocus>Delete</button>
              <button type="button" className="secondary" onClick={() => setMode('view')}>Cancel</button>
            </span>
          ) : (
            <span className="conv-actions">
              <button type="button" className="icon" aria-label={`Rename “${conv.title}”`} title="Rename" onClick={() => { setTitle(conv.title); setMode('rename'); }}><PencilIcon /></button>
              <button type="button" className="icon" aria-label={`Delete “${conv.title}”`} title="Delete" onClick={() => setMode('confirm-delete')}><TrashIcon /></button>
            </span>
          )}
        </div>
      )}
      {error ? <div className="field-error" id={errId} role="alert">{error}</div> : null}
    </li>
  );
}

function capitalize(s: string) {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

// Icons drawn inline (no icon font, no emoji font needed).
const iconProps = { width: 16, height: 16, viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor', strokeWidth: 2, strokeLinecap: 'round', strokeLinejoin: 'round', 'aria-hidden': true, focusable: false } as const;
function PencilIcon() {
  return <svg {...iconProps}><path d="M12 20h9" /><path d="M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4z" /></svg>;
}
function TrashIcon() {
  return <svg {...iconProps}><path d="M3 6h18" /><path d="M8 6V4h8v2" /><path d="M19 6l-1 14H6L5 6" /><path d="M10 11v6M14 11v6" /></svg>;
}

// ---- Messages ---------------------------------------------------------------

interface UIMessage extends Message {
  local?: 'streaming' | 'failed' | 'stopped';
  error?: string;
  /** For retries of the turn this message belongs to. */
  turn?: { clientMessageId: string; content: string };
}

function MessageView(props: {
  conversationId: string | null;
  targetMessageId: string | null;
  onCreated: (c: Conversation) => void;
  onTurnFinished: (id: string) => void;
}) {
  const { conversationId } = props;
  const [messages, setMessages] = useState<UIMessage[]>([]);
  const [older, setOlder] = useState<string | null>(null);
  const [loading, setLoading] = useState<'initial' | 'older' | null>(conversationId && pendingFirst?.conversationId !== conversationId ? 'initial' : null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [sendError, setSendError] = useState<string | null>(null);
  const [streaming, setStreaming] = useState(false);
  const [highlight, setHighlight] = useState<string | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const abortRef = useRef<AbortController | null>(null);
  const stickToBottom = useRef(true);
  const preserve = useRef<{ height: number; top: number } | null>(null);
  const sentFirst = useRef(false);

  useEffect(() => () => abortRef.current?.abort(), []);

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
    if (pendingFirst?.conversationId === conversationId) {
      const { content } = pendingFirst;
      pendingFirst = null;
      sentFirst.current = true;
      send(content);
      return;
    }
    // StrictMode runs this effect twice in development: the first message is on its way already.
    if (sentFirst.current) return;
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
    if (preserve.current) {
      el.scrollTop = el.scrollHeight - preserve.current.height + preserve.current.top;
      preserve.current = null;
    } else if (stickToBottom.current && !props.targetMessageId) {
      el.scrollTop = el.scrollHeight;
    }
  }, [messages, props.targetMessageId]);

  function onScroll() {
    const el = scroller.current;
    if (!el) return;
    stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (el.scrollTop < 80 && older && !loading) loadOlder(older, false);
  }

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
        props.onCreated(c);
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
    stickToBottom.current = true;
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
      props.onTurnFinished(conversationId);
    } catch (err) {
      if (ctrl.signal.aborted) {
        patch(asstId, (m) => ({ ...m, local: 'stopped', status: 'incomplete' }));
        props.onTurnFinished(conversationId);
      } else {
        patch(asstId, (m) => ({ ...m, local: 'failed', error: humanMessage(err) }));
      }
    } finally {
      if (abortRef.current === ctrl) abortRef.current = null;
      setStreaming(false);
    }
  }

  function retry(m: UIMessage) {
    if (!m.turn || streaming) return;
    send(m.turn.content, { clientMessageId: m.turn.clientMessageId });
  }

  return (
    <>
      <div className="messages" ref={scroller} onScroll={onScroll} aria-live="polite" aria-busy={streaming || !!loading}>
        {loading === 'older' ? <div className="muted center" role="status">Loading earlier messages…</div> : null}
        {older && !loading ? (
          <div className="center"><button type="button" className="link" onClick={() => loadOlder(older, false)}>Load earlier messages</button></div>
        ) : null}
        {loadError ? (
          <div className="form-error center" role="alert">
            {loadError} <button type="button" className="link" onClick={() => loadOlder(older, messages.length === 0)}>Retry</button>
          </div>
        ) : null}
        {loading === 'initial' ? <div className="muted center" role="status">Loading messages…</div> : null}
        {!conversationId && messages.length === 0 ? (
          <div className="empty">
            <h2>What can I help with?</h2>
            <p className="muted">Ask anything. Answers stream in as they are written; Markdown and code are formatted.</p>
          </div>
        ) : null}
        <ol className="message-list">
          {messages.map((m) => (
            <li
              key={m.id}
              id={`m-${m.id}`}
              className={`message ${m.role}${m.local ? ' ' + m.local : ''}${highlight === m.id ? ' highlight' : ''}`}
              data-role={m.role}
              data-state={m.local ?? m.status}
            >
              <div className="who-label">{m.role === 'user' ? 'You' : 'Macro AI'}</div>
              <div className="bubble">
                {m.role === 'assistant' ? <Markdown text={m.content} /> : <div className="plain">{m.content}</div>}
                {m.local === 'streaming' && !m.content ? <span className="typing" aria-label="Writing">•••</span> : null}
              </div>
              {m.local === 'failed' ? (
                <div className="message-error" role="alert">
                  {m.error}{' '}
                  <button type="button" onClick={() => retry(m)} disabled={streaming}>Retry</button>
                </div>
              ) : null}
              {m.local === 'stopped' ? <div className="muted small">Stopped.</div> : null}
              {m.status === 'incomplete' && !m.local ? <div className="muted small">This answer is incomplete.</div> : null}
            </li>
          ))}
        </ol>
      </div>
      <Composer
        streaming={streaming}
        error={sendError}
        onSend={(t) => send(t)}
        onStop={() => abortRef.current?.abort()}
      />
    </>
  );
}

function Composer(props: { streaming: boolean; error: string | null; onSend: (text: string) => void; onStop: () => void }) {
  const [text, setText] = useState('');
  const [tooLong, setTooLong] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = Math.min(el.scrollHeight, 220) + 'px';
  }, [text]);
  function submit() {
    const t = text.trim();
    if (!t || props.streaming) return;
    if (t.length > 10000) {
      setTooLong(true);
      return;
    }
    setTooLong(false);
    props.onSend(t);
    setText('');
  }
  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
    if (e.key === 'Escape' && props.streaming) props.onStop();
  }
  const error = tooLong ? 'Messages can be at most 10 000 characters.' : props.error;
  return (
    <form className="composer" onSubmit={(e) => { e.preventDefault(); submit(); }}>
      {error ? <div className="field-error" id="composer-error" role="alert">{error}</div> : null}
      <div className="composer-row">
        <label htmlFor="composer-input" className="visually-hidden">Message</label>
        <textarea
          id="composer-input"
          ref={ref}
          rows={1}
          value={text}
          placeholder="Message Macro AI (Enter to send, Shift+Enter for a new line)"
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'composer-error' : undefined}
        />
        {props.streaming ? (
          <button type="button" className="stop" onClick={props.onStop} aria-label="Stop generating">Stop</button>
        ) : (
          <button type="submit" disabled={!text.trim()} aria-label="Send message">Send</button>
        )}
      </div>
    </form>
  );
}
