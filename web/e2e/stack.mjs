// The real local stack for the e2e run: `localstack up` (PostgreSQL, Redis,
// cognito-local, the gateway running the real bootstraps, the chat-stream
// Function URL and the dev model) on free loopback ports with its state in a
// temp folder, and the web app on an origin of its own (the API and the stream are others).
//
//   E2E_STACK_ENV=../.local/stack.env   use a running `make dev` stack instead
//   E2E_KEEP=1                          keep the temp folder (state, localstack.log)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, readStackEnv, repoRoot, webDir } from './serve.mjs';
import { measureJS } from '../scripts/jssize.mjs';

/**
 * The chat models the e2e stack offers (the template's ChatModels), so that
 * the model picker has a choice; the dev model answers for any of them.
 */
export const CHAT_MODELS = ['gpt-4o-mini', 'gpt-4o'];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function goArch() {
  return { x64: 'amd64', arm64: 'arm64' }[process.arch] ?? process.arch;
}

/** Fails early, with the command to run, when something the run needs is missing. */
export function checkPrerequisites(chromiumPath) {
  const missing = [];
  if (!existsSync(chromiumPath)) missing.push(`${chromiumPath} (apt-get install -y chromium, or make deps)`);
  if (!existsSync(join(webDir, 'dist', 'index.html'))) missing.push('web/dist (make web)');
  if (!process.env.E2E_STACK_ENV && !existsSync(join(repoRoot, '.build', goArch(), 'chat-stream', 'bootstrap'))) {
    missing.push(`.build/${goArch()}/*/bootstrap (make build-host)`);
  }
  if (missing.length) throw new Error(`e2e prerequisites missing:\n  ${missing.join('\n  ')}`);
}

/**
 * Size of the built JavaScript, as scripts/size.mjs counts it: the first load
 * (rawKB, gzipKB) and the chunks imported on demand (lazy).
 */
export function jsSize() {
  const m = measureJS(join(webDir, 'dist'));
  return { ...m.firstLoad, lazy: m.lazy, files: m.files };
}

/**
 * Starts the stack (or attaches to E2E_STACK_ENV's) and the app's origin.
 * Returns { baseURL, env, log, stop() }.
 */
export async function startStack({ log = () => {} } = {}) {
  let proc = null;
  let dir = null;
  let env;
  if (process.env.E2E_STACK_ENV) {
    env = readStackEnv(process.env.E2E_STACK_ENV);
    if (!env.API_URL) throw new Error(`no API_URL in ${process.env.E2E_STACK_ENV}`);
  } else {
    dir = mkdtempSync(join(tmpdir(), 'macro-web-e2e-'));
    const bin = join(dir, 'localstack');
    log('building local/cmd/localstack');
    execFileSync('go', ['build', '-o', bin, './local/cmd/localstack'], { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
    const envFile = join(dir, 'stack.env');
    const logFile = join(dir, 'localstack.log');
    const out = openSync(logFile, 'a');
    const args = ['up', '-dir', join(dir, 'state'), '-env-file', envFile,
      '-api', '127.0.0.1:0', '-stream', '127.0.0.1:0', '-web', '127.0.0.1:0', '-aws', '127.0.0.1:0', '-model', '127.0.0.1:0',
      '-postgres-port', '0', '-pgbouncer-port', '0', '-redis-port', '0', '-cognito-port', '0',
      '-parameter-overrides', [process.env.PARAMETER_OVERRIDES, `ChatModels=${CHAT_MODELS.join(',')}`].filter(Boolean).join(' ')];
    // OPENAI_API_KEY unset: the dev model answers, offline and deterministic.
    const childEnv = { ...process.env };
    delete childEnv.OPENAI_API_KEY;
    proc = spawn(bin, args, { cwd: repoRoot, env: childEnv, stdio: ['ignore', out, out], detached: true });
    let exited = null;
    proc.on('exit', (code, sig) => { exited = { code, sig }; });
    const deadline = Date.now() + 180_000;
    while (!existsSync(envFile)) {
      if (exited) throw new Error(`localstack up exited (${exited.code ?? exited.sig}):\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
      if (Date.now() > deadline) {
        await stopProcess(proc);
        throw new Error(`localstack up not ready after 180 s:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
      }
      await sleep(100);
    }
    env = readStackEnv(envFile);
    env.__logFile = logFile;
  }

  // The app on its own origin: the stack's (WEB_URL, the template's
  // AppOrigin), else a static server here for a stack that has none.
  let server = null;
  let baseURL = env.WEB_URL;
  const servesApp = Boolean(baseURL);
  if (!servesApp) {
    server = createServer({ apiUrl: env.API_URL, streamUrl: env.STREAM_URL });
    await new Promise((res) => server.listen(0, '127.0.0.1', res));
    baseURL = `http://127.0.0.1:${server.address().port}`;
  }
  log(`stack: API ${env.API_URL}, stream ${env.STREAM_URL}; app on ${baseURL} (${servesApp ? 'served by the stack' : 'e2e/serve.mjs'})`);

  return {
    baseURL,
    env,
    servedByGateway: servesApp,
    async stop() {
      if (server) await new Promise((res) => { server.closeAllConnections?.(); server.close(() => res()); });
      if (proc) await stopProcess(proc);
      if (dir && !process.env.E2E_KEEP) rmSync(dir, { recursive: true, force: true });
      else if (dir) log(`kept the stack's state and log in ${dir}`);
    },
  };
}

/** SIGTERM to localstack (it stops its servers), SIGKILL to its group if it hangs. */
async function stopProcess(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const done = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  let timer;
  const t = await Promise.race([done.then(() => 'exited'), new Promise((r) => { timer = setTimeout(() => r('timeout'), 30_000); })]);
  clearTimeout(timer);
  if (t === 'timeout') {
    try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* gone */ }
    await done;
  }
}

/**
 * The newest code cognito-local "e-mailed" to email (what `localstack code`
 * reads): its user pool file in COGNITO_DATA_DIR. Waits for a code other
 * than `not` to appear.
 */
export async function latestCode(env, email, { not, timeout = 10_000 } = {}) {
  const file = join(env.COGNITO_DATA_DIR, '.cognito', 'db', `${env.COGNITO_USER_POOL_ID}.json`);
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      const db = JSON.parse(readFileSync(file, 'utf8'));
      for (const u of Object.values(db.Users ?? {})) {
        const match = (u.Attributes ?? []).some((a) => a.Name === 'email' && a.Value.toLowerCase() === email.toLowerCase());
        if (match && u.ConfirmationCode && u.ConfirmationCode !== not) return u.ConfirmationCode;
      }
    } catch { /* being written */ }
    if (Date.now() > deadline) throw new Error(`no code for ${email} in ${file}`);
    await sleep(100);
  }
}
