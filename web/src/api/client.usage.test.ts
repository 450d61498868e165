import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from './client';
import { Session } from './session';

class MemStorage {
  m = new Map<string, string>();
  getItem(k: string) { return this.m.get(k) ?? null; }
  setItem(k: string, v: string) { this.m.set(k, v); }
  removeItem(k: string) { this.m.delete(k); }
}

const session = new Session(new MemStorage());
afterEach(() => session.clear());

describe('usage()', () => {
  it('GET /me/usage, with the month when one is asked for, signed', async () => {
    const seen: { url: string; auth: string | undefined }[] = [];
    const report = { from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z', models: [], total: { answers: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 } };
    const f = async (url: string, init: RequestInit) => {
      seen.push({ url, auth: (init.headers as Record<string, string>).Authorization });
      return new Response(JSON.stringify(report), { status: 200, headers: { 'Content-Type': 'application/json' } });
    };
    const api = new ApiClient({ apiBase: 'http://api', streamBase: 'http://stream', session, fetch: f as unknown as typeof fetch });
    session.setTokens({ accessToken: 'A1', idToken: 'I1', refreshToken: 'R1', expiresIn: 3600, tokenType: 'Bearer' });
    expect(await api.usage()).toEqual(report);
    await api.usage({ from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z' });
    expect(seen).toEqual([
      { url: 'http://api/me/usage', auth: 'Bearer A1' },
      { url: 'http://api/me/usage?from=2026-11-01T00%3A00%3A00Z&to=2026-12-01T00%3A00%3A00Z', auth: 'Bearer A1' },
    ]);
  });
});
