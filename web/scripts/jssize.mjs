// Measures the built JavaScript (dist/assets/*.js), split into what the first
// load fetches — the entry script and the modules it preloads, as
// dist/index.html names them — and the chunks imported later on demand (the
// syntax highlighter). Used by scripts/size.mjs and the e2e test's report.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';

export function measureJS(distDir) {
  const dir = join(distDir, 'assets');
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const named = new Set(
    [...html.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+\.js)"/g)].map((m) => basename(m[1])),
  );
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => {
      const buf = readFileSync(join(dir, f));
      return { file: f, rawKB: buf.length / 1024, gzipKB: gzipSync(buf, { level: 9 }).length / 1024, firstLoad: named.has(f) };
    });
  const sum = (xs, k) => xs.reduce((a, x) => a + x[k], 0);
  const first = files.filter((f) => f.firstLoad);
  const lazy = files.filter((f) => !f.firstLoad);
  return {
    files,
    firstLoad: { rawKB: sum(first, 'rawKB'), gzipKB: sum(first, 'gzipKB') },
    lazy: { rawKB: sum(lazy, 'rawKB'), gzipKB: sum(lazy, 'gzipKB') },
  };
}
