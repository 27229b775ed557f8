// Login in a real browser, against the SSO contract:
//   GET  /auth/spid/idps  → {"items": [{entity_id, name, login_url}]}
//   GET  /auth/cie/login, /auth/cns/login → start CIE / CNS login
//   GET  /api/session     → {"authenticated": false} or {authenticated, person, method, level,
//                         csrf_token, account, acting_as}
//   POST /auth/logout     (form field csrf_token) → 303 to / or, with SPID/CIE, a page that
//                         follows its link to the IdP's single logout (autopost.js)
// The portal started by startPortal() has the demo IdP (`test-idp`, development
// manifest). The Accedi buttons wait for the cookie notice; SPID opens the list of
// identity providers; the header shows the signed-in person and "Esci".

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { shuffle, usableIdps } from '../../web/assets/js/pages/accedi.mjs';
import { displayName } from '../../web/assets/js/session.mjs';
import { axe, openPage, screenshot, session } from './support.mjs';

const DEMO_IDP = 'Demo IdP (solo sviluppo)';
const FOREIGN_IDP = 'http://idp.example.test';
// The logout page goes on to the IdP at once: requests its layout had started (its
// scripts, /api/session) may be cut short. Those aborts are expected there.
const beyondLogoutAborts = (problems) => problems.filter((p) => !/net::ERR_ABORTED/.test(p));

/** A signed-in answer of GET /api/session, as the SSO sends it (every field). */
const SIGNED_IN = {
  authenticated: true,
  person: { fiscal_code: 'RSSMRA80A01D612J', name: 'Mario', family_name: 'Rossi' },
  method: 'spid',
  level: 2,
  csrf_token: 'token-di-prova',
  account: 'active',
  acting_as: null,
};

/** The keys of a JSON value, recursively (arrays by their first item), to compare shapes. */
const shape = (v) => (Array.isArray(v) ? [shape(v[0])]
  : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, shape(v[k])])) : typeof v);

const s = session();
const open = (path, options) => openPage(s, path, options);

const spidButton = (page) => page.getByRole('button', { name: 'Entra con SPID' });
const userButton = (page, name) => page.locator('header').getByRole('button', { name });

/** GET /api/session with the page's cookies. */
async function apiSession(page) {
  const response = await page.request.get(s.portal.base + '/api/session');
  assert.equal(response.status(), 200);
  assert.match(response.headers()['cache-control'] ?? '', /no-store/, '/api/session is never cached');
  return response.json();
}

/** Accedi → Entra con SPID → demo IdP → first test identity → Entra; ends on /. */
async function loginWithDemoIdp(page) {
  await page.goto(s.portal.base + '/accedi/', { waitUntil: 'networkidle' });
  await spidButton(page).click();
  const idp = page.getByRole('link', { name: DEMO_IDP });
  await idp.waitFor();
  await idp.click();
  await page.waitForURL((url) => url.pathname.startsWith('/test-idp/spid/sso'));
  assert.equal(await page.locator('h1').count(), 1, 'the demo IdP page has its heading');
  await page.getByRole('radio').first().check();
  await page.getByRole('button', { name: 'Entra', exact: true }).click();
  // the IdP's page auto-posts the SAML response (autopost.js), the SP answers 303 to /
  await page.waitForURL(s.portal.base + '/');
  await page.waitForLoadState('networkidle');
}

describe('identity providers list (unit)', () => {
  test('shuffle returns every item once, in the order the random source decides', () => {
    const items = ['a', 'b', 'c', 'd', 'e'];
    const out = shuffle(items);
    assert.deepEqual([...out].sort(), items);
    assert.deepEqual(items, ['a', 'b', 'c', 'd', 'e'], 'the input is not changed');
    assert.deepEqual(shuffle(items, () => 0.999999), items, 'j = i every time: same order');
    assert.deepEqual(shuffle(items, () => 0), ['b', 'c', 'd', 'e', 'a']);
  });

  test('only providers with a name and a login address on this site are shown', () => {
    const origin = 'https://lavoro.example';
    const items = usableIdps([
      { name: 'Buono', login_url: '/auth/spid/login?idp=x&level=2' },
      { name: 'Assoluto', login_url: 'https://lavoro.example/auth/spid/login?idp=y' },
      { name: 'Altrove', login_url: 'https://evil.example/login' },
      { name: 'Script', login_url: 'javascript:alert(1)' },
      { name: '', login_url: '/auth/spid/login?idp=z' },
      { login_url: '/auth/spid/login?idp=w' },
      null,
    ], origin);
    assert.deepEqual(items.map((i) => i.name), ['Buono', 'Assoluto']);
    assert.deepEqual(usableIdps(undefined, origin), []);
  });

  test('the header name is in capitals', () => {
    assert.equal(displayName({ fiscal_code: 'RSSMRA80A01D612J', name: 'Mario', family_name: 'Rossi' }), 'MARIO ROSSI');
    assert.equal(displayName({ fiscal_code: 'RSSMRA80A01D612J', name: 'Niccolò', family_name: "D'Urso" }), "NICCOLÒ D'URSO");
    assert.equal(displayName({ fiscal_code: 'RSSMRA80A01D612J', name: '', family_name: '' }), 'RSSMRA80A01D612J');
  });
});

describe('Accedi page', () => {
  test('before the cookie notice is accepted, the login buttons do nothing but ask for it', async () => {
    const { context, page, problems, go } = await open('/accedi/', { consent: false });
    let idpsRequested = false;
    page.on('request', (r) => { if (r.url().includes('/auth/')) idpsRequested = true; });
    await go();
    for (const el of [spidButton(page), page.getByRole('link', { name: 'Entra con CIE' }), page.getByRole('link', { name: 'Entra con CNS' })]) {
      assert.equal(await el.getAttribute('data-requires-consent'), '');
    }

    await spidButton(page).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').textContent(), /accettare i cookie tecnici/);
    assert.equal(await spidButton(page).getAttribute('aria-expanded'), 'false');
    assert.ok(await page.locator('#spid-gestori').isHidden(), 'the providers list stays closed');
    assert.ok(await page.getByRole('button', { name: /Accetto/ }).evaluate((b) => b === document.activeElement));

    // each click is seen through to its end: a listener on the window runs after the
    // link's own, and records whether the click was cancelled (a cancelled click on a
    // link never navigates)
    await page.evaluate(() => {
      window.clicks = [];
      window.addEventListener('click', (e) => { if (e.target.closest('a')) window.clicks.push(e.defaultPrevented); });
    });
    await page.getByRole('link', { name: 'Entra con CIE' }).click();
    await page.getByRole('link', { name: 'Entra con CNS' }).click();
    assert.deepEqual(await page.evaluate(() => window.clicks), [true, true], 'both clicks cancelled');
    assert.equal(new URL(page.url()).pathname, '/accedi/', 'no navigation before consent');
    assert.ok(!idpsRequested, 'nothing asked of the SSO before consent');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('after accepting, "Entra con SPID" lists the identity providers, among them the demo IdP', async () => {
    const { context, page, problems, go } = await open('/accedi/', { consent: false });
    await go();
    await page.getByRole('button', { name: /Accetto/ }).click();
    await spidButton(page).click();
    assert.equal(await spidButton(page).getAttribute('aria-expanded'), 'true');
    const idp = page.getByRole('link', { name: DEMO_IDP });
    await idp.waitFor();
    assert.match(await idp.getAttribute('href'), /^\/auth\/spid\/login\?idp=.+/);
    assert.ok(await page.getByRole('link', { name: /Non hai SPID\?/ }).isVisible());
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('axe-core: no violations with the SPID list open', async () => {
    const { context, page, problems, go } = await open('/accedi/');
    await go();
    await spidButton(page).click();
    await page.getByRole('link', { name: DEMO_IDP }).waitFor();
    assert.deepEqual(await axe(page), []);
    await screenshot(page, 'accedi-spid');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('the SPID list works with the keyboard and shows where the focus is', async () => {
    const { context, page, go } = await open('/accedi/');
    await go();
    await spidButton(page).focus();
    await page.keyboard.press('Enter');
    assert.equal(await spidButton(page).getAttribute('aria-expanded'), 'true');
    await page.getByRole('link', { name: DEMO_IDP }).waitFor();
    await page.keyboard.press('ArrowDown');
    const focused = page.locator(':focus');
    assert.equal(await focused.evaluate((e) => e.closest('#spid-elenco') !== null && e.tagName), 'A', 'first provider focused');
    const style = await focused.evaluate((e) => { const c = getComputedStyle(e); return { outline: c.outlineStyle, shadow: c.boxShadow }; });
    assert.ok(style.outline !== 'none' || style.shadow !== 'none', `visible focus: ${JSON.stringify(style)}`);
    await page.keyboard.press('Escape');
    assert.equal(await spidButton(page).getAttribute('aria-expanded'), 'false');
    assert.ok(await page.locator('#spid-gestori').isHidden());
    assert.ok(await spidButton(page).evaluate((b) => b === document.activeElement), 'focus back on the button');
    // a click elsewhere closes it too
    await spidButton(page).click();
    await page.locator('h1').click();
    assert.equal(await spidButton(page).getAttribute('aria-expanded'), 'false');
    await context.close();
  });

  test('the providers are shown in random order, with a spinner while loading', async () => {
    const items = ['Alfa', 'Beta', 'Gamma', 'Delta', 'Epsilon', 'Zeta'].map((name) => ({
      entity_id: `https://${name.toLowerCase()}.example`, name, login_url: `/auth/spid/login?idp=${name}&level=2`,
    }));
    const { context, page, go } = await open('/accedi/');
    let release;
    let gate = new Promise((r) => { release = r; });
    await page.route('**/auth/spid/idps', async (route) => {
      await gate;
      await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ items }) });
    });
    const orders = new Set();
    for (let i = 0; i < 6; i += 1) {
      await go();
      await spidButton(page).click();
      if (i === 0) {
        await page.locator('#spid-elenco [role="status"]').waitFor();
        assert.match(await page.locator('#spid-elenco').textContent(), /Caricamento/);
        assert.equal(await page.locator('#spid-elenco').getAttribute('aria-busy'), 'true');
        release();
        gate = Promise.resolve();
      }
      await page.locator('#spid-elenco a').first().waitFor();
      const names = await page.locator('#spid-elenco a').allTextContents();
      assert.deepEqual([...names].sort(), items.map((x) => x.name).sort());
      orders.add(names.join());
    }
    assert.ok(orders.size > 1, 'not always the same order');
    await context.close();
  });

  test('an unavailable list says so in Italian and can be retried', async () => {
    const { context, page, go } = await open('/accedi/');
    let fail = true;
    await page.route('**/auth/spid/idps', (route) => (fail
      ? route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":{"code":"unavailable","message":"Servizio temporaneamente non disponibile."}}' })
      : route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ items: [{ entity_id: 'x', name: 'Gestore di prova', login_url: '/auth/spid/login?idp=x&level=2' }] }) })));
    await go();
    await spidButton(page).click();
    const alert = page.locator('#spid-elenco [role="alert"]');
    await alert.waitFor();
    assert.match(await alert.textContent(), /Impossibile caricare l'elenco dei gestori SPID\. Servizio temporaneamente non disponibile\./);
    fail = false;
    await alert.getByRole('button', { name: 'Riprova' }).click();
    await page.getByRole('link', { name: 'Gestore di prova' }).waitFor();
    assert.equal(await spidButton(page).getAttribute('aria-expanded'), 'true', 'the list stays open');
    await context.close();
  });

  test('"Entra con CIE" and "Entra con CNS" start their logins', async () => {
    const { context, page, go } = await open('/accedi/');
    await go();
    const cie = page.waitForRequest((r) => r.isNavigationRequest() && new URL(r.url()).pathname === '/auth/cie/login');
    await page.getByRole('link', { name: 'Entra con CIE' }).click();
    await cie;
    await page.waitForLoadState('load');
    assert.notEqual(new URL(page.url()).pathname, '/accedi/');
    assert.equal(await page.locator('h1').count(), 1, 'a page with its heading (the demo CIE IdP)');

    await go();
    const [cns] = await Promise.all([
      page.waitForResponse((r) => r.request().isNavigationRequest() && new URL(r.url()).pathname === '/auth/cns/login'),
      page.getByRole('link', { name: 'Entra con CNS' }).click(),
    ]);
    await page.waitForLoadState('load');
    // without a CNS configuration: an Italian page that says so (or, with a card, home)
    if (cns.status() !== 303) {
      assert.equal(await page.locator('html').getAttribute('lang'), 'it');
      assert.equal(await page.locator('h1').count(), 1);
      assert.ok(await page.locator('main a[href="/accedi/"]').count() > 0, 'a way back to Accedi');
    }
    await context.close();
  });
});

describe('signing in and out with the demo SPID IdP', () => {
  test('the demo IdP signs the first test identity in: home page, name in the header', async () => {
    const { context, page, problems } = await open('/accedi/');
    await loginWithDemoIdp(page);
    const me = await apiSession(page);
    assert.equal(me.authenticated, true);
    assert.equal(me.method, 'spid');
    assert.match(me.person.fiscal_code, /^[A-Z0-9]{16}$/);
    assert.ok(me.csrf_token);
    // the stub of the tests below has the server's shape
    assert.deepEqual(shape({ ...me, acting_as: null }), shape(SIGNED_IN));
    assert.ok('acting_as' in me, 'acting_as is always sent (null when acting as a citizen)');
    const name = `${me.person.name} ${me.person.family_name}`.toLocaleUpperCase('it-IT');
    const button = userButton(page, name);
    await button.waitFor();
    assert.equal((await button.textContent()).trim(), name);
    assert.equal(await page.locator('header').getByRole('link', { name: 'Accedi' }).count(), 0);
    assert.equal(await page.locator('header').getByRole('link', { name: 'Registrati' }).count(), 0);
    await screenshot(page, 'home-signed-in');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('"Esci" in the name\'s menu signs out', async () => {
    const { context, page, problems } = await open('/accedi/');
    await loginWithDemoIdp(page);
    const me = await apiSession(page);
    const button = userButton(page, `${me.person.name} ${me.person.family_name}`.toLocaleUpperCase('it-IT'));
    await button.click();
    assert.equal(await button.getAttribute('aria-expanded'), 'true');
    assert.deepEqual(await axe(page), [], 'axe-core with the user menu open');

    const posted = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/auth/logout');
    const landed = page.waitForResponse((r) => r.request().isNavigationRequest() && r.request().frame() === page.mainFrame()
      && r.status() === 200);
    await page.getByRole('button', { name: 'Esci' }).click();
    const request = await posted;
    assert.equal(new URLSearchParams(request.postData()).get('csrf_token'), me.csrf_token);
    await landed;
    await page.waitForLoadState('networkidle');
    assert.equal(await page.locator('h1').count(), 1, 'the logout ends on a page');
    // the identity provider's answer (a long SAMLResponse) does not stay in the address
    await page.waitForURL(s.portal.base + '/uscita/');
    assert.match(await page.locator('h1').textContent(), /Sei uscito/);
    assert.equal((await apiSession(page)).authenticated, false);

    await page.goto(s.portal.base + '/', { waitUntil: 'networkidle' });
    await page.locator('header').getByRole('link', { name: 'Accedi' }).waitFor();
    assert.equal(await page.locator('header').getByRole('button', { name: me.person.family_name.toLocaleUpperCase('it-IT') }).count(), 0);
    assert.deepEqual(beyondLogoutAborts(problems), []);
    await context.close();
  });
  test('"Esci" reaches an identity provider on another origin despite the pages\' CSP', async () => {
    // Real IdPs are on other origins. The portal's pages have CSP form-action 'self',
    // which Chromium also applies to redirects answering a form: the logout must go on
    // from a page, not by a redirect. The portal's real answer, its link moved to
    // another origin:
    const { context, page, problems } = await open('/accedi/');
    await loginWithDemoIdp(page);
    const me = await apiSession(page);
    const reached = new Promise((resolve) => context.route(FOREIGN_IDP + '/**', (route) => {
      route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><html lang="it"><title>IdP</title><h1>IdP</h1>' });
      resolve(route.request().url());
    }));
    await page.route('**/auth/logout', async (route) => {
      const real = await route.fetch();
      assert.equal(real.status(), 200, 'the logout answers with a page');
      const body = (await real.text()).replace(/href="[^"]*\/test-idp\/spid\/slo\?/, `href="${FOREIGN_IDP}/slo?`);
      assert.match(body, /data-autofollow/);
      await route.fulfill({ response: real, body });
    });
    await userButton(page, `${me.person.name} ${me.person.family_name}`.toLocaleUpperCase('it-IT')).click();
    await page.getByRole('button', { name: 'Esci' }).click();
    assert.match(await reached, /^http:\/\/idp\.example\.test\/slo\?SAMLRequest=.+&SigAlg=.+&Signature=/);
    assert.equal((await apiSession(page)).authenticated, false);
    assert.deepEqual(beyondLogoutAborts(problems), []);
    await context.close();
  });
});

describe('header with a session (the SSO answer simulated)', () => {
  // the shape GET /api/session always has (checked against the real answer above)
  const signedIn = SIGNED_IN;

  test('the name replaces Accedi/Registrati and opens "Esci", a form with the CSRF token', async () => {
    const { context, page, go } = await open('/');
    await page.route('**/api/session', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(signedIn) }));
    // "Opera come" asks for the person's incarichi at each opening: none
    await page.route('**/api/session/act-as', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ acting_as: null, options: [] }) }));
    await page.route('**/auth/logout', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><html lang="it"><title>Uscita</title><h1>Uscita</h1>' }));
    await go();
    const button = userButton(page, 'MARIO ROSSI');
    await button.waitFor();
    assert.equal(await button.getAttribute('aria-expanded'), 'false');
    assert.equal(await page.locator('header').getByRole('link', { name: 'Accedi' }).count(), 0);
    assert.ok(await page.getByRole('button', { name: 'Esci' }).isHidden());

    await button.focus();
    await page.keyboard.press('Enter');
    assert.equal(await button.getAttribute('aria-expanded'), 'true');
    const esci = page.getByRole('button', { name: 'Esci' });
    await esci.waitFor();
    const form = page.locator('header form');
    assert.equal(await form.getAttribute('method'), 'post');
    assert.equal(await form.getAttribute('action'), '/auth/logout');
    assert.equal(await form.locator('input[type="hidden"][name="csrf_token"]').inputValue(), 'token-di-prova');
    assert.deepEqual(await axe(page), []);
    await screenshot(page, 'header-user-menu');
    await page.keyboard.press('Escape');
    assert.equal(await button.getAttribute('aria-expanded'), 'false');
    assert.ok(await button.evaluate((b) => b === document.activeElement));

    await button.click();
    const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/auth/logout'));
    await esci.click();
    const request = await posted;
    assert.equal(request.postData(), 'csrf_token=token-di-prova');
    assert.match(request.headers()['content-type'], /application\/x-www-form-urlencoded/);
    await context.close();
  });

  test('control: a redirect to another origin answering the logout form is blocked by the CSP', async () => {
    // what the test above guards against: proves Chromium enforces form-action on redirects
    const { context, page, go } = await open('/');
    await page.route('**/api/session', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(signedIn) }));
    await page.route('**/auth/logout', (route) => route.fulfill({ status: 303, headers: { location: FOREIGN_IDP + '/slo?SAMLRequest=x' } }));
    let reached = false;
    await context.route(FOREIGN_IDP + '/**', (route) => { reached = true; route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>IdP</h1>' }); });
    const violation = page.waitForEvent('console', (m) => /form-action/.test(m.text()));
    await go();
    await userButton(page, 'MARIO ROSSI').click();
    await page.getByRole('button', { name: 'Esci' }).click();
    // the violation is reported when the redirect is refused, before any request to
    // the other origin could leave: nothing to wait for after it
    await violation;
    assert.equal(reached, false, 'the redirect to the other origin was not followed');
    await context.close();
  });

  test('an SSO that is down or answers nonsense leaves the header as it is, without errors', async () => {
    for (const answer of [
      (route) => route.fulfill({ status: 500, contentType: 'application/json', body: '{"error":{"code":"internal","message":"x"}}' }),
      (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><p>non JSON</p>' }),
      (route) => route.fulfill({ status: 200, contentType: 'application/json', body: '{"authenticated":true}' }),
      (route) => route.abort('connectionrefused'),
    ]) {
      const { context, page, problems, go } = await open('/');
      await page.route('**/api/session', answer);
      await go();
      await page.locator('header').getByRole('link', { name: 'Accedi' }).waitFor();
      assert.equal(await page.locator('[data-user-zone] button').count(), 0);
      // only what the browser itself reports about the failed request
      const ours = problems.filter((p) => !/api\/session|Failed to load resource/.test(p));
      assert.deepEqual(ours, []);
      await context.close();
    }
  });

  test('Accedi says when one is already signed in', async () => {
    const { context, page, go } = await open('/accedi/');
    await page.route('**/api/session', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(signedIn) }));
    await go();
    await page.getByText("Hai già effettuato l'accesso come MARIO ROSSI").waitFor();
    await context.close();
  });
});

describe('SAML auto-submitting pages', () => {
  test('/assets/js/autopost.js submits the form[data-autopost] at once, without inline scripts', async () => {
    const { context, page, problems } = await open('/');
    const script = await page.request.get(s.portal.base + '/assets/js/autopost.js');
    assert.equal(script.status(), 200);
    assert.match(script.headers()['content-type'], /javascript/);
    // a page like the SSO's, on the portal's origin, under a strict CSP
    await page.route('**/prova-autopost', (route) => route.fulfill({
      status: 200,
      contentType: 'text/html',
      headers: { 'content-security-policy': "default-src 'self'; form-action 'self'" },
      body: `<!doctype html><html lang="it"><title>Reindirizzamento</title><h1>Reindirizzamento in corso</h1>
<form method="post" action="/prova-ricevuta" data-autopost><input type="hidden" name="SAMLResponse" value="PHNhbWw+">
<input type="hidden" name="RelayState" value="abc"><input type="hidden" name="submit" value="x"><button type="submit">Continua</button></form>
<script src="/assets/js/autopost.js" defer></script>`,
    }));
    await page.route('**/prova-ricevuta', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><html lang="it"><title>Ricevuto</title><h1>Ricevuto</h1>' }));
    const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/prova-ricevuta'));
    await page.goto(s.portal.base + '/prova-autopost');
    const request = await posted;
    assert.equal(request.postData(), 'SAMLResponse=PHNhbWw%2B&RelayState=abc&submit=x');
    await page.waitForURL('**/prova-ricevuta');
    assert.deepEqual(problems, []);
    await context.close();
  });
});
