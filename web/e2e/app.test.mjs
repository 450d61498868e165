// The web app end to end, in Debian's headless Chromium driven by
// playwright-core, against the real local stack (see stack.mjs): sign up,
// confirm with the code cognito-local "e-mailed", sign in, chat with answers
// streamed from the dev model, syntax highlighting (loaded on demand), copy
// buttons, stop, retry, rate-limit message, the model picker, settings,
// infinite scroll, search, export all data, import a ChatGPT file, a keyword
// search with its words marked, rename, delete, phone width, sign out,
// forgot/reset password, the sidebar's date groups, keep me signed in (and
// sign-out everywhere ending a kept session), change the password, delete
// the account.
// Screenshots of the main screens, light and dark, go to e2e/screenshots/
// (git-ignored); the time to interactive and the JS size are printed.
//
// Needs: make build-host, make web (or npm run build), /usr/bin/chromium.
//   npm run e2e                      (node --test e2e/)
//   CHROMIUM_PATH=…  E2E_STACK_ENV=../.local/stack.env  E2E_HEADFUL=1
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHAT_MODELS, checkPrerequisites, jsSize, latestCode, startStack } from './stack.mjs';
import { webDir } from './serve.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(webDir, 'e2e', 'screenshots');
const PASSWORD = 'Str0ng!pass';
const NEW_PASSWORD = 'N3w!password';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const log = (...a) => console.log('[e2e]', ...a);
/** WCAG contrast ratio of two CSS rgb()/rgba() colours (opaque). */
/** The RFC 6238 code (SHA-1, 6 digits, 30 s) of a base32 secret at unix seconds t: what an authenticator app shows. */
function totp(secret, t = Date.now() / 1000) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(t / 30)));
  const mac = createHmac('sha1', key).update(msg).digest();
  const o = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}
/** A code that is none of secret's codes a step either side of now. */
function wrongTotp(secret) {
  const now = Date.now() / 1000;
  const valid = new Set([-30, 0, 30].map((d) => totp(secret, now + d)));
  for (let n = 0; ; n += 111111) if (!valid.has(String(n % 1_000_000).padStart(6, '0'))) return String(n % 1_000_000).padStart(6, '0');
}

function contrast(a, b) {
  const lum = (c) => {
    const [r, g, bl] = c.match(/[\d.]+/g).slice(0, 3).map((v) => {
      const x = Number(v) / 255;
      return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test('web app end to end on the local stack', { timeout: 10 * 60_000 }, async (t) => {
  const t0 = Date.now();
  checkPrerequisites(CHROMIUM);
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  const size = jsSize();
  const stack = await startStack({ log });
  const report = {
    jsGzipKB: +size.gzipKB.toFixed(1), jsRawKB: +size.rawKB.toFixed(1), jsOnDemandGzipKB: +size.lazy.gzipKB.toFixed(1),
    servedByGateway: stack.servedByGateway,
  };
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: !process.env.E2E_HEADFUL, args: ['--no-sandbox'] });
    await journey(t, browser, stack, report);
  } finally {
    await browser?.close();
    await stack.stop();
    report.durationMs = Date.now() - t0;
    writeFileSync(join(SHOTS, 'report.json'), JSON.stringify(report, null, 2) + '\n');
    console.log(
      `\n[e2e] first-load JS ${report.jsGzipKB} KB gzipped (${report.jsRawKB} KB raw), ${report.jsOnDemandGzipKB} KB more on demand; ` +
        `time to interactive: sign-in ${report.ttiSignInMs ?? '?'} ms cold / ${report.ttiSignInWarmMs ?? '?'} ms warm, ` +
        `chat (session restored) ${report.ttiChatMs ?? '?'} ms; first streamed token ${report.firstTokenMs ?? '?'} ms; ` +
        `e2e took ${(report.durationMs / 1000).toFixed(1)} s\n`,
    );
  }
});

async function journey(t, browser, stack, report) {
  // The app is on its own origin, the API and the stream on theirs, as when
  // deployed: every call of the app is cross-origin (the template's CORS).
  const base = stack.baseURL;
  const apiURL = stack.env.API_URL;
  const streamRoute = `${stack.env.STREAM_URL}/conversations/*/messages`;
  // What API Gateway and the Function URL add to every answer; a stubbed
  // answer needs it too, or the browser refuses it.
  const cors = { 'Access-Control-Allow-Origin': base, 'Access-Control-Expose-Headers': 'retry-after,x-request-id' };
  const email = `web-e2e-${Date.now().toString(36)}@example.com`;
  const pageErrors = [];
  const cspViolations = [];
  let failed = false;
  let page;

  /** Runs one named step as a subtest; after a failure the rest are skipped. */
  async function step(name, fn) {
    await t.test(name, { skip: failed && 'an earlier step failed' }, async () => {
      try {
        await fn();
      } catch (err) {
        failed = true;
        if (cspViolations.length) err.message += `\nCSP violations so far:\n  ${cspViolations.join('\n  ')}`;
        if (page) await page.screenshot({ path: join(SHOTS, `failure-${name.replace(/\W+/g, '-')}.png`) }).catch(() => {});
        throw err;
      }
    });
  }

  /** Screenshots of what is on screen in the light and the dark theme (the system's: nothing saved). */
  async function shots(name) {
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForFunction((s) => document.documentElement.dataset.theme === s, scheme);
      await painted();
      await page.screenshot({ path: join(SHOTS, `${name}-${scheme}.png`) });
    }
    await page.emulateMedia({ colorScheme: 'light' });
  }

  const byLabel = (label) => page.getByLabel(label, { exact: true });
  const button = (name) => page.getByRole('button', { name, exact: true });
  const composer = () => page.getByRole('textbox', { name: 'Message', exact: true });
  const lastAssistant = () => page.locator('li.message.assistant').last();
  const convItems = () => page.locator('.conv-list li.conv');
  const convTitles = () => page.locator('.conv-list .conv-link').allInnerTexts();
  const waitForPath = (re) => page.waitForURL((u) => re.test(u.pathname + u.search + u.hash));
  async function waitAnswerDone(timeout = 30_000) {
    await page.waitForFunction(() => {
      const m = [...document.querySelectorAll('li.message.assistant')].pop();
      return m && m.dataset.state !== 'streaming';
    }, null, { timeout });
    return lastAssistant().getAttribute('data-state');
  }
  /**
   * Client-side navigation, as the app's links do. A full load costs a token
   * refresh (tokens live in memory only), and the public auth routes are
   * rate-limited per IP (10/min): the journey reloads only where it checks
   * what the server kept.
   */
  async function go(path) {
    await page.evaluate((p) => { history.pushState(null, '', p); dispatchEvent(new PopStateEvent('popstate')); }, path);
    await page.waitForURL((u) => u.pathname + u.search + u.hash === path);
  }
  /** Two animation frames: what changed is on screen. */
  const painted = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  /** Waits until the sidebar's slide is over and it is 'shown' or 'tucked' away. */
  async function sidebarSettled(want) {
    await painted();
    await page.waitForFunction((w) => {
      const el = document.querySelector('nav.sidebar');
      if (!el || el.getAnimations().length > 0) return false;
      const r = el.getBoundingClientRect();
      return w === 'shown' ? r.x >= 0 : r.x + r.width <= 0;
    }, want);
  }
  /**
   * Scrolls the sidebar to its end until want() holds, each time waiting for
   * the next page to arrive (infinite scroll) rather than for a fixed time.
   */
  async function scrollSidebarUntil(want) {
    await convItems().first().waitFor();
    while (!(await want())) {
      const n = await convItems().count();
      await page.locator('.conv-list').evaluate((el) => { el.scrollTop = el.scrollHeight; });
      await page.waitForFunction((prev) => document.querySelectorAll('.conv-list li.conv').length > prev, n);
    }
  }
  /** Scrolls the sidebar until the conversation's item is loaded (infinite scroll). */
  async function revealConv(id) {
    const item = page.locator(`.conv[data-conversation-id="${id}"]`);
    await scrollSidebarUntil(async () => (await item.count()) > 0);
    await item.scrollIntoViewIfNeeded();
    return item;
  }
  /**
   * Records every CSP violation of ctx's pages in into: the document's
   * securitypolicyviolation events (logged by an init script) and Chromium's
   * own "Refused to … Content Security Policy" console errors. The app is
   * served with the template's CSP (the gateway's copy of CloudFront's
   * headers): one violation fails the run.
   */
  async function watchCSP(ctx, into = cspViolations) {
    await ctx.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
      });
    });
    ctx.on('console', (msg) => {
      if (/CSP violation|Content Security Policy/i.test(msg.text())) into.push(`${msg.page()?.url()}: ${msg.text()}`);
    });
    return ctx;
  }
  async function newPage(viewport = DESKTOP) {
    const ctx = await watchCSP(await browser.newContext({ viewport, colorScheme: 'light' }));
    // The copy buttons write to the clipboard; the test reads it back.
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    const p = await ctx.newPage();
    p.on('pageerror', (e) => pageErrors.push(String(e)));
    p.on('request', (r) => {
      const u = new URL(r.url());
      if (u.origin === base && u.pathname.startsWith('/assets/') && u.pathname.endsWith('.js')) scripts.push(u.pathname);
      if (u.origin === apiOrigin && u.pathname === '/models' && r.method() === 'GET') {
        modelLists.push(r.response().then((res) => (res?.ok() ? res.json() : null)).catch(() => null));
      }
    });
    return p;
  }
  /** The app's scripts fetched so far, and whether the syntax highlighter's chunk is one. */
  const scripts = [];
  const highlighterLoads = () => scripts.filter((s) => /\/assets\/highlight-[\w-]+\.js$/.test(s)).length;
  /** GET /models as the app got it (the chat page loads it): which models the stack offers. */
  const apiOrigin = new URL(apiURL).origin;
  const modelLists = [];
  async function offeredModels() {
    const lists = (await Promise.all(modelLists)).filter(Boolean);
    return lists.length ? lists.at(-1).items : null;
  }
  const readClipboard = () => page.evaluate(() => navigator.clipboard.readText());
  const GROUPS = ['Today', 'Yesterday', 'Previous 7 days', 'Older'];
  /** The sidebar's date headings (their text, not as CSS shows it). */
  const groupHeads = () => page.locator('.conv-list .conv-group-head').evaluateAll((els) => els.map((e) => e.textContent));
  /** Which PATCH of the API a request is. */
  const isPatch = (path) => (r) => r.method() === 'PATCH' && r.url() === `${apiURL}${path}`;

  // ---- time to interactive of the built app, cold and warm ----------------
  await step('time to interactive (sign-in page)', async () => {
    const cold = [];
    const warm = [];
    for (let i = 0; i < 5; i++) {
      const ctx = await watchCSP(await browser.newContext({ viewport: DESKTOP }));
      const p = await ctx.newPage();
      for (const into of [cold, warm]) {
        await p.goto(`${base}/sign-in`);
        // app:signin-ready is marked in an effect once React has committed the
        // form with its handlers: the page answers input from then on.
        const ms = await p.waitForFunction(() => {
          const m = performance.getEntriesByName('app:signin-ready')[0];
          return m ? m.startTime : null;
        });
        into.push(await ms.jsonValue());
        await p.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
      }
      await ctx.close();
    }
    report.ttiSignInMs = Math.round(median(cold));
    report.ttiSignInWarmMs = Math.round(median(warm));
    log(`time to interactive: sign-in ${report.ttiSignInMs} ms cold, ${report.ttiSignInWarmMs} ms warm (median of 5)`);
    assert.ok(report.ttiSignInMs < 3000, `sign-in interactive after ${report.ttiSignInMs} ms`);
  });

  await step("the template's security headers, and a CSP violation is caught", async () => {
    // Served by the local gateway: CloudFront's response headers policy with
    // the local origins (a stand-in host, e2e/serve.mjs, sends none).
    if (!stack.servedByGateway) return;
    const ctx = await browser.newContext({ viewport: DESKTOP });
    const caught = [];
    await watchCSP(ctx, caught);
    const p = await ctx.newPage();
    const res = await p.goto(`${base}/sign-in`);
    const h = res.headers();
    const csp = h['content-security-policy'] ?? '';
    for (const want of ["script-src 'self'", "frame-ancestors 'none'", "object-src 'none'", `connect-src 'self' ${apiOrigin}`]) {
      assert.ok(csp.includes(want), `CSP ${JSON.stringify(csp)} lacks ${want}`);
    }
    assert.ok(csp.includes(new URL(stack.env.STREAM_URL).origin), `CSP ${csp} lacks the stream's origin`);
    assert.equal(h['x-content-type-options'], 'nosniff');
    assert.equal(h['x-frame-options'], 'DENY');
    assert.ok(h['referrer-policy'], 'Referrer-Policy');
    await p.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    assert.deepEqual(caught, [], 'the sign-in page runs under the CSP');
    // The watch works: an inline script (what the CSP forbids) is reported.
    await p.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__inline = 1';
      document.head.append(s);
    });
    await p.waitForFunction(() => true);
    const deadline = Date.now() + 5000;
    while (!caught.length && Date.now() < deadline) await sleep(50);
    assert.ok(caught.length > 0, 'an inline script raised no CSP violation');
    assert.equal(await p.evaluate(() => window.__inline), undefined, 'the inline script ran');
    await ctx.close();
  });

  page = await newPage();

  await step('theme toggle and the sign-up form checks', async () => {
    await page.goto(`${base}/sign-up`);
    await shots('sign-up');
    const toggle = page.locator('.theme-toggle');
    await toggle.click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    assert.equal(await page.evaluate(() => localStorage.getItem('theme')), 'dark');
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await toggle.click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
    assert.notEqual(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), bg);
    await page.evaluate(() => localStorage.removeItem('theme'));
    await page.reload(); // back to following the system's theme

    // Checked before the server: messages under their fields.
    await byLabel('E-mail').fill('not-an-email');
    await byLabel('Password').fill('short');
    await button('Create account').click();
    await page.getByText('Enter a valid e-mail address.').waitFor();
    await page.getByText('Use at least 8 characters.').waitFor();
    assert.equal(await byLabel('E-mail').getAttribute('aria-invalid'), 'true');

    // The server's field errors go under their fields too (the error's details).
    await page.route('**/auth/sign-up', (route) => route.fulfill({
      status: 400,
      headers: { 'Content-Type': 'application/json', ...cors },
      body: JSON.stringify({ error: { code: 'validation_failed', message: 'password: must not contain the e-mail', details: [{ field: 'password', message: 'must not contain the e-mail' }], requestId: 'r' } }),
    }), { times: 1 });
    await byLabel('E-mail').fill('someone@example.com');
    await byLabel('Password').fill('Someone@example.com1');
    await button('Create account').click();
    const under = page.locator('.field', { has: byLabel('Password') }).locator('.field-error');
    assert.equal(await under.innerText(), 'Must not contain the e-mail');
    assert.equal(await byLabel('E-mail').getAttribute('aria-invalid'), null);
  });

  await step('sign up, then a second sign-up with the same e-mail is refused in words', async () => {
    await byLabel('E-mail').fill(email);
    await byLabel('Password').fill(PASSWORD);
    await button('Create account').click();
    await waitForPath(/^\/confirm\?email=/);
    await page.getByRole('heading', { name: 'Confirm your e-mail' }).waitFor();
    await shots('confirm');

    await page.goto(`${base}/sign-up`);
    await byLabel('E-mail').fill(email.toUpperCase());
    await byLabel('Password').fill(PASSWORD);
    await button('Create account').click();
    await page.getByRole('alert').filter({ hasText: 'An account with this e-mail already exists' }).waitFor();
  });

  await step('confirm with the code cognito-local sent (a wrong one first)', async () => {
    await page.goto(`${base}/confirm?email=${encodeURIComponent(email)}`);
    const code = await latestCode(stack.env, email);
    await byLabel('Confirmation code').fill(code === '000000' ? '111111' : '000000');
    await button('Confirm').click();
    const wrong = page.locator('.form-error, .field-error');
    await wrong.first().waitFor();
    log(`wrong code says: ${JSON.stringify(await wrong.first().innerText())}`);
    await byLabel('Confirmation code').fill(code);
    await button('Confirm').click();
    await waitForPath(/^\/sign-in/);
    await page.getByText('E-mail confirmed. You can sign in now.').waitFor();
  });

  await step('sign in (a wrong password first)', async () => {
    assert.equal(await byLabel('E-mail').inputValue(), email);
    await shots('sign-in');
    await byLabel('Password').fill('Wrong!pass1');
    await button('Sign in').click();
    await page.getByRole('alert').filter({ hasText: 'Wrong e-mail or password.' }).waitFor();
    await byLabel('Password').fill(PASSWORD);
    await button('Sign in').click();
    await page.waitForURL((u) => u.pathname === '/');
    await page.getByRole('heading', { name: 'What can I help with?' }).waitFor();
    await page.locator('.who').filter({ hasText: email }).waitFor();
    await shots('chat-empty');
    assert.ok(scripts.length > 0 && highlighterLoads() === 0, `first load fetched only the app's entry: ${scripts.join(', ')}`);
  });

  let conv1 = '';
  let conv2 = '';
  const searchable = 'My favourite colour is ultramarine blue and I love sailing small boats';

  await step('start a conversation and watch the answer stream in', async () => {
    await composer().click();
    await page.keyboard.type('Line one of the question');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('and line two');
    assert.equal(await composer().inputValue(), 'Line one of the question\nand line two', 'Shift+Enter is a new line');
    // Sample the answer as it arrives: it must grow in several steps.
    const sent = Date.now();
    await page.keyboard.press('Enter');
    await waitForPath(/^\/c\/[0-9a-f-]{36}$/);
    conv1 = new URL(page.url()).pathname.slice(3);
    const seen = [];
    let firstToken = null;
    for (let i = 0; i < 600; i++) {
      const s = await page.evaluate(() => {
        const m = [...document.querySelectorAll('li.message.assistant')].pop();
        return m ? { state: m.dataset.state, text: m.querySelector('.md')?.textContent ?? '' } : null;
      });
      if (s?.text && firstToken === null) firstToken = Date.now() - sent;
      if (s && (seen.length === 0 || seen[seen.length - 1].text !== s.text || seen[seen.length - 1].state !== s.state)) seen.push(s);
      if (s && s.state !== 'streaming') break;
      await sleep(15);
    }
    const partial = seen.filter((s) => s.state === 'streaming' && s.text);
    const last = seen[seen.length - 1];
    log(`answer streamed in ${partial.length} visible steps; first token after ${firstToken} ms`);
    report.firstTokenMs = firstToken;
    assert.equal(last.state, 'complete');
    assert.match(last.text, /^Dev model here\. .*"Line one of the question and line two"\. That is all I can say\.$/);
    assert.ok(partial.length >= 3, `the answer appeared in ${partial.length} steps, not streamed`);
    // The user's message keeps its line break; the conversation took its title from it.
    assert.equal(await page.locator('li.message.user .plain').last().innerText(), 'Line one of the question\nand line two');
    await page.locator(`.conv[data-conversation-id="${conv1}"] .conv-link`).filter({ hasText: 'Line one of the question' }).waitFor();
    await page.locator('.chat-title').filter({ hasText: 'Line one of the question' }).waitFor();
  });

  await step('a second conversation, newest first in the sidebar', async () => {
    await button('+ New chat').click();
    await page.waitForURL((u) => u.pathname === '/');
    await composer().fill(searchable);
    await button('Send message').click();
    await waitForPath(/^\/c\/[0-9a-f-]{36}$/);
    conv2 = new URL(page.url()).pathname.slice(3);
    assert.notEqual(conv2, conv1);
    assert.equal(await waitAnswerDone(), 'complete');
    await page.waitForFunction(([a, b]) => {
      const ids = [...document.querySelectorAll('.conv-list li.conv')].map((li) => li.dataset.conversationId);
      return ids.indexOf(b) === 0 && ids.indexOf(a) === 1;
    }, [conv1, conv2]);
    // The answer shows as complete at its done event; the composer is back when the stream has closed.
    await button('Send message').waitFor();
  });

  await step('export a conversation as Markdown: a file with its title, its messages and who wrote them', async () => {
    await go(`/c/${conv1}`);
    await page.locator('li.message.assistant').first().waitFor();
    await button('Export').click();
    const downloaded = page.waitForEvent('download');
    await page.getByRole('menuitem', { name: 'Markdown (.md)', exact: true }).click();
    const download = await downloaded;
    assert.match(download.suggestedFilename(), /^[A-Za-z0-9_.-]+\.md$/);
    let md = '';
    for await (const chunk of await download.createReadStream()) md += chunk;
    assert.match(md, /^# .+\n\n- Created: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\n- Updated: /);
    assert.match(md, /\n\*\*You\*\* · [^\n]+ UTC\n\nLine one of the question\nand line two\n/);
    assert.match(md, /\n\*\*Assistant\*\* · [^\n]+ UTC · [^\n]+ · \d+ prompt \+ \d+ completion tokens\n\nDev model here\. [^\n]*"Line one of the question and line two"\. That is all I can say\.\n/);
    assert.equal(await button('Export').isEnabled(), true);
  });

  await step('each answer shows its model, tokens and time; settings sums them per model', async () => {
    // The answer that just streamed got its line from its done event.
    const answer = await lastAssistant().locator('.md').innerText();
    const model = answer.match(/^Dev model here\. I am ([\w.:-]+)\. /)?.[1];
    assert.ok(model, `the dev model names its model: ${answer}`);
    const lineRe = new RegExp(`^${model.replace(/\W/g, '\\$&')} · [1-9][\\d\\s]* tokens? · \\d+(\\.\\d)? (ms|s|min)`);
    assert.match(await lastAssistant().locator('.usage-line').innerText(), lineRe);
    await shots('usage-line');

    // This month's usage on the settings page lists that model.
    await go('/settings');
    const usage = page.getByRole('region', { name: 'Usage', exact: true });
    const row = usage.locator(`tbody tr[data-model="${model}"]`);
    await row.waitFor();
    const answers = Number((await row.locator('[data-col="answers"]').innerText()).replace(/\D/g, ''));
    assert.ok(answers >= 1, `${model}: ${answers} answers`);
    assert.match(await usage.locator('tfoot').innerText(), /^Total\b/);
    // An earlier month: its first to the next's first (UTC); an error in words first, then Retry.
    const month = usage.getByLabel('Month', { exact: true });
    const isUsage = (u) => u.pathname.endsWith('/me/usage');
    const fail = (route) => route.fulfill({
      status: 500,
      headers: { 'Content-Type': 'application/json', ...cors },
      body: JSON.stringify({ error: { code: 'internal', message: 'internal error', requestId: 'r' } }),
    });
    await page.route(isUsage, fail);
    const previous = (await month.locator('option').nth(1).getAttribute('value'));
    await month.selectOption(previous);
    await usage.getByRole('alert').filter({ hasText: 'Something went wrong on our side. Please try again.' }).waitFor();
    await page.unroute(isUsage, fail);
    const req = page.waitForRequest((r) => isUsage(new URL(r.url())) && r.method() === 'GET');
    await usage.getByRole('button', { name: 'Retry', exact: true }).click();
    const q = new URL((await req).url()).searchParams;
    const [y, m] = previous.split('-').map(Number);
    assert.equal(q.get('from'), `${previous}-01T00:00:00Z`);
    assert.equal(q.get('to'), new Date(Date.UTC(y, m, 1)).toISOString().replace('.000Z', 'Z'));
    await usage.getByText(/^No answers in \w+ \d{4}\.$/).waitFor(); // a new user: none before this month
    await month.selectOption({ index: 0 });
    await row.waitFor();

    // Kept by the server: the conversation, loaded anew, shows the line on its answer.
    await go(`/c/${conv2}`);
    await lastAssistant().locator('.usage-line').waitFor();
    assert.match(await lastAssistant().locator('.usage-line').innerText(), lineRe);
  });

  await step('Markdown answers: code blocks formatted, raw HTML shown as text', async () => {
    // The dev model answers in plain sentences: this one answer comes from a
    // stub of the stream route, to see the renderer in the real page.
    const md = 'Here is Go:\n\n```go\nfunc main() {\n\tfmt.Println("hi") // greet\n}\n```\n\nAnd **bold**, `code`, <img src=x onerror="window.__xss=1"> <script>window.__xss=2</script> [bad](javascript:alert(1)).' +
      '\n\n```\nno language: plain\n```\n\n```nosuchlang\nlet unknown = "plain too"\n```';
    const events = [
      ['start', { conversationId: conv2, userMessageId: crypto.randomUUID(), assistantMessageId: crypto.randomUUID() }],
      ...md.match(/[\s\S]{1,12}/g).map((text) => ['delta', { text }]),
      ['done', { assistantMessageId: 'x', finishReason: 'stop' }],
    ];
    await page.route(streamRoute, (route) => route.fulfill({
      status: 200,
      headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', ...cors },
      body: events.map(([e, d]) => `event: ${e}\ndata: ${JSON.stringify(d)}\n\n`).join(''),
    }), { times: 1 });
    assert.equal(highlighterLoads(), 0, 'no code on the page yet: the highlighter is not loaded');
    await composer().fill('Show me some Go, with formatting');
    await page.keyboard.press('Enter');
    assert.equal(await waitAnswerDone(), 'complete');
    const a = lastAssistant();
    const goCode = a.locator('pre.md-code code.language-go');
    assert.equal(await goCode.innerText(), 'func main() {\n\tfmt.Println("hi") // greet\n}');
    // Highlighted once the highlighter's chunk, imported on demand, is in.
    await goCode.locator('.hljs-keyword').first().waitFor();
    assert.equal(highlighterLoads(), 1);
    assert.equal(await goCode.locator('.hljs-keyword').first().innerText(), 'func');
    assert.equal(await goCode.locator('.hljs-string').innerText(), '"hi"');
    assert.equal(await goCode.locator('.hljs-comment').innerText(), '// greet');
    // Code without a language, or in one the highlighter does not know, stays plain.
    const plain = a.locator('pre.md-code code:not(.language-go)');
    assert.equal(await plain.count(), 2);
    assert.deepEqual(await plain.allInnerTexts(), ['no language: plain', 'let unknown = "plain too"']);
    assert.equal(await plain.locator('span').count(), 0);
    // The colours in both themes: readable on the code's background (WCAG AA, 4.5:1), and not the text's own.
    const colours = {};
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForFunction((sc) => document.documentElement.dataset.theme === sc, scheme);
      colours[scheme] = await goCode.evaluate((el) => {
        const c = (q) => getComputedStyle(el.querySelector(q)).color;
        return { bg: getComputedStyle(el.closest('.md-codeblock')).backgroundColor, text: getComputedStyle(el).color, keyword: c('.hljs-keyword'), string: c('.hljs-string'), comment: c('.hljs-comment') };
      });
      const { bg, text, ...tokens } = colours[scheme];
      for (const [name, colour] of Object.entries(tokens)) {
        assert.notEqual(colour, text, `${scheme}: ${name} has a colour of its own`);
        assert.ok(contrast(colour, bg) >= 4.5, `${scheme}: ${name} ${colour} on ${bg} has contrast ${contrast(colour, bg).toFixed(2)}`);
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    assert.notEqual(colours.light.keyword, colours.dark.keyword);
    assert.equal(await a.locator('strong').innerText(), 'bold');
    assert.equal(await a.locator('img, script, a[href^="javascript"]').count(), 0);
    assert.match(await a.innerText(), /<img src=x onerror="window.__xss=1">/);
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    await shots('chat');
  });

  await step('copy an answer and a code block to the clipboard', async () => {
    const a = lastAssistant();
    const copyCode = a.getByRole('button', { name: 'Copy code', exact: true });
    assert.equal(await copyCode.count(), 3); // one per code block
    await copyCode.first().click();
    await copyCode.first().filter({ hasText: 'Copied' }).waitFor();
    assert.equal(await readClipboard(), 'func main() {\n\tfmt.Println("hi") // greet\n}');
    const copyMessage = a.getByRole('button', { name: 'Copy message', exact: true });
    await copyMessage.click();
    await copyMessage.filter({ hasText: 'Copied' }).waitFor();
    const copied = await readClipboard();
    assert.match(copied, /^Here is Go:\n\n```go\nfunc main\(\) \{\n/);
    assert.match(copied, /<script>window.__xss=2<\/script>/); // the Markdown as written, not the page's text
    assert.ok(copied.endsWith('```nosuchlang\nlet unknown = "plain too"\n```'));
    // Every answer has one; questions do not.
    assert.equal(await page.locator('li.message.assistant').count(), await page.getByRole('button', { name: 'Copy message', exact: true }).count());
    assert.equal(await page.locator('li.message.user').getByRole('button', { name: 'Copy message' }).count(), 0);
  });

  await step('the stop button aborts a streaming answer', async () => {
    await composer().fill('Tell me a long story please [[devmodel:slow]]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => {
      const m = [...document.querySelectorAll('li.message.assistant')].pop();
      return m && m.dataset.state === 'streaming' && (m.querySelector('.md')?.textContent ?? '').length > 0;
    });
    assert.equal(await lastAssistant().getByRole('button', { name: 'Copy message' }).count(), 0, 'no Copy while it streams');
    const stop = page.getByRole('button', { name: 'Stop generating' });
    await stop.click();
    assert.equal(await waitAnswerDone(5_000), 'stopped');
    await lastAssistant().getByText('Stopped.').waitFor();
    const partial = await lastAssistant().locator('.md').innerText();
    assert.ok(partial.length > 0 && !partial.includes('That is all I can say.'), `partial answer: ${partial}`);
    await button('Send message').waitFor(); // the composer is back
  });

  await step('a failed answer is retried with the same clientMessageId', async () => {
    // The first attempt reaches the server, which answers in full, but the
    // browser gets only the start of the stream and then an error event.
    const bodies = [];
    await page.route(streamRoute, async (route) => {
      bodies.push(JSON.parse(route.request().postData()));
      const res = await route.fetch();
      const text = await res.text();
      const cut = text.split('\n\n').filter((b) => b.startsWith('event: start') || b.startsWith('event: delta')).slice(0, 2);
      await route.fulfill({
        status: 200,
        headers: { 'Content-Type': 'text/event-stream', ...cors },
        body: cut.join('\n\n') + '\n\nevent: error\ndata: {"error":{"code":"upstream_error","message":"the model failed"}}\n\n',
      });
    }, { times: 1 });
    const question = 'Please retry this one';
    await composer().fill(question);
    await page.keyboard.press('Enter');
    assert.equal(await waitAnswerDone(), 'failed');
    await lastAssistant().getByText('The AI service failed to answer. Please try again.').waitFor();
    const retryReq = page.waitForRequest((r) => r.url().startsWith(`${stack.env.STREAM_URL}/conversations/`) && r.method() === 'POST');
    await lastAssistant().getByRole('button', { name: 'Retry' }).click();
    bodies.push(JSON.parse((await retryReq).postData()));
    assert.equal(await waitAnswerDone(), 'complete');
    assert.equal(bodies.length, 2);
    assert.equal(bodies[1].clientMessageId, bodies[0].clientMessageId);
    assert.match(bodies[0].clientMessageId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // The page shows the question once and one answer …
    assert.equal(await page.locator('li.message.user .plain', { hasText: question }).count(), 1);
    assert.equal(await page.locator('li.message.assistant[data-state="failed"]').count(), 0);
    // … and so does the server after a reload.
    await page.reload();
    await page.locator('li.message').first().waitFor();
    await page.locator('li.message.assistant').last().waitFor();
    assert.equal(await page.locator('li.message.user .plain', { hasText: question }).count(), 1);
    const states = await page.locator('li.message').evaluateAll((els) => els.map((e) => `${e.dataset.role}:${e.dataset.state}:${e.querySelector('.md,.plain')?.textContent.slice(0, 40)}`));
    log(`conversation after reload: ${states.join(' ')}`);
    assert.match(states.at(-1), /^assistant:complete:Dev model here/);
    assert.equal(states.at(-2), `user:complete:${question}`);
    // The stopped answer, stored when the stop was noticed, sits right after
    // its own question, before the next one (the order is the turn's).
    assert.match(states.at(-4), /^user:complete:Tell me a long story please/);
    assert.match(states.at(-3), /^assistant:incomplete:\S/); // a non-empty partial answer
  });

  await step('429 before the stream: the wait time in words', async () => {
    await page.route(streamRoute, (route) => route.fulfill({
      status: 429,
      headers: { 'Content-Type': 'application/json', 'Retry-After': '42', ...cors },
      body: JSON.stringify({ error: { code: 'rate_limited', message: 'too many requests', requestId: 'r' } }),
    }), { times: 1 });
    await composer().fill('One more');
    await page.keyboard.press('Enter');
    assert.equal(await waitAnswerDone(), 'failed');
    await lastAssistant().getByText('Too many requests. Please wait 42 seconds and try again.').waitFor();
    await go('/'); // leave the failed turn behind
  });

  await step('regenerate an answer, edit a question, and switch between the versions', async () => {
    // conv2's branch ends with "Please retry this one" and its answer (the retry step).
    await go(`/c/${conv2}`);
    const lastUser = () => page.locator('li.message.user').last();
    const position = (li) => li.locator('.switcher-pos');
    await lastAssistant().getByRole('button', { name: 'Regenerate answer' }).waitFor();
    await button('Send message').waitFor();
    const count = await page.locator('li.message').count();
    assert.equal(await lastUser().locator('.plain').innerText(), 'Please retry this one');
    assert.equal(await position(lastAssistant()).count(), 0, 'one answer: no switcher');

    // Regenerate: a new answer streams in place of the one shown; both are kept.
    const regen = page.waitForRequest((r) => r.method() === 'POST'
      && new RegExp(`^${stack.env.STREAM_URL}/conversations/${conv2}/messages/[0-9a-f-]{36}/regenerate$`).test(r.url()));
    await lastAssistant().getByRole('button', { name: 'Regenerate answer' }).click();
    assert.equal((await regen).postData(), null, 'no body');
    assert.equal(await waitAnswerDone(), 'complete');
    assert.match(await lastAssistant().locator('.md').innerText(), /^Dev model here\. .*"Please retry this one"\. That is all I can say\.$/);
    await position(lastAssistant()).filter({ hasText: /^2 \/ 2$/ }).waitFor();
    assert.equal(await page.locator('li.message').count(), count, 'in place, not after');
    await button('Send message').waitFor(); // the stream has closed
    assert.equal(await lastAssistant().getByRole('button', { name: 'Next version' }).isDisabled(), true);
    await lastAssistant().getByRole('button', { name: 'Previous version' }).click();
    await position(lastAssistant()).filter({ hasText: /^1 \/ 2$/ }).waitFor();
    await lastAssistant().getByRole('button', { name: 'Next version' }).click();
    await position(lastAssistant()).filter({ hasText: /^2 \/ 2$/ }).waitFor();

    // Edit the question: a new branch from its parent, answered anew.
    const edited = 'Please answer this edited question instead';
    await lastUser().getByRole('button', { name: 'Edit message' }).click();
    const box = lastUser().getByRole('textbox', { name: 'Edited message' });
    assert.equal(await box.inputValue(), 'Please retry this one');
    await lastUser().getByRole('button', { name: 'Cancel', exact: true }).click();
    await box.waitFor({ state: 'detached' });
    await lastUser().getByRole('button', { name: 'Edit message' }).click();
    await box.fill(edited);
    const turn = page.waitForRequest((r) => r.method() === 'POST' && r.url() === `${stack.env.STREAM_URL}/conversations/${conv2}/messages`);
    await lastUser().getByRole('button', { name: 'Save', exact: true }).click();
    const body = JSON.parse((await turn).postData());
    assert.equal(body.content, edited);
    assert.match(body.parentId, /^[0-9a-f-]{36}$/, 'the edited message\'s parent');
    assert.equal(await waitAnswerDone(), 'complete');
    assert.equal(await lastUser().locator('.plain').innerText(), edited);
    assert.match(await lastAssistant().locator('.md').innerText(), new RegExp(`Your last message starts with: "${edited}"\\.`));
    await position(lastUser()).filter({ hasText: /^2 \/ 2$/ }).waitFor();
    assert.equal(await page.locator('li.message').count(), count, 'the messages after the edited one gave way to the new turn');
    await button('Send message').waitFor(); // the stream has closed

    // Back to the original question: its branch, as the server keeps it.
    const put = page.waitForRequest((r) => r.method() === 'PUT' && r.url() === `${apiURL}/conversations/${conv2}/leaf`);
    await lastUser().getByRole('button', { name: 'Previous version' }).click();
    assert.match(JSON.parse((await put).postData()).messageId, /^[0-9a-f-]{36}$/);
    await position(lastUser()).filter({ hasText: /^1 \/ 2$/ }).waitFor();
    assert.equal(await lastUser().locator('.plain').innerText(), 'Please retry this one');
    assert.match(await lastAssistant().locator('.md').innerText(), /"Please retry this one"\. That is all I can say\.$/);
    await position(lastAssistant()).filter({ hasText: /^2 \/ 2$/ }).waitFor(); // the newest answer of that branch
    assert.equal(await page.locator('li.message').count(), count);
    await shots('branches');
  });

  /** The stack offers more than one model (the e2e stack: CHAT_MODELS), so there is a choice. */
  let models = null;

  await step('the model picker sets the conversation\'s model', async () => {
    await go(`/c/${conv2}`);
    await page.locator('li.message').first().waitFor();
    models = (await offeredModels())?.map((m) => m.id) ?? null;
    if (!models || models.length < 2) {
      // A stack of E2E_STACK_ENV with one model: nothing to choose, no picker.
      log(`the stack offers ${models?.length ?? 'no'} model(s): the picker is hidden (E2E's own stack offers ${CHAT_MODELS.join(', ')})`);
      assert.equal(await byLabel('Model').count(), 0);
      models = null;
      return;
    }
    const [first, second] = models;
    const picker = byLabel('Model');
    await picker.waitFor();
    assert.deepEqual(await picker.locator('option').allInnerTexts(), [`${first} (default)`, ...models.slice(1)]);
    assert.equal(await picker.inputValue(), first); // the conversation has no model of its own
    await shots('model-picker');

    let req = page.waitForRequest(isPatch(`/conversations/${conv2}`));
    await picker.selectOption(second);
    let res = await (await req).response();
    assert.deepEqual((await req).postDataJSON(), { model: second });
    assert.equal(res.status(), 200);
    assert.equal((await res.json()).model, second);
    assert.equal(await picker.inputValue(), second);
    // A turn in that model.
    await composer().fill('Which model answers this?');
    await page.keyboard.press('Enter');
    assert.equal(await waitAnswerDone(), 'complete');
    assert.match(await lastAssistant().locator('.md').innerText(), new RegExp(`^Dev model here\\. I am ${second.replace(/\W/g, '\\$&')}\\. `)); // the dev model names the model asked for
    await button('Send message').waitFor(); // the turn is over (leaving earlier would stop it)
    // The server kept it: the chat screen, loaded anew, shows it.
    await go('/settings');
    await go(`/c/${conv2}`);
    await picker.waitFor();
    assert.equal(await picker.inputValue(), second);

    // The default entry sends null: the conversation follows the default.
    req = page.waitForRequest(isPatch(`/conversations/${conv2}`));
    await picker.selectOption(first);
    res = await (await req).response();
    assert.deepEqual((await req).postDataJSON(), { model: null });
    assert.equal((await res.json()).model, null);

    // A failed change says why, and the picker shows the model the conversation still has.
    const url = `${apiURL}/conversations/${conv2}`;
    const fail = (route) => route.request().method() !== 'PATCH' ? route.fallback() : route.fulfill({
      status: 503,
      headers: { 'Content-Type': 'application/json', ...cors },
      body: JSON.stringify({ error: { code: 'unavailable', message: 'database unavailable', requestId: 'r' } }),
    });
    await page.route(url, fail);
    await picker.selectOption(second);
    await page.getByRole('alert').filter({ hasText: 'The service is temporarily unavailable. Please try again shortly.' }).waitFor();
    await page.unroute(url, fail);
    assert.equal(await picker.inputValue(), first);
    assert.equal(await picker.getAttribute('aria-invalid'), 'true');
  });

  await step('settings: custom instructions and the default model', async () => {
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/settings');
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    const instructions = byLabel('Custom instructions');
    const defaultModel = byLabel('Default model');
    await instructions.waitFor();
    const ids = models ?? (await offeredModels()).map((m) => m.id);
    assert.equal(await instructions.inputValue(), '');
    assert.equal(await instructions.getAttribute('maxlength'), '4000');
    assert.equal(await defaultModel.inputValue(), ''); // the deployment's default
    assert.deepEqual(await defaultModel.locator('option').allInnerTexts(), [`Deployment default (${ids[0]})`, ...ids]);
    const chosen = ids.at(-1);

    // An error is said in words (the server's, here a stub).
    const meURL = `${apiURL}/me`;
    const fail = (route) => route.request().method() !== 'PATCH' ? route.fallback() : route.fulfill({
      status: 500,
      headers: { 'Content-Type': 'application/json', ...cors },
      body: JSON.stringify({ error: { code: 'internal', message: 'internal error', requestId: 'r' } }),
    });
    await page.route(meURL, fail);
    await instructions.fill("  Answer like a ship's captain.  ");
    await defaultModel.selectOption(chosen);
    await button('Save').click();
    await page.getByRole('alert').filter({ hasText: 'Something went wrong on our side. Please try again.' }).waitFor();
    await page.unroute(meURL, fail);

    let req = page.waitForRequest(isPatch('/me'));
    await button('Save').click();
    assert.deepEqual((await req).postDataJSON(), { instructions: "Answer like a ship's captain.", defaultModel: chosen });
    assert.equal((await (await req).response()).status(), 200);
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    assert.equal(await page.getByRole('alert').count(), 0);
    assert.equal(await instructions.inputValue(), "Answer like a ship's captain."); // as the server keeps it: trimmed
    await shots('settings');

    // Kept by the server: the page, loaded anew, shows it.
    await go('/');
    await go('/settings');
    await instructions.waitFor();
    assert.equal(await instructions.inputValue(), "Answer like a ship's captain.");
    assert.equal(await defaultModel.inputValue(), chosen);

    // A conversation without a model of its own now gets the user's default.
    await page.getByRole('link', { name: 'Back to chat' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    if (models) {
      await go(`/c/${conv2}`);
      const picker = byLabel('Model');
      await picker.waitFor();
      assert.equal(await picker.inputValue(), chosen);
      assert.deepEqual(await picker.locator('option').allInnerTexts(), ids.map((id) => (id === chosen ? `${id} (default)` : id)));
    }

    // Emptied, the instructions are none; "Deployment default" is null.
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await instructions.waitFor();
    assert.equal(await instructions.inputValue(), "Answer like a ship's captain.");
    await instructions.fill('   ');
    await defaultModel.selectOption('');
    req = page.waitForRequest(isPatch('/me'));
    await button('Save').click();
    assert.deepEqual((await req).postDataJSON(), { instructions: null, defaultModel: null });
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    assert.equal(await instructions.inputValue(), '');
    await page.getByRole('link', { name: 'Back to chat' }).click();
    await page.waitForURL((u) => u.pathname === '/');
  });

  await step('the sidebar pages through every conversation, newest first', async () => {
    const r = await fetch(`${apiURL}/auth/sign-in`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }),
    });
    assert.equal(r.status, 200);
    const { accessToken } = await r.json();
    const seeds = [];
    for (let i = 1; i <= 22; i++) {
      const title = `Seeded ${String(i).padStart(2, '0')}`;
      const c = await fetch(`${apiURL}/conversations`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${accessToken}` },
        body: JSON.stringify({ title }),
      });
      assert.equal(c.status, 201, await c.clone().text());
      seeds.push(title);
    }
    await page.goto(`${base}/c/${conv1}`);
    await convItems().first().waitFor();
    assert.equal(await convItems().count(), 20, 'the first page has 20');
    await scrollSidebarUntil(async () => (await convItems().count()) >= 24);
    const titles = await convTitles();
    assert.equal(titles.length, 24, `got ${titles.length}: ${titles.join(', ')}`);
    assert.equal(new Set(await page.locator('.conv-list li.conv').evaluateAll((els) => els.map((e) => e.dataset.conversationId))).size, 24);
    assert.deepEqual(titles.slice(0, 22), [...seeds].reverse());
    // Under date headings, in their order (all Today, unless the run crossed midnight).
    const heads = await groupHeads();
    assert.ok(heads.length >= 1 && heads.every((h, i) => i === 0 || GROUPS.indexOf(h) > GROUPS.indexOf(heads[i - 1])), heads.join(', '));
    await page.locator('.conv-list').evaluate((el) => { el.scrollTop = 0; });
  });

  await step('search finds an earlier message and jumps to it', async () => {
    await go(`/c/${conv1}`);
    await page.locator('li.message').first().waitFor();
    const box = page.getByRole('searchbox', { name: 'Search messages' });
    await box.fill('ultramarine sailing boats');
    // A message is searchable once its turn's invocation has stored the
    // vectors, just after the stream ended: search until it is found.
    let hit;
    for (const until = Date.now() + 15_000; Date.now() < until; ) {
      await button('Search').click();
      await page.locator('.search-results').waitFor();
      hit = page.locator('.search-hit', { hasText: 'ultramarine' }).first();
      if (await hit.count()) break;
      await sleep(250); // a poll with a deadline: no timing is assumed
    }
    assert.ok(await hit.count(), 'a hit for the earlier message');
    await shots('search');
    const href = await hit.getAttribute('href');
    const [, hitConv, msgId] = /^\/c\/([0-9a-f-]+)#m-([0-9a-f-]+)$/.exec(href) ?? [];
    assert.equal(hitConv, conv2);
    await hit.click();
    await page.waitForURL((u) => u.pathname === `/c/${conv2}` && u.hash === `#m-${msgId}`);
    const target = page.locator(`[id="m-${msgId}"]`);
    await target.waitFor();
    await page.waitForFunction((id) => document.getElementById(`m-${id}`)?.classList.contains('highlight'), msgId);
    assert.match(await target.innerText(), /ultramarine/);
    const inView = await target.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return r.bottom > 0 && r.top < innerHeight;
    });
    assert.ok(inView, 'the message is scrolled into view');
    await button('Clear').click();
  });

  await step('export all my data from settings: a download of the whole account, with its counts', async () => {
    await go('/settings');
    const data = page.getByRole('region', { name: 'Your data', exact: true });
    const answered = page.waitForResponse((r) => r.url() === `${apiURL}/me/export` && r.request().method() === 'GET');
    const downloaded = page.waitForEvent('download');
    await data.getByRole('button', { name: 'Export all my data', exact: true }).click();
    const link = await (await answered).json();
    const ready = data.getByRole('status').filter({ hasText: 'Your export is ready' });
    await ready.waitFor();
    const n = (k, one) => `${k.toLocaleString('en')} ${one}${k === 1 ? '' : 's'}`;
    assert.ok((await ready.innerText()).includes(`${n(link.conversations, 'conversation')}, ${n(link.messages, 'message')}`), await ready.innerText());
    // The browser saved the file (an attachment: the page stayed on settings).
    const download = await downloaded;
    const chunks = [];
    for await (const c of await download.createReadStream()) chunks.push(c);
    const doc = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    assert.equal(doc.format, 'macro-ai.account.v1');
    assert.equal(doc.conversations.length, link.conversations);
    assert.equal(Buffer.concat(chunks).length, link.bytes);
    const mine = doc.conversations.find((c) => c.conversation.id === conv2);
    assert.ok(mine?.messages.some((m) => m.role === 'user' && m.content.includes('ultramarine')), 'the export holds the conversation and its messages');
    assert.equal(new URL(page.url()).pathname, '/settings');
    // The link shown answers the same document.
    const href = await data.getByRole('link', { name: 'download it here', exact: true }).getAttribute('href');
    const r = await fetch(href);
    assert.equal(r.status, 200);
    assert.equal((await r.json()).conversations.length, link.conversations);
    await ready.scrollIntoViewIfNeeded();
    await shots('export-all');
  });

  const imported = 'Imported from ChatGPT (e2e)';
  await step('import a ChatGPT conversations.json: errors in words, upload progress, the counts; the sidebar lists it', async () => {
    await page.getByRole('link', { name: 'Import conversations', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/import');
    const fileInput = page.getByLabel('File to import', { exact: true });
    await fileInput.waitFor(); // the page's chunk, loaded on demand
    const importButton = page.getByRole('button', { name: 'Import', exact: true });
    const result = page.getByRole('region', { name: 'Import result', exact: true });
    const choose = (name, text) => fileInput.setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });

    // Too large for the API (413, stubbed: a real one would need 60 MB).
    const isStart = (u) => u.href === `${apiURL}/imports`;
    await page.route(isStart, (route) => route.fulfill({
      status: 413,
      headers: { 'Content-Type': 'application/json', ...cors },
      body: JSON.stringify({ error: { code: 'payload_too_large', message: 'the file is larger than an import may be (60000000 bytes)', requestId: 'r' } }),
    }), { times: 1 });
    await choose('big.json', '[]');
    await importButton.click();
    await result.getByRole('alert').filter({ hasText: 'big.json was not imported. The file is too large to import (at most 60 MB).' }).waitFor();

    // Cut short: the import runs and fails, saying where.
    await choose('broken.json', '[{"title": "x", "mapping": {');
    await importButton.click();
    await result.getByRole('alert')
      .filter({ hasText: /^broken\.json was not imported\. The file ends in the middle of conversation 1 \(after 28 bytes\)\. Nothing from it was written\.$/ })
      .waitFor();

    // A ChatGPT export of one conversation: a question and its answer.
    const now = Date.now() / 1000;
    const msg = (id, role, text, t) => ({
      id, author: { role }, content: { content_type: 'text', parts: [text] }, create_time: t, status: 'finished_successfully',
      recipient: 'all', metadata: role === 'assistant' ? { model_slug: 'gpt-4o' } : {},
    });
    const chatgpt = [{
      title: imported, create_time: now - 60, update_time: now, conversation_id: 'e2e-chatgpt-1', id: 'e2e-chatgpt-1', current_node: 'a1',
      mapping: {
        root: { id: 'root', message: null, parent: null, children: ['q1'] },
        q1: { id: 'q1', message: msg('q1', 'user', 'How do Zanzibar marmalade jars stay sealed?', now - 50), parent: 'root', children: ['a1'] },
        a1: { id: 'a1', message: msg('a1', 'assistant', 'With a waxed paper disc under the lid.', now - 40), parent: 'q1', children: [] },
      },
    }];
    // What the page showed on its way (the upload is quick: recorded as it happens).
    await page.evaluate(() => {
      window.__importSteps = [];
      const seen = () => {
        const t = document.querySelector('.import-step')?.textContent;
        if (t && window.__importSteps.at(-1) !== t) window.__importSteps.push(t);
      };
      new MutationObserver(seen).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    const put = page.waitForRequest((r) => r.method() === 'PUT' && new URL(r.url()).pathname.includes('/imports/'));
    await choose('conversations.json', JSON.stringify(chatgpt));
    await importButton.click();
    assert.match((await put).url(), /X-Amz-Signature=/); // straight to storage, pre-signed
    const done = result.getByRole('status').filter({ hasText: 'Imported 1 conversation (2 messages) from the ChatGPT export.' });
    await done.waitFor({ timeout: 60_000 });
    const steps = await page.evaluate(() => window.__importSteps);
    assert.ok(steps.some((s) => /^Uploading conversations\.json… \d+%$/.test(s)), steps.join(' | '));
    await shots('import-done');

    // The same file again creates nothing and says so.
    await button('Import another file').click();
    await choose('conversations.json', JSON.stringify(chatgpt));
    await importButton.click();
    await result.getByRole('status').filter({ hasText: 'Imported 0 conversations (0 messages) from the ChatGPT export. Skipped 1 imported before.' }).waitFor({ timeout: 60_000 });

    await page.getByRole('link', { name: 'Open your conversations', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/');
    await page.locator('.conv-list .conv-link', { hasText: imported }).waitFor();
  });

  await step('a keyword search (the mode toggle) marks the words that matched', async () => {
    const box = page.getByRole('searchbox', { name: 'Search messages' });
    await box.fill('ZANZIBAR jars');
    const keyword = page.getByRole('radio', { name: 'Keyword', exact: true });
    assert.equal(await page.getByRole('radio', { name: 'Hybrid', exact: true }).isChecked(), true, 'hybrid is the default');
    await keyword.check();
    const searched = (mode) => page.waitForResponse((r) => r.url().startsWith(`${apiURL}/search?`) && new URL(r.url()).searchParams.get('mode') === mode);
    let res = searched('keyword');
    await button('Search').click();
    assert.equal((await res).status(), 200);
    // Keyword search needs no embedding: the imported messages are found at once.
    const hit = page.locator('.search-hit', { hasText: 'marmalade' }).first();
    await hit.waitFor();
    assert.deepEqual(await hit.locator('mark').allInnerTexts(), ['Zanzibar', 'jars']);
    assert.equal(await hit.locator('.hit-title').innerText(), imported);
    await shots('search-keyword');
    // Semantic: by meaning, nothing marked; switching the mode searches again.
    res = searched('semantic');
    await page.getByRole('radio', { name: 'Semantic', exact: true }).check();
    assert.equal((await res).status(), 200);
    await button('Search').waitFor(); // not '…': the results are in
    await painted();
    assert.equal(await page.locator('.search-results mark').count(), 0);
    // Hybrid again: the exact words rank the imported question first, marked.
    res = searched('hybrid');
    await page.getByRole('radio', { name: 'Hybrid', exact: true }).check();
    assert.equal((await res).status(), 200);
    const first = page.locator('.search-hit').first();
    await first.locator('mark').first().waitFor();
    assert.match(await first.innerText(), /Zanzibar marmalade jars/);
    const [, convId, msgId] = /^\/c\/([0-9a-f-]+)#m-([0-9a-f-]+)$/.exec(await first.getAttribute('href')) ?? [];
    await first.click();
    await page.waitForURL((u) => u.pathname === `/c/${convId}` && u.hash === `#m-${msgId}`);
    assert.match(await page.locator(`[id="m-${msgId}"]`).innerText(), /Zanzibar marmalade jars/);
    await button('Clear').click();
  });

  await step('rename a conversation inline', async () => {
    await go(`/c/${conv1}`);
    // Older than the first page of the sidebar: the header has its title all the same.
    await page.locator('.chat-title', { hasText: 'Line one of the question' }).waitFor();
    const item = await revealConv(conv1);
    await item.getByRole('button', { name: /^Rename/ }).click();
    const input = item.getByLabel('New title');
    await input.fill('');
    await input.press('Enter');
    await item.getByText('The title cannot be empty.').waitFor();
    await input.fill('Renamed by the e2e test');
    await input.press('Enter');
    await item.locator('.conv-link', { hasText: 'Renamed by the e2e test' }).waitFor();
    await page.locator('.chat-title', { hasText: 'Renamed by the e2e test' }).waitFor();
    await page.reload();
    // A rename is an update: the conversation is the newest now.
    await page.locator('.conv-list .conv-link').first().filter({ hasText: 'Renamed by the e2e test' }).waitFor();
  });

  await step('delete a conversation, after a confirmation', async () => {
    const item = page.locator(`.conv[data-conversation-id="${conv1}"]`);
    await item.getByRole('button', { name: /^Delete/ }).click();
    const confirm = item.getByRole('group', { name: /^Delete/ });
    await confirm.waitFor();
    await shots('delete-confirm');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    await item.getByRole('button', { name: /^Delete/ }).click();
    await item.getByRole('group', { name: /^Delete/ }).getByRole('button', { name: 'Delete', exact: true }).click();
    await item.waitFor({ state: 'detached' });
    await page.waitForURL((u) => u.pathname === '/'); // it was open
    await page.reload();
    await convItems().first().waitFor();
    assert.equal(await page.locator(`.conv[data-conversation-id="${conv1}"]`).count(), 0);
    // Its page is now a sentence, not a blank screen.
    await go(`/c/${conv1}`);
    await page.getByText('Not found — it may have been deleted.').waitFor();
  });

  await step('a refresh that fails (429) keeps the session and says why', async () => {
    await page.route('**/auth/refresh', (route) => route.fulfill({
      status: 429,
      headers: { 'Content-Type': 'application/json', 'Retry-After': '30', ...cors },
      body: JSON.stringify({ error: { code: 'rate_limited', message: 'too many requests' } }),
    }), { times: 1 });
    await page.reload();
    await page.getByRole('heading', { name: 'Could not restore your session' }).waitFor();
    await page.getByText('Too many requests. Please wait 30 seconds and try again.').waitFor();
    await shots('session-error');
    await button('Try again').click();
    await convItems().first().waitFor();
  });

  await step('time to interactive (chat, session restored from the refresh token)', async () => {
    const xs = [];
    for (let i = 0; i < 2; i++) {
      await page.goto(`${base}/`);
      const h = await page.waitForFunction(() => performance.getEntriesByName('app:chat-ready')[0]?.startTime ?? null);
      xs.push(await h.jsonValue());
    }
    report.ttiChatMs = Math.round(median(xs));
    log(`time to interactive: chat ${report.ttiChatMs} ms (reload: refresh the tokens, list the conversations)`);
  });

  await step('phone width is usable', async () => {
    await page.setViewportSize(PHONE);
    await go(`/c/${conv2}`);
    await sidebarSettled('tucked'); // the sidebar slides out
    await page.locator('li.message').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
    assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px`);
    const sidebar = page.locator('nav.sidebar');
    const tucked = await sidebar.boundingBox();
    assert.ok(tucked.x + tucked.width <= 0, 'the sidebar is tucked away');
    const box = await composer().boundingBox();
    assert.ok(box && box.y + box.height <= PHONE.height && box.width > 200, 'the composer is on screen');
    await shots('phone-chat');
    await page.getByRole('button', { name: 'Show conversations' }).click();
    await sidebarSettled('shown'); // the slide-in
    assert.ok((await sidebar.boundingBox()).x >= 0);
    await shots('phone-sidebar');
    await page.locator('.scrim').click({ position: { x: PHONE.width - 20, y: 400 } });
    await sidebarSettled('tucked');
    await page.setViewportSize(DESKTOP);
  });

  await step('sign out', async () => {
    const refreshToken = await page.evaluate(() => sessionStorage.getItem('macro-ai.refreshToken'));
    assert.ok(refreshToken);
    await button('Sign out').click();
    await page.waitForURL((u) => u.pathname === '/sign-in');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('macro-ai.refreshToken')), null);
    // Revoked on the server too (global sign-out).
    const r = await fetch(`${apiURL}/auth/refresh`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refreshToken }),
    });
    assert.equal(r.status, 401, await r.text());
    await page.goto(`${base}/c/${conv2}`);
    await page.waitForURL((u) => u.pathname === '/sign-in');
    await button('Sign in').waitFor();
  });

  await step('forgot password, reset it, sign in with the new one', async () => {
    const before = await latestCode(stack.env, email, { timeout: 0 }).catch(() => undefined);
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.waitForURL((u) => u.pathname === '/forgot-password');
    await byLabel('E-mail').fill(email);
    await shots('forgot-password');
    await button('Send code').click();
    await waitForPath(/^\/reset-password\?email=/);
    const code = await latestCode(stack.env, email, { not: before });
    await byLabel('Code').fill(code);
    await byLabel('New password').fill('weak');
    await button('Set new password').click();
    await page.getByText('Use at least 8 characters.').waitFor();
    await byLabel('New password').fill(NEW_PASSWORD);
    await shots('reset-password');
    await button('Set new password').click();
    await waitForPath(/^\/sign-in/);
    await page.getByText('Password changed. Sign in with the new one.').waitFor();
    await byLabel('Password').fill(NEW_PASSWORD);
    await button('Sign in').click();
    await page.waitForURL((u) => u.pathname === '/');
    await revealConv(conv2); // older than the 22 seeded ones: on the second page
  });

  await step('the sidebar groups conversations by day: Today, Yesterday, Previous 7 days, Older', async () => {
    // The page's clock stops at this moment (Date only: timers run on), and
    // the first page of the list is made of conversations around its local
    // midnights, so the groups are certain whatever the time of the run.
    const now = await page.evaluate(() => Date.now());
    await page.clock.setFixedTime(now);
    const items = await page.evaluate((now) => {
      const day = (back, h, m = 0, s = 0, ms = 0) => {
        const d = new Date(now);
        d.setDate(d.getDate() - back);
        d.setHours(h, m, s, ms);
        return d.toISOString();
      };
      const rows = [
        ['today, at midnight', day(0, 0)],
        ['yesterday, a moment before midnight', day(1, 23, 59, 59, 999)],
        ['yesterday, at midnight', day(1, 0)],
        ['two days ago, late', day(2, 23, 59, 59, 999)],
        ['seven days ago, at midnight', day(7, 0)],
        ['eight days ago, late', day(8, 23, 59, 59, 999)],
        ['a year ago', day(365, 12)],
      ];
      return rows.map(([title, t]) => ({ id: crypto.randomUUID(), title: `Grouped: ${title}`, createdAt: t, updatedAt: t, messageCount: 0, model: null, systemPrompt: null }));
    }, now);
    const isList = (u) => u.origin === apiOrigin && u.pathname === '/conversations';
    const list = (route) => route.request().method() !== 'GET' ? route.fallback() : route.fulfill({
      status: 200,
      headers: { 'Content-Type': 'application/json', ...cors },
      body: JSON.stringify({ items, nextCursor: null }),
    });
    await page.route(isList, list);
    await go('/settings'); // the chat screen, loaded anew, lists again
    await go('/');
    await page.locator('.conv-link', { hasText: 'Grouped: a year ago' }).waitFor();
    await page.unroute(isList, list);
    const groups = await page.locator('.conv-list .conv-group').evaluateAll((els) => els.map((g) => [
      g.querySelector('.conv-group-head').textContent,
      [...g.querySelectorAll('.conv-link')].map((a) => a.textContent.replace('Grouped: ', '')),
    ]));
    assert.deepEqual(groups, [
      ['Today', ['today, at midnight']],
      ['Yesterday', ['yesterday, a moment before midnight', 'yesterday, at midnight']],
      ['Previous 7 days', ['two days ago, late', 'seven days ago, at midnight']],
      ['Older', ['eight days ago, late', 'a year ago']],
    ]);
    // Each group is a list named by its heading.
    const yesterday = page.getByRole('list', { name: 'Yesterday', exact: true });
    assert.equal(await yesterday.getByRole('link').count(), 2);
    assert.equal(await page.getByRole('heading', { name: 'Previous 7 days', exact: true }).count(), 1);
    await shots('sidebar-groups');
  });

  await step('sign out again', async () => {
    await button('Sign out').click();
    await page.waitForURL((u) => u.pathname === '/sign-in');
  });

  const REFRESH_KEY = 'macro-ai.refreshToken';
  const stored = (p) => p.evaluate((k) => ({ tab: sessionStorage.getItem(k), kept: localStorage.getItem(k) }), REFRESH_KEY);
  /** A browser restarted with what it keeps (cookies, localStorage; never sessionStorage): a new context. */
  async function restarted(p) {
    const state = await p.context().storageState();
    const ctx = await watchCSP(await browser.newContext({ viewport: DESKTOP, colorScheme: 'light', storageState: state }));
    const q = await ctx.newPage();
    q.on('pageerror', (e) => pageErrors.push(String(e)));
    return q;
  }
  async function signInOn(p, password, keep) {
    await p.getByLabel('E-mail', { exact: true }).fill(email);
    await p.getByLabel('Password', { exact: true }).fill(password);
    const box = p.getByLabel('Keep me signed in', { exact: true });
    assert.equal(await box.isChecked(), false, 'unticked by default');
    if (keep) await box.check();
    await p.getByRole('button', { name: 'Sign in', exact: true }).click();
  }
  let keptPage; // another browser whose session is kept

  await step('keep me signed in: unticked, a restarted browser is signed out; ticked, it is still signed in', async () => {
    await signInOn(page, NEW_PASSWORD, false);
    await page.waitForURL((u) => u.pathname === '/');
    const unticked = await stored(page);
    assert.ok(unticked.tab && unticked.kept === null, `unticked: sessionStorage only (${JSON.stringify(unticked)})`);
    const fresh = await restarted(page);
    await fresh.goto(`${base}/`);
    await fresh.waitForURL((u) => u.pathname === '/sign-in');
    await fresh.context().close();

    const other = await newPage();
    await other.goto(`${base}/sign-in`);
    await signInOn(other, NEW_PASSWORD, true);
    await other.waitForURL((u) => u.pathname === '/');
    const ticked = await stored(other);
    assert.ok(ticked.kept && ticked.tab === null, `ticked: localStorage only (${JSON.stringify(ticked)})`);
    keptPage = await restarted(other);
    await other.context().close();
    await keptPage.goto(`${base}/`);
    await keptPage.locator('.who').filter({ hasText: email }).waitFor();
    await keptPage.reload();
    await keptPage.locator('.who').filter({ hasText: email }).waitFor();
    assert.equal((await stored(keptPage)).kept, ticked.kept, 'the kept refresh token is still there after a reload');
  });

  await step('sign out everywhere from another session ends the kept one', async () => {
    await button('Sign out').click(); // the first browser: POST /auth/sign-out (global)
    await page.waitForURL((u) => u.pathname === '/sign-in');
    await keptPage.reload(); // its refresh token is revoked: the restore fails, the session ends
    await keptPage.waitForURL((u) => u.pathname === '/sign-in');
    assert.deepEqual(await stored(keptPage), { tab: null, kept: null });
    await keptPage.context().close();
  });

  const THIRD_PASSWORD = 'Th1rd!password';
  await step('change the password on the settings page, then sign in with the new one', async () => {
    await signInOn(page, NEW_PASSWORD, false);
    await page.waitForURL((u) => u.pathname === '/');
    await go('/settings');
    const account = page.getByRole('region', { name: 'Account', exact: true });
    const form = account.getByRole('form', { name: 'Change password', exact: true });
    await form.getByLabel('Current password', { exact: true }).fill('Wrong!pass1');
    await form.getByLabel('New password', { exact: true }).fill('weak');
    await form.getByRole('button', { name: 'Change password', exact: true }).click();
    await form.getByText('Use at least 8 characters.').waitFor(); // checked before the server
    await form.getByLabel('New password', { exact: true }).fill(THIRD_PASSWORD);
    await form.getByRole('button', { name: 'Change password', exact: true }).click();
    const under = form.locator('.field', { has: page.getByLabel('Current password', { exact: true }) }).locator('.field-error');
    assert.equal(await under.innerText(), 'The password is wrong');
    await form.getByLabel('Current password', { exact: true }).fill(NEW_PASSWORD);
    await form.getByRole('button', { name: 'Change password', exact: true }).click();
    await form.getByText('Password changed. Your other devices are signed out.').waitFor();
    await shots('account');
    // This session goes on with the tokens the change answered.
    await go('/');
    await page.locator('.who').filter({ hasText: email }).waitFor();
    await button('Sign out').click();
    await page.waitForURL((u) => u.pathname === '/sign-in');
    await signInOn(page, NEW_PASSWORD, false);
    await page.getByRole('alert').filter({ hasText: 'Wrong e-mail or password.' }).waitFor();
    await signInOn(page, THIRD_PASSWORD, false);
    await page.waitForURL((u) => u.pathname === '/');
  });

  await step('two-step sign-in: enrol with the QR code\'s key, sign in with a code (a wrong one refused), turn it off with a code', async () => {
    await go('/settings');
    const account = page.getByRole('region', { name: 'Account', exact: true });
    const answered = page.waitForResponse((r) => r.url() === `${apiURL}/auth/mfa/setup` && r.request().method() === 'POST');
    await account.getByRole('button', { name: 'Set up an authenticator app', exact: true }).click();
    const setup = await (await answered).json();
    const enrol = account.getByRole('form', { name: 'Set up two-step sign-in', exact: true });
    const qr = enrol.getByRole('img', { name: 'QR code of the two-step sign-in key, for an authenticator app', exact: true });
    await qr.waitFor();
    const secret = (await enrol.getByTestId('mfa-secret').innerText()).trim();
    assert.match(secret, /^[A-Z2-7]{32}$/, 'the key, as text');
    assert.equal(secret, setup.secret);
    assert.ok(setup.otpauthUri.startsWith('otpauth://totp/Macro%20AI:') && setup.otpauthUri.includes(`secret=${secret}&`), setup.otpauthUri);
    // The QR code drawn is the URI's: every dark module where uqr puts it for that text.
    const { encode } = await import('uqr');
    const want = encode(setup.otpauthUri, { ecc: 'M', border: 2 }).data
      .flatMap((row, y) => row.map((on, x) => (on ? `M${x} ${y}h1v1h-1z` : ''))).join('');
    assert.equal(await qr.locator('path').getAttribute('d'), want, 'the QR code encodes the otpauth URI');
    await shots('mfa-setup');
    await enrol.getByLabel('Code from the app', { exact: true }).fill(wrongTotp(secret));
    await enrol.getByRole('button', { name: 'Turn on two-step sign-in', exact: true }).click();
    await enrol.locator('.field-error').filter({ hasText: 'The code is wrong' }).waitFor();
    await enrol.getByLabel('Code from the app', { exact: true }).fill(totp(secret));
    await enrol.getByRole('button', { name: 'Turn on two-step sign-in', exact: true }).click();
    await account.getByText('Two-step sign-in is on. Sign-ins now ask for a code from the app.').waitFor();

    await go('/');
    await button('Sign out').click();
    await page.waitForURL((u) => u.pathname === '/sign-in');
    await signInOn(page, THIRD_PASSWORD, false);
    const codeForm = page.getByRole('form', { name: 'Two-step sign-in', exact: true });
    await codeForm.getByRole('heading', { name: 'Enter your code' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/sign-in', 'no tokens before the code');
    assert.deepEqual(await stored(page), { tab: null, kept: null });
    await codeForm.getByLabel('Code', { exact: true }).fill(wrongTotp(secret));
    await codeForm.getByRole('button', { name: 'Sign in', exact: true }).click();
    await codeForm.getByRole('alert').filter({ hasText: 'That code did not work.' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/sign-in');
    await codeForm.getByLabel('Code', { exact: true }).fill(totp(secret));
    await codeForm.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/');
    await page.locator('.who').filter({ hasText: email }).waitFor();

    await go('/settings');
    await account.getByRole('button', { name: 'Turn two-step sign-in off…', exact: true }).click();
    const off = account.getByRole('form', { name: 'Turn off two-step sign-in', exact: true });
    await off.getByLabel('Password', { exact: true }).fill(THIRD_PASSWORD);
    await off.getByLabel('Code from the app', { exact: true }).fill(wrongTotp(secret));
    await off.getByRole('button', { name: 'Turn off two-step sign-in', exact: true }).click();
    await off.locator('.field-error').filter({ hasText: 'The password or the code is wrong' }).waitFor();
    await off.getByLabel('Code from the app', { exact: true }).fill(totp(secret));
    await off.getByRole('button', { name: 'Turn off two-step sign-in', exact: true }).click();
    await account.getByText('Two-step sign-in is off.').waitFor();
  });

  await step('delete the account after giving the password; then signing in fails', async () => {
    await go('/settings');
    const form = page.getByRole('form', { name: 'Delete account', exact: true });
    await form.getByRole('button', { name: 'Delete my account', exact: true }).click();
    await form.getByText('Enter your password to confirm.').waitFor();
    await form.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD); // the old one
    await form.getByRole('button', { name: 'Delete my account', exact: true }).click();
    const under = form.locator('.field').locator('.field-error');
    await under.filter({ hasText: 'The password is wrong' }).waitFor();
    await form.getByLabel('Password', { exact: true }).fill(THIRD_PASSWORD);
    await form.getByRole('button', { name: 'Delete my account', exact: true }).click();
    await waitForPath(/^\/sign-in\?notice=/);
    await page.getByText('Your account and all its data were deleted.').waitFor();
    assert.deepEqual(await stored(page), { tab: null, kept: null });
    await signInOn(page, THIRD_PASSWORD, false);
    await page.getByRole('alert').filter({ hasText: 'Wrong e-mail or password.' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/sign-in');
  });

  await step('no uncaught errors in the pages', async () => {
    assert.deepEqual(pageErrors, []);
  });
  await step('no CSP violation in the pages', async () => {
    assert.deepEqual(cspViolations, []);
  });
  await page.context().close();
}
