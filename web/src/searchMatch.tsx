// The words of a search in its results: which words a query asks for (as the
// keyword search reads it) and a result's snippet with those words marked.
// The marks are React elements (<mark>) around plain strings: the message's
// text is never HTML, whatever it holds.
import type { ReactNode } from 'react';

/** A letter or a digit: what PostgreSQL's parser (`simple` configuration) keeps as part of a word. */
const WORD = /[\p{L}\p{N}]+/gu;

/**
 * The words a query asks for, lower-cased, longest first, each once, as
 * keyword search reads it (websearch_to_tsquery): every run of letters and
 * digits (so `ERR_7f3a9c01` is `err` and `7f3a9c01`), the words of a
 * "quoted phrase" too; `or` between words is an operator, not a word, and
 * `-word` (or `-"a phrase"`) excludes, so it is not marked.
 */
export function queryTerms(q: string): string[] {
  const terms = new Set<string>();
  // Tokens: a quoted phrase (maybe unterminated) or a run of non-space, each maybe negated.
  const re = /(-?)"([^"]*)"?|(\S+)/g;
  for (let m = re.exec(q); m; m = re.exec(q)) {
    let text: string;
    if (m[2] !== undefined) {
      if (m[1]) continue; // -"phrase"
      text = m[2];
    } else {
      text = m[3];
      if (text.startsWith('-')) continue; // -word
      if (text.toLowerCase() === 'or') continue; // the operator (quoted, "or" is a word)
    }
    for (const w of text.match(WORD) ?? []) terms.add(w.toLowerCase());
  }
  return [...terms].sort((a, b) => b.length - a.length || a.localeCompare(b));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A regexp finding any of terms as a whole word (not inside a longer word), any case; null for none. */
export function termsPattern(terms: string[]): RegExp | null {
  if (!terms.length) return null;
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${terms.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}])`, 'giu');
}

/** The ranges [start, end) of text where any of terms is, in order. */
export function matchRanges(text: string, terms: string[]): [number, number][] {
  const re = termsPattern(terms);
  if (!re) return [];
  const out: [number, number][] = [];
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0] === '') { re.lastIndex++; continue; }
    out.push([m.index, m.index + m[0].length]);
  }
  return out;
}

/** text as strings and <mark> elements around each of terms' words (a whole word, any case). */
export function highlightTerms(text: string, terms: string[], keyPrefix = 'm'): ReactNode[] {
  const out: ReactNode[] = [];
  let at = 0;
  for (const [start, end] of matchRanges(text, terms)) {
    if (start > at) out.push(text.slice(at, start));
    out.push(<mark key={`${keyPrefix}${start}`}>{text.slice(start, end)}</mark>);
    at = end;
  }
  if (at < text.length || out.length === 0) out.push(text.slice(at));
  return out;
}

/**
 * At most max characters of text (its white space runs made one space) to
 * show as a result: from the start when the first match is near it, else
 * from a word boundary a little before the first match; "…" where cut.
 */
export function snippet(text: string, terms: string[], max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const first = matchRanges(flat, terms)[0];
  const lead = Math.min(40, Math.floor(max / 4));
  let start = 0;
  if (first && first[1] > max - 10) {
    start = Math.max(0, first[0] - lead);
    const space = flat.indexOf(' ', start);
    if (space !== -1 && space < first[0]) start = space + 1;
  }
  const room = max - (start > 0 ? 1 : 0) - 1;
  let end = Math.min(flat.length, start + room);
  if (end < flat.length) {
    const space = flat.lastIndexOf(' ', end);
    if (space > start + room / 2 && (!first || space >= first[1])) end = space;
  }
  return `${start > 0 ? '…' : ''}${flat.slice(start, end)}${end < flat.length ? '…' : ''}`;
}

/** A result's snippet with the query's words marked (none marked when terms is empty). */
export function MatchSnippet(props: { text: string; terms: string[]; max?: number }) {
  return <>{highlightTerms(snippet(props.text, props.terms, props.max), props.terms)}</>;
}
