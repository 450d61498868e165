import { describe, expect, it, vi } from 'vitest';
import { ApiClient } from './client';
import { ApiError } from './errors';
import { Session } from './session';

class MemStorage {
  m = new Map<string, string>();
  getItem(k: string) { return this.m.get(k) ?? null; }
  setItem(k: string, v: string) { this.m.set(k, v); }
  removeItem(k: string) { this.m.delete(k); }
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

/** A signed-in client whose every call is answered by respond. */
function client(respond: (url: string, init: RequestInit) => Response) {
  const session = new Session(new MemStorage());
  const seen: string[] = [];
  const f = vi.fn(async (url: string, init: RequestInit) => {
    seen.push(`${init.method} ${url}`);
    return respond(url, init);
  });
  const api = new ApiClient({ apiBase: 'http://api', streamBase: 'http://stream', session, fetch: f as unknown as typeof fetch });
  session.setTokens({ accessToken: 'A1', idToken: 'I1', refreshToken: 'R1', expiresIn: 3600, tokenType: 'Bearer' });
  return { api, session, seen };
}

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error('the call did not fail');
}

describe('the client reads both error shapes', () => {
  it("API Gateway's authorizer 401: one refresh, one retry, then the gateway's answer", async () => {
    const { api, session, seen } = client((url) =>
      url.endsWith('/auth/refresh')
        ? json(200, { accessToken: 'A2', idToken: 'I2', expiresIn: 3600, tokenType: 'Bearer' })
        : json(401, { message: 'Unauthorized' }, { 'Apigw-Requestid': 'gw-7' }),
    );
    const e = await rejection(api.listConversations());
    expect(e).toMatchObject({ status: 401, code: 'unauthorized', message: 'Unauthorized', fromGateway: true, requestId: 'gw-7' });
    expect(seen).toEqual(['GET http://api/conversations', 'POST http://api/auth/refresh', 'GET http://api/conversations']);
    session.clear();
  });

  it("API Gateway's 404 for no such route and its throttling's 429", async () => {
    const { api, session } = client((url) =>
      url.includes('/search') ? json(429, { message: 'Too Many Requests' }) : json(404, { message: 'Not Found' }),
    );
    expect(await rejection(api.getConversation('x'))).toMatchObject({ status: 404, code: 'not_found', fromGateway: true });
    expect(await rejection(api.search({ q: 'x' }))).toMatchObject({ status: 429, code: 'rate_limited', fromGateway: true, retryAfter: undefined });
    session.clear();
  });

  it("a function's Error, with its code, details and Retry-After", async () => {
    const { api, session } = client((url) =>
      url.startsWith('http://stream')
        ? json(409, { error: { code: 'turn_in_progress', message: 'still being answered', requestId: 'r1' } }, { 'Retry-After': '3' })
        : json(400, { error: { code: 'validation_failed', message: 'title: too long', details: [{ field: 'title', message: 'too long' }], requestId: 'r2' } }),
    );
    const turn = await rejection(api.sendMessage('c1', { content: 'hi' }));
    expect(turn).toMatchObject({ status: 409, code: 'turn_in_progress', retryAfter: 3, requestId: 'r1', fromGateway: false });
    const rename = await rejection(api.updateConversation('c1', { title: 'x'.repeat(300) }));
    expect(rename).toMatchObject({ status: 400, code: 'validation_failed', requestId: 'r2', fromGateway: false });
    expect(rename.fieldError('title')).toBe('too long');
    session.clear();
  });

  it('a chat turn refused with a {"message": ...} before any event', async () => {
    const { api, session } = client(() => json(500, { message: 'Internal Server Error' }));
    expect(await rejection(api.sendMessage('c1', { content: 'hi' }))).toMatchObject({ status: 500, code: 'internal', fromGateway: true });
    session.clear();
  });
});
