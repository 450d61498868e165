// Serves web/dist on one origin with the API and the chat stream behind it —
// what gateway.WithStatic does in `make dev` — for the e2e run when the
// gateway does not serve the app itself:
//   /stream/*          → STREAM_URL with /stream stripped (streamed through)
//   API route prefixes → API_URL
//   other GET/HEAD     → the file in dist, else index.html (client routes)
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

const apiPrefixes = new Set(['auth', 'me', 'conversations', 'embeddings', 'search', 'health']);
const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.txt': 'text/plain',
};

function proxy(req, res, target, path) {
  const url = new URL(path, target);
  const headers = { ...req.headers, host: url.host };
  const up = http.request(url, { method: req.method, headers }, (r) => {
    res.writeHead(r.statusCode ?? 502, r.headers);
    r.pipe(res);
  });
  // The browser went away (the Stop button aborts the stream): so does the upstream request.
  res.on('close', () => { if (!res.writableFinished) up.destroy(); });
  up.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'application/json' });
    res.end('{"message":"Bad Gateway"}');
  });
  req.pipe(up);
}

export function createServer({ dist = join(webDir, 'dist'), apiUrl, streamUrl }) {
  return http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    const first = u.pathname.split('/')[1] ?? '';
    if (u.pathname.startsWith('/stream/')) return proxy(req, res, streamUrl, u.pathname.slice('/stream'.length) + u.search);
    if (apiPrefixes.has(first) || (req.method !== 'GET' && req.method !== 'HEAD')) return proxy(req, res, apiUrl, u.pathname + u.search);
    const rel = normalize(decodeURIComponent(u.pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = join(dist, rel);
    let isFile = false;
    try { isFile = file.startsWith(dist) && statSync(file).isFile(); } catch { /* missing */ }
    if (!isFile) {
      if (u.pathname.startsWith('/assets/') || extname(u.pathname)) {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        return res.end('not found');
      }
      file = join(dist, 'index.html');
    }
    const ext = extname(file);
    res.writeHead(200, {
      'Content-Type': types[ext] ?? 'application/octet-stream',
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
