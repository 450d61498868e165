import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from './client';
import { Session } from './session';

const session = new Session(null);
afterEach(() => session.clear());

const sse = 'event: start\ndata: {"conversationId":"c","userMessageId":"u","assistantMessageId":"a2"}\n\n'
  + 'event: delta\ndata: {"text":"again"}\n\n'
  + 'event: done\ndata: {"assistantMessageId":"a2","finishReason":"stop"}\n\n';

describe('branches', () => {
  it('regenerateAnswer POSTs no body to the stream base and reads the events', async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    const f = async (url: string, init: RequestInit) => {
      seen.push({ url, init });
      return new Response(sse, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
    };
    const api = new ApiClient({ apiBase: 'http://api', streamBase: 'https://fn.example/', session, fetch: f as unknown as typeof fetch });
    session.setTokens({ accessToken: 'AT', idToken: 'ID', expiresIn: 3600, tokenType: 'Bearer' });
    const deltas: string[] = [];
    const done = await api.regenerateAnswer('c', 'a1', { onDelta: (e) => deltas.push(e.text) });
    expect(done.assistantMessageId).toBe('a2');
    expect(deltas).toEqual(['again']);
    expect(seen[0].url).toBe('https://fn.example/conversations/c/messages/a1/regenerate');
    expect(seen[0].init.method).toBe('POST');
    expect(seen[0].init.body).toBeUndefined();
    expect((seen[0].init.headers as Record<string, string>)['Content-Type']).toBeUndefined();
  });

  it('sendMessage sends parentId null for an edit of the first message, and leaves it out when absent', async () => {
    const bodies: unknown[] = [];
    const f = async (_url: string, init: RequestInit) => {
      bodies.push(JSON.parse(init.body as string));
      return new Response(sse, { status: 200 });
    };
    const api = new ApiClient({ apiBase: '', streamBase: '/stream', session, fetch: f as unknown as typeof fetch });
    await api.sendMessage('c', { content: 'x', parentId: null });
    await api.sendMessage('c', { content: 'y', parentId: undefined });
    expect(bodies).toEqual([{ content: 'x', parentId: null }, { content: 'y' }]);
  });

  it('switchBranch PUTs the leaf and returns it', async () => {
    const seen: { url: string; method?: string; body: unknown }[] = [];
    const f = async (url: string, init: RequestInit) => {
      seen.push({ url, method: init.method, body: JSON.parse(init.body as string) });
      return new Response('{"leafId":"leaf"}', { status: 200, headers: { 'Content-Type': 'application/json' } });
    };
    const api = new ApiClient({ apiBase: 'http://api', streamBase: '/stream', session, fetch: f as unknown as typeof fetch });
    expect(await api.switchBranch('c', { messageId: 'm' })).toEqual({ leafId: 'leaf' });
    expect(seen).toEqual([{ url: 'http://api/conversations/c/leaf', method: 'PUT', body: { messageId: 'm' } }]);
  });
});
