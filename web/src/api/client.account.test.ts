import { describe, expect, it, vi } from 'vitest';
import { ApiClient } from './client';
import { ApiError } from './errors';
import { REFRESH_KEY, Session } from './session';

class MemStorage {
  m = new Map<string, string>();
  getItem(k: string) { return this.m.get(k) ?? null; }
  setItem(k: string, v: string) { this.m.set(k, v); }
  removeItem(k: string) { this.m.delete(k); }
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const tokens = (n: number) => ({ accessToken: `A${n}`, idToken: `I${n}`, refreshToken: `R${n}`, expiresIn: 3600, tokenType: 'Bearer' as const });

/** A client over a tab's sessionStorage and the origin's localStorage; every call answered by respond. */
function setup(respond: (url: string, init: RequestInit) => Response, tab = new MemStorage(), origin = new MemStorage()) {
  const session = new Session(tab, undefined, origin);
  const calls: { call: string; auth?: string; body?: unknown }[] = [];
  const f = vi.fn(async (url: string, init: RequestInit) => {
    const headers = init.headers as Record<string, string>;
    calls.push({ call: `${init.method} ${url}`, auth: headers.Authorization, body: init.body ? JSON.parse(init.body as string) : undefined });
    return respond(url, init);
  });
  const api = new ApiClient({ apiBase: 'http://api', streamBase: 'http://stream', session, fetch: f as unknown as typeof fetch });
  return { api, session, calls, tab, origin };
}

describe('keep me signed in', () => {
  it('ticked: the refresh token goes to localStorage, and a new tab (a restarted browser) finds it', async () => {
    const { api, session, tab, origin } = setup(() => json(200, tokens(1)));
    await api.signIn({ email: 'me@example.com', password: 'pw' }, { keep: true });
    expect(origin.getItem(REFRESH_KEY)).toBe('R1');
    expect(tab.getItem(REFRESH_KEY)).toBeNull();
    expect(session.keptSignedIn).toBe(true);

    const restarted = new Session(new MemStorage(), undefined, origin); // a new tab: empty sessionStorage
    expect(restarted.signedIn).toBe(true);
    expect(restarted.hasAccessToken).toBe(false); // the app trades the refresh token for tokens first
    expect(restarted.keptSignedIn).toBe(true);
    session.clear();
    restarted.clear();
  });

  it("unticked: today's behaviour, sessionStorage only; a kept token from before is removed", async () => {
    const origin = new MemStorage();
    origin.setItem(REFRESH_KEY, 'R0'); // kept by an earlier sign-in
    const { api, session, tab } = setup(() => json(200, tokens(1)), new MemStorage(), origin);
    expect(session.keptSignedIn).toBe(true);
    await api.signIn({ email: 'me@example.com', password: 'pw' });
    expect(tab.getItem(REFRESH_KEY)).toBe('R1');
    expect(origin.getItem(REFRESH_KEY)).toBeNull();
    expect(session.keptSignedIn).toBe(false);
    expect(new Session(new MemStorage(), undefined, origin).signedIn).toBe(false); // a new tab is signed out
    session.clear();
  });

  it('signing out clears both places, and a refresh refused after sign-out everywhere ends a kept session', async () => {
    let refusing = false;
    const { api, session, origin, tab, calls } = setup((url) => {
      if (url.endsWith('/auth/sign-in')) return json(200, tokens(1));
      if (url.endsWith('/auth/refresh') && refusing) {
        return json(401, { error: { code: 'invalid_credentials', message: 'the session is no longer valid', requestId: 'r' } });
      }
      return new Response(null, { status: 204 });
    });
    await api.signIn({ email: 'me@example.com', password: 'pw' }, { keep: true });
    // Another device signed out everywhere: the kept refresh token is revoked.
    refusing = true;
    const kept = new Session(new MemStorage(), undefined, origin);
    const other = new ApiClient({
      apiBase: 'http://api', streamBase: 'http://stream', session: kept,
      fetch: (async () => json(401, { error: { code: 'invalid_credentials', message: 'no', requestId: 'r' } })) as unknown as typeof fetch,
    });
    await expect(other.me()).rejects.toBeInstanceOf(ApiError);
    expect(kept.signedIn).toBe(false);
    expect(origin.getItem(REFRESH_KEY)).toBeNull();

    await api.signIn({ email: 'me@example.com', password: 'pw' }, { keep: true });
    refusing = false;
    await api.signOut();
    expect(calls.at(-1)).toEqual({ call: 'POST http://api/auth/sign-out', auth: 'Bearer A1', body: undefined });
    expect(origin.getItem(REFRESH_KEY)).toBeNull();
    expect(tab.getItem(REFRESH_KEY)).toBeNull();
    expect(session.signedIn).toBe(false);
  });
});

describe('changePassword()', () => {
  it('POST /me/password, signed; the answered tokens replace the old ones where they were kept', async () => {
    const { api, session, calls, origin, tab } = setup((url) => json(200, url.endsWith('/me/password') ? tokens(2) : tokens(1)));
    await api.signIn({ email: 'me@example.com', password: 'Old-Pass-1' }, { keep: true });
    await api.changePassword({ currentPassword: 'Old-Pass-1', newPassword: 'New-Pass-2' });
    expect(calls.at(-1)).toEqual({
      call: 'POST http://api/me/password', auth: 'Bearer A1', body: { currentPassword: 'Old-Pass-1', newPassword: 'New-Pass-2' },
    });
    expect(await session.getAccessToken()).toBe('A2');
    expect(origin.getItem(REFRESH_KEY)).toBe('R2');
    expect(tab.getItem(REFRESH_KEY)).toBeNull();
    session.clear();
  });

  it('a wrong current password is a field error, and the session stays', async () => {
    const { api, session } = setup((url) => url.endsWith('/me/password')
      ? json(400, { error: { code: 'validation_failed', message: 'currentPassword: the password is wrong', details: [{ field: 'currentPassword', message: 'the password is wrong' }], requestId: 'r' } })
      : json(200, tokens(1)));
    await api.signIn({ email: 'me@example.com', password: 'pw' });
    const err = await api.changePassword({ currentPassword: 'Wrong-1', newPassword: 'New-Pass-2' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).details).toEqual([{ field: 'currentPassword', message: 'the password is wrong' }]);
    expect(await session.getAccessToken()).toBe('A1');
    session.clear();
  });
});

describe('deleteAccount()', () => {
  it('POST /me/delete with the password, signed; then the session is gone from memory and storage', async () => {
    const { api, session, calls, origin } = setup((url) => url.endsWith('/me/delete') ? new Response(null, { status: 204 }) : json(200, tokens(1)));
    await api.signIn({ email: 'me@example.com', password: 'pw' }, { keep: true });
    await api.deleteAccount({ password: 'pw' });
    expect(calls.at(-1)).toEqual({ call: 'POST http://api/me/delete', auth: 'Bearer A1', body: { password: 'pw' } });
    expect(session.signedIn).toBe(false);
    expect(origin.getItem(REFRESH_KEY)).toBeNull();
    expect(calls.some((c) => c.call.endsWith('/auth/sign-out'))).toBe(false);
  });

  it('a wrong password deletes nothing and keeps the session', async () => {
    const { api, session } = setup((url) => url.endsWith('/me/delete')
      ? json(400, { error: { code: 'validation_failed', message: 'password: the password is wrong', details: [{ field: 'password', message: 'the password is wrong' }], requestId: 'r' } })
      : json(200, tokens(1)));
    await api.signIn({ email: 'me@example.com', password: 'pw' });
    await expect(api.deleteAccount({ password: 'nope' })).rejects.toMatchObject({ status: 400, code: 'validation_failed' });
    expect(session.signedIn).toBe(true);
    session.clear();
  });
});
