// An import, from the file chosen to its outcome, as a state machine (pure:
// reduce) and the run that drives it (runImport: POST /imports and the
// upload, with its progress, then GET /imports/{id} until done or failed).
// The page (./ImportPage.tsx) only draws the state.
import { ApiError, humanMessage } from '../../api/errors';
import type { Import } from '../../api/types';

/** What the API takes (IMPORT_MAX_BYTES): checked here first, so a file too large is not even announced. */
export const IMPORT_MAX_BYTES = 60_000_000;

export type ImportState =
  | { phase: 'idle' }
  /** POST /imports, then the file's PUT: sent of total bytes. */
  | { phase: 'uploading'; fileName: string; sent: number; total: number }
  /** The file is in; the import is pending or running (its counts so far). note: a poll that failed, retried. */
  | { phase: 'processing'; fileName: string; imp: Import; note?: string }
  | { phase: 'done'; fileName: string; imp: Import }
  /** message: a sentence for the user (the import's own error, or why it could not start). */
  | { phase: 'failed'; fileName: string; message: string; imp?: Import };

export type ImportEvent =
  | { type: 'start'; fileName: string; size: number }
  | { type: 'progress'; sent: number; total: number }
  | { type: 'uploaded'; imp: Import }
  | { type: 'status'; imp: Import }
  | { type: 'pollError'; message: string }
  | { type: 'error'; message: string }
  | { type: 'reset' };

export const idle: ImportState = { phase: 'idle' };

/** Whether an import is under way (a new one cannot start). */
export function busy(s: ImportState): boolean {
  return s.phase === 'uploading' || s.phase === 'processing';
}

export function reduce(s: ImportState, e: ImportEvent): ImportState {
  switch (e.type) {
    case 'reset':
      return busy(s) ? s : idle;
    case 'start':
      return busy(s) ? s : { phase: 'uploading', fileName: e.fileName, sent: 0, total: e.size };
    case 'progress':
      if (s.phase !== 'uploading') return s;
      return { ...s, sent: Math.max(s.sent, Math.min(e.sent, e.total)), total: e.total || s.total };
    case 'uploaded':
      if (s.phase !== 'uploading') return s;
      return fromImport(s.fileName, e.imp);
    case 'status':
      // Only the import being followed, and never back from an outcome.
      if (s.phase !== 'processing' || s.imp.id !== e.imp.id) return s;
      return fromImport(s.fileName, e.imp);
    case 'pollError':
      return s.phase === 'processing' ? { ...s, note: e.message } : s;
    case 'error':
      if (!busy(s) && s.phase !== 'idle') return s;
      return { phase: 'failed', fileName: s.phase === 'idle' ? '' : s.fileName, message: e.message, imp: s.phase === 'processing' ? s.imp : undefined };
  }
}

function fromImport(fileName: string, imp: Import): ImportState {
  switch (imp.status) {
    case 'done': return { phase: 'done', fileName, imp };
    case 'failed': return { phase: 'failed', fileName, imp, message: sentence(imp.error ?? 'the import failed; nothing was written') };
    default: return { phase: 'processing', fileName, imp };
  }
}

/** Why the file cannot be imported before anything is sent, or null. */
export function fileProblem(file: { size: number }, max = IMPORT_MAX_BYTES): string | null {
  if (file.size === 0) return 'The file is empty.';
  if (file.size > max) return `The file is ${formatBytes(file.size)}; an import can be at most ${formatBytes(max)}.`;
  return null;
}

/** A failure of POST /imports, the upload or a poll, in words (413 and 429 included). */
export function importErrorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 413 || err.code === 'payload_too_large') {
      return `The file is too large to import (at most ${formatBytes(IMPORT_MAX_BYTES)}).`;
    }
    if (err.code === 'upload_failed') return err.message;
  }
  return humanMessage(err);
}

/** The part of the API an import uses (ApiClient's). */
export interface ImportApi {
  startImport(file: Blob, onProgress?: (sent: number, total: number) => void, signal?: AbortSignal): Promise<Import>;
  importStatus(id: string, signal?: AbortSignal): Promise<Import>;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** Waits ms (or until the signal aborts); tests pass a fake. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The n-th poll's delay (n from 0): 1 s, growing to 5 s. */
  delay?: (n: number) => number;
}

export const pollDelay = (n: number) => Math.min(5000, Math.round(1000 * 1.3 ** n));

const defaultSleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve) => {
  const t = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
});

/**
 * Imports file, reporting every step to dispatch: its upload's progress, then
 * the import's status until it is done or failed. A poll that fails for a
 * while (429, 5xx, offline) is retried — after Retry-After when given — and
 * said in the meantime; one that cannot succeed (401, 403, 404) ends it.
 * Resolves when it is over, or as soon as the signal aborts.
 */
export async function runImport(api: ImportApi, file: Blob & { name?: string }, dispatch: (e: ImportEvent) => void, opts: RunOptions = {}): Promise<void> {
  const { signal } = opts;
  const sleep = opts.sleep ?? defaultSleep;
  const delay = opts.delay ?? pollDelay;
  dispatch({ type: 'start', fileName: file.name ?? 'file', size: file.size });
  const problem = fileProblem(file);
  if (problem) {
    dispatch({ type: 'error', message: problem });
    return;
  }
  let imp: Import;
  try {
    imp = await api.startImport(file, (sent, total) => dispatch({ type: 'progress', sent, total }), signal);
  } catch (err) {
    if (!signal?.aborted) dispatch({ type: 'error', message: importErrorMessage(err) });
    return;
  }
  if (signal?.aborted) return;
  dispatch({ type: 'uploaded', imp });
  for (let n = 0; imp.status === 'pending' || imp.status === 'running'; n++) {
    await sleep(delay(n), signal);
    if (signal?.aborted) return;
    try {
      imp = await api.importStatus(imp.id, signal);
      dispatch({ type: 'status', imp });
    } catch (err) {
      if (signal?.aborted) return;
      if (err instanceof ApiError && [401, 403, 404].includes(err.status)) {
        dispatch({ type: 'error', message: importErrorMessage(err) });
        return;
      }
      dispatch({ type: 'pollError', message: `${importErrorMessage(err)} Still checking…` });
      if (err instanceof ApiError && err.retryAfter) await sleep(err.retryAfter * 1000, signal);
    }
  }
}

/** 1234567 → "1.2 MB" (decimal units, as the limit is given). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} byte${n === 1 ? '' : 's'}`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) { v /= 1000; u++; }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1).replace(/\.0$/, '')} ${units[u]}`;
}

/** The API's error as a sentence: capitalised, ending with a full stop. */
function sentence(s: string): string {
  const t = s.trim();
  if (!t) return t;
  return `${t[0].toUpperCase()}${t.slice(1)}${/[.!?…]$/.test(t) ? '' : '.'}`;
}
