import type { RefreshResponse, SignInResponse } from './types';

/**
 * Where the tokens live.
 *
 * The access and ID tokens are kept in memory only (a variable of this
 * object): they never touch storage, so nothing else on the origin reads them
 * after the tab is gone, and every request reads them from here.
 *
 * The refresh token (key REFRESH_KEY) is kept in one of two places, chosen at
 * sign-in by "Keep me signed in" (docs/decisions.md, "Keep me signed in"):
 *
 * - unticked (the default): sessionStorage. It survives a reload of the same
 *   tab — so reloading does not sign the user out — but is scoped to that one
 *   tab and is deleted when the tab closes;
 * - ticked: localStorage. It survives closing the browser, for the refresh
 *   token's lifetime (30 days), and is shared by the origin's tabs.
 *
 * Never in a cookie: the API is another site than the app, where a cookie
 * would be a third-party one (Safari blocks them). The risk that remains is
 * script injection on the origin, which the app closes off by never rendering
 * raw HTML (the Markdown renderer builds React elements). Sign-out calls POST
 * /auth/sign-out, which revokes every refresh token of the user (the kept
 * ones on other devices too), and clears both places here.
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
  /** Whether the refresh token is kept across browser restarts (localStorage). */
  private kept: boolean;
  private timer: unknown = null;
  private inflight: Promise<void> | null = null;
  private listeners = new Set<() => void>();
  refresher: Refresher | null = null;

  /**
   * storage holds the refresh token of a session that ends with the tab
   * (sessionStorage), persistent that of a kept one (localStorage).
   */
  constructor(
    private storage: StorageLike | null = safeStorage('sessionStorage'),
    private timers: Timers = realTimers,
    private persistent: StorageLike | null = safeStorage('localStorage'),
  ) {
    const kept = persistent?.getItem(REFRESH_KEY) ?? null;
    this.refreshToken = storage?.getItem(REFRESH_KEY) ?? kept;
    this.kept = this.refreshToken !== null && this.refreshToken === kept;
  }

  /** Whether this session is kept across browser restarts ("Keep me signed in"). */
  get keptSignedIn(): boolean {
    return this.kept;
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

  /**
   * Stores the tokens of a sign-in (or a refresh, or a password change) and
   * schedules their refresh. A new refresh token goes to localStorage when
   * keep is true, to sessionStorage when it is false, and where the session's
   * went so far when keep is not given (a password change keeps the choice).
   */
  setTokens(t: SignInResponse | RefreshResponse, opts: { keep?: boolean } = {}): void {
    this.accessToken = t.accessToken;
    this.idToken = t.idToken;
    this.expiresAt = this.timers.now() + t.expiresIn * 1000;
    if ('refreshToken' in t && t.refreshToken) {
      this.refreshToken = t.refreshToken;
      if (opts.keep !== undefined) this.kept = opts.keep;
      const [into, outOf] = this.kept ? [this.persistent, this.storage] : [this.storage, this.persistent];
      outOf?.removeItem(REFRESH_KEY);
      into?.setItem(REFRESH_KEY, t.refreshToken);
    }
    this.schedule(refreshDelayMs(t.expiresIn));
    this.emit();
  }

  clear(): void {
    this.accessToken = null;
    this.idToken = null;
    this.refreshToken = null;
    this.expiresAt = 0;
    this.kept = false;
    this.storage?.removeItem(REFRESH_KEY);
    this.persistent?.removeItem(REFRESH_KEY);
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

function safeStorage(which: 'sessionStorage' | 'localStorage'): StorageLike | null {
  try {
    const s = (globalThis as Record<string, unknown>)[which];
    return s ? (s as StorageLike) : null;
  } catch {
    return null; // storage disabled: the session lives in memory only
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
