import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient, type Uploader } from './client';
import { ApiError } from './errors';
import { Session } from './session';

class MemStorage {
  m = new Map<string, string>();
  getItem(k: string) { return this.m.get(k) ?? null; }
  setItem(k: string, v: string) { this.m.set(k, v); }
  removeItem(k: string) { this.m.delete(k); }
}

const session = new Session(new MemStorage());
afterEach(() => session.clear());

const pending = {
  id: 'i1', status: 'pending', size: 11, format: null, bytesRead: 0, conversations: 0, messages: 0, skipped: 0,
  error: null, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', finishedAt: null,
};

function client(respond: (url: string, init: RequestInit) => Response, upload?: Uploader) {
  const seen: { method: string; url: string; auth: string | undefined; body: unknown }[] = [];
  const f = async (url: string, init: RequestInit) => {
    seen.push({ method: init.method ?? 'GET', url, auth: (init.headers as Record<string, string>).Authorization, body: init.body });
    return respond(url, init);
  };
  const api = new ApiClient({ apiBase: 'http://api', streamBase: 'http://stream', session, fetch: f as unknown as typeof fetch, upload });
  session.setTokens({ accessToken: 'A1', idToken: 'I1', refreshToken: 'R1', expiresIn: 3600, tokenType: 'Bearer' });
  return { api, seen };
}

const json = (status: number, v: unknown) => new Response(JSON.stringify(v), { status, headers: { 'Content-Type': 'application/json' } });

describe('startImport()', () => {
  it('POST /imports with the size, then PUTs the file to the signed URL with its headers, reporting progress', async () => {
    const uploads: { url: string; method: string; headers: Record<string, string>; size: number }[] = [];
    const progress: [number, number][] = [];
    const upload: Uploader = async (req, onProgress) => {
      uploads.push({ url: req.url, method: req.method, headers: req.headers, size: req.body.size });
      onProgress?.(5, req.body.size);
      onProgress?.(req.body.size, req.body.size);
      return { status: 200, body: '' };
    };
    const { api, seen } = client(() => json(201, {
      import: pending,
      upload: { url: 'http://s3/bucket/imports/u/i1.json?X-Amz-Signature=abc', method: 'PUT', headers: { 'Content-Type': 'application/json' }, expiresAt: '2026-01-01T00:15:00Z' },
    }), upload);
    const imp = await api.startImport(new Blob(['[{"a":1}]  ']), (sent, total) => progress.push([sent, total]));
    expect(imp.id).toBe('i1');
    expect(seen).toEqual([{ method: 'POST', url: 'http://api/imports', auth: 'Bearer A1', body: '{"size":11}' }]);
    expect(uploads).toEqual([{ url: 'http://s3/bucket/imports/u/i1.json?X-Amz-Signature=abc', method: 'PUT', headers: { 'Content-Type': 'application/json' }, size: 11 }]);
    expect(progress).toEqual([[5, 11], [11, 11]]);
  });

  it('without XMLHttpRequest (here) the upload goes through fetch, with no bearer token', async () => {
    const { api, seen } = client((url) => url.startsWith('http://api')
      ? json(201, { import: pending, upload: { url: 'http://s3/put', method: 'PUT', headers: { 'Content-Type': 'application/json' }, expiresAt: 'x' } })
      : new Response('', { status: 200 }));
    await api.startImport(new Blob(['[]']));
    expect(seen.map((s) => [s.method, s.url, s.auth])).toEqual([['POST', 'http://api/imports', 'Bearer A1'], ['PUT', 'http://s3/put', undefined]]);
  });

  it('a refused upload (S3\'s XML error) is an ApiError naming its code', async () => {
    const { api } = client((url) => url.startsWith('http://api')
      ? json(201, { import: pending, upload: { url: 'http://s3/put', method: 'PUT', headers: {}, expiresAt: 'x' } })
      : new Response('<Error><Code>SignatureDoesNotMatch</Code></Error>', { status: 403 }));
    const err = await api.startImport(new Blob(['[]'])).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(403);
    expect((err as ApiError).message).toContain('SignatureDoesNotMatch');
  });

  it('a file over the limit is the API\'s 413, before any upload', async () => {
    const { api, seen } = client(() => json(413, { error: { code: 'payload_too_large', message: 'the file is larger than an import may be (60000000 bytes)', requestId: 'r' } }));
    const err = await api.startImport(new Blob(['x'])).catch((e) => e);
    expect((err as ApiError).code).toBe('payload_too_large');
    expect(seen).toHaveLength(1);
  });
});

describe('importStatus() and exportAccount()', () => {
  it('GET /imports/{id} and GET /me/export with the bearer token', async () => {
    const { api, seen } = client((url) => url.endsWith('/me/export')
      ? json(200, { url: 'http://s3/get', expiresAt: '2026-01-01T00:15:00Z', bytes: 10, conversations: 1, messages: 2 })
      : json(200, { ...pending, status: 'failed', error: 'the file is not valid JSON (at byte 7)' }));
    const st = await api.importStatus('i/1');
    expect(st.status).toBe('failed');
    expect(st.error).toContain('byte 7');
    const link = await api.exportAccount();
    expect(link.url).toBe('http://s3/get');
    expect(seen.map((s) => [s.url, s.auth])).toEqual([['http://api/imports/i%2F1', 'Bearer A1'], ['http://api/me/export', 'Bearer A1']]);
  });
});
