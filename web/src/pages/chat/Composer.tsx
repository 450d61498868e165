// The composer: a growing textarea where Enter sends and Shift+Enter is a new
// line, Send while idle, Stop (or Escape) while an answer streams.
import { type KeyboardEvent, useEffect, useLayoutEffect, useRef, useState } from 'react';

export function Composer(props: { streaming: boolean; error: string | null; onSend: (text: string) => void; onStop: () => void }) {
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
