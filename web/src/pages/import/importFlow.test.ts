import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors';
import type { Import } from '../../api/types';
import {
  type ImportApi, type ImportEvent, type ImportState, IMPORT_MAX_BYTES, fileProblem, formatBytes, idle, importErrorMessage,
  reduce, runImport,
} from './importFlow';

const imp = (over: Partial<Import> = {}): Import => ({
  id: 'i1', status: 'pending', size: 10, format: null, bytesRead: 0, conversations: 0, messages: 0, skipped: 0, error: null,
  createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', finishedAt: null, ...over,
});

const file = (text: string, name = 'conversations.json') => Object.assign(new Blob([text]), { name });

/** Runs an import against a fake API, returning every state it went through. */
async function run(api: Partial<ImportApi>, f = file('[{"x":1}]'), signal?: AbortSignal) {
  let s: ImportState = idle;
  const states: ImportState[] = [];
  const sleeps: number[] = [];
  await runImport(
    { startImport: async () => imp(), importStatus: async () => imp({ status: 'done' }), ...api },
    f,
    (e: ImportEvent) => { s = reduce(s, e); states.push(s); },
    { signal, sleep: async (ms) => { sleeps.push(ms); }, delay: () => 1 },
  );
  return { states, final: s, sleeps };
}

describe('reduce()', () => {
  it('goes idle → uploading → processing → done', () => {
    let s = reduce(idle, { type: 'start', fileName: 'a.json', size: 100 });
    expect(s).toEqual({ phase: 'uploading', fileName: 'a.json', sent: 0, total: 100 });
    s = reduce(s, { type: 'progress', sent: 40, total: 100 });
    expect(s).toMatchObject({ phase: 'uploading', sent: 40 });
    s = reduce(s, { type: 'progress', sent: 30, total: 100 }); // never backwards
    expect(s).toMatchObject({ sent: 40 });
    s = reduce(s, { type: 'uploaded', imp: imp() });
    expect(s).toMatchObject({ phase: 'processing', fileName: 'a.json' });
    s = reduce(s, { type: 'status', imp: imp({ status: 'running', conversations: 2 }) });
    expect(s).toMatchObject({ phase: 'processing', imp: { conversations: 2 } });
    s = reduce(s, { type: 'status', imp: imp({ status: 'done', conversations: 3, messages: 9 }) });
    expect(s).toMatchObject({ phase: 'done', imp: { conversations: 3, messages: 9 } });
    // An outcome stays: a late status or progress changes nothing; reset starts over.
    expect(reduce(s, { type: 'status', imp: imp({ status: 'running' }) })).toBe(s);
    expect(reduce(s, { type: 'progress', sent: 1, total: 1 })).toBe(s);
    expect(reduce(s, { type: 'reset' })).toBe(idle);
  });

  it('a failed import carries its error as a sentence', () => {
    let s = reduce(reduce(idle, { type: 'start', fileName: 'a.json', size: 1 }), { type: 'uploaded', imp: imp() });
    s = reduce(s, { type: 'status', imp: imp({ status: 'failed', error: 'the file is not valid JSON: unexpected EOF (at byte 12)' }) });
    expect(s).toMatchObject({ phase: 'failed', message: 'The file is not valid JSON: unexpected EOF (at byte 12).' });
  });

  it('ignores another import\'s status, and a new start while one runs', () => {
    const s = reduce(reduce(idle, { type: 'start', fileName: 'a.json', size: 1 }), { type: 'uploaded', imp: imp() });
    expect(reduce(s, { type: 'status', imp: imp({ id: 'other', status: 'done' }) })).toBe(s);
    expect(reduce(s, { type: 'start', fileName: 'b.json', size: 2 })).toBe(s);
    expect(reduce(s, { type: 'reset' })).toBe(s);
  });

  it('a poll error is a note while processing; an error ends it', () => {
    let s = reduce(reduce(idle, { type: 'start', fileName: 'a.json', size: 1 }), { type: 'uploaded', imp: imp() });
    s = reduce(s, { type: 'pollError', message: 'Offline.' });
    expect(s).toMatchObject({ phase: 'processing', note: 'Offline.' });
    s = reduce(s, { type: 'status', imp: imp({ status: 'running' }) });
    expect(s).not.toHaveProperty('note');
    s = reduce(s, { type: 'error', message: 'Gone.' });
    expect(s).toMatchObject({ phase: 'failed', message: 'Gone.', fileName: 'a.json', imp: { id: 'i1' } });
  });
});

describe('runImport()', () => {
  it('uploads with progress, then polls until done', async () => {
    const statuses = [imp({ status: 'running', bytesRead: 5 }), imp({ status: 'running', conversations: 1 }), imp({ status: 'done', conversations: 2, messages: 4 })];
    const polled: string[] = [];
    const { states, final } = await run({
      startImport: async (f, onProgress) => { onProgress?.(4, f.size); onProgress?.(f.size, f.size); return imp(); },
      importStatus: async (id) => { polled.push(id); return statuses.shift()!; },
    });
    expect(states.map((s) => s.phase)).toEqual(['uploading', 'uploading', 'uploading', 'processing', 'processing', 'processing', 'done']);
    expect(states[2]).toMatchObject({ sent: 9, total: 9 });
    expect(polled).toEqual(['i1', 'i1', 'i1']);
    expect(final).toMatchObject({ phase: 'done', fileName: 'conversations.json', imp: { conversations: 2, messages: 4 } });
  });

  it('ends with the import\'s own error when it failed', async () => {
    const { final } = await run({ importStatus: async () => imp({ status: 'failed', error: 'this is neither a ChatGPT conversations.json nor a Macro AI export' }) });
    expect(final).toMatchObject({ phase: 'failed', message: 'This is neither a ChatGPT conversations.json nor a Macro AI export.' });
  });

  it('refuses an empty or too large file before calling the API', async () => {
    let called = false;
    const api = { startImport: async () => { called = true; return imp(); } };
    expect((await run(api, file(''))).final).toMatchObject({ phase: 'failed', message: 'The file is empty.' });
    const big = Object.assign(new Blob(['x']), { name: 'big.json' });
    Object.defineProperty(big, 'size', { value: IMPORT_MAX_BYTES + 15_000_000 });
    expect((await run(api, big)).final).toMatchObject({ phase: 'failed', message: 'The file is 75 MB; an import can be at most 60 MB.' });
    expect(called).toBe(false);
  });

  it('says the API\'s 413 and 429 in words', async () => {
    const tooLarge = new ApiError({ status: 413, code: 'payload_too_large', message: 'the file is larger than an import may be (60000000 bytes)' });
    expect((await run({ startImport: async () => { throw tooLarge; } })).final)
      .toMatchObject({ phase: 'failed', message: 'The file is too large to import (at most 60 MB).' });
    const limited = new ApiError({ status: 429, code: 'rate_limited', message: 'too many requests', retryAfter: 30 });
    expect((await run({ startImport: async () => { throw limited; } })).final)
      .toMatchObject({ phase: 'failed', message: 'Too many requests. Please wait 30 seconds and try again.' });
  });

  it('says a refused upload as the client reported it', async () => {
    const refused = new ApiError({ status: 403, code: 'upload_failed', message: 'The file could not be uploaded (SignatureDoesNotMatch).' });
    expect((await run({ startImport: async () => { throw refused; } })).final)
      .toMatchObject({ phase: 'failed', message: 'The file could not be uploaded (SignatureDoesNotMatch).' });
  });

  it('keeps polling through a 429 (after its Retry-After) and a network error, saying so meanwhile', async () => {
    const answers: (Import | Error)[] = [
      new ApiError({ status: 429, code: 'rate_limited', message: 'slow down', retryAfter: 2 }),
      new TypeError('Failed to fetch'),
      imp({ status: 'done', conversations: 1 }),
    ];
    const { states, final, sleeps } = await run({
      importStatus: async () => { const a = answers.shift()!; if (a instanceof Error) throw a; return a; },
    });
    expect(states.some((s) => s.phase === 'processing' && s.note?.startsWith('Too many requests. Please wait 2 seconds'))).toBe(true);
    expect(states.some((s) => s.phase === 'processing' && s.note?.startsWith('Cannot reach the server.'))).toBe(true);
    expect(sleeps).toContain(2000);
    expect(final).toMatchObject({ phase: 'done' });
  });

  it('stops at a 404 (the import is gone)', async () => {
    const { final } = await run({ importStatus: async () => { throw new ApiError({ status: 404, code: 'not_found', message: 'not found' }); } });
    expect(final).toMatchObject({ phase: 'failed', message: 'Not found — it may have been deleted.' });
  });

  it('stops polling when aborted', async () => {
    const ctrl = new AbortController();
    let polls = 0;
    const { final } = await run({ importStatus: async () => { if (++polls === 2) ctrl.abort(); return imp({ status: 'running' }); } }, undefined, ctrl.signal);
    expect(polls).toBe(2);
    expect(final.phase).toBe('processing');
  });
});

describe('helpers', () => {
  it('formatBytes() in decimal units', () => {
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(999)).toBe('999 bytes');
    expect(formatBytes(1500)).toBe('1.5 KB');
    expect(formatBytes(60_000_000)).toBe('60 MB');
    expect(formatBytes(123_456_789)).toBe('123 MB');
  });
  it('fileProblem() and importErrorMessage() of other errors', () => {
    expect(fileProblem({ size: 10 })).toBeNull();
    expect(importErrorMessage(new ApiError({ status: 500, code: 'internal', message: 'x' }))).toBe('Something went wrong on our side. Please try again.');
  });
});
