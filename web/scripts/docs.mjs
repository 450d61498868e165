// Renders openapi.yaml into dist/docs/index.html, the API reference the local
// gateway serves at /docs: Redoc, by @redocly/cli build-docs, with its script
// inlined (--inlineBundle) so the page is one file that loads no script from
// anywhere, and Redoc's reader telemetry off. Prints the page's size; fails
// when the CLI does, or when the page would load a script from elsewhere.
// Not part of the app: scripts/size.mjs counts dist/assets/*.js only.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const out = 'dist/docs/index.html';
const bin = new URL('../node_modules/.bin/redocly', import.meta.url).pathname;
const res = spawnSync(bin, ['build-docs', '../openapi.yaml', '--inlineBundle', '-o', out], {
  cwd: new URL('..', import.meta.url).pathname,
  encoding: 'utf8',
  env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
});
if (res.status !== 0) {
  // The CLI's own report (lint errors, a bad $ref): only when it fails.
  process.stderr.write(res.stdout + res.stderr);
  console.error(`docs: redocly build-docs failed (${res.error ?? `exit ${res.status}`})`);
  process.exit(1);
}
const page = readFileSync(new URL(`../${out}`, import.meta.url));
const html = page.toString('utf8');
// A <script src>, a module preload or an import of an absolute URL (the CLI's default, a CDN).
const remote = html.match(/<script[^>]*\ssrc=["']?(?:https?:)?\/\/[^"'\s>]+|<link[^>]*\shref=["']?(?:https?:)?\/\/[^"'\s>]+\.m?js|(?:\bfrom\s*|\bimport\(\s*)["'](?:https?:)?\/\/[^"']+/i);
if (remote) {
  console.error(`docs: ${out} loads a script from elsewhere (${remote[0]}); it must be self-contained (--inlineBundle)`);
  process.exit(1);
}
const kb = (n) => (n / 1024).toFixed(0);
console.log(`  docs/index.html (API reference)  ${kb(page.length)} KB, ${kb(gzipSync(page, { level: 9 }).length)} KB gzipped (not part of the app's JS)`);
