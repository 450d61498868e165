// The scrolling list of a conversation's messages: user messages as plain
// text, answers as Markdown (while they stream too), the state of a turn
// (writing, failed with Retry, stopped, incomplete), Copy on each answer, and
// the controls for loading earlier pages. It draws; the conversation view owns the data.
import type { RefObject } from 'react';
import { CopyButton } from '../../copy';
import { Markdown } from '../../markdown';
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
}) {
  const { messages, older, loading, loadError, streaming } = props;
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
      {loading === 'initial' ? <div className="muted center" role="status">Loading messages…</div> : null}
      {!props.conversationId && messages.length === 0 ? (
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
            className={`message ${m.role}${m.local ? ' ' + m.local : ''}${props.highlight === m.id ? ' highlight' : ''}`}
            data-role={m.role}
            data-state={m.local ?? m.status}
          >
            <div className="who-label">{m.role === 'user' ? 'You' : 'Macro AI'}</div>
            <div className="bubble">
              {m.role === 'assistant' ? <Markdown text={m.content} /> : <div className="plain">{m.content}</div>}
              {m.local === 'streaming' && !m.content ? <span className="typing" aria-label="Writing">•••</span> : null}
            </div>
            {m.role === 'assistant' && m.content && m.local !== 'streaming' ? (
              <div className="message-actions">
                <CopyButton label="Copy message" text={m.content} />
              </div>
            ) : null}
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
