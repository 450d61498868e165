// The scrolling list of a conversation's messages: user messages as plain
// text, answers as Markdown (while they stream too), the state of a turn
// (writing, failed with Retry, stopped, incomplete), Copy on each answer, its
// usage line (model · tokens · time, when it has them), and the controls for
// loading earlier pages. Each answer can be regenerated, each of the user's
// messages edited inline, and a message with other versions has a "‹ 2/3 ›"
// switcher. It draws (and holds the draft of an edit); the conversation view
// owns the data.
import { type KeyboardEvent, type RefObject, useEffect, useRef, useState } from 'react';
import { CopyButton } from '../../copy';
import { Markdown } from '../../markdown';
import { usageLine, usageTitle } from '../../usage';
import { editParent, isLocalId, siblingPosition } from './branches';
import type { UIMessage } from './useChatStream';

export function MessageList(props: {
  conversationId: string | null;
  messages: UIMessage[];
  /** The cursor of older messages, when there are some. */
  older: string | null;
  loading: 'initial' | 'older' | null;
  loadError: string | null;
  /** The id of the message a search hit jumped to, highlighted for a moment. */
  highlight: string | null;
  streaming: boolean;
  scrollerRef: RefObject<HTMLDivElement | null>;
  onScroll: () => void;
  onLoadOlder: () => void;
  onRetryLoad: () => void;
  onRetry: (m: UIMessage) => void;
  /** Sends content as a new version of the user message m, after parentId (null: the first message). */
  onEdit: (m: UIMessage, content: string, parentId: string | null) => void;
  onRegenerate: (m: UIMessage) => void;
  /** Shows the branch through the sibling messageId of m. */
  onSwitch: (m: UIMessage, messageId: string) => void;
  /** A branch switch is under way. */
  switching: boolean;
  branchError: string | null;
}) {
  const { messages, older, loading, loadError, streaming } = props;
  const [editing, setEditing] = useState<string | null>(null);
  const busy = streaming || props.switching || !!loading;
  return (
    <div className="messages" ref={props.scrollerRef} onScroll={props.onScroll} aria-live="polite" aria-busy={streaming || !!loading}>
      {loading === 'older' ? <div className="muted center" role="status">Loading earlier messages…</div> : null}
      {older && !loading ? (
        <div className="center"><button type="button" className="link" onClick={props.onLoadOlder}>Load earlier messages</button></div>
      ) : null}
      {loadError ? (
        <div className="form-error center" role="alert">
          {loadError} <button type="button" className="link" onClick={props.onRetryLoad}>Retry</button>
        </div>
      ) : null}
      {props.branchError ? <div className="form-error center" role="alert">{props.branchError}</div> : null}
      {loading === 'initial' ? <div className="muted center" role="status">Loading messages…</div> : null}
      {!props.conversationId && messages.length === 0 ? (
        <div className="empty">
          <h2>What can I help with?</h2>
          <p className="muted">Ask anything. Answers stream in as they are written; Markdown and code are formatted.</p>
        </div>
      ) : null}
      <ol className="message-list">
        {messages.map((m, i) => (
          <li
            key={m.id}
            id={`m-${m.id}`}
            className={`message ${m.role}${m.local ? ' ' + m.local : ''}${props.highlight === m.id ? ' highlight' : ''}`}
            data-role={m.role}
            data-state={m.local ?? m.status}
          >
            <div className="who-label">{m.role === 'user' ? 'You' : 'Macro AI'}</div>
            {editing === m.id ? (
              <EditForm
                initial={m.content}
                onCancel={() => setEditing(null)}
                onSave={(text) => {
                  setEditing(null);
                  props.onEdit(m, text, editParent(messages, i));
                }}
                disabled={busy}
              />
            ) : (
              <div className="bubble">
                {m.role === 'assistant' ? <Markdown text={m.content} /> : <div className="plain">{m.content}</div>}
                {m.local === 'streaming' && !m.content ? <span className="typing" aria-label="Writing">•••</span> : null}
              </div>
            )}
            {m.local !== 'streaming' && editing !== m.id ? (
              <div className="message-actions">
                <Switcher m={m} disabled={busy} onSwitch={(id) => props.onSwitch(m, id)} />
                {m.role === 'assistant' && m.content ? <CopyButton label="Copy message" text={m.content} /> : null}
                {m.role === 'assistant' && !isLocalId(m.id) && !streaming ? (
                  <button type="button" className="copy" aria-label="Regenerate answer" title="Regenerate answer" disabled={busy} onClick={() => props.onRegenerate(m)}>
                    <span aria-hidden="true">↻</span> Regenerate
                  </button>
                ) : null}
                {m.role === 'user' && !isLocalId(m.id) && !streaming ? (
                  <button type="button" className="copy" aria-label="Edit message" title="Edit message" disabled={busy} onClick={() => setEditing(m.id)}>
                    <span aria-hidden="true">✎</span> Edit
                  </button>
                ) : null}
              </div>
            ) : null}
            {m.role === 'assistant' && m.local !== 'streaming' ? <UsageLine m={m} /> : null}
            {m.local === 'failed' ? (
              <div className="message-error" role="alert">
                {m.error}{' '}
                <button type="button" onClick={() => props.onRetry(m)} disabled={streaming}>Retry</button>
              </div>
            ) : null}
            {m.local === 'stopped' ? <div className="muted small">Stopped.</div> : null}
            {m.status === 'incomplete' && !m.local ? <div className="muted small">This answer is incomplete.</div> : null}
          </li>
        ))}
      </ol>
    </div>
  );
}

/** "gpt-4o · 1 234 tokens · 2.1 s" under an answer that has them (older answers may not). */
function UsageLine({ m }: { m: UIMessage }) {
  const line = usageLine(m);
  return line ? <div className="usage-line" title={usageTitle(m.usage)}>{line}</div> : null;
}

/** "‹ 2 / 3 ›" under a message with other versions: the previous and next ones, oldest first. */
function Switcher(props: { m: UIMessage; disabled: boolean; onSwitch: (id: string) => void }) {
  const pos = siblingPosition(props.m);
  if (!pos) return null;
  return (
    <div className="switcher" role="group" aria-label="Versions">
      <button type="button" className="copy" aria-label="Previous version" title="Previous version" disabled={props.disabled || !pos.prev} onClick={() => pos.prev && props.onSwitch(pos.prev)}>‹</button>
      <span className="switcher-pos">{pos.index} / {pos.count}</span>
      <button type="button" className="copy" aria-label="Next version" title="Next version" disabled={props.disabled || !pos.next} onClick={() => pos.next && props.onSwitch(pos.next)}>›</button>
    </div>
  );
}

/** A user message being edited: Save sends it as a new version (Enter too), Cancel (or Escape) leaves it as it was. */
function EditForm(props: { initial: string; disabled: boolean; onSave: (text: string) => void; onCancel: () => void }) {
  const [text, setText] = useState(props.initial);
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);
  const t = text.trim();
  const tooLong = t.length > 10000;
  const canSave = !!t && !tooLong && !props.disabled;
  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      if (canSave) props.onSave(t);
    }
    if (e.key === 'Escape') props.onCancel();
  }
  return (
    <form className="edit-form" onSubmit={(e) => { e.preventDefault(); if (canSave) props.onSave(t); }}>
      <textarea
        ref={ref}
        aria-label="Edited message"
        value={text}
        rows={Math.min(10, Math.max(2, text.split('\n').length))}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        aria-invalid={tooLong || undefined}
      />
      {tooLong ? <div className="field-error" role="alert">Messages can be at most 10 000 characters.</div> : null}
      <div className="edit-actions">
        <button type="button" className="secondary" onClick={props.onCancel}>Cancel</button>
        <button type="submit" disabled={!canSave}>Save</button>
      </div>
    </form>
  );
}
