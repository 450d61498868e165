// Syntax highlighting of code blocks, loaded on demand: markdown.tsx imports
// this module with import() only once an answer has a fenced code block with
// a language, so none of it is in the first-load JavaScript.
//
// lowlight runs highlight.js's grammars and returns a syntax tree (hast), not
// an HTML string: the tree becomes React elements here, so code is text and
// nothing is ever set as HTML. Only the languages below are registered (with
// their highlight.js aliases: js, ts, py, sh, golang, yml, html, c++, …);
// code in any other language stays plain.
import type { ReactNode } from 'react';
import { createLowlight } from 'lowlight';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import dockerfile from 'highlight.js/lib/languages/dockerfile';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import markdown from 'highlight.js/lib/languages/markdown';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import shell from 'highlight.js/lib/languages/shell';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';

const lowlight = createLowlight({
  bash, c, cpp, csharp, css, diff, dockerfile, go, java, javascript, json, markdown, python, rust, shell, sql,
  typescript, xml, yaml,
});

/** Whether code in this language (a name or an alias, any case) is highlighted. */
export function knows(lang: string): boolean {
  return !!lang && lowlight.registered(lang.toLowerCase());
}

/** The code as React elements, its tokens in spans with hljs-* classes; null for a language not registered. */
export function highlight(lang: string, code: string): ReactNode[] | null {
  if (!knows(lang)) return null;
  try {
    return toReact(lowlight.highlight(lang.toLowerCase(), code).children, 'h');
  } catch {
    return null; // a grammar that fails on some input: the code stays plain
  }
}

type Node = ReturnType<typeof lowlight.highlight>['children'][number];

function toReact(nodes: Node[], key: string): ReactNode[] {
  return nodes.map((n, i) => {
    if (n.type === 'text') return n.value;
    if (n.type !== 'element') return null;
    const cls = n.properties?.className;
    return (
      <span key={`${key}.${i}`} className={Array.isArray(cls) ? cls.join(' ') : typeof cls === 'string' ? cls : undefined}>
        {toReact(n.children as Node[], `${key}.${i}`)}
      </span>
    );
  });
}
