// The open conversation's Export control: a button that offers two files,
// Markdown (to read) and JSON (for programs), each downloaded through the API
// client with the caller's token (fetch → blob → object URL → a.download).
import { useEffect, useRef, useState } from 'react';
import { api } from '../../config';
import { humanMessage } from '../../api/errors';
import type { Conversation, ExportFormat } from '../../api/types';

const CHOICES: { format: ExportFormat; label: string }[] = [
  { format: 'markdown', label: 'Markdown (.md)' },
  { format: 'json', label: 'JSON (.json)' },
];

/** Hands blob to the browser as a download named filename. */
export function saveFile(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function ExportMenu(props: { conversation: Conversation }) {
  const { conversation: conv } = props;
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState<ExportFormat | null>(null);
  const [error, setError] = useState<string | null>(null);
  const root = useRef<HTMLDivElement>(null);

  // Closes on a click elsewhere and on Escape.
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => { if (!root.current?.contains(e.target as Node)) setOpen(false); };
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') setOpen(false); };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  async function download(format: ExportFormat) {
    setOpen(false);
    setBusy(format);
    setError(null);
    try {
      const { blob, filename } = await api.exportConversation(conv.id, format, conv.title);
      saveFile(blob, filename);
    } catch (err) {
      setError(humanMessage(err));
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="export-menu" ref={root}>
      <button
        type="button"
        className="export-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-busy={busy !== null || undefined}
        disabled={busy !== null}
        title="Download this conversation"
        onClick={() => setOpen((o) => !o)}
      >
        {busy ? 'Exporting…' : 'Export'}
      </button>
      {open ? (
        <div className="export-choices" role="menu" aria-label="Export as">
          {CHOICES.map((c) => (
            <button key={c.format} type="button" role="menuitem" onClick={() => download(c.format)}>{c.label}</button>
          ))}
        </div>
      ) : null}
      {error ? <div className="field-error export-error" role="alert">{error}</div> : null}
    </div>
  );
}
