// Serves web/dist on an origin of its own for a stack that does not serve
// the app itself (an E2E_STACK_ENV without WEB_URL), as gateway.StaticApp
// does in `make dev`.
// Usage: node e2e/serve.mjs [port]   (reads ../.local/stack.env)
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
export const webDir = join(here, '..');
export const repoRoot = join(webDir, '..');

export function readStackEnv(file = join(repoRoot, '.local', 'stack.env')) {
  const env = {};
  if (!existsSync(file)) return env;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2].replace(/^"(.*)"$/, '$1');
  }
  return env;
}

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.txt': 'text/plain',
};

/**
 * A static host for dist on its own origin, as gateway.StaticApp in
 * `make dev`: files, index.html for client routes, and the stack's URLs in
 * /macro-ai-config.js, loaded first by index.html, as window.__MACRO_AI__ (the API and the stream are other
 * origins: the app's calls are cross-origin, as when deployed).
 */
export function createServer({ dist = join(webDir, 'dist'), apiUrl, streamUrl }) {
  // A script of the app's origin, as gateway.StaticApp serves it (the CSP runs no inline script).
  const config = '<script src="/macro-ai-config.js"></script>';
  const configScript = `window.__MACRO_AI__=${JSON.stringify({ apiUrl, streamUrl })};\n`;
  return http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'Content-Type': 'text/plain', Allow: 'GET, HEAD' });
      return res.end('method not allowed');
    }
    if (u.pathname === '/macro-ai-config.js') {
      res.writeHead(200, { 'Content-Type': types['.js'], 'Cache-Control': 'no-cache' });
      return res.end(req.method === 'HEAD' ? undefined : configScript);
    }
    const rel = normalize(decodeURIComponent(u.pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = join(dist, rel);
    let isFile = false;
    try { isFile = file.startsWith(dist) && statSync(file).isFile() && !file.endsWith('index.html'); } catch { /* missing */ }
    if (!isFile) {
      if (u.pathname.startsWith('/assets/') || (extname(u.pathname) && !u.pathname.endsWith('index.html'))) {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        return res.end('not found');
      }
      const html = readFileSync(join(dist, 'index.html'), 'utf8');
      const i = html.indexOf('<script');
      res.writeHead(200, { 'Content-Type': types['.html'], 'Cache-Control': 'no-cache' });
      return res.end(req.method === 'HEAD' ? undefined : i < 0 ? html : html.slice(0, i) + config + html.slice(i));
    }
    res.writeHead(200, {
      'Content-Type': types[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': u.pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const env = { ...readStackEnv(), ...process.env };
  const port = Number(process.argv[2] ?? 5173);
  createServer({ apiUrl: env.API_URL ?? 'http://127.0.0.1:3000', streamUrl: env.STREAM_URL ?? 'http://127.0.0.1:3001' })
    .listen(port, '127.0.0.1', () => console.log(`web app on http://127.0.0.1:${port}/`));
}
