#!/usr/bin/env node
// Generates web/src/api/schema.d.ts from the repository's openapi.yaml with
// openapi-typescript (npm run types in web/). With --check it writes nothing
// and fails when the file differs from a fresh generation: npm run build and
// npm test run that, so a contract change without `npm run types` fails.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const spec = new URL('../../../openapi.yaml', import.meta.url);
const out = new URL('../../src/api/schema.d.ts', import.meta.url);
const banner = `// Generated from openapi.yaml by openapi-typescript: do not edit.
// Regenerate with \`npm run types\` in web/; npm run build and npm test fail while it is stale.
// web/src/api/types.ts names the schemas the app uses.

`;

// defaultNonNullable: false keeps a field with a default optional (a request may leave it out).
const ast = await openapiTS(spec, { silent: true, defaultNonNullable: false });
const fresh = banner + astToString(ast).trimEnd() + '\n';
const file = fileURLToPath(out);

if (process.argv.includes('--check')) {
  let have = '';
  try {
    have = readFileSync(out, 'utf8');
  } catch {
    /* missing: stale */
  }
  if (have !== fresh) {
    console.error(`types: ${file} is not what openapi.yaml generates: run \`npm run types\` in web/ (and keep the result).`);
    process.exit(1);
  }
} else {
  writeFileSync(out, fresh);
  console.log(`types: wrote ${file}`);
}
