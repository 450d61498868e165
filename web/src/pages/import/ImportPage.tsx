// The import page (/import, loaded on demand): choose a file — this app's
// JSON export (one conversation or the whole account) or ChatGPT's
// conversations.json — upload it with a progress bar, then follow the import
// (GET /imports/{id}) until it is done, with its counts, or failed, with why.
// The run lives in this module, not in the page: leaving the page does not
// stop it, and when it is done the chat page's sidebar lists the
// conversations anew (events.ts).
import { type ReactNode, useId, useRef, useSyncExternalStore } from 'react';
import { api } from '../../config';
import { conversationsChanged } from '../../events';
import { Link } from '../../router';
import { type ImportEvent, type ImportState, IMPORT_MAX_BYTES, busy, formatBytes, idle, reduce, runImport } from './importFlow';

// ---- the run, kept across visits of the page ----

let state: ImportState = idle;
const listeners = new Set<() => void>();

function dispatch(e: ImportEvent) {
  const before = state;
  state = reduce(state, e);
  if (state === before) return;
  listeners.forEach((l) => l());
  if (state.phase === 'done' && before.phase !== 'done' && (state.imp.conversations > 0)) conversationsChanged();
}

function start(file: File) {
  if (busy(state)) return;
  dispatch({ type: 'reset' });
  runImport(api, file, dispatch).catch(() => dispatch({ type: 'error', message: 'Something went wrong. Please try again.' }));
}

function useImportState(): ImportState {
  return useSyncExternalStore((l) => { listeners.add(l); return () => { listeners.delete(l); }; }, () => state);
}

// ---- the page ----

const FORMATS: Record<string, string> = {
  chatgpt: 'ChatGPT export',
  'macro-ai.account.v1': 'Macro AI account export',
  'macro-ai.conversation.v1': 'Macro AI conversation export',
};

export function ImportPage(props: { themeButton: ReactNode }) {
  const s = useImportState();
  const input = useRef<HTMLInputElement>(null);
  const fileId = useId();
  const running = busy(s);

  return (
    <main className="settings-page">
      <div className="settings import-page">
        <div className="settings-top">
          <span className="row">
            <Link to="/" className="back-link">← Back to chat</Link>
            <Link to="/settings" className="back-link">Settings</Link>
          </span>
          {props.themeButton}
        </div>
        <h1>Import conversations</h1>
        <p className="muted">
          Bring in conversations from ChatGPT (the <code>conversations.json</code> file inside the ZIP of its data
          export: Settings → Data controls → Export) or from this app (an “Export all my data” file, or a
          conversation exported as JSON). Up to {formatBytes(IMPORT_MAX_BYTES)}. Importing the same file again adds
          nothing twice.
        </p>
        <form
          className="import-form"
          aria-label="Import a file"
          onSubmit={(e) => {
            e.preventDefault();
            const f = input.current?.files?.[0];
            if (f) start(f);
          }}
        >
          <div className="field">
            <label htmlFor={fileId}>File to import</label>
            <input id={fileId} ref={input} type="file" accept=".json,application/json" disabled={running} />
          </div>
          <div className="settings-actions">
            <button type="submit" disabled={running}>{running ? 'Importing…' : 'Import'}</button>
          </div>
        </form>
        <ImportProgress s={s} />
      </div>
    </main>
  );
}

function ImportProgress({ s }: { s: ImportState }) {
  switch (s.phase) {
    case 'idle':
      return null;
    case 'uploading': {
      const pct = s.total ? Math.floor((s.sent / s.total) * 100) : 0;
      return (
        <section className="import-status" aria-label="Import progress" aria-busy="true">
          <div className="import-step">Uploading {s.fileName}… {pct}%</div>
          <progress max={s.total || 1} value={s.sent} aria-label="Upload progress">{pct}%</progress>
          <div className="hint">{formatBytes(s.sent)} of {formatBytes(s.total)}</div>
        </section>
      );
    }
    case 'processing':
      return (
        <section className="import-status" aria-label="Import progress" aria-busy="true">
          <div className="import-step">
            {s.imp.status === 'pending' ? `Uploaded ${s.fileName}; waiting for the import to start…` : `Importing ${s.fileName}…`}
          </div>
          <progress max={s.imp.size || 1} value={s.imp.bytesRead} aria-label="Import progress">
            {s.imp.size ? Math.floor((s.imp.bytesRead / s.imp.size) * 100) : 0}%
          </progress>
          <div className="hint" role="status">{counts(s.imp.conversations, s.imp.messages)} so far</div>
          {s.note ? <div className="hint">{s.note}</div> : null}
        </section>
      );
    case 'done':
      return (
        <section className="import-status" aria-label="Import result">
          <div className="notice" role="status">
            Imported {counts(s.imp.conversations, s.imp.messages)}
            {s.imp.format ? ` from the ${FORMATS[s.imp.format] ?? s.imp.format}` : ''}.
            {s.imp.skipped ? ` Skipped ${s.imp.skipped.toLocaleString('en')} imported before.` : ''}
          </div>
          <p className="muted">Imported messages become searchable by meaning within a few minutes; by exact words at once.</p>
          <div className="settings-actions">
            <Link to="/" className="button-link">Open your conversations</Link>
            <button type="button" className="secondary" onClick={() => dispatch({ type: 'reset' })}>Import another file</button>
          </div>
        </section>
      );
    case 'failed':
      return (
        <section className="import-status" aria-label="Import result">
          <div className="form-error" role="alert">
            {s.fileName ? `${s.fileName} was not imported. ` : ''}{s.message}
            {s.imp && !/nothing/i.test(s.message) ? ' Nothing from it was written.' : ''}
          </div>
        </section>
      );
  }
}

function counts(conversations: number, messages: number): string {
  const n = (k: number, one: string) => `${k.toLocaleString('en')} ${one}${k === 1 ? '' : 's'}`;
  return `${n(conversations, 'conversation')} (${n(messages, 'message')})`;
}
