import { describe, expect, it, vi } from 'vitest';
import { ApiClient, isMfaChallenge } from './client';
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
const challenge = { challenge: 'mfa_required' as const, session: 'S'.repeat(40) };
const wrongCode = json(401, { error: { code: 'invalid_credentials', message: 'the e-mail or password is wrong, or the session is no longer valid', requestId: 'r' } });

function setup(respond: (url: string, init: RequestInit) => Response) {
  const origin = new MemStorage();
  const tab = new MemStorage();
  const session = new Session(tab, undefined, origin);
  const calls: { call: string; auth?: string; body?: unknown }[] = [];
  const f = vi.fn(async (url: string, init: RequestInit) => {
    const headers = init.headers as Record<string, string>;
    calls.push({ call: `${init.method} ${url}`, auth: headers.Authorization, body: init.body ? JSON.parse(init.body as string) : undefined });
    return respond(url, init);
  });
  const api = new ApiClient({ apiBase: 'http://api', streamBase: 'http://stream', session, fetch: f as unknown as typeof fetch });
  return { api, session, calls, origin, tab };
}

describe('two-step sign-in', () => {
  it('sign-in answers the challenge and sets no tokens; the code finishes it and keeps the session as asked', async () => {
    const { api, session, calls, origin } = setup((url) => url.endsWith('/auth/sign-in') ? json(200, challenge) : json(200, tokens(1)));
    const r = await api.signIn({ email: 'me@example.com', password: 'pw' }, { keep: true });
    expect(isMfaChallenge(r)).toBe(true);
    expect(session.signedIn).toBe(false);
    await api.answerMfaChallenge({ email: 'me@example.com', session: challenge.session, code: '123456' }, { keep: true });
    expect(calls.at(-1)).toEqual({
      call: 'POST http://api/auth/mfa/challenge', auth: undefined, body: { email: 'me@example.com', session: challenge.session, code: '123456' },
    });
    expect(await session.getAccessToken()).toBe('A1');
    expect(origin.getItem(REFRESH_KEY)).toBe('R1');
    session.clear();
  });

  it('a wrong code is the 401 of a wrong password, and nothing is signed in', async () => {
    const { api, session } = setup((url) => url.endsWith('/auth/mfa/challenge') ? wrongCode : json(200, challenge));
    const err = await api.answerMfaChallenge({ email: 'me@example.com', session: challenge.session, code: '000000' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
    expect((err as ApiError).code).toBe('invalid_credentials');
    expect(session.signedIn).toBe(false);
  });

  it('a sign-in without two-step sign-in is tokens, as before', async () => {
    const { api, session } = setup(() => json(200, tokens(3)));
    const r = await api.signIn({ email: 'me@example.com', password: 'pw' });
    expect(isMfaChallenge(r)).toBe(false);
    expect(await session.getAccessToken()).toBe('A3');
    session.clear();
  });
});

describe('enrolling and turning off', () => {
  it('setup, verify and disable are signed POSTs with their bodies', async () => {
    const setupAnswer = { secret: 'JBSWY3DPEHPK3PXP', otpauthUri: 'otpauth://totp/Macro%20AI:me@example.com?secret=JBSWY3DPEHPK3PXP' };
    const { api, session, calls } = setup((url) => {
      if (url.endsWith('/auth/mfa/setup')) return json(200, setupAnswer);
      if (url.endsWith('/auth/mfa/verify')) return json(200, { mfaEnabled: true });
      if (url.endsWith('/auth/mfa/disable')) return json(200, { mfaEnabled: false });
      return json(200, tokens(1));
    });
    await api.signIn({ email: 'me@example.com', password: 'pw' });
    expect(await api.setUpMfa()).toEqual(setupAnswer);
    expect(calls.at(-1)).toEqual({ call: 'POST http://api/auth/mfa/setup', auth: 'Bearer A1', body: undefined });
    expect(await api.verifyMfa({ code: '123456' })).toEqual({ mfaEnabled: true });
    expect(calls.at(-1)).toEqual({ call: 'POST http://api/auth/mfa/verify', auth: 'Bearer A1', body: { code: '123456' } });
    expect(await api.disableMfa({ password: 'pw', code: '654321' })).toEqual({ mfaEnabled: false });
    expect(calls.at(-1)).toEqual({ call: 'POST http://api/auth/mfa/disable', auth: 'Bearer A1', body: { password: 'pw', code: '654321' } });
    expect(session.signedIn).toBe(true);
    session.clear();
  });

  it('a wrong code when enrolling is a field error on code, and the session stays', async () => {
    const { api, session } = setup((url) => url.endsWith('/auth/mfa/verify')
      ? json(400, { error: { code: 'validation_failed', message: 'code: the code is wrong', details: [{ field: 'code', message: 'the code is wrong' }], requestId: 'r' } })
      : json(200, tokens(1)));
    await api.signIn({ email: 'me@example.com', password: 'pw' });
    await expect(api.verifyMfa({ code: '000000' })).rejects.toMatchObject({ status: 400, details: [{ field: 'code', message: 'the code is wrong' }] });
    expect(session.signedIn).toBe(true);
    session.clear();
  });

  it('changing the password with two-step sign-in on ends this session too: sign in again', async () => {
    const { api, session } = setup((url) => url.endsWith('/me/password') ? json(200, challenge) : json(200, tokens(1)));
    await api.signIn({ email: 'me@example.com', password: 'Old-Pass-1' });
    expect(await api.changePassword({ currentPassword: 'Old-Pass-1', newPassword: 'New-Pass-2' })).toEqual({ signInAgain: true });
    expect(session.signedIn).toBe(false);
  });
});
