// The sidebar's date groups: conversations by the local calendar day of their
// updatedAt, relative to now — Today, Yesterday, Previous 7 days (2 to 7 days
// ago), Older. Days are calendar days in local time, so 23:59 yesterday is
// Yesterday even a minute later, and a day with a daylight-saving change
// counts as one day.

export const dateGroupLabels = ['Today', 'Yesterday', 'Previous 7 days', 'Older'] as const;
export type DateGroupLabel = (typeof dateGroupLabels)[number];

/** The local calendar day of a time, as a day number (days since 1970-01-01 of that date). */
function localDay(d: Date): number {
  return Math.round(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) / 86_400_000);
}

/** The group of one time (an RFC 3339 string or a Date). A time after now (a skewed clock) is Today; an unreadable one is Older. */
export function dateGroup(time: string | Date, now: Date): DateGroupLabel {
  const t = typeof time === 'string' ? new Date(time) : time;
  if (Number.isNaN(t.getTime())) return 'Older';
  const days = localDay(now) - localDay(t);
  if (days <= 0) return 'Today';
  if (days === 1) return 'Yesterday';
  if (days <= 7) return 'Previous 7 days';
  return 'Older';
}

/**
 * The items in their groups, in the order Today, Yesterday, Previous 7 days,
 * Older; each group keeps the items' order, and an empty group is left out.
 */
export function groupByDate<T extends { updatedAt: string }>(items: readonly T[], now: Date): { label: DateGroupLabel; items: T[] }[] {
  const by = new Map<DateGroupLabel, T[]>(dateGroupLabels.map((l) => [l, []]));
  for (const it of items) by.get(dateGroup(it.updatedAt, now))!.push(it);
  return dateGroupLabels.filter((l) => by.get(l)!.length > 0).map((label) => ({ label, items: by.get(label)! }));
}
