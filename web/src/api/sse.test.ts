import { describe, expect, it } from 'vitest';
import { SSEParser, readSSE } from './sse';
import { ApiClient } from './client';
import { Session } from './session';

const stream = [
  'event: start\ndata: {"conversationId":"c","userMessageId":"u","assistantMessageId":"a"}\n\n',
  'event: delta\ndata: {"text":"Hel"}\n\n',
  'event: delta\ndata: {"text":"lo"}\n\n',
  'event: done\ndata: {"assistantMessageId":"a","finishReason":"stop","usage":{"promptTokens":1,"completionTokens":2}}\n\n',
].join('');

function chunked(text: string, sizes: number[]): string[] {
  const out: string[] = [];
  let i = 0;
  let n = 0;
  while (i < text.length) {
    const s = sizes[n++ % sizes.length];
    out.push(text.slice(i, i + s));
    i += s;
  }
  return out;
}

function bytesStream(chunks: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const ch of chunks) c.enqueue(typeof ch === 'string' ? enc.encode(ch) : ch);
      c.close();
    },
  });
}

describe('SSE parsing', () => {
  it('yields the same events however the input is chunked', () => {
    const whole = new SSEParser().push(stream);
    expect(whole.map((e) => e.event)).toEqual(['start', 'delta', 'delta', 'done']);
    for (const sizes of [[1], [2, 3], [7], [13, 1, 5], [64]]) {
      const p = new SSEParser();
      const got = chunked(stream, sizes).flatMap((c) => p.push(c));
      expect(got).toEqual(whole);
    }
  });

  it('handles CRLF split between chunks, comments, multi-line data and a missing final blank line', () => {
    const p = new SSEParser();
    const got = [
      ...p.push(': keep-alive\r'),
      ...p.push('\nevent: delta\r'),
      ...p.push('\ndata: line1\r\ndata:line2\r\n'),
      ...p.push('\r\n'),
      ...p.push('event: done\ndata: {}'),
      ...p.end(),
    ];
    expect(got).toEqual([
      { event: 'delta', data: 'line1\nline2' },
      { event: 'done', data: '{}' },
    ]);
  });

  it('decodes UTF-8 split across byte chunks', async () => {
    const bytes = new TextEncoder().encode('event: delta\ndata: {"text":"héllo ✓"}\n\n');
    const parts = [bytes.slice(0, 22), bytes.slice(22, 23), bytes.slice(23)];
    const got = [];
    for await (const m of readSSE(bytesStream(parts))) got.push(m);
    expect(JSON.parse(got[0].data).text).toBe('héllo ✓');
  });

  it('sendMessage reports deltas in order and returns done', async () => {
    const fetchStub = (async (url: string, init: RequestInit) => {
      expect(url).toBe('/stream/conversations/c1/messages');
      expect(JSON.parse(init.body as string)).toEqual({ content: 'hi', clientMessageId: 'id-1' });
      expect((init.headers as Record<string, string>).Authorization).toBe('Bearer AT');
      return new Response(bytesStream(chunked(stream, [5])), { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
    }) as unknown as typeof fetch;
    const session = new Session(null);
    session.setTokens({ accessToken: 'AT', idToken: 'ID', expiresIn: 3600, tokenType: 'Bearer' });
    const api = new ApiClient({ apiBase: '', streamBase: '/stream', session, fetch: fetchStub });
    const deltas: string[] = [];
    let started = '';
    const done = await api.sendMessage('c1', { content: 'hi', clientMessageId: 'id-1' }, {
      onStart: (e) => (started = e.assistantMessageId),
      onDelta: (e) => deltas.push(e.text),
    });
    expect(started).toBe('a');
    expect(deltas).toEqual(['Hel', 'lo']);
    expect(done.finishReason).toBe('stop');
    session.clear();
  });

  it('sendMessage turns an error event into an ApiError', async () => {
    const body = 'event: start\ndata: {}\n\nevent: delta\ndata: {"text":"x"}\n\nevent: error\ndata: {"error":{"code":"upstream_error","message":"model failed"}}\n\n';
    const session = new Session(null);
    session.setTokens({ accessToken: 'AT', idToken: 'ID', expiresIn: 3600, tokenType: 'Bearer' });
    const api = new ApiClient({
      apiBase: '',
      streamBase: 'https://fn.example',
      session,
      fetch: (async () => new Response(bytesStream([body]), { status: 200 })) as unknown as typeof fetch,
    });
    await expect(api.sendMessage('c', { content: 'x' })).rejects.toMatchObject({ code: 'upstream_error', message: 'model failed' });
    session.clear();
  });

  it('sendMessage surfaces a 429 before the stream with its wait', async () => {
    const session = new Session(null);
    session.setTokens({ accessToken: 'AT', idToken: 'ID', expiresIn: 3600, tokenType: 'Bearer' });
    const api = new ApiClient({
      apiBase: '',
      streamBase: '/stream',
      session,
      fetch: (async () => new Response('{"error":{"code":"rate_limited","message":"slow down"}}', { status: 429, headers: { 'Retry-After': '7' } })) as unknown as typeof fetch,
    });
    await expect(api.sendMessage('c', { content: 'x' })).rejects.toMatchObject({ status: 429, retryAfter: 7 });
    session.clear();
  });
});
