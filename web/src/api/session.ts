import type { RefreshResponse, SignInResponse } from './types';

/**
 * Where the tokens live.
 *
 * The access and ID tokens are kept in memory only (a variable of this
 * object): they never touch storage, so nothing else on the origin reads them
 * after the tab is gone, and every request reads them from here.
 *
 * The refresh token is kept in sessionStorage (key REFRESH_KEY): it survives
 * a reload of the same tab — so reloading does not sign the user out — but
 * is scoped to that one tab and is deleted when the tab closes; it is never
 * in localStorage or a cookie. The risk that remains is script injection on
 * the origin, which the app closes off by never rendering raw HTML (the
 * Markdown renderer builds React elements). Sign-out calls POST
 * /auth/sign-out, which revokes it server-side, and clears it here.
 */
export const REFRESH_KEY = 'macro-ai.refreshToken';

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * When to refresh an access token that lives expiresIn seconds: a minute
 * before it expires, or at 80 % of a short lifetime; never sooner than 5 s.
 */
export function refreshDelayMs(expiresIn: number): number {
  const life = Math.max(0, expiresIn) * 1000;
  const margin = Math.min(60_000, life * 0.2);
  return Math.max(5_000, life - margin);
}

export type Refresher = (refreshToken: string) => Promise<RefreshResponse>;

/** Holds the tokens and keeps the access token fresh. */
export class Session {
  private accessToken: string | null = null;
  private idToken: string | null = null;
  private expiresAt = 0;
  private refreshToken: string | null;
  private timer: unknown = null;
  private inflight: Promise<void> | null = null;
  private listeners = new Set<() => void>();
  refresher: Refresher | null = null;

  constructor(private storage: StorageLike | null = safeSessionStorage(), private timers: Timers = realTimers) {
    this.refreshToken = storage?.getItem(REFRESH_KEY) ?? null;
  }

  /** True when there are tokens (or a refresh token that may still work). */
  get signedIn(): boolean {
    return this.accessToken !== null || this.refreshToken !== null;
  }

  get hasAccessToken(): boolean {
    return this.accessToken !== null;
  }

  get expiresAtMs(): number {
    return this.expiresAt;
  }

  /** The user's e-mail from the ID token's claims, if present. */
  get email(): string | undefined {
    const claims = decodeJwtPayload(this.idToken) ?? decodeJwtPayload(this.accessToken);
    const v = claims?.email ?? claims?.username;
    return typeof v === 'string' ? v : undefined;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Stores the tokens of a sign-in and schedules their refresh. */
  setTokens(t: SignInResponse | RefreshResponse): void {
    this.accessToken = t.accessToken;
    this.idToken = t.idToken;
    this.expiresAt = this.timers.now() + t.expiresIn * 1000;
    if ('refreshToken' in t && t.refreshToken) {
      this.refreshToken = t.refreshToken;
      this.storage?.setItem(REFRESH_KEY, t.refreshToken);
    }
    this.schedule(refreshDelayMs(t.expiresIn));
    this.emit();
  }

  clear(): void {
    this.accessToken = null;
    this.idToken = null;
    this.refreshToken = null;
    this.expiresAt = 0;
    this.storage?.removeItem(REFRESH_KEY);
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.emit();
  }

  /**
   * A valid access token: refreshes first when it has expired (or is about
   * to, within 10 s) or when there is only a refresh token (after reload).
   */
  async getAccessToken(): Promise<string | null> {
    if (this.accessToken && this.timers.now() < this.expiresAt - 10_000) return this.accessToken;
    if (!this.refreshToken) return this.accessToken;
    await this.refresh();
    return this.accessToken;
  }

  /** Refreshes once even when called many times at once. */
  refresh(): Promise<void> {
    if (this.inflight) return this.inflight;
    const rt = this.refreshToken;
    if (!rt || !this.refresher) return Promise.resolve();
    this.inflight = this.refresher(rt)
      .then((t) => this.setTokens(t))
      .catch((err: unknown) => {
        // A refused refresh token ends the session; a network blip does not.
        const status = (err as { status?: number }).status;
        if (status === 400 || status === 401 || status === 403) this.clear();
        else this.schedule(15_000);
        throw err;
      })
      .finally(() => {
        this.inflight = null;
      });
    return this.inflight;
  }

  private schedule(ms: number): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.refresh().catch(() => {});
    }, ms);
  }

  private emit(): void {
    for (const fn of this.listeners) fn();
  }
}

function safeSessionStorage(): StorageLike | null {
  try {
    return typeof sessionStorage !== 'undefined' ? sessionStorage : null;
  } catch {
    return null;
  }
}

export function decodeJwtPayload(token: string | null): Record<string, unknown> | null {
  if (!token) return null;
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const json = decodeURIComponent(
      atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4))
        .split('')
        .map((c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0'))
        .join(''),
    );
    return JSON.parse(json) as Record<string, unknown>;
  } catch {
    return null;
  }
}
