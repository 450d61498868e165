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

  it('accepts API Gateway shapes, HTML and empty bodies', () => {
    const gw = errorFromBody(401, '{"message":"Unauthorized"}');
    expect(gw.code).toBe('unauthorized');
    expect(humanMessage(gw)).toBe('Your session has ended. Please sign in again.');
    const html = errorFromBody(502, '<html><body>Bad gateway</body></html>');
    expect(html.code).toBe('upstream_error');
    expect(html.message).toBe('Request failed (502)');
    const empty = errorFromBody(503, '');
    expect(empty.code).toBe('unavailable');
    expect(humanMessage(empty)).toMatch(/temporarily unavailable/);
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
});
