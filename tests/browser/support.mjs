import net from 'node:net';
// Browser-test support: start the portal with the runner on a free loopback port,
// drive Debian's Chromium with playwright-core, and check pages with axe-core.

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

export async function startPortal() {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-browser-'));
  const sql = ['db/migrations', 'db/reference', 'db/seed'].flatMap((d) =>
    fs.readdirSync(path.join(root, d)).filter((f) => f.endsWith('.sql')).sort().flatMap((f) => ['--sqlite', `@${d}/${f}`]));
  const bin = process.env.RUNNER_BIN ?? path.join(root, 'target/release/runner');
  // The portal must know its own URL (SAML locations): a free port, named in base_url.
  const port = await freePort();
  const keys = [['sp_private_key', 'sp.key'], ['sp_certificate', 'sp.crt'], ['test_idp_private_key', 'demo-idp.key'], ['test_idp_certificate', 'demo-idp.crt']]
    .flatMap(([v, f]) => ['--variable', `${v}=@${path.join(root, '.dev', f)}`]);
  const child = spawn(bin, ['up', '--from', 'spin.dev.toml', '--listen', `127.0.0.1:${port}`, '--state-dir', state, ...sql, ...keys,
    '--variable', `base_url=http://127.0.0.1:${port}`,
    // the suite logs in far more often than a person: no per-address login limit
    '--variable', 'login_starts_per_client=100000'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
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

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

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
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
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

/** Starts the portal and a browser for the calling test file, and stops both after it. */
export function session() {
  const s = {};
  before(async () => {
    s.portal = await startPortal();
    s.browser = await launch();
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
