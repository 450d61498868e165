// Prints the gzipped size of the built JavaScript (dist/assets/*.js) and
// fails when the first load — the entry script and what index.html preloads
// — is over the budget (150 KB gzipped). Chunks loaded later on demand (the
// syntax highlighter, imported when an answer has code) are listed and
// counted apart.
import { existsSync } from 'node:fs';
import { measureJS } from './jssize.mjs';

const BUDGET_KB = Number(process.env.JS_BUDGET_KB ?? 150);
const dist = new URL('../dist/', import.meta.url).pathname;
if (!existsSync(`${dist}index.html`) || !existsSync(`${dist}assets`)) {
  console.error('size: no dist/index.html or dist/assets — run vite build first');
  process.exit(1);
}
const m = measureJS(dist);
if (!m.files.some((f) => f.firstLoad)) {
  console.error('size: dist/index.html names no script of dist/assets');
  process.exit(1);
}
for (const f of m.files) {
  console.log(`  ${f.file.padEnd(36)} ${f.rawKB.toFixed(1).padStart(7)} KB  ${f.gzipKB.toFixed(1).padStart(6)} KB gzipped  ${f.firstLoad ? 'first load' : 'on demand'}`);
}
const kb = m.firstLoad.gzipKB;
console.log(
  `JS first load: ${m.firstLoad.rawKB.toFixed(1)} KB, ${kb.toFixed(1)} KB gzipped (budget ${BUDGET_KB} KB); ` +
    `on demand: ${m.lazy.rawKB.toFixed(1)} KB, ${m.lazy.gzipKB.toFixed(1)} KB gzipped`,
);
if (kb > BUDGET_KB) {
  console.error(`size: over budget by ${(kb - BUDGET_KB).toFixed(1)} KB`);
  process.exit(1);
}
