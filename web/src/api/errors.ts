import type { ErrorBody, FieldError } from './types';

/** An API failure in the contract's one error shape, plus the HTTP status. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: FieldError[];
  readonly requestId?: string;
  /** Seconds from Retry-After (429), when given. */
  readonly retryAfter?: number;

  constructor(init: { status: number; code: string; message: string; details?: FieldError[]; requestId?: string; retryAfter?: number }) {
    super(init.message);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? [];
    this.requestId = init.requestId;
    this.retryAfter = init.retryAfter;
  }

  /** The message of one field's error, if the server named that field. */
  fieldError(field: string): string | undefined {
    return this.details.find((d) => d.field === field)?.message;
  }
}

const statusCodes: Record<number, string> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  429: 'rate_limited',
  500: 'internal',
  502: 'upstream_error',
  503: 'unavailable',
  504: 'unavailable',
};

/** Parses Retry-After: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return parseInt(v, 10);
  const t = Date.parse(v);
  if (!Number.isNaN(t)) return Math.max(0, Math.ceil((t - now) / 1000));
  return undefined;
}

/**
 * Builds an ApiError from a failed response. Accepts the contract's shape,
 * API Gateway's own {"message": "..."} and anything else (HTML, empty).
 */
export function errorFromBody(status: number, bodyText: string, headers?: { get(name: string): string | null }): ApiError {
  const retryAfter = parseRetryAfter(headers?.get('Retry-After') ?? null);
  const headerRequestId = headers?.get('X-Request-Id') ?? headers?.get('Apigw-Requestid') ?? undefined;
  let parsed: unknown;
  try {
    parsed = bodyText ? JSON.parse(bodyText) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed && typeof parsed === 'object' && 'error' in parsed) {
    const e = (parsed as ErrorBody).error;
    if (e && typeof e === 'object' && typeof e.message === 'string') {
      return new ApiError({
        status,
        code: typeof e.code === 'string' ? e.code : statusCodes[status] ?? 'error',
        message: e.message,
        details: Array.isArray(e.details) ? e.details.filter((d) => d && typeof d.field === 'string') : [],
        requestId: e.requestId ?? headerRequestId,
        retryAfter,
      });
    }
  }
  const gwMessage = parsed && typeof parsed === 'object' && typeof (parsed as { message?: unknown }).message === 'string'
    ? (parsed as { message: string }).message
    : undefined;
  return new ApiError({
    status,
    code: statusCodes[status] ?? (status >= 500 ? 'internal' : 'error'),
    message: gwMessage ?? `Request failed (${status})`,
    requestId: headerRequestId,
    retryAfter,
  });
}

export async function errorFromResponse(res: Response): Promise<ApiError> {
  let text = '';
  try {
    text = await res.text();
  } catch {
    /* body unreadable: the status will do */
  }
  return errorFromBody(res.status, text, res.headers);
}

/** A sentence for people: what went wrong and what to do. */
export function humanMessage(err: unknown): string {
  if (err instanceof ApiError) {
    switch (err.code) {
      case 'rate_limited':
        return err.retryAfter != null
          ? `Too many requests. Please wait ${formatWait(err.retryAfter)} and try again.`
          : 'Too many requests. Please wait a moment and try again.';
      case 'turn_in_progress':
        return err.retryAfter != null
          ? `This message is still being answered. Try again in ${formatWait(err.retryAfter)}.`
          : 'This message is still being answered. Try again in a moment.';
      case 'invalid_credentials':
        return 'Wrong e-mail or password.';
      case 'user_not_confirmed':
        return 'Please confirm your e-mail address first — enter the code we sent you.';
      case 'user_exists':
        return 'An account with this e-mail already exists. Sign in instead.';
      case 'token_expired':
      case 'unauthorized':
        return err.status === 401 && err.message && err.message !== 'Unauthorized'
          ? err.message
          : 'Your session has ended. Please sign in again.';
      case 'not_found':
        return 'Not found — it may have been deleted.';
      case 'payload_too_large':
        return 'That is too long to send.';
      case 'upstream_error':
        return 'The AI service failed to answer. Please try again.';
      case 'unavailable':
      case 'database_unavailable':
        return 'The service is temporarily unavailable. Please try again shortly.';
      case 'internal':
        return 'Something went wrong on our side. Please try again.';
      case 'validation_failed':
      case 'invalid_json':
        if (err.details.length > 0) return 'Please check the highlighted fields.';
        return capitalize(err.message);
      default:
        return capitalize(err.message) || 'Something went wrong.';
    }
  }
  if (err instanceof DOMException && err.name === 'AbortError') return 'Stopped.';
  if (err instanceof TypeError) return 'Cannot reach the server. Check your connection and try again.';
  return 'Something went wrong. Please try again.';
}

export function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const m = Math.ceil(seconds / 60);
  return `${m} minute${m === 1 ? '' : 's'}`;
}

function capitalize(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}
