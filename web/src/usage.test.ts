import { describe, expect, it } from 'vitest';
import {
  THIN, formatCost, formatDuration, formatTokens, monthKey, monthLabel, monthRange, monthsBefore, recentMonths,
  tokensLabel, usageLine, usageTitle,
} from './usage';

const t = (s: string) => s.replace(/ /g, THIN);

describe('formatTokens', () => {
  it('groups digits by three with thin spaces', () => {
    expect(formatTokens(0)).toBe('0');
    expect(formatTokens(999)).toBe('999');
    expect(formatTokens(1000)).toBe(t('1 000'));
    expect(formatTokens(1234)).toBe(t('1 234'));
    expect(formatTokens(1234567)).toBe(t('1 234 567'));
    expect(formatTokens(1234)).not.toContain(' '); // never an ordinary (breaking) space
  });
  it('never shows a negative, fraction or NaN', () => {
    expect(formatTokens(-5)).toBe('0');
    expect(formatTokens(12.6)).toBe('13');
    expect(formatTokens(NaN)).toBe('0');
  });
  it('says token or tokens', () => {
    expect(tokensLabel(1)).toBe('1 token');
    expect(tokensLabel(0)).toBe('0 tokens');
    expect(tokensLabel(1234)).toBe(t('1 234') + ' tokens');
  });
});

describe('formatDuration', () => {
  it('milliseconds under a second', () => {
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(999.4)).toBe('999 ms');
  });
  it('tenths of a second under ten seconds, whole seconds after', () => {
    expect(formatDuration(1000)).toBe('1.0 s');
    expect(formatDuration(2140)).toBe('2.1 s');
    expect(formatDuration(9949)).toBe('9.9 s');
    expect(formatDuration(9950)).toBe('10 s');
    expect(formatDuration(12_400)).toBe('12 s');
  });
  it('minutes and seconds from a minute', () => {
    expect(formatDuration(59_400)).toBe('59 s');
    expect(formatDuration(60_000)).toBe('1 min');
    expect(formatDuration(65_000)).toBe('1 min 5 s');
    expect(formatDuration(-3)).toBe('0 ms');
  });
});

describe('formatCost', () => {
  it('cents, "< $0.01" under a cent, "$0.00" for nothing', () => {
    expect(formatCost(0)).toBe('$0.00');
    expect(formatCost(0.0012)).toBe('< $0.01');
    expect(formatCost(0.00999)).toBe('< $0.01');
    expect(formatCost(0.01)).toBe('$0.01');
    expect(formatCost(0.426)).toBe('$0.43');
    expect(formatCost(12)).toBe('$12.00');
    expect(formatCost(1234.5)).toBe(t('$1 234.50'));
  });
  it('a zero (rounded by the API) over some tokens is under a cent, not free', () => {
    expect(formatCost(0, 119)).toBe('< $0.01');
    expect(formatCost(0, 0)).toBe('$0.00');
    expect(formatCost(0.5, 119)).toBe('$0.50');
  });
  it('a dash without a price', () => {
    expect(formatCost(null)).toBe('—');
    expect(formatCost(undefined)).toBe('—');
  });
});

describe('usageLine', () => {
  it('model · tokens (prompt + answer) · time', () => {
    expect(usageLine({ model: 'gpt-4o', usage: { promptTokens: 1000, completionTokens: 234 }, durationMs: 2140 }))
      .toBe(`gpt-4o · ${t('1 234')} tokens · 2.1 s`);
  });
  it('whatever of it there is; nothing for an older answer', () => {
    expect(usageLine({ model: 'gpt-4o-mini' })).toBe('gpt-4o-mini');
    expect(usageLine({ usage: { promptTokens: 1, completionTokens: 0 }, durationMs: 0 })).toBe('1 token · 0 ms');
    expect(usageLine({})).toBeNull();
  });
  it('the tooltip tells prompt and answer apart', () => {
    expect(usageTitle({ promptTokens: 1200, completionTokens: 34 })).toBe(`${t('1 200')} prompt + 34 answer tokens`);
    expect(usageTitle(undefined)).toBeUndefined();
  });
});

describe('months (UTC)', () => {
  it('from the first of the month to the first of the next', () => {
    expect(monthRange({ year: 2026, month: 10 })).toEqual({ from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z' });
    expect(monthRange({ year: 2026, month: 11 })).toEqual({ from: '2026-12-01T00:00:00Z', to: '2027-01-01T00:00:00Z' });
  });
  it('counts back across years', () => {
    expect(monthsBefore({ year: 2026, month: 0 }, 1)).toEqual({ year: 2025, month: 11 });
    expect(monthsBefore({ year: 2026, month: 2 }, 14)).toEqual({ year: 2025, month: 0 });
  });
  it('this month first, by UTC (not the local day)', () => {
    const ms = recentMonths(new Date('2026-01-31T23:30:00Z'), 3);
    expect(ms.map(monthKey)).toEqual(['2026-01', '2025-12', '2025-11']);
    expect(monthLabel(ms[1])).toBe('December 2025');
    expect(recentMonths(new Date('2026-03-01T00:00:00Z'))).toHaveLength(12);
  });
});
