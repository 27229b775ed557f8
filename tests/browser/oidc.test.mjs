// Single sign-on to partner sites (issue 20, B2 C7) in a real browser. The partner site
// is played by the test (Playwright routes on its addresses): its login start sends the
// browser to the portal's authorization endpoint with PKCE, its callback receives the
// code, which the test exchanges at the token endpoint and reads userinfo with.
//   Mario Rossi  acting for ACME S.R.L.: Comunicazioni Obbligatorie -> Firenze -> the
//                consent page -> the CO site of Firenze knows him and ACME;
//   Mario Rossi  as a citizen: Accedi a Garanzia Giovani -> consent -> Garanzia Giovani;
//                then Il mio profilo > Siti collegati lists both partners and revokes one;
//   Mario Rossi  acting for ACME: -> Pisa -> the real demo partner site (spin.dev.toml,
//                component demo-partner) shows him and ACME.
// axe-core and the contrast check on the province chooser, the consent page, Siti collegati.
// No fixed waits: each step waits for what it expects to see.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, test } from 'node:test';

import { axe, contrastProblems, login, openPage, session } from './support.mjs';

const s = session();
const SECRET = 'demo-partner-secret';
const CB = 'https://partner.invalid/callback';
const b64url = (buf) => buf.toString('base64url');

/** Plays the partner `clientId` in `page`'s context: resolves with the code it receives. */
async function playPartner(page, clientId) {
  const verifier = b64url(crypto.randomBytes(48));
  const challenge = b64url(crypto.createHash('sha256').update(verifier).digest());
  const nonce = b64url(crypto.randomBytes(16));
  let gotCode;
  const code = new Promise((resolve) => { gotCode = resolve; });
  // the login start (initiate_login_uri): iss and login_hint from the portal's hand-off
  await page.context().route('**/demo-partner/login**', (route) => {
    const u = new URL(route.request().url());
    assert.equal(u.searchParams.get('iss'), s.portal.base);
    const q = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: CB, scope: 'openid profile email', state: 'st', nonce, code_challenge: challenge, code_challenge_method: 'S256' });
    if (u.searchParams.get('login_hint')) q.set('login_hint', u.searchParams.get('login_hint'));
    route.fulfill({ status: 302, headers: { location: `${s.portal.base}/oidc/authorize?${q}` } });
  });
  await page.context().route('https://partner.invalid/**', (route) => {
    const u = new URL(route.request().url());
    gotCode({ code: u.searchParams.get('code'), state: u.searchParams.get('state'), error: u.searchParams.get('error') });
    route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><html lang="it"><title>Partner</title><h1>Partner</h1></html>' });
  });
  return { code, verifier, nonce };
}

async function exchange(clientId, code, verifier) {
  const r = await fetch(`${s.portal.base}/oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${SECRET}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: CB, code_verifier: verifier }),
  });
  assert.equal(r.status, 200, await r.clone().text());
  const tokens = await r.json();
  const info = await (await fetch(`${s.portal.base}/oidc/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).json();
  return { tokens, info };
}

async function checked(page, what) {
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
  assert.deepEqual(await axe(page), [], `axe-core: ${what}`);
  assert.deepEqual(await contrastProblems(page), [], `contrast: ${what}`);
}

describe('single sign-on to partner sites', () => {
  test('a company chooses the province and lands on that CO site signed in as the company', async () => {
    const { context, page } = await openPage(s, '/accedi/');
    await login(s, page, 'Mario Rossi', '/');
    const csrf = (await (await page.request.get(`${s.portal.base}/api/session`)).json()).csrf_token;
    const acted = await page.request.post(`${s.portal.base}/api/session/act-as`, { headers: { 'x-csrf-token': csrf }, data: { company_id: 1 } });
    assert.ok(acted.ok(), await acted.text());
    const partner = await playPartner(page, 'demo-co-fi');
    await page.goto(`${s.portal.base}/azienda/comunicazioni-obbligatorie/`, { waitUntil: 'networkidle' });
    await page.locator('#co-azienda').getByText('Stai operando per ACME S.R.L.', { exact: true }).waitFor();
    await checked(page, 'the province chooser');
    await page.getByRole('button', { name: 'Vai alle Comunicazioni Obbligatorie' }).click();
    await page.locator('#co-esito').getByText('Scegli la provincia').waitFor();
    await page.locator('#co-province').getByText('Comunicazioni Obbligatorie - Firenze (demo)', { exact: true }).click();
    assert.ok(await page.getByLabel('Comunicazioni Obbligatorie - Firenze (demo)').isChecked());
    await page.getByRole('button', { name: 'Vai alle Comunicazioni Obbligatorie' }).click();
    await page.getByRole('heading', { name: 'Accesso a Comunicazioni Obbligatorie - Firenze (demo)' }).waitFor();
    await page.getByText('l\'azienda per cui operi', { exact: false }).waitFor();
    await checked(page, 'the consent page');
    await page.getByRole('button', { name: 'Consenti', exact: true }).click();
    const got = await partner.code;
    assert.equal(got.state, 'st');
    assert.ok(got.code, JSON.stringify(got));
    const { info } = await exchange('demo-co-fi', got.code, partner.verifier);
    assert.equal(info.given_name, 'Mario');
    assert.equal(info.fiscal_number, 'TINIT-RSSMRA85C14D612R');
    assert.equal(info.company_name, 'ACME S.R.L.');
    assert.ok(info.company_role);
    await context.close();
  });

  test('a citizen reaches Garanzia Giovani signed in', async () => {
    const { context, page } = await openPage(s, '/accedi/');
    await login(s, page, 'Mario Rossi', '/');
    const partner = await playPartner(page, 'demo-gg');
    await page.goto(`${s.portal.base}/cittadino/accedi-garanzia-giovani/`, { waitUntil: 'networkidle' });
    await checked(page, 'Accedi a Garanzia Giovani');
    await page.getByRole('button', { name: 'Accedi a Garanzia Giovani' }).click();
    await page.getByRole('heading', { name: 'Accesso a Garanzia Giovani (demo)' }).waitFor();
    await page.getByRole('button', { name: 'Consenti', exact: true }).click();
    const got = await partner.code;
    // the redirect to the partner has landed before the next navigation starts
    await page.waitForURL(/^https:\/\/partner\.invalid\/callback/);
    const { info, tokens } = await exchange('demo-gg', got.code, partner.verifier);
    assert.equal(info.family_name, 'Rossi');
    assert.equal(info.company_name, undefined);
    assert.ok(tokens.id_token.split('.').length === 3);
    // Il mio profilo > Siti collegati: both partners, each with "Revoca"
    await page.goto(`${s.portal.base}/cittadino/profilo/#siti`, { waitUntil: 'networkidle' });
    const sites = page.locator('#siti-elenco');
    await sites.getByText('Garanzia Giovani (demo)').waitFor();
    await sites.getByText('Comunicazioni Obbligatorie - Firenze (demo)').waitFor();
    await checked(page, 'Siti collegati');
    await page.getByRole('button', { name: 'Revoca il consenso a Garanzia Giovani (demo)' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoca', exact: true }).click();
    await page.locator('#siti-esito').getByText('Consenso revocato').waitFor();
    await sites.getByText('Garanzia Giovani (demo)').waitFor({ state: 'detached' });
    const left = await (await page.request.get(`${s.portal.base}/api/oidc/consents`)).json();
    assert.deepEqual(left.items.map((c) => c.client_id), ['demo-co-fi']);
    await context.close();
  });

  test('company -> province -> the demo partner site (a real OIDC client) shows the person and the company', async () => {
    const { context, page } = await openPage(s, '/accedi/');
    await login(s, page, 'Mario Rossi', '/');
    const csrf = (await (await page.request.get(`${s.portal.base}/api/session`)).json()).csrf_token;
    const acted = await page.request.post(`${s.portal.base}/api/session/act-as`, { headers: { 'x-csrf-token': csrf }, data: { company_id: 1 } });
    assert.ok(acted.ok(), await acted.text());
    await page.goto(`${s.portal.base}/azienda/comunicazioni-obbligatorie/`, { waitUntil: 'networkidle' });
    await page.getByRole('button', { name: 'Vai alle Comunicazioni Obbligatorie' }).click();
    await page.locator('#co-province').getByText('Comunicazioni Obbligatorie - Pisa (demo)', { exact: true }).click();
    await page.getByRole('button', { name: 'Vai alle Comunicazioni Obbligatorie' }).click();
    await page.getByRole('heading', { name: 'Accesso a Comunicazioni Obbligatorie - Pisa (demo)' }).waitFor();
    await page.getByRole('button', { name: 'Consenti', exact: true }).click();
    // the demo partner exchanged the code, checked the ID token and read userinfo
    await page.getByRole('heading', { name: 'Comunicazioni Obbligatorie - Pisa (demo)' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/demo-partner/');
    assert.equal(await page.locator('#persona').textContent(), 'Mario Rossi');
    assert.match(await page.locator('#azienda').textContent(), /^ACME S\.R\.L\. \(codice fiscale 01234560488\)$/);
    await checked(page, 'the demo partner site');
    await context.close();
  });
});
