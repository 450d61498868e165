import { beforeAll, describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { Markdown, loadHighlighter } from './markdown';

const html = (md: string) => renderToStaticMarkup(<Markdown text={md} />);

// markdown.test.tsx renders without the highlighter (as the first render of a
// page does); here it is loaded first, as it is once an answer has code.
describe('syntax highlighting (loaded on demand)', () => {
  let hl: Awaited<ReturnType<typeof loadHighlighter>>;
  beforeAll(async () => {
    hl = await loadHighlighter();
  });

  it('highlights code in a known language, as elements, its text unchanged', () => {
    const out = html('```go\nfunc main() {\n\tfmt.Println("hi") // say it\n}\n```');
    expect(out).toContain('<code class="language-go hljs">');
    expect(out).toContain('<span class="hljs-keyword">func</span>');
    expect(out).toContain('<span class="hljs-string">&quot;hi&quot;</span>');
    expect(out).toContain('<span class="hljs-comment">// say it</span>');
    const text = out.match(/<code[^>]*>([\s\S]*)<\/code>/)![1].replace(/<[^>]+>/g, '');
    expect(text).toBe('func main() {\n\tfmt.Println(&quot;hi&quot;) // say it\n}');
  });

  it('knows the usual aliases, in any case', () => {
    for (const lang of ['js', 'TS', 'py', 'sh', 'bash', 'golang', 'yml', 'html', 'c++', 'json', 'sql', 'Python']) {
      expect(hl.knows(lang), lang).toBe(true);
    }
    expect(html('```PY\ndef f(): pass\n```')).toContain('<span class="hljs-keyword">def</span>');
  });

  it('leaves code without a language, or in one it does not know, plain', () => {
    expect(hl.knows('nosuchlang')).toBe(false);
    expect(html('```nosuchlang\nlet x = 1\n```')).toContain('<code class="language-nosuchlang">let x = 1</code>');
    expect(html('```\nlet x = 1\n```')).toContain('<code>let x = 1</code>');
    expect(html('```text\nif x then y\n```')).toContain('<code class="language-text">if x then y</code>');
  });

  it('never turns code into markup', () => {
    const out = html('```html\n<script>alert(1)</script><img src=x onerror=alert(2)>\n```');
    expect(out).not.toContain('<script');
    expect(out).not.toContain('<img');
    expect(out).toContain('&lt;');
    expect(out).toContain('hljs-tag');
  });

  it('highlights a block still streaming (no closing fence)', () => {
    expect(html('```python\nimport os\nprint(os')).toContain('<span class="hljs-keyword">import</span>');
  });
});
