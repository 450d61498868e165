import { describe, expect, it } from 'vitest';
import { ApiError, errorFromBody, errorFromResponse, humanMessage, parseRetryAfter } from './errors';

const h = (o: Record<string, string>) => ({ get: (k: string) => o[k] ?? o[k.toLowerCase()] ?? null });

describe('error parsing', () => {
  it('reads the contract shape with field details', () => {
    const e = errorFromBody(
      400,
      JSON.stringify({
        error: {
          code: 'validation_failed',
          message: 'email: must be a valid email address',
          details: [{ field: 'email', message: 'must be a valid email address' }],
          requestId: 'req-1',
        },
      }),
    );
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(400);
    expect(e.code).toBe('validation_failed');
    expect(e.fieldError('email')).toBe('must be a valid email address');
    expect(e.fieldError('password')).toBeUndefined();
    expect(e.requestId).toBe('req-1');
    expect(humanMessage(e)).toBe('Please check the highlighted fields.');
  });

  it('turns 429 into a wait time from Retry-After', async () => {
    const res = new Response(JSON.stringify({ error: { code: 'rate_limited', message: 'too many requests' } }), {
      status: 429,
      headers: { 'Retry-After': '42', 'X-Request-Id': 'r2' },
    });
    const e = await errorFromResponse(res);
    expect(e.code).toBe('rate_limited');
    expect(e.retryAfter).toBe(42);
    expect(e.requestId).toBe('r2');
    expect(humanMessage(e)).toBe('Too many requests. Please wait 42 seconds and try again.');
    expect(humanMessage(errorFromBody(429, '', h({ 'Retry-After': '90' })))).toContain('2 minutes');
  });

  it('reads the contract shape whatever the status, and never mistakes it for a gateway answer', () => {
    const cases: [number, string, string, string][] = [
      [401, 'token_expired', 'the access token has expired; refresh it', 'the access token has expired; refresh it'],
      [403, 'user_not_confirmed', 'not confirmed', 'Please confirm your e-mail address first — enter the code we sent you.'],
      [404, 'not_found', 'conversation not found', 'Not found — it may have been deleted.'],
      [429, 'quota_exceeded', 'the daily quota of chat turns (500) is used up', 'The daily quota of chat turns (500) is used up'],
      [500, 'internal', 'internal error', 'Something went wrong on our side. Please try again.'],
      [503, 'database_unavailable', 'database unavailable', 'The service is temporarily unavailable. Please try again shortly.'],
    ];
    for (const [status, code, message, human] of cases) {
      // A contract error carries a "message" too, inside "error": it is not API Gateway's shape.
      const body = JSON.stringify({ error: { code, message, requestId: 'req-9' } });
      const e = errorFromBody(status, body, h({ 'Apigw-Requestid': 'gw-1' }));
      expect(e.code, `${status}`).toBe(code);
      expect(e.fromGateway).toBe(false);
      expect(e.requestId).toBe('req-9');
      expect(e.message).toBe(message);
      expect(humanMessage(e)).toBe(human);
    }
  });

  it("reads API Gateway's own answers ({\"message\": ...}) by their status", () => {
    const cases: [number, string, string, RegExp][] = [
      [401, 'Unauthorized', 'unauthorized', /^Your session has ended/],
      [403, 'Forbidden', 'forbidden', /^You are not allowed/],
      [404, 'Not Found', 'not_found', /^Not found/],
      [413, 'Request Entity Too Large', 'payload_too_large', /too long/],
      [429, 'Too Many Requests', 'rate_limited', /^Too many requests. Please wait a moment/],
      [500, 'Internal Server Error', 'internal', /on our side/],
      [503, 'Service Unavailable', 'unavailable', /temporarily unavailable/],
    ];
    for (const [status, message, code, human] of cases) {
      const e = errorFromBody(status, JSON.stringify({ message }), h({ 'Apigw-Requestid': 'gw-1' }));
      expect(e.code, message).toBe(code);
      expect(e.message).toBe(message);
      expect(e.fromGateway).toBe(true);
      expect(e.details).toEqual([]);
      expect(e.requestId).toBe('gw-1'); // only the header has it
      expect(humanMessage(e), message).toMatch(human);
    }
    // Throttled by the gateway with a Retry-After all the same: the wait is used.
    expect(humanMessage(errorFromBody(429, '{"message":"Too Many Requests"}', h({ 'Retry-After': '5' })))).toBe(
      'Too many requests. Please wait 5 seconds and try again.',
    );
  });

  it('falls back to the status for HTML, empty and foreign bodies', () => {
    const html = errorFromBody(502, '<html><body>Bad gateway</body></html>');
    expect(html.code).toBe('upstream_error');
    expect(html.message).toBe('Request failed (502)');
    expect(html.fromGateway).toBe(false);
    const empty = errorFromBody(503, '');
    expect(empty.code).toBe('unavailable');
    expect(humanMessage(empty)).toMatch(/temporarily unavailable/);
    for (const body of ['{"error":"nope"}', '{"message":42}', '[]', 'null']) {
      const e = errorFromBody(400, body);
      expect(e.code, body).toBe('validation_failed');
      expect(e.message, body).toBe('Request failed (400)');
      expect(e.fromGateway, body).toBe(false);
    }
  });

  it('maps codes to human sentences and never shows internals', () => {
    expect(humanMessage(errorFromBody(401, JSON.stringify({ error: { code: 'invalid_credentials', message: 'x' } })))).toBe('Wrong e-mail or password.');
    expect(humanMessage(errorFromBody(500, JSON.stringify({ error: { code: 'internal', message: 'panic: nil map' } })))).not.toContain('panic');
    expect(humanMessage(new TypeError('Failed to fetch'))).toMatch(/Cannot reach the server/);
    expect(humanMessage(new Error('boom'))).toBe('Something went wrong. Please try again.');
  });

  it('parses Retry-After dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
  it('says when to retry a message that is still being answered', () => {
    const e = errorFromBody(409, '{"error":{"code":"turn_in_progress","message":"being answered","requestId":"r"}}', h({ 'Retry-After': '12' }));
    expect(humanMessage(e)).toBe('This message is still being answered. Try again in 12 seconds.');
  });
  it('names the used-up daily quota and when it resets', () => {
    const msg = 'the daily quota of chat turns (500) is used up; it resets at 2026-12-02T00:00:00Z';
    const e = errorFromBody(429, JSON.stringify({ error: { code: 'quota_exceeded', message: msg, requestId: 'r' } }), h({ 'Retry-After': '3600' }));
    expect(e.code).toBe('quota_exceeded');
    expect(humanMessage(e)).toBe('The daily quota of chat turns (500) is used up; it resets at 2026-12-02T00:00:00Z');
  });
  it('says sign-up is by invitation', () => {
    const e = errorFromBody(403, '{"error":{"code":"sign_up_closed","message":"closed","requestId":"r"}}');
    expect(humanMessage(e)).toBe('Sign-up on this deployment is by invitation. Ask its owner for access.');
  });
});
