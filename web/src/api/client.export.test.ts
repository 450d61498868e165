import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient, exportFilename } from './client';
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

function client(respond: (url: string) => Response) {
  const seen: { url: string; auth: string | undefined }[] = [];
  const f = async (url: string, init: RequestInit) => {
    seen.push({ url, auth: (init.headers as Record<string, string>).Authorization });
    return respond(url);
  };
  const api = new ApiClient({ apiBase: 'http://api', streamBase: 'http://stream', session, fetch: f as unknown as typeof fetch });
  session.setTokens({ accessToken: 'A1', idToken: 'I1', refreshToken: 'R1', expiresIn: 3600, tokenType: 'Bearer' });
  return { api, seen };
}

describe('exportConversation()', () => {
  it('GET /conversations/{id}/export with the bearer token; the name from the title when the header is hidden', async () => {
    const { api, seen } = client(() => new Response('# Hi\n', { status: 200, headers: { 'Content-Type': 'text/markdown; charset=utf-8' } }));
    const { blob, filename } = await api.exportConversation('c1', 'markdown', 'Go: "hello" / world?');
    expect(await blob.text()).toBe('# Hi\n');
    expect(filename).toBe('Go-hello-world.md');
    expect(seen).toEqual([{ url: 'http://api/conversations/c1/export?format=markdown', auth: 'Bearer A1' }]);
  });

  it('prefers the API\'s file name when it can read it', async () => {
    const { api } = client(() => new Response('{}', {
      status: 200, headers: { 'Content-Type': 'application/json', 'Content-Disposition': 'attachment; filename="Given.json"' },
    }));
    expect((await api.exportConversation('c1', 'json', 'other')).filename).toBe('Given.json');
  });

  it('an error is an ApiError in the one shape', async () => {
    const { api } = client(() => new Response(JSON.stringify({ error: { code: 'payload_too_large', message: 'the conversation is too large to export this way', requestId: 'r' } }), {
      status: 413, headers: { 'Content-Type': 'application/json' },
    }));
    const err = await api.exportConversation('c1').catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(413);
  });
});

describe('exportFilename()', () => {
  it.each([
    ['Hello world', 'markdown', 'Hello-world.md'],
    ['../etc/passwd', 'json', 'etc-passwd.json'],
    ['日本語', 'markdown', 'conversation.md'],
    ['café au lait', 'markdown', 'caf-au-lait.md'],
    ['x'.repeat(200), 'json', `${'x'.repeat(80)}.json`],
  ] as const)('%s → %s', (title, format, want) => {
    expect(exportFilename(title, format)).toBe(want);
  });
});
