import { Fragment, type ReactNode, createElement, useEffect, useMemo, useState } from 'react';
import { CopyButton } from './copy';

/*
 * A small Markdown renderer that builds React elements — never HTML strings —
 * so whatever the model writes (<script>, <img onerror>, javascript: links)
 * is shown as text. It covers what chat answers use: fenced code blocks (an
 * unterminated fence renders as code, so half-streamed answers look right),
 * headings, paragraphs, lists, block quotes, rules, tables, and inline code,
 * bold, italic, strike-through and links (http, https and mailto only).
 *
 * Code blocks have a Copy button, and those with a language are highlighted
 * by ./highlight, which is imported only when the first such block is shown
 * (it is not in the first-load JavaScript); code in a language it does not
 * know, or without one, stays plain.
 */

export type Block =
  | { type: 'code'; lang: string; text: string; open: boolean }
  | { type: 'heading'; level: number; text: string }
  | { type: 'para'; text: string }
  | { type: 'quote'; children: Block[] }
  | { type: 'list'; ordered: boolean; start: number; items: Block[][] }
  | { type: 'table'; header: string[]; rows: string[][] }
  | { type: 'hr' };

const fenceRe = /^ {0,3}(`{3,}|~{3,})\s*([\w+#.-]*)[^`]*$/;
const headingRe = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const hrRe = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;
const ulRe = /^( {0,3})([-*+])\s+(.*)$/;
const olRe = /^( {0,3})(\d{1,9})[.)]\s+(.*)$/;
const quoteRe = /^ {0,3}>\s?(.*)$/;
const tableSepRe = /^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$/;

export function parseBlocks(src: string): Block[] {
  const lines = src.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let i = 0;
  const isBlockStart = (l: string) =>
    fenceRe.test(l) || headingRe.test(l) || hrRe.test(l) || ulRe.test(l) || olRe.test(l) || quoteRe.test(l);

  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '') {
      i++;
      continue;
    }
    const fence = fenceRe.exec(line);
    if (fence) {
      const marker = fence[1];
      const body: string[] = [];
      i++;
      let open = true;
      while (i < lines.length) {
        const l = lines[i];
        if (l.trimStart().startsWith(marker[0].repeat(marker.length)) && l.trim().replace(new RegExp(`^\\${marker[0]}+`), '') === '') {
          open = false;
          i++;
          break;
        }
        body.push(l);
        i++;
      }
      blocks.push({ type: 'code', lang: fence[2] || '', text: body.join('\n'), open });
      continue;
    }
    const h = headingRe.exec(line);
    if (h) {
      blocks.push({ type: 'heading', level: h[1].length, text: h[2] });
      i++;
      continue;
    }
    if (hrRe.test(line)) {
      blocks.push({ type: 'hr' });
      i++;
      continue;
    }
    if (quoteRe.test(line)) {
      const body: string[] = [];
      while (i < lines.length && lines[i].trim() !== '' && (quoteRe.test(lines[i]) || !isBlockStart(lines[i]))) {
        const m = quoteRe.exec(lines[i]);
        body.push(m ? m[1] : lines[i]);
        i++;
      }
      blocks.push({ type: 'quote', children: parseBlocks(body.join('\n')) });
      continue;
    }
    const ul = ulRe.exec(line);
    const ol = olRe.exec(line);
    if (ul || ol) {
      const ordered = !!ol;
      const itemRe = ordered ? olRe : ulRe;
      const items: string[][] = [];
      while (i < lines.length) {
        const l = lines[i];
        const m = itemRe.exec(l);
        if (m) {
          items.push([m[3]]);
          i++;
          continue;
        }
        if (l.trim() === '') {
          // A blank line continues the list only if an indented line or another item follows.
          const next = lines[i + 1];
          if (next !== undefined && (itemRe.test(next) || /^\s{2,}\S/.test(next))) {
            items[items.length - 1].push('');
            i++;
            continue;
          }
          break;
        }
        if (/^\s{2,}\S/.test(l) || !isBlockStart(l)) {
          items[items.length - 1].push(l.replace(/^\s{1,4}/, ''));
          i++;
          continue;
        }
        break;
      }
      blocks.push({
        type: 'list',
        ordered,
        start: ol ? parseInt(ol[2], 10) : 1,
        items: items.map((it) => parseBlocks(it.join('\n'))),
      });
      continue;
    }
    if (line.includes('|') && i + 1 < lines.length && tableSepRe.test(lines[i + 1]) && lines[i + 1].includes('-')) {
      const header = splitRow(line);
      i += 2;
      const rows: string[][] = [];
      while (i < lines.length && lines[i].includes('|') && lines[i].trim() !== '') {
        rows.push(splitRow(lines[i]));
        i++;
      }
      blocks.push({ type: 'table', header, rows });
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && lines[i].trim() !== '' && !isBlockStart(lines[i])) {
      para.push(lines[i]);
      i++;
    }
    blocks.push({ type: 'para', text: para.join('\n') });
  }
  return blocks;
}

function splitRow(line: string): string[] {
  let s = line.trim();
  if (s.startsWith('|')) s = s.slice(1);
  if (s.endsWith('|') && !s.endsWith('\\|')) s = s.slice(0, -1);
  return s.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
}

/** Only these link targets are rendered as links; anything else is text. */
export function safeHref(url: string): string | null {
  const u = url.trim();
  if (/^(https?:|mailto:)/i.test(u)) return u;
  if (/^[/#]/.test(u) && !u.startsWith('//')) return u;
  return null;
}

type Inline = ReactNode;

const inlineRe =
  /(`+)([\s\S]*?[^`])\1(?!`)|\*\*([\s\S]+?)\*\*|(?<![\w])__([\s\S]+?)__(?![\w])|~~([\s\S]+?)~~|\*([^*\s](?:[\s\S]*?[^*\s])?)\*|(?<![\w])_([^_\s](?:[\s\S]*?[^_\s])?)_(?![\w])|\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])|\\([\\`*_{}[\]()#+\-.!|~>])|( {2,}|\\)\n/;

export function renderInline(text: string, keyPrefix = 'i'): Inline[] {
  const out: Inline[] = [];
  let rest = text;
  let k = 0;
  const key = () => `${keyPrefix}-${k++}`;
  while (rest) {
    const m = inlineRe.exec(rest);
    if (!m) {
      out.push(rest);
      break;
    }
    if (m.index > 0) out.push(rest.slice(0, m.index));
    rest = rest.slice(m.index + m[0].length);
    if (m[1]) {
      let code = m[2];
      if (/^ .* $/.test(code)) code = code.slice(1, -1);
      out.push(<code key={key()}>{code}</code>);
    } else if (m[3] !== undefined || m[4] !== undefined) {
      out.push(<strong key={key()}>{renderInline((m[3] ?? m[4]) as string, key())}</strong>);
    } else if (m[5] !== undefined) {
      out.push(<del key={key()}>{renderInline(m[5], key())}</del>);
    } else if (m[6] !== undefined || m[7] !== undefined) {
      out.push(<em key={key()}>{renderInline((m[6] ?? m[7]) as string, key())}</em>);
    } else if (m[8] !== undefined) {
      const href = safeHref(m[9] ?? '');
      const label = renderInline(m[8], key());
      if (href) {
        out.push(
          <a key={key()} href={href} target="_blank" rel="noopener noreferrer nofollow">
            {label}
          </a>,
        );
      } else {
        out.push(<Fragment key={key()}>{label}</Fragment>);
      }
    } else if (m[10] !== undefined) {
      out.push(
        <a key={key()} href={m[10]} target="_blank" rel="noopener noreferrer nofollow">
          {m[10]}
        </a>,
      );
    } else if (m[11] !== undefined) {
      out.push(m[11]);
    } else if (m[12] !== undefined) {
      out.push(<br key={key()} />);
    }
  }
  return out;
}

function renderBlock(b: Block, key: string): ReactNode {
  switch (b.type) {
    case 'code':
      return <CodeBlock key={key} lang={b.lang} text={b.text} />;
    case 'heading':
      return createElement(`h${Math.min(6, b.level + 2)}`, { key, className: 'md-h' }, renderInline(b.text, key));
    case 'para':
      return <p key={key}>{renderInline(b.text, key)}</p>;
    case 'quote':
      return <blockquote key={key}>{b.children.map((c, j) => renderBlock(c, `${key}.${j}`))}</blockquote>;
    case 'list': {
      const items = b.items.map((it, j) => (
        <li key={j}>
          {it.length === 1 && it[0].type === 'para'
            ? renderInline(it[0].text, `${key}.${j}`)
            : it.map((c, n) => renderBlock(c, `${key}.${j}.${n}`))}
        </li>
      ));
      return b.ordered ? (
        <ol key={key} start={b.start !== 1 ? b.start : undefined}>
          {items}
        </ol>
      ) : (
        <ul key={key}>{items}</ul>
      );
    }
    case 'table':
      return (
        <div key={key} className="md-table">
          <table>
            <thead>
              <tr>{b.header.map((c, j) => <th key={j}>{renderInline(c, `${key}.h${j}`)}</th>)}</tr>
            </thead>
            <tbody>
              {b.rows.map((r, j) => (
                <tr key={j}>{r.map((c, n) => <td key={n}>{renderInline(c, `${key}.${j}.${n}`)}</td>)}</tr>
              ))}
            </tbody>
          </table>
        </div>
      );
    case 'hr':
      return <hr key={key} />;
  }
}

type Highlighter = typeof import('./highlight');
let highlighter: Highlighter | null = null;
let loadingHighlighter: Promise<Highlighter> | null = null;

/** Imports the highlighter (once; again after a failed load). */
export function loadHighlighter(): Promise<Highlighter> {
  loadingHighlighter ??= import('./highlight').then(
    (m) => (highlighter = m),
    (err) => {
      loadingHighlighter = null;
      throw err;
    },
  );
  return loadingHighlighter;
}

/** Languages that name plain text: no reason to load the highlighter for them. */
const plainLangs = new Set(['text', 'txt', 'plain', 'plaintext', 'output']);

function CodeBlock({ lang, text }: { lang: string; text: string }) {
  const wantsColour = !!lang && !plainLangs.has(lang.toLowerCase());
  const [hl, setHl] = useState<Highlighter | null>(highlighter);
  useEffect(() => {
    if (!wantsColour || hl) return;
    let live = true;
    loadHighlighter().then((m) => { if (live) setHl(m); }, () => { /* offline: the code stays plain */ });
    return () => { live = false; };
  }, [wantsColour, hl]);
  const tokens = useMemo(() => (hl && wantsColour ? hl.highlight(lang, text) : null), [hl, wantsColour, lang, text]);
  return (
    <div className="md-codeblock">
      <div className="md-code-bar">
        {lang ? <span className="md-lang">{lang}</span> : null}
        <CopyButton label="Copy code" text={text} />
      </div>
      <pre className="md-code" data-lang={lang || undefined}>
        <code className={[lang ? `language-${lang.replace(/[^\w-]/g, '')}` : '', tokens ? 'hljs' : ''].filter(Boolean).join(' ') || undefined}>
          {tokens ?? text}
        </code>
      </pre>
    </div>
  );
}

export function Markdown({ text }: { text: string }) {
  return <div className="md">{parseBlocks(text).map((b, i) => renderBlock(b, `b${i}`))}</div>;
}
