// The settings page's "Your data" section: export the whole account (GET
// /me/export writes it to storage and answers a pre-signed download URL,
// valid 15 minutes, whose answer is an attachment: the browser saves it
// without leaving the app) and a link to the import page (/import).
import { useState } from 'react';
import { api } from '../config';
import { humanMessage } from '../api/errors';
import type { AccountExportLink } from '../api/types';
import { Link } from '../router';
import { formatBytes } from './import/importFlow';

/** Starts the download of url (an attachment: the page stays where it is). */
function download(url: string) {
  const a = document.createElement('a');
  a.href = url;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

export function DataSection() {
  const [busy, setBusy] = useState(false);
  const [link, setLink] = useState<AccountExportLink | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function exportAll() {
    setBusy(true);
    setError(null);
    setLink(null);
    try {
      const l = await api.exportAccount();
      setLink(l);
      download(l.url);
    } catch (err) {
      setError(humanMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const plural = (n: number, one: string) => `${n.toLocaleString('en')} ${one}${n === 1 ? '' : 's'}`;
  return (
    <section className="data-section" aria-labelledby="data-heading">
      <h2 id="data-heading">Your data</h2>
      <div className="data-item">
        <h3>Export</h3>
        <p className="muted">
          Every conversation with all its messages and branches, as one JSON file — which this app can import again.
        </p>
        <div className="settings-actions">
          <button type="button" onClick={exportAll} disabled={busy} aria-busy={busy || undefined}>
            {busy ? 'Preparing your export…' : 'Export all my data'}
          </button>
        </div>
        {error ? <div className="form-error" role="alert">{error}</div> : null}
        {link ? (
          <div className="notice export-ready" role="status">
            Your export is ready: {formatBytes(link.bytes)}, {plural(link.conversations, 'conversation')},{' '}
            {plural(link.messages, 'message')}. The download has started; if it did not,{' '}
            <a href={link.url} rel="noopener" className="export-link">download it here</a> (until{' '}
            {new Date(link.expiresAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}).
          </div>
        ) : null}
      </div>
      <div className="data-item">
        <h3>Import</h3>
        <p className="muted">Bring in conversations from ChatGPT's data export or from an export of this app.</p>
        <div className="settings-actions">
          <Link to="/import" className="button-link">Import conversations</Link>
        </div>
      </div>
    </section>
  );
}
