import type { ErrorBody, FieldError, GatewayMessage } from './types';

/** An API failure: the contract's Error (or API Gateway's own answer), plus the HTTP status. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: FieldError[];
  readonly requestId?: string;
  /** Seconds from Retry-After (429), when given. */
  readonly retryAfter?: number;
  /** API Gateway answered itself ({"message": "..."}); the code comes from the status. */
  readonly fromGateway: boolean;

  constructor(init: { status: number; code: string; message: string; details?: FieldError[]; requestId?: string; retryAfter?: number; fromGateway?: boolean }) {
    super(init.message);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? [];
    this.requestId = init.requestId;
    this.retryAfter = init.retryAfter;
    this.fromGateway = init.fromGateway ?? false;
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

/** The contract's shape, `{"error": {code, message, details?, requestId}}`: what every function answers. */
function contractError(v: unknown): ErrorBody['error'] | undefined {
  if (!v || typeof v !== 'object' || !('error' in v)) return undefined;
  const e = (v as { error: unknown }).error;
  return e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string' ? (e as ErrorBody['error']) : undefined;
}

/**
 * API Gateway's own answer, `{"message": "..."}` (openapi.yaml's GatewayMessage):
 * its JWT authorizer's "Unauthorized", "Forbidden", "Not Found" for no such
 * route, its throttling's "Too Many Requests", "Internal Server Error" when a
 * function crashed. It has no code: the status gives one.
 */
function gatewayMessage(v: unknown): GatewayMessage | undefined {
  return v && typeof v === 'object' && !('error' in v) && typeof (v as { message?: unknown }).message === 'string'
    ? (v as GatewayMessage)
    : undefined;
}

/**
 * Builds an ApiError from a failed response. Accepts both shapes a client
 * meets: the contract's Error and API Gateway's {"message": "..."}; anything
 * else (HTML from a proxy, an empty body) falls back to the status.
 */
export function errorFromBody(status: number, bodyText: string, headers?: { get(name: string): string | null }): ApiError {
  const retryAfter = parseRetryAfter(headers?.get('Retry-After') ?? null);
  const headerRequestId = headers?.get('X-Request-Id') ?? headers?.get('Apigw-Requestid') ?? undefined;
  const statusCode = statusCodes[status] ?? (status >= 500 ? 'internal' : 'error');
  let parsed: unknown;
  try {
    parsed = bodyText ? JSON.parse(bodyText) : undefined;
  } catch {
    parsed = undefined;
  }
  const e = contractError(parsed);
  if (e) {
    return new ApiError({
      status,
      code: typeof e.code === 'string' ? e.code : statusCode,
      message: e.message,
      details: Array.isArray(e.details) ? e.details.filter((d) => d && typeof d.field === 'string') : [],
      requestId: e.requestId ?? headerRequestId,
      retryAfter,
    });
  }
  const gw = gatewayMessage(parsed);
  return new ApiError({
    status,
    code: statusCode,
    message: gw?.message ?? `Request failed (${status})`,
    requestId: headerRequestId,
    retryAfter,
    fromGateway: !!gw,
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
      case 'quota_exceeded':
        // The server's message names the quota and when it resets.
        return `${err.message.charAt(0).toUpperCase()}${err.message.slice(1)}`;
      case 'sign_up_closed':
        return 'Sign-up on this deployment is by invitation. Ask its owner for access.';
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
      case 'forbidden':
        return 'You are not allowed to do that. Try signing in again.';
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
