// The chat screen's sidebar: new chat, message search (hybrid, keyword or
// semantic; the query's words marked in the results), the conversation list
// (grouped by the day of its last update: Today, Yesterday, Previous 7 days,
// Older; infinite scroll over the cursor API, inline rename, delete with a
// confirmation), settings and sign-out. The list's data is the page's; this draws it.
import { type FormEvent, type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { api, session } from '../../config';
import { ApiError, humanMessage } from '../../api/errors';
import type { Conversation, SearchHit, SearchQuery } from '../../api/types';
import { Link, navigate } from '../../router';
import { MatchSnippet, queryTerms } from '../../searchMatch';
import { groupByDate } from './dateGroups';

export type ListState = 'idle' | 'loading' | 'done';

export type SearchMode = NonNullable<SearchQuery['mode']>;
/** The search's modes, the default first (GET /search's `mode`). */
const SEARCH_MODES: { mode: SearchMode; label: string; title: string }[] = [
  { mode: 'hybrid', label: 'Hybrid', title: 'Exact words and meaning together' },
  { mode: 'keyword', label: 'Keyword', title: 'Exact words only' },
  { mode: 'semantic', label: 'Semantic', title: 'By meaning only' },
];

export function Sidebar(props: {
  convs: Conversation[];
  activeId: string | null;
  listState: ListState;
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
  const [searchMode, setSearchMode] = useState<SearchMode>('hybrid');
  // The results with the words to mark in them: the query's, for keyword and hybrid; none for semantic.
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [hitTerms, setHitTerms] = useState<string[]>([]);
  const searchSeq = useRef(0); // only the latest search's answer is shown (the mode may change meanwhile)
  const [searchError, setSearchError] = useState<string | null>(null);
  const [searching, setSearching] = useState(false);
  const [signingOut, setSigningOut] = useState(false);
  const groupId = useId();
  const groups = groupByDate(props.convs, new Date());
  useRedrawAtMidnight();

  async function search(e?: FormEvent, mode: SearchMode = searchMode) {
    e?.preventDefault();
    const q = query.trim();
    if (!q) {
      setHits(null);
      return;
    }
    const seq = ++searchSeq.current;
    setSearching(true);
    setSearchError(null);
    try {
      const found = (await api.search({ q, limit: 20, mode })).items;
      if (seq !== searchSeq.current) return;
      setHitTerms(mode === 'semantic' ? [] : queryTerms(q));
      setHits(found);
    } catch (err) {
      if (seq !== searchSeq.current) return;
      setSearchError(err instanceof ApiError && err.fieldError('q') ? err.fieldError('q')! : humanMessage(err));
    } finally {
      if (seq === searchSeq.current) setSearching(false);
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
      <fieldset className="search-modes">
        <legend className="visually-hidden">Search mode</legend>
        {SEARCH_MODES.map((m) => (
          <label key={m.mode} title={m.title} className={searchMode === m.mode ? 'on' : undefined}>
            <input
              type="radio"
              name="search-mode"
              value={m.mode}
              checked={searchMode === m.mode}
              onChange={() => {
                setSearchMode(m.mode);
                if (hits && query.trim()) search(undefined, m.mode); // the results shown follow the mode
              }}
            />
            {m.label}
          </label>
        ))}
      </fieldset>
      {searchError ? <div className="field-error" id="search-error" role="alert">{searchError}</div> : null}
      {hits ? (
        <section className="search-results" aria-label="Search results">
          <div className="section-head">
            <span>{hits.length ? `${hits.length} result${hits.length === 1 ? '' : 's'}` : 'No matches'}</span>
            <button type="button" className="link" onClick={() => { searchSeq.current++; setSearching(false); setHits(null); setQuery(''); }}>Clear</button>
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
                  <span className="hit-snippet">{h.role === 'user' ? 'You: ' : 'AI: '}<MatchSnippet text={h.content} terms={hitTerms} max={140} /></span>
                </a>
              </li>
            ))}
          </ul>
        </section>
      ) : (
        <ul className="conv-list">
          {groups.map((g) => (
            <li key={g.label} className="conv-group">
              <h2 className="conv-group-head" id={`${groupId}-${g.label.replace(/\W+/g, '-')}`}>{g.label}</h2>
              <ul aria-labelledby={`${groupId}-${g.label.replace(/\W+/g, '-')}`}>
                {g.items.map((c) => (
                  <ConversationItem
                    key={c.id}
                    conv={c}
                    active={c.id === props.activeId}
                    onRenamed={props.onRenamed}
                    onDeleted={props.onDeleted}
                    onNavigate={props.onNavigate}
                  />
                ))}
              </ul>
            </li>
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
        <Link to="/settings" className="icon-link" aria-label="Settings" title="Settings" onNavigate={props.onNavigate}>
          <GearIcon />
        </Link>
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

/** One conversation of the list: its link, and rename and delete in place. */
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
      props.onRenamed(await api.updateConversation(conv.id, { title: t }));
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

/** Draws again just after the next local midnight, when Today becomes Yesterday. */
function useRedrawAtMidnight() {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const next = new Date();
    next.setHours(24, 0, 1, 0);
    const t = setTimeout(() => setTick((n) => n + 1), Math.max(1000, next.getTime() - Date.now()));
    return () => clearTimeout(t);
  }, [tick]);
}

function capitalize(s: string) {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

// Icons drawn inline (no icon font, no emoji font needed).
const iconProps = { width: 16, height: 16, viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor', strokeWidth: 2, strokeLinecap: 'round', strokeLinejoin: 'round', 'aria-hidden': true, focusable: false } as const;
function PencilIcon() {
  return <svg {...iconProps}><path d="M12 20h9" /><path d="M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4z" /></svg>;
}
function GearIcon() {
  return (
    <svg {...iconProps}>
      <circle cx="12" cy="12" r="3" />
      <path d="M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z" />
    </svg>
  );
}
function TrashIcon() {
  return <svg {...iconProps}><path d="M3 6h18" /><path d="M8 6V4h8v2" /><path d="M19 6l-1 14H6L5 6" /><path d="M10 11v6M14 11v6" /></svg>;
}
