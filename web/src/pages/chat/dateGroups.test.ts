import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateGroup, groupByDate } from './dateGroups';

// Local time is what counts: the tests run in a time zone with daylight
// saving (and back in the machine's own afterwards). Node applies a change
// of process.env.TZ at once.
const env = (globalThis as unknown as { process: { env: Record<string, string | undefined> } }).process.env;
const savedTZ = env.TZ;
beforeAll(() => { env.TZ = 'Europe/Berlin'; });
afterAll(() => {
  if (savedTZ === undefined) delete env.TZ;
  else env.TZ = savedTZ;
});

/** A local time (month 1-12). */
const at = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0) => new Date(y, mo - 1, d, h, mi, s, ms);

describe('dateGroup', () => {
  it('puts midnight on the right side', () => {
    const midnight = at(2025, 6, 15);
    expect(dateGroup(at(2025, 6, 15, 0, 0, 0, 0), midnight)).toBe('Today');
    expect(dateGroup(at(2025, 6, 14, 23, 59, 59, 999), midnight)).toBe('Yesterday');
    expect(dateGroup(at(2025, 6, 14, 0, 0), midnight)).toBe('Yesterday');
    expect(dateGroup(at(2025, 6, 13, 23, 59, 59, 999), midnight)).toBe('Previous 7 days');

    const lastMoment = at(2025, 6, 15, 23, 59, 59, 999);
    expect(dateGroup(at(2025, 6, 15, 0, 0), lastMoment)).toBe('Today');
    expect(dateGroup(at(2025, 6, 14, 23, 59, 59, 999), lastMoment)).toBe('Yesterday');
    expect(dateGroup(at(2025, 6, 14, 0, 0), lastMoment)).toBe('Yesterday');
  });

  it('counts 2 to 7 days back as the previous 7 days, then Older', () => {
    const now = at(2025, 6, 15, 12, 0);
    expect(dateGroup(at(2025, 6, 13, 23, 0), now)).toBe('Previous 7 days');
    expect(dateGroup(at(2025, 6, 8, 0, 0), now)).toBe('Previous 7 days');
    expect(dateGroup(at(2025, 6, 7, 23, 59, 59, 999), now)).toBe('Older');
    expect(dateGroup(at(2024, 6, 15, 12, 0), now)).toBe('Older');
  });

  it('uses the local day, not the UTC one', () => {
    // 22:30 UTC on the 14th is 00:30 on the 15th in Berlin (UTC+2 in summer).
    const now = at(2025, 6, 15, 9, 0);
    expect(dateGroup('2025-06-14T22:30:00Z', now)).toBe('Today');
    expect(dateGroup('2025-06-14T21:59:59Z', now)).toBe('Yesterday');
    env.TZ = 'America/Los_Angeles';
    try {
      // 03:00 UTC on the 15th is 20:00 on the 14th in Los Angeles (UTC-7).
      expect(dateGroup('2025-06-15T03:00:00Z', at(2025, 6, 15, 10, 0))).toBe('Yesterday');
    } finally {
      env.TZ = 'Europe/Berlin';
    }
  });

  it('counts a day with a daylight-saving change as one day', () => {
    // 30 March 2025 has 23 hours in Berlin, 26 October 2025 has 25.
    expect(dateGroup(at(2025, 3, 30, 0, 30), at(2025, 3, 31, 0, 10))).toBe('Yesterday');
    expect(dateGroup(at(2025, 3, 30, 0, 0), at(2025, 3, 30, 23, 59))).toBe('Today');
    expect(dateGroup(at(2025, 3, 29, 23, 59), at(2025, 3, 31, 0, 0))).toBe('Previous 7 days');
    expect(dateGroup(at(2025, 10, 26, 0, 0), at(2025, 10, 27, 0, 10))).toBe('Yesterday');
    expect(dateGroup(at(2025, 10, 26, 0, 0), at(2025, 10, 26, 23, 59))).toBe('Today');
    expect(dateGroup(at(2025, 10, 25, 23, 59), at(2025, 10, 27, 0, 0))).toBe('Previous 7 days');
    expect(dateGroup(at(2025, 3, 24, 0, 0), at(2025, 3, 31, 23, 0))).toBe('Previous 7 days');
    expect(dateGroup(at(2025, 3, 23, 23, 59), at(2025, 3, 31, 0, 0))).toBe('Older');
  });

  it('crosses months and years', () => {
    expect(dateGroup(at(2025, 12, 31, 22, 0), at(2026, 1, 1, 9, 0))).toBe('Yesterday');
    expect(dateGroup(at(2025, 2, 28, 12, 0), at(2025, 3, 1, 0, 1))).toBe('Yesterday');
    expect(dateGroup(at(2024, 2, 29, 12, 0), at(2024, 3, 7, 12, 0))).toBe('Previous 7 days');
    expect(dateGroup(at(2024, 2, 28, 12, 0), at(2024, 3, 7, 12, 0))).toBe('Older');
  });

  it('puts a time after now (a skewed clock) in Today, and an unreadable one in Older', () => {
    const now = at(2025, 6, 15, 12, 0);
    expect(dateGroup(at(2025, 6, 15, 13, 0), now)).toBe('Today');
    expect(dateGroup(at(2025, 6, 17, 13, 0), now)).toBe('Today');
    expect(dateGroup('not a time', now)).toBe('Older');
  });
});

describe('groupByDate', () => {
  const now = at(2025, 6, 15, 12, 0);
  const conv = (id: string, d: Date) => ({ id, updatedAt: d.toISOString() });

  it('groups in order, keeps each group in the list order, leaves empty groups out', () => {
    const items = [
      conv('a', at(2025, 6, 15, 11, 0)),
      conv('b', at(2025, 6, 15, 0, 0)),
      conv('c', at(2025, 6, 13, 8, 0)),
      conv('d', at(2025, 6, 8, 0, 0)),
      conv('e', at(2025, 5, 1, 0, 0)),
    ];
    const groups = groupByDate(items, now);
    expect(groups.map((g) => [g.label, g.items.map((c) => c.id)])).toEqual([
      ['Today', ['a', 'b']],
      ['Previous 7 days', ['c', 'd']],
      ['Older', ['e']],
    ]);
  });

  it('has no groups for no items, and the groups in their order whatever the list order', () => {
    expect(groupByDate([], now)).toEqual([]);
    const groups = groupByDate([conv('old', at(2020, 1, 1)), conv('y', at(2025, 6, 14, 9)), conv('t', at(2025, 6, 15, 9))], now);
    expect(groups.map((g) => g.label)).toEqual(['Today', 'Yesterday', 'Older']);
  });
});
