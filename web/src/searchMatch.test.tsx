import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { MatchSnippet, highlightTerms, matchRanges, queryTerms, snippet } from './searchMatch';

const html = (text: string, terms: string[]) => renderToStaticMarkup(<>{highlightTerms(text, terms)}</>);

describe('queryTerms()', () => {
  it('splits into words as the keyword search does, lower-cased, longest first, once each', () => {
    expect(queryTerms('Ultramarine sailing BOATS boats')).toEqual(['ultramarine', 'sailing', 'boats']);
    expect(queryTerms('ERR_7f3a9c01 ECONNREFUSED 10.0.0.1:5432')).toEqual(['econnrefused', '7f3a9c01', 'err', '10', '0', '1', '5432']
      .sort((a, b) => b.length - a.length || a.localeCompare(b)));
  });

  it('keeps a quoted phrase\'s words, drops the or operator and excluded words', () => {
    expect(queryTerms('"red fox" or wolf -sheep -"black cat"')).toEqual(['wolf', 'fox', 'red']);
    expect(queryTerms('"or"')).toEqual(['or']);
    expect(queryTerms('"unterminated phrase')).toEqual(['unterminated', 'phrase']);
  });

  it('has no words for a query of none', () => {
    expect(queryTerms('  -- "" !!! ')).toEqual([]);
    expect(queryTerms('')).toEqual([]);
  });

  it('reads letters of any script', () => {
    expect(queryTerms('Straße café')).toEqual(['straße', 'café']);
  });
});

describe('highlightTerms()', () => {
  it('marks each whole-word match, any case, as elements', () => {
    expect(html('The ULTRAMARINE boat, an Ultramarine sail.', ['ultramarine'])).toBe(
      'The <mark>ULTRAMARINE</mark> boat, an <mark>Ultramarine</mark> sail.',
    );
  });

  it('does not mark a word inside a longer word', () => {
    expect(html('error err errs ERR_1', ['err'])).toBe('error <mark>err</mark> errs <mark>ERR</mark>_1');
  });

  it('prefers the longer of two terms at the same place', () => {
    expect(html('sailing boats', queryTerms('sail sailing'))).toBe('<mark>sailing</mark> boats');
  });

  it('treats the text as text: markup in a message is escaped, never rendered', () => {
    expect(html('<img src=x onerror=alert(1)> alert', ['alert'])).toBe(
      '&lt;img src=x onerror=<mark>alert</mark>(1)&gt; <mark>alert</mark>',
    );
  });

  it('escapes regular-expression characters of a term', () => {
    expect(matchRanges('a.b a+b', ['a.b'])).toEqual([[0, 3]]);
    expect(html('(x) x', ['(x)'])).toBe('<mark>(x)</mark> x'); // the parentheses literally, not a group
  });

  it('leaves the text alone without terms', () => {
    expect(highlightTerms('plain text', [])).toEqual(['plain text']);
    expect(highlightTerms('', ['a'])).toEqual(['']);
  });
});

describe('snippet()', () => {
  const long = `${'lorem ipsum '.repeat(30)}the ultramarine boat sails ${'dolor sit '.repeat(30)}`;

  it('keeps a short text whole, its white space flattened', () => {
    expect(snippet('a\n\n  b', ['a'])).toBe('a b');
  });

  it('starts a little before the first match when it is far in, with ellipses where cut', () => {
    const s = snippet(long, ['ultramarine'], 100);
    expect(s.startsWith('…')).toBe(true);
    expect(s.endsWith('…')).toBe(true);
    expect(s.length).toBeLessThanOrEqual(100);
    expect(s).toContain('the ultramarine boat');
    expect(s.indexOf('ultramarine')).toBeLessThan(50);
  });

  it('starts at the beginning without a match', () => {
    const s = snippet(long, ['absent'], 100);
    expect(s.startsWith('lorem ipsum')).toBe(true);
    expect(s.endsWith('…')).toBe(true);
  });

  it('MatchSnippet marks the words in the cut text', () => {
    const out = renderToStaticMarkup(<MatchSnippet text={long} terms={['ultramarine']} max={100} />);
    expect(out).toMatch(/^….*the <mark>ultramarine<\/mark> boat.*…$/);
  });
});
