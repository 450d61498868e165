// A button that copies text to the clipboard (navigator.clipboard.writeText)
// and says "Copied" for a moment, or "Copy failed" when the browser refused
// (no permission, an insecure origin). Its accessible name stays its label
// ("Copy message", "Copy code"); the outcome is announced by a status.
import { useEffect, useRef, useState } from 'react';

const SHOWN_MS = 2000;

export function CopyButton(props: { label: string; text: string; className?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  async function copy() {
    let ok = false;
    try {
      await navigator.clipboard.writeText(props.text);
      ok = true;
    } catch {
      /* refused, or no clipboard API here */
    }
    setState(ok ? 'copied' : 'failed');
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setState('idle'), SHOWN_MS);
  }

  const said = state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : '';
  return (
    <>
      <button
        type="button"
        className={`copy${props.className ? ' ' + props.className : ''}`}
        aria-label={props.label}
        title={props.label}
        data-state={state}
        onClick={copy}
      >
        {state === 'idle' ? <CopyIcon /> : null}
        <span>{said || 'Copy'}</span>
      </button>
      <span className="visually-hidden" role="status">{said}</span>
    </>
  );
}

function CopyIcon() {
  return (
    <svg width="14" height="14" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      <rect x="9" y="9" width="12" height="12" rx="2" />
      <path d="M5 15V5a2 2 0 0 1 2-2h10" />
    </svg>
  );
}
