import net from 'node:net';
// Browser-test support: start the portal with the runner on a free loopback port,
// drive Debian's Chromium with playwright-core, and check pages with axe-core.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const artifacts = path.join(root, 'artifacts');

/** Starts the portal with migrations and demo data; resolves to {base, stop}. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
    srv.on('error', reject);
  });
}

/** The demo identity the portal names as its first administrator (`bootstrap_admins`). */
export const BOOTSTRAP_ADMIN = { name: 'Alessandro Romano', fiscal_code: 'RMNLSN90T10H501D', email: 'alessandro.romano@example.org', mobile: '+393404445566' };

export async function startPortal() {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-browser-'));
  const sql = ['db/migrations', 'db/reference', 'db/seed'].flatMap((d) =>
    fs.readdirSync(path.join(root, d)).filter((f) => f.endsWith('.sql')).sort().flatMap((f) => ['--sqlite', `@${d}/${f}`]));
  const bin = process.env.RUNNER_BIN ?? path.join(root, 'target/release/runner');
  // The portal must know its own URL (SAML locations): a free port, named in base_url.
  const port = await freePort();
  const keys = [['sp_private_key', 'sp.key'], ['sp_certificate', 'sp.crt'], ['test_idp_private_key', 'demo-idp.key'], ['test_idp_certificate', 'demo-idp.crt'], ['documents_signing_key', 'documents.key'], ['documents_signing_cert', 'documents.crt'], ['oidc_signing_key', 'oidc.key'], ['oidc_previous_key', 'oidc-previous.key']]
    .flatMap(([v, f]) => ['--variable', `${v}=@${path.join(root, '.dev', f)}`])
    // the OIDC provider's key ids and development partners (config/oidc/development.json)
    .concat(['--variable', 'oidc_signing_kid=dev2', '--variable', 'oidc_previous_kid=dev1', '--variable', `oidc_clients=@${path.join(root, 'config/oidc/development.json')}`]);
  const child = spawn(bin, ['up', '--from', 'spin.dev.toml', '--listen', `127.0.0.1:${port}`, '--state-dir', state, ...sql, ...keys,
    '--variable', `base_url=http://127.0.0.1:${port}`,
    // the development partners' addresses (the demo partner site) on this run's port
    '--variable', `oidc_clients=${fs.readFileSync(path.join(root, 'config/oidc/development.json'), 'utf8').replaceAll('127.0.0.1:3000', `127.0.0.1:${port}`)}`,
    // the suite logs in far more often than a person: no per-address login limit
    '--variable', 'login_starts_per_client=100000',
    // the back office's first administrator (a demo identity, registered by the tests that use it)
    '--variable', `bootstrap_admins=${BOOTSTRAP_ADMIN.fiscal_code}`], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => { log += d; });
  // never leave a runner behind, whatever way the test process ends
  process.on('exit', () => child.kill('SIGKILL'));
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`runner did not start:\n${log}`)), 60000);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /Serving (http:\/\/\S+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`runner exited (${code}):\n${log}`)); });
  });
  return {
    base,
    log: () => log,
    stop: () => { child.kill('SIGTERM'); fs.rmSync(state, { recursive: true, force: true }); },
  };
}

/** Launches Chromium; `args` are extra command-line switches (e.g. fake media devices). */
export async function launch(args = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', ...args],
  });
}

/** Chromium's switches for a camera and a microphone without hardware: a test pattern and a tone, permission granted. */
export const FAKE_MEDIA = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];

/** Records console errors, page errors and failed requests of a page. */
export function watch(page) {
  const problems = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // Chromium also logs the 404 of a document that is expected to be missing
    if (page.__expect404 && /status of 404/.test(m.text())) return;
    problems.push(`console: ${m.text().slice(0, 300)}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    // ERR_ABORTED is the browser cancelling a request itself (a navigation leaves the
    // page while its favicon or a fetch is still loading); a server that fails reads as
    // ERR_EMPTY_RESPONSE, ERR_CONNECTION_RESET and the like, and is still recorded.
    if (r.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('response', (r) => {
    // the document of a page expected to be missing is allowed its 404
    if (r.status() >= 400 && !(r.request().resourceType() === 'document' && page.__expect404)) {
      problems.push(`HTTP ${r.status()}: ${r.url()}`);
    }
  });
  return problems;
}

const axeSource = fs.readFileSync(path.join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');

/** Runs axe-core for WCAG 2.1 A and AA; returns the violations, readable. */
export async function axe(page) {
  // evaluate() is not subject to the page's CSP, unlike an injected <script>.
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n    ')}`);
}

export async function screenshot(page, name) {
  fs.mkdirSync(path.join(artifacts, 'screenshots'), { recursive: true });
  await page.screenshot({ path: path.join(artifacts, 'screenshots', `${name}.png`), fullPage: true });
}

/**
 * Starts the portal and a browser for the calling test file, and stops both after it;
 * `args`: extra Chromium switches.
 */
export function session({ args = [] } = {}) {
  const s = {};
  before(async () => {
    s.portal = await startPortal();
    s.browser = await launch(args);
  });
  after(async () => {
    await s.browser?.close();
    s.portal?.stop();
  });
  return s;
}

/**
 * A fresh browser context on `path` (Italian, desktop unless `viewport`), with the
 * cookie notice accepted unless `consent` is false; `go()` loads the page.
 */
export async function openPage(s, path, { consent = true, viewport } = {}) {
  const context = await s.browser.newContext({ locale: 'it-IT', viewport: viewport ?? { width: 1280, height: 900 } });
  if (consent) await context.addCookies([{ name: 'tl_consent', value: '1', url: s.portal.base }]);
  const page = await context.newPage();
  const problems = watch(page);
  return { context, page, problems, go: () => page.goto(s.portal.base + path, { waitUntil: 'networkidle' }) };
}

export const DEMO_IDP = 'Demo IdP (solo sviluppo)';

/** Accedi → Entra con SPID → demo IdP → `who` → Entra; resolves once on `lands`. */
export async function login(s, page, who, lands) {
  if (new URL(page.url()).pathname !== '/accedi/') await page.goto(s.portal.base + '/accedi/', { waitUntil: 'networkidle' });
  await page.getByRole('button', { name: 'Entra con SPID' }).click();
  await page.getByRole('link', { name: DEMO_IDP }).click();
  await page.waitForURL((url) => url.pathname.startsWith('/test-idp/spid/sso'));
  await page.getByLabel(who, { exact: true }).check();
  await page.getByRole('button', { name: 'Entra', exact: true }).click();
  await page.waitForURL((url) => url.origin === s.portal.base && url.pathname === lands);
  await page.waitForLoadState('networkidle');
}

/** The newest message to `recipient` from `template` in the development mailbox (waits a little for it). */
export async function lastMessage(s, recipient, template, after = 0) {
  for (let i = 0; i < 50; i += 1) {
    const r = await fetch(`${s.portal.base}/api/dev/mailbox?recipient=${encodeURIComponent(recipient)}`);
    const found = (await r.json()).items.filter((m) => m.template === template && m.id > after);
    if (found.length) return found[0];
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`no ${template} message to ${recipient}`);
}

/** No horizontal scrolling at the current viewport. */
export async function fitsWidth(page) {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  if (scroll > client) throw new Error(`page wider than the screen: ${scroll} > ${client}`);
}

/** The connection a first visit is measured on: 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up. */
export const SLOW_NETWORK = { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 };

/**
 * Rounds of requests one after another: a request's round is one more than the
 * highest round of the requests that had finished before it started (the document is
 * round 1). `requests`: [{start, end}] in the same clock.
 */
export function requestRounds(requests) {
  const sorted = [...requests].sort((a, b) => a.start - b.start);
  const rounds = [];
  for (const r of sorted) {
    let round = 1;
    for (let i = 0; i < rounds.length; i += 1) {
      const before = sorted[i];
      if (before.end !== undefined && before.end <= r.start) round = Math.max(round, rounds[i] + 1);
    }
    rounds.push(round);
  }
  return sorted.map((r, i) => ({ ...r, round: rounds[i] }));
}

/**
 * A first visit to `path` with an empty cache on SLOW_NETWORK: the time from the
 * navigation's start until `selector` (the page's results) is in the document, the
 * requests made until then and their rounds. Resolves to {ms, rounds, requests, bytes, waterfall}.
 */
export async function firstVisit(browser, base, path, selector, { network = SLOW_NETWORK } = {}) {
  const context = await browser.newContext({ locale: 'it-IT', viewport: { width: 1280, height: 900 } });
  await context.addCookies([{ name: 'tl_consent', value: '1', url: base }]);
  // the moment the results appear, seen from inside the page (no polling delay)
  await context.addInitScript((sel) => {
    const mark = () => {
      if (window.__resultsAt === undefined && document.querySelector(sel)) {
        window.__resultsAt = performance.timeOrigin + performance.now();
        return true;
      }
      return false;
    };
    new MutationObserver((_, observer) => { if (mark()) observer.disconnect(); })
      .observe(document, { childList: true, subtree: true });
  }, selector);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', network);
  const seen = new Map();
  let clock = null; // wall time (ms) minus CDP's monotonic time (ms)
  cdp.on('Network.requestWillBeSent', (e) => {
    if (e.request.url.startsWith('data:')) return;
    clock ??= e.wallTime * 1000 - e.timestamp * 1000;
    seen.set(e.requestId, { url: e.request.url.replace(base, ''), start: e.timestamp * 1000, bytes: 0 });
  });
  cdp.on('Network.loadingFinished', (e) => {
    const r = seen.get(e.requestId);
    if (r) { r.end = e.timestamp * 1000; r.bytes = e.encodedDataLength; }
  });
  cdp.on('Network.loadingFailed', (e) => { const r = seen.get(e.requestId); if (r) r.end = e.timestamp * 1000; });
  await page.goto(base + path, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__resultsAt !== undefined, null, { timeout: 60000 });
  const [resultsAt, navStart] = await page.evaluate(() => [window.__resultsAt, performance.timeOrigin]);
  await context.close();
  const until = resultsAt - clock;
  const before = [...seen.values()].filter((r) => r.start <= until);
  const waterfall = requestRounds(before);
  const finished = waterfall.filter((r) => r.end !== undefined && r.end <= until);
  return {
    ms: Math.round(resultsAt - navStart),
    rounds: Math.max(0, ...finished.map((r) => r.round)),
    requests: before.length,
    bytes: before.reduce((n, r) => n + r.bytes, 0),
    waterfall: waterfall.map((r) => ({ url: r.url, round: r.round, start: Math.round(r.start + clock - navStart), end: r.end === undefined ? null : Math.round(r.end + clock - navStart) })),
  };
}

/**
 * Text contrast of every visible control (links, buttons, tabs, summaries, labels, form
 * fields and the pager), computed as a person sees it: each text's colour against its
 * effective background (the first opaque background up its ancestors, with the
 * semi-transparent ones in between blended in, over a white canvas). Disabled controls
 * are exempt (WCAG 1.4.3). Returns the texts below `minimum` (default 4.5:1), readable;
 * texts over a background image cannot be computed and are returned too (a small
 * picture that does not repeat, such as a select's arrow, is taken as beside the text).
 */
export async function contrastProblems(page, minimum = 4.5) {
  return page.evaluate((min) => {
    const CONTROLS = 'a[href], button, [role="button"], [role="tab"], summary, label, select, textarea, input:not([type="hidden"]):not([type="checkbox"]):not([type="radio"]):not([type="file"]), .page-link';
    const parse = (c) => {
      const m = /^rgba?\(([^)]+)\)$/.exec(c.trim());
      if (!m) return null;
      const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
      return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
    };
    const over = (top, below) => ({
      r: top.r * top.a + below.r * (1 - top.a), g: top.g * top.a + below.g * (1 - top.a), b: top.b * top.a + below.b * (1 - top.a), a: 1,
    });
    const luminance = ({ r, g, b }) => {
      const ch = (v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b);
    };
    const ratio = (a, b) => { const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x); return (l1 + 0.05) / (l2 + 0.05); };
    /** The background behind `node`'s text, or null when an image is in the way. */
    const background = (node) => {
      const layers = [];
      for (let n = node; n; n = n.parentElement) {
        const s = getComputedStyle(n);
        // a small picture that does not repeat (a select's arrow) is beside the text, not under it
        const decoration = /^url\(/.test(s.backgroundImage) && s.backgroundRepeat === 'no-repeat' && !/cover|contain|100%/.test(s.backgroundSize);
        if (s.backgroundImage !== 'none' && !decoration) return null;
        const c = parse(s.backgroundColor);
        if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
      }
      return layers.reduceRight((below, top) => over(top, below), { r: 255, g: 255, b: 255, a: 1 });
    };
    const hidden = (node, stop) => {
      for (let n = node; n && n !== stop.parentElement; n = n.parentElement) {
        const s = getComputedStyle(n);
        const r = n.getBoundingClientRect();
        if (s.display === 'none' || s.visibility === 'hidden' || Number(s.opacity) === 0 || r.width <= 1 || r.height <= 1) return true;
      }
      return false;
    };
    const disabled = (c) => c.matches(':disabled, [aria-disabled="true"]') || c.closest('.disabled, fieldset:disabled') !== null
      || (c.tagName === 'LABEL' && c.control?.disabled);
    const problems = [];
    const checked = new Set();
    const check = (holder, control) => {
      if (checked.has(holder)) return;
      checked.add(holder);
      if (hidden(holder, control)) return;
      const s = getComputedStyle(holder);
      const bg = background(holder);
      const text = holder.tagName === 'SELECT' ? holder.selectedOptions[0]?.textContent : (holder.value || holder.textContent);
      const name = `«${(text || '').trim().replace(/\s+/g, ' ').slice(0, 40)}» (${control.tagName.toLowerCase()}${control.id ? `#${control.id}` : ''}${control.className && typeof control.className === 'string' ? `.${control.className.trim().split(/\s+/).join('.')}` : ''})`;
      if (!bg) { problems.push(`${name}: text over a background image`); return; }
      const fg = parse(s.color);
      if (!fg) { problems.push(`${name}: unreadable colour ${s.color}`); return; }
      const r = ratio(over(fg, bg), bg);
      if (r < min) problems.push(`${name}: ${r.toFixed(2)}:1, ${s.color} on rgb(${Math.round(bg.r)}, ${Math.round(bg.g)}, ${Math.round(bg.b)})`);
    };
    for (const control of document.querySelectorAll(CONTROLS)) {
      if (disabled(control)) continue;
      if (['INPUT', 'SELECT', 'TEXTAREA'].includes(control.tagName)) {
        if (control.tagName === 'SELECT' ? control.selectedOptions[0]?.textContent.trim() : control.value) check(control, control);
        continue;
      }
      const walker = document.createTreeWalker(control, NodeFilter.SHOW_TEXT);
      for (let t = walker.nextNode(); t; t = walker.nextNode()) if (t.textContent.trim()) check(t.parentElement, control);
    }
    return problems;
  }, minimum);
}

/** A phone's width (the issue's 390 px) and height. */
export const PHONE = { width: 390, height: 844 };

/**
 * The page's primary action ([data-primary], one visible) can be reached: scrolled into
 * view it lies within the screen's width and nothing covers its centre (a cookie
 * notice, a menu). Throws with what is wrong.
 */
export async function primaryReachable(page) {
  const problem = await page.evaluate(() => {
    const all = [...document.querySelectorAll('[data-primary]')].filter((e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden');
    if (all.length === 0) return 'no visible primary action ([data-primary])';
    const e = all[0];
    e.scrollIntoView({ block: 'center', inline: 'nearest', behavior: 'instant' });
    // a link that wraps has several boxes: its first line
    const r = e.getClientRects()[0];
    if (r.left < 0 || r.right > document.documentElement.clientWidth) return `«${e.textContent.trim()}» outside the screen: ${Math.round(r.left)}–${Math.round(r.right)} px`;
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    if (!hit || !(hit === e || e.contains(hit))) return `«${e.textContent.trim()}» covered by ${hit?.tagName.toLowerCase()}${hit?.className ? `.${String(hit.className).split(' ').join('.')}` : ''}`;
    return null;
  });
  if (problem) throw new Error(problem);
}

/** What has the focus: never the page's body after an action. */
export async function focused(page) {
  return page.evaluate(() => {
    const a = document.activeElement;
    return !a || a === document.body ? 'BODY' : `${a.tagName.toLowerCase()}${a.id ? `#${a.id}` : ''} «${(a.textContent ?? '').trim().slice(0, 40)}»`;
  });
}

/** `problems` without the failed requests answered with one of `statuses` (expected refusals). */
export function unexpected(problems, statuses = []) {
  return problems.filter((p) => !statuses.some((st) => p.startsWith(`HTTP ${st}:`) || p.includes(`status of ${st}`)));
}

/** The JSON of an API answer, or an Error with its status and body. */
/**
 * The checks of a page a person uses, at both widths: once nothing is loading any more
 * (no `aria-busy`), axe-core and the contrast check on a computer and a screenshot;
 * then the same on a phone, with no horizontal scrolling and its own screenshot
 * (`<shot>-telefono`); then back to the computer's width. `contrast: false` where a
 * page's contrast is not checked (the interview room); `idle: false` where the page is
 * taken as it is.
 */
export async function everyWidth(page, shot, { contrast = true, idle = true } = {}) {
  if (idle) await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
  assert.deepEqual(await axe(page), [], `axe-core: ${shot}`);
  if (contrast) assert.deepEqual(await contrastProblems(page), [], `contrast: ${shot}`);
  await screenshot(page, shot);
  await page.setViewportSize(PHONE);
  await fitsWidth(page);
  assert.deepEqual(await axe(page), [], `axe-core on a phone: ${shot}`);
  if (contrast) assert.deepEqual(await contrastProblems(page), [], `contrast on a phone: ${shot}`);
  await screenshot(page, `${shot}-telefono`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

export async function okJson(response) {
  if (!response.ok()) throw new Error(`${response.request().method()} ${response.url()}: ${response.status()} ${await response.text()}`);
  return response.json();
}

/**
 * Registers and activates the demo identity `who` (its name on the demo IdP) as a
 * citizen through the APIs, as the registration pages do (the SMS code and the
 * activation link from the development mailbox), in a context of its own that is closed
 * after: the fast way to an active account for tests about something else.
 */
export async function registerCitizen(s, who, { email, mobile, comune = '048017', cap = '50122', address = 'Via dei Servi 3' }) {
  const context = await s.browser.newContext({ locale: 'it-IT' });
  try {
    await context.addCookies([{ name: 'tl_consent', value: '1', url: s.portal.base }]);
    const page = await context.newPage();
    await login(s, page, who, '/registrati/cittadino/');
    const api = page.request;
    const url = (p) => s.portal.base + p;
    const { csrf_token: csrf } = await okJson(await api.get(url('/api/session')));
    const headers = { 'x-csrf-token': csrf, accept: 'application/json' };
    const pre = await okJson(await api.get(url('/api/registration')));
    await okJson(await api.post(url('/api/registration/otp'), { headers, data: { mobile } }));
    const sms = await lastMessage(s, mobile, 'otp');
    await okJson(await api.post(url('/api/registration'), {
      headers,
      data: {
        kind: 'citizen', residence: { comune, cap, address }, domicile_same: true, email, email_confirm: email, mobile,
        otp: sms.params.code, privacy_accepted: true, privacy_version: pre.privacy.version,
      },
    }));
    const mail = await lastMessage(s, email, 'activation');
    const token = new URL(mail.params.link).searchParams.get('token');
    const activated = await api.post(url('/api/registration/activate'), { form: { token }, maxRedirects: 0 });
    if (activated.status() !== 303) throw new Error(`activation of ${who}: ${activated.status()} ${await activated.text()}`);
    const me = await okJson(await api.get(url('/api/session')));
    if (me.account !== 'active') throw new Error(`${who} is ${me.account} after activation`);
  } finally {
    await context.close();
  }
}

/** A one-page PDF with `text` in Helvetica (as tests/support/cvfiles.rs makes them), padded to about `padTo` bytes. */
export function pdf(text, padTo = 0) {
  const esc = (line) => `(${line.replace(/[()\\]/g, (c) => `\\${c}`)})`;
  let content = 'BT\n/F1 9 Tf\n11 TL\n40 800 Td\n';
  for (const line of text.split('\n')) {
    for (let i = 0; i < line.length; i += 80) content += `${esc(line.slice(i, i + 80))} Tj T*\n`;
  }
  content += 'ET\n';
  const stream = (data) => `<< /Length ${Buffer.byteLength(data, 'latin1')} >>\nstream\n${data}\nendstream`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
    stream(content),
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
  ];
  // an unreferenced stream makes the file as large as wanted (to watch the upload)
  if (padTo > 0) objects.push(stream('%'.repeat(padTo).replace(/%{80}/g, (m) => `${m.slice(1)}\n`)));
  let out = '%PDF-1.4\n%\xE2\xE3\xCF\xD3\n';
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
