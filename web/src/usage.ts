// Formatting of what answers cost: tokens, durations, estimated USD, the line
// under an answer ("gpt-4o · 1 234 tokens · 2.1 s") and the months of the
// settings page's Usage section (UTC, as GET /me/usage counts them).
// Deterministic: no locale of the browser's, so tests and screenshots agree.
import type { Usage } from './api/types';

/** A narrow no-break space: the thin gap between digit groups, which never breaks a line. */
export const THIN = '\u202f';

/** A whole number with thin spaces between groups of three digits: 1234567 → "1 234 567". */
export function formatTokens(n: number): string {
  const v = Math.max(0, Math.round(Number.isFinite(n) ? n : 0));
  return String(v).replace(/\B(?=(\d{3})+(?!\d))/g, THIN);
}

/** "1 token", "1 234 tokens". */
export function tokensLabel(n: number): string {
  return `${formatTokens(n)} ${n === 1 ? 'token' : 'tokens'}`;
}

/** 850 → "850 ms", 2140 → "2.1 s", 12400 → "12 s", 65000 → "1 min 5 s". */
export function formatDuration(ms: number): string {
  const v = Math.max(0, Number.isFinite(ms) ? ms : 0);
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 9950) return `${(v / 1000).toFixed(1)} s`;
  const s = Math.round(v / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  const rest = s % 60;
  return rest ? `${min} min ${rest} s` : `${min} min`;
}

/**
 * An estimated cost in USD: "$0.00" for nothing, "< $0.01" under a cent,
 * else cents ("$0.42", "$1 234.50", grouped like tokens); "—" without a price.
 * The API rounds to a hundredth of a cent: a zero over some `tokens` is
 * under a cent, not free.
 */
export function formatCost(usd: number | null | undefined, tokens = 0): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return '—';
  if (usd <= 0) return tokens > 0 ? '< $0.01' : '$0.00';
  if (usd < 0.01) return '< $0.01';
  const [whole, cents] = usd.toFixed(2).split('.');
  return `$${formatTokens(Number(whole))}.${cents}`;
}

/** The part of an answer its usage line needs (older answers have none of it). */
export interface AnswerUsage {
  model?: string;
  usage?: Usage;
  durationMs?: number;
}

/** "gpt-4o · 1 234 tokens · 2.1 s", whatever of it the answer has; null when it has none. */
export function usageLine(m: AnswerUsage): string | null {
  const parts: string[] = [];
  if (m.model) parts.push(m.model);
  if (m.usage) parts.push(tokensLabel(m.usage.promptTokens + m.usage.completionTokens));
  if (typeof m.durationMs === 'number') parts.push(formatDuration(m.durationMs));
  return parts.length ? parts.join(' · ') : null;
}

/** The tooltip of the usage line: the prompt's tokens and the answer's apart. */
export function usageTitle(u: Usage | undefined): string | undefined {
  return u ? `${formatTokens(u.promptTokens)} prompt + ${formatTokens(u.completionTokens)} answer tokens` : undefined;
}

/** A calendar month, UTC: month 0–11. */
export interface Month {
  year: number;
  month: number;
}

/** The month (UTC) of a time. */
export function monthOf(d: Date): Month {
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() };
}

/** The month `n` months before `m`. */
export function monthsBefore(m: Month, n: number): Month {
  const i = m.year * 12 + m.month - n;
  return { year: Math.floor(i / 12), month: ((i % 12) + 12) % 12 };
}

/** "2026-11": the value of a month in the selector. */
export function monthKey(m: Month): string {
  return `${m.year}-${String(m.month + 1).padStart(2, '0')}`;
}

/** "November 2026". */
export function monthLabel(m: Month): string {
  return new Date(Date.UTC(m.year, m.month, 1)).toLocaleDateString('en', { month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/** The query of GET /me/usage for a month: the first of it (UTC) to the first of the next. */
export function monthRange(m: Month): { from: string; to: string } {
  const iso = (x: Month) => `${monthKey(x)}-01T00:00:00Z`;
  return { from: iso(m), to: iso(monthsBefore(m, -1)) };
}

/** The selector's months, this one first, then the `count - 1` before it. */
export function recentMonths(now: Date, count = 12): Month[] {
  const cur = monthOf(now);
  return Array.from({ length: count }, (_, i) => monthsBefore(cur, i));
}
