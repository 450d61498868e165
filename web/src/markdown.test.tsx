import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { Markdown, parseBlocks, safeHref } from './markdown';

const html = (md: string) => renderToStaticMarkup(<Markdown text={md} />);

describe('Markdown renderer', () => {
  it('renders fenced code blocks with their language, content verbatim', () => {
    const out = html('Here:\n\n```go\nfunc main() {\n\tfmt.Println("<b>hi</b>")\n}\n```\n\nDone.');
    expect(out).toContain('<pre class="md-code" data-lang="go">');
    expect(out).toContain('<code class="language-go">func main() {\n\tfmt.Println(&quot;&lt;b&gt;hi&lt;/b&gt;&quot;)\n}</code>');
    expect(out).toContain('<p>Done.</p>');
  });

  it('gives each code block a Copy code button, and its language above the code', () => {
    const out = html('```sh\nls -l\n```\n\n```\nplain\n```');
    expect(out.match(/<button[^>]*aria-label="Copy code"/g)).toHaveLength(2);
    expect(out).toContain('<span class="md-lang">sh</span>');
  });

  it('renders an unterminated fence (mid-stream) as code', () => {
    const blocks = parseBlocks('```python\nprint(1)\n');
    expect(blocks).toEqual([{ type: 'code', lang: 'python', text: 'print(1)\n', open: true }]);
    expect(html('```\n**not bold**')).toContain('<code>**not bold**</code>');
  });

  it('escapes <script> and raw HTML everywhere', () => {
    const out = html('<script>alert(1)</script>\n\n**<img src=x onerror=alert(1)>** `<script>`\n\n- <iframe src="javascript:alert(1)">');
    expect(out).not.toContain('<script>');
    expect(out).not.toContain('<img');
    expect(out).not.toContain('<iframe');
    expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out).toContain('<strong>&lt;img src=x onerror=alert(1)&gt;</strong>');
    expect(out).toContain('<code>&lt;script&gt;</code>');
  });

  it('links only http(s) and mailto targets', () => {
    expect(html('[ok](https://example.com/a?b=1)')).toContain('<a href="https://example.com/a?b=1" target="_blank" rel="noopener noreferrer nofollow">ok</a>');
    const bad = html('[click](javascript:alert(1)) [d](data:text/html,<script>x</script>) [v](vbscript:x)');
    expect(bad).not.toContain('href');
    expect(bad).not.toContain('<script>');
    expect(safeHref(' JavaScript:alert(1)')).toBeNull();
    expect(safeHref('//evil.example')).toBeNull();
    expect(html('see https://example.com/x.')).toContain('<a href="https://example.com/x"');
  });

  it('renders inline styles, headings, lists, quotes and tables', () => {
    const out = html('# Title\n\nSome *em*, **bold**, ~~gone~~ and `code`.\n\n1. one\n2. two\n\n- a\n- b\n\n> quoted\n\n| a | b |\n|---|---|\n| 1 | 2 |');
    expect(out).toContain('<h3 class="md-h">Title</h3>');
    expect(out).toContain('<em>em</em>');
    expect(out).toContain('<strong>bold</strong>');
    expect(out).toContain('<del>gone</del>');
    expect(out).toContain('<code>code</code>');
    expect(out).toContain('<ol><li>one</li><li>two</li></ol>');
    expect(out).toContain('<ul><li>a</li><li>b</li></ul>');
    expect(out).toContain('<blockquote><p>quoted</p></blockquote>');
    expect(out).toContain('<th>a</th>');
    expect(out).toContain('<td>2</td>');
  });

  it('does not treat snake_case or arithmetic as emphasis', () => {
    const out = html('use snake_case_name and 2 * 3 * 4');
    expect(out).toBe('<div class="md"><p>use snake_case_name and 2 * 3 * 4</p></div>');
    expect(html('window.__xss=1 and window.__xss=2')).toBe('<div class="md"><p>window.__xss=1 and window.__xss=2</p></div>');
    expect(html('__bold__ and __init__.py')).toContain('<strong>bold</strong>');
  });
});
