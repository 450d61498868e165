import { ApiError, errorFromResponse } from './errors';
import { Session } from './session';
import { readSSE } from './sse';
import type * as T from './types';

export interface ClientConfig {
  /** API base URL: '' means the app's own origin. */
  apiBase: string;
  /** Chat stream base URL (the Function URL on AWS, '/stream' in dev). */
  streamBase: string;
  session: Session;
  fetch?: typeof fetch;
  /** PUTs an import's file to its pre-signed URL; default XMLHttpRequest (upload progress) where there is one, else fetch. */
  upload?: Uploader;
}

/** Sends body to url with method and headers, reporting bytes sent; resolves with the HTTP status. */
export type Uploader = (req: { url: string; method: string; headers: Record<string, string>; body: Blob }, onProgress?: (sent: number, total: number) => void, signal?: AbortSignal) => Promise<{ status: number; body: string }>;

type Query = Record<string, string | number | undefined | null>;

function withQuery(path: string, q?: Query): string {
  if (!q) return path;
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `${path}?${s}` : path;
}

function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + path;
}

export interface StreamHandlers {
  onStart?(e: T.StartEvent): void;
  onDelta?(e: T.DeltaEvent): void;
  onDone?(e: T.DoneEvent): void;
}

/** The typed client for every route of the API. */
export class ApiClient {
  readonly session: Session;
  private cfg: ClientConfig;
  private f: typeof fetch;

  constructor(cfg: ClientConfig) {
    this.cfg = cfg;
    this.session = cfg.session;
    this.f = cfg.fetch ?? ((...a) => globalThis.fetch(...a));
    this.session.refresher = (refreshToken) => this.refresh({ refreshToken });
  }

  private async request<R>(method: string, path: string, opts: { body?: unknown; auth?: boolean; signal?: AbortSignal; base?: string } = {}): Promise<R> {
    const url = joinUrl(opts.base ?? this.cfg.apiBase, path);
    const send = async (): Promise<Response> => {
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
      if (opts.auth) {
        const token = await this.session.getAccessToken();
        if (token) headers.Authorization = `Bearer ${token}`;
      }
      return this.f(url, {
        method,
        headers,
        body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
        signal: opts.signal,
      });
    };
    let res = await send();
    if (res.status === 401 && opts.auth && this.session.signedIn) {
      // The token may have expired between the check and the call: refresh once.
      try {
        await this.session.refresh();
      } catch {
        /* fall through to the original 401 */
      }
      if (this.session.hasAccessToken) res = await send();
    }
    if (!res.ok) throw await errorFromResponse(res);
    if (res.status === 204) return undefined as R;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as R;
  }

  // ---- auth ----
  signUp(b: T.SignUpRequest) { return this.request<T.SignUpResponse>('POST', '/auth/sign-up', { body: b }); }
  confirm(b: T.ConfirmRequest) { return this.request<void>('POST', '/auth/confirm', { body: b }); }
  resendCode(b: T.ResendCodeRequest) { return this.request<void>('POST', '/auth/resend-code', { body: b }); }
  /**
   * keep: "Keep me signed in" — the refresh token outlives the tab (see session.ts).
   * With two-step sign-in on, the answer is an mfa_required challenge and no
   * tokens: finish it with answerMfaChallenge.
   */
  async signIn(b: T.SignInRequest, opts: { keep?: boolean } = {}): Promise<T.SignInResponse | T.MfaChallenge> {
    const r = await this.request<T.SignInResponse | T.MfaChallenge>('POST', '/auth/sign-in', { body: b });
    if (isMfaChallenge(r)) return r;
    this.session.setTokens(r, { keep: opts.keep ?? false });
    return r;
  }
  /** The second step of a two-step sign-in: the app's code for the challenge's session. */
  async answerMfaChallenge(b: T.MfaChallengeRequest, opts: { keep?: boolean } = {}): Promise<T.SignInResponse> {
    const r = await this.request<T.SignInResponse>('POST', '/auth/mfa/challenge', { body: b });
    this.session.setTokens(r, { keep: opts.keep ?? false });
    return r;
  }
  /** Starts enrolling an authenticator app: its secret and otpauth:// URI (for the QR code). */
  setUpMfa() { return this.request<T.MfaSetup>('POST', '/auth/mfa/setup', { auth: true }); }
  /** A code of the app being enrolled turns two-step sign-in on. */
  verifyMfa(b: T.MfaCodeRequest) { return this.request<T.MfaStatus>('POST', '/auth/mfa/verify', { body: b, auth: true }); }
  /** Two-step sign-in off, with the password and a current code. */
  disableMfa(b: T.MfaDisableRequest) { return this.request<T.MfaStatus>('POST', '/auth/mfa/disable', { body: b, auth: true }); }
  refresh(b: T.RefreshRequest) { return this.request<T.RefreshResponse>('POST', '/auth/refresh', { body: b }); }
  forgotPassword(b: T.ForgotPasswordRequest) { return this.request<void>('POST', '/auth/forgot-password', { body: b }); }
  resetPassword(b: T.ResetPasswordRequest) { return this.request<void>('POST', '/auth/reset-password', { body: b }); }
  async signOut(): Promise<void> {
    try {
      if (this.session.signedIn) await this.request<void>('POST', '/auth/sign-out', { auth: true });
    } finally {
      this.session.clear();
    }
  }
  me() { return this.request<T.Me>('GET', '/me', { auth: true }); }
  updateMe(b: T.UpdateMeRequest) { return this.request<T.Me>('PATCH', '/me', { body: b, auth: true }); }
  /**
   * Changes the password. The server signs out every session and answers
   * this one's new tokens, which replace the old (kept or not, as before).
   */
  async changePassword(b: T.ChangePasswordRequest): Promise<{ signInAgain: boolean }> {
    const r = await this.request<T.SignInResponse | T.MfaChallenge>('POST', '/me/password', { body: b, auth: true });
    if (isMfaChallenge(r)) {
      // Two-step sign-in is on: this session was signed out with the others,
      // and signs in again with the new password and a code.
      this.session.clear();
      return { signInAgain: true };
    }
    this.session.setTokens(r);
    return { signInAgain: false };
  }
  /** Deletes the account and all its data; the session ends here too. */
  async deleteAccount(b: T.DeleteAccountRequest): Promise<void> {
    await this.request<void>('POST', '/me/delete', { body: b, auth: true });
    this.session.clear();
  }
  /**
   * Imports a file (this app's JSON export or ChatGPT's conversations.json,
   * up to 60 MB): POST /imports for a pending import and a pre-signed URL,
   * then the file PUT straight to storage (onProgress: bytes sent of the
   * total). The import then runs by itself: follow it with importStatus(id).
   */
  async startImport(file: Blob, onProgress?: (sent: number, total: number) => void, signal?: AbortSignal): Promise<T.Import> {
    const started = await this.request<T.ImportStarted>('POST', '/imports', { body: { size: file.size }, auth: true, signal });
    const { url, method, headers } = started.upload;
    const put = this.cfg.upload ?? defaultUploader(this.f);
    const res = await put({ url, method, headers, body: file }, onProgress, signal);
    if (res.status < 200 || res.status >= 300) {
      // Storage answers in S3's XML, not the API's shape.
      const code = /<Code>([^<]*)<\/Code>/.exec(res.body)?.[1];
      throw new ApiError({ status: res.status, code: 'upload_failed', message: `The file could not be uploaded${code ? ` (${code})` : ''}.` });
    }
    return started.import;
  }
  /** GET /imports/{id}: pending, running (with counts so far), done, or failed with the reason. */
  importStatus(id: string, signal?: AbortSignal) {
    return this.request<T.Import>('GET', `/imports/${encodeURIComponent(id)}`, { auth: true, signal });
  }
  /** GET /me/export: the whole account as a JSON file at a download URL (valid until expiresAt). */
  exportAccount(signal?: AbortSignal) { return this.request<T.AccountExportLink>('GET', '/me/export', { auth: true, signal }); }
  models() { return this.request<T.ModelList>('GET', '/models', { auth: true }); }
  /** Tokens and estimated cost per model; no query is this month (UTC) so far. */
  usage(q: T.UsageQuery = {}, signal?: AbortSignal) {
    return this.request<T.UsageReport>('GET', withQuery('/me/usage', { ...q }), { auth: true, signal });
  }

  // ---- conversations ----
  createConversation(b: T.CreateConversationRequest = {}) {
    return this.request<T.Conversation>('POST', '/conversations', { body: b, auth: true });
  }
  listConversations(q: T.ListConversationsQuery = {}, signal?: AbortSignal) {
    return this.request<T.ConversationPage>('GET', withQuery('/conversations', { ...q }), { auth: true, signal });
  }
  getConversation(id: string) { return this.request<T.Conversation>('GET', `/conversations/${encodeURIComponent(id)}`, { auth: true }); }
  updateConversation(id: string, b: T.UpdateConversationRequest) {
    return this.request<T.Conversation>('PATCH', `/conversations/${encodeURIComponent(id)}`, { body: b, auth: true });
  }
  deleteConversation(id: string) { return this.request<void>('DELETE', `/conversations/${encodeURIComponent(id)}`, { auth: true }); }
  listMessages(id: string, q: T.ListMessagesQuery = {}, signal?: AbortSignal) {
    return this.request<T.MessagePage>('GET', withQuery(`/conversations/${encodeURIComponent(id)}/messages`, { ...q }), { auth: true, signal });
  }
  /** Shows (and continues) the branch through messageId: the conversation's leaf becomes its newest end. */
  switchBranch(id: string, b: T.SwitchBranchRequest) {
    return this.request<T.SwitchBranchResponse>('PUT', `/conversations/${encodeURIComponent(id)}/leaf`, { body: b, auth: true });
  }
  /**
   * A conversation as a file to save (GET /conversations/{id}/export): its
   * bytes and its name — the API's (Content-Disposition), when the browser
   * lets the app read it (the API is another origin and does not expose it),
   * else one made from title the way the API makes it.
   */
  async exportConversation(id: string, format: T.ExportFormat = 'markdown', title = ''): Promise<{ blob: Blob; filename: string }> {
    const url = joinUrl(this.cfg.apiBase, withQuery(`/conversations/${encodeURIComponent(id)}/export`, { format }));
    const send = async () => {
      const token = await this.session.getAccessToken();
      return this.f(url, {
        method: 'GET',
        headers: { Accept: format === 'json' ? 'application/json' : 'text/markdown', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      });
    };
    let res = await send();
    if (res.status === 401 && this.session.signedIn) {
      try { await this.session.refresh(); } catch { /* keep the 401 */ }
      if (this.session.hasAccessToken) res = await send();
    }
    if (!res.ok) throw await errorFromResponse(res);
    const given = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1];
    return { blob: await res.blob(), filename: given ?? exportFilename(title, format) };
  }

  // ---- embeddings and search ----
  embeddings(b: T.EmbeddingsRequest) { return this.request<T.EmbeddingsResponse>('POST', '/embeddings', { body: b, auth: true }); }
  search(q: T.SearchQuery, signal?: AbortSignal) {
    return this.request<T.SearchResponse>('GET', withQuery('/search', { ...q }), { auth: true, signal });
  }
  health() { return this.request<T.HealthResponse>('GET', '/health'); }

  /**
   * One chat turn, streamed from the stream base. Resolves with the done
   * event; rejects with ApiError for failures before the stream (the normal
   * error shape) and for an `error` event, and with an AbortError when the
   * signal aborts.
   */
  sendMessage(conversationId: string, body: T.SendMessageRequest, h: StreamHandlers = {}, signal?: AbortSignal): Promise<T.DoneEvent> {
    return this.stream(`/conversations/${encodeURIComponent(conversationId)}/messages`, body, h, signal);
  }

  /**
   * A new answer in place of the answer messageId (a sibling of it; both are
   * kept, the new one ends the branch shown), streamed from the stream base
   * with the same events and failures as sendMessage. No body.
   */
  regenerateAnswer(conversationId: string, messageId: string, h: StreamHandlers = {}, signal?: AbortSignal): Promise<T.DoneEvent> {
    return this.stream(
      `/conversations/${encodeURIComponent(conversationId)}/messages/${encodeURIComponent(messageId)}/regenerate`, undefined, h, signal,
    );
  }

  /** POSTs to the stream base and reads the answer's server-sent events. */
  private async stream(path: string, body: unknown, h: StreamHandlers, signal?: AbortSignal): Promise<T.DoneEvent> {
    const url = joinUrl(this.cfg.streamBase, path);
    const send = async () => {
      const token = await this.session.getAccessToken();
      return this.f(url, {
        method: 'POST',
        headers: {
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          Accept: 'text/event-stream',
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal,
      });
    };
    let res = await send();
    if (res.status === 401 && this.session.signedIn) {
      try { await this.session.refresh(); } catch { /* keep the 401 */ }
      if (this.session.hasAccessToken) res = await send();
    }
    if (!res.ok) throw await errorFromResponse(res);
    if (!res.body) throw new ApiError({ status: 502, code: 'upstream_error', message: 'The answer stream was empty.' });
    let done: T.DoneEvent | undefined;
    for await (const m of readSSE(res.body, signal)) {
      let data: unknown;
      try {
        data = m.data ? JSON.parse(m.data) : {};
      } catch {
        continue; // not ours
      }
      switch (m.event) {
        case 'start': h.onStart?.(data as T.StartEvent); break;
        case 'delta': h.onDelta?.(data as T.DeltaEvent); break;
        case 'done': done = data as T.DoneEvent; h.onDone?.(done); break;
        case 'error': {
          const e = (data as T.StreamErrorEvent).error ?? { code: 'upstream_error', message: 'The answer failed.' };
          throw new ApiError({ status: 502, code: e.code || 'upstream_error', message: e.message || 'The answer failed.' });
        }
      }
    }
    if (!done) throw new ApiError({ status: 502, code: 'upstream_error', message: 'The answer stopped before it was complete.' });
    return done;
  }
}

/**
 * The file name of a conversation's export, as the API makes it: ASCII
 * letters, digits, '_' and '.', any other run as one '-', at most 80
 * characters, no leading or trailing '-' or '.'; "conversation" when nothing
 * is left.
 */
export function exportFilename(title: string, format: T.ExportFormat): string {
  let name = title.replace(/[^A-Za-z0-9_.]+/g, '-').slice(0, 80).replace(/^[-.]+|[-.]+$/g, '');
  if (!name) name = 'conversation';
  return `${name}.${format === 'json' ? 'json' : 'md'}`;
}

/** XMLHttpRequest, for its upload progress, where there is one (browsers); else fetch, which reports none. */
function defaultUploader(f: typeof fetch): Uploader {
  return (req, onProgress, signal) => {
    if (typeof XMLHttpRequest === 'undefined') {
      return f(req.url, { method: req.method, headers: req.headers, body: req.body, signal }).then(async (res) => {
        onProgress?.(req.body.size, req.body.size);
        return { status: res.status, body: await res.text() };
      });
    }
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(req.method, req.url);
      for (const [k, v] of Object.entries(req.headers)) xhr.setRequestHeader(k, v);
      xhr.upload.onprogress = (e) => onProgress?.(e.loaded, e.total || req.body.size);
      xhr.onload = () => resolve({ status: xhr.status, body: xhr.responseText });
      xhr.onerror = () => reject(new ApiError({ status: 0, code: 'upload_failed', message: 'The file could not be uploaded (network error).' }));
      xhr.onabort = () => reject(new DOMException('The upload was aborted.', 'AbortError'));
      signal?.addEventListener('abort', () => xhr.abort(), { once: true });
      xhr.send(req.body);
    });
  };
}

/** Tells a sign-in's mfa_required challenge from its tokens. */
export function isMfaChallenge(r: T.SignInResponse | T.MfaChallenge): r is T.MfaChallenge {
  return (r as T.MfaChallenge).challenge === 'mfa_required';
}

export function newClientMessageId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  const b = new Uint8Array(16);
  c.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
