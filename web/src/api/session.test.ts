import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REFRESH_KEY, Session, refreshDelayMs } from './session';
import { ApiClient } from './client';
import { ApiError } from './errors';

class MemStorage {
  m = new Map<string, string>();
  getItem(k: string) { return this.m.get(k) ?? null; }
  setItem(k: string, v: string) { this.m.set(k, v); }
  removeItem(k: string) { this.m.delete(k); }
}

const signIn = { accessToken: 'A1', idToken: 'I1', refreshToken: 'R1', expiresIn: 3600, tokenType: 'Bearer' as const };

describe('token refresh scheduling', () => {
  beforeEach(() => vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') }));
  afterEach(() => vi.useRealTimers());

  it('refreshes a minute before expiry, or at 80% of a short lifetime', () => {
    expect(refreshDelayMs(3600)).toBe(3540_000);
    expect(refreshDelayMs(100)).toBe(80_000);
    expect(refreshDelayMs(2)).toBe(5_000);
  });

  it('refreshes automatically before the access token expires, and again after', async () => {
    const storage = new MemStorage();
    const s = new Session(storage);
    let n = 0;
    s.refresher = vi.fn(async (rt: string) => {
      expect(rt).toBe('R1');
      n++;
      return { accessToken: `A${n + 1}`, idToken: 'I', expiresIn: 3600, tokenType: 'Bearer' as const };
    });
    s.setTokens(signIn);
    expect(storage.getItem(REFRESH_KEY)).toBe('R1');
    expect(await s.getAccessToken()).toBe('A1');

    await vi.advanceTimersByTimeAsync(3539_000);
    expect(s.refresher).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(s.refresher).toHaveBeenCalledTimes(1);
    expect(await s.getAccessToken()).toBe('A2');
    await vi.advanceTimersByTimeAsync(3540_000);
    expect(s.refresher).toHaveBeenCalledTimes(2);
    expect(await s.getAccessToken()).toBe('A3');
    expect(storage.getItem(REFRESH_KEY)).toBe('R1'); // refresh answers carry no new refresh token
    s.clear();
  });

  it('shares one refresh among concurrent callers after a reload', async () => {
    const storage = new MemStorage();
    storage.setItem(REFRESH_KEY, 'R1');
    const s = new Session(storage);
    expect(s.signedIn).toBe(true);
    expect(s.hasAccessToken).toBe(false);
    s.refresher = vi.fn(async () => ({ accessToken: 'A9', idToken: 'I', expiresIn: 60, tokenType: 'Bearer' as const }));
    const got = await Promise.all([s.getAccessToken(), s.getAccessToken(), s.getAccessToken()]);
    expect(got).toEqual(['A9', 'A9', 'A9']);
    expect(s.refresher).toHaveBeenCalledTimes(1);
    s.clear();
  });

  it('a refused refresh ends the session; a network failure retries later', async () => {
    const storage = new MemStorage();
    const s = new Session(storage);
    s.refresher = vi.fn().mockRejectedValueOnce(new TypeError('Failed to fetch'))
      .mockRejectedValueOnce(new ApiError({ status: 401, code: 'unauthorized', message: 'revoked' }));
    s.setTokens({ ...signIn, expiresIn: 100 });
    await vi.advanceTimersByTimeAsync(80_000);
    expect(s.refresher).toHaveBeenCalledTimes(1);
    expect(s.signedIn).toBe(true);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(s.refresher).toHaveBeenCalledTimes(2);
    expect(s.signedIn).toBe(false);
    expect(storage.getItem(REFRESH_KEY)).toBeNull();
  });

  it('the client retries once with a refreshed token after a 401', async () => {
    const s = new Session(new MemStorage());
    const seen: string[] = [];
    const f = vi.fn(async (url: string, init: RequestInit) => {
      const auth = (init.headers as Record<string, string>).Authorization ?? '';
      seen.push(`${url} ${auth}`);
      if (url.endsWith('/auth/refresh')) {
        return new Response(JSON.stringify({ accessToken: 'A2', idToken: 'I2', expiresIn: 3600, tokenType: 'Bearer' }), { status: 200 });
      }
      if (auth === 'Bearer A1') return new Response('{"error":{"code":"token_expired","message":"expired"}}', { status: 401 });
      return new Response('{"id":"u","email":"a@b.c","createdAt":"2026-01-01T00:00:00Z"}', { status: 200 });
    });
    const api = new ApiClient({ apiBase: 'http://api', streamBase: '/stream', session: s, fetch: f as unknown as typeof fetch });
    s.setTokens(signIn);
    const me = await api.me();
    expect(me.email).toBe('a@b.c');
    expect(seen).toEqual(['http://api/me Bearer A1', 'http://api/auth/refresh ', 'http://api/me Bearer A2']);
    s.clear();
  });
});
