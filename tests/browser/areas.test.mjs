// The personal areas (issue 13): the citizen's "La mia area" and the company's area,
// each with its own menu and a landing page that lists what the person can do now and,
// marked "In arrivo" and never as a link, what is coming. Mario Rossi of the demo data
// (an active citizen with an incarico for ACME S.R.L.).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { PHONE, axe, contrastProblems, fitsWidth, login, openPage, primaryReachable, screenshot, session } from './support.mjs';

const s = session();
const open = (path, options) => openPage(s, path, options);
const headerButton = (page) => page.locator('header [data-user-zone] button.user-menu-toggle');

/** Every service of an area's page is a link or marked "In arrivo" (and then not a link). */
async function honest(page) {
  const cards = page.locator('main .card');
  assert.ok(await cards.count() > 0);
  for (const card of await cards.all()) {
    const links = await card.locator('a').count();
    const coming = await card.locator('.coming-soon').count();
    assert.equal(links + coming, 1, await card.textContent());
    if (coming) assert.equal(await card.locator('.coming-soon').textContent(), 'In arrivo');
  }
}

describe('public pages', () => {
  for (const path of ['/cittadino/', '/azienda/', '/agenzia/', '/professionista/']) {
    test(`${path} promises nothing that is not built: each service a link or "In arrivo"`, async () => {
      const { context, page, go } = await open(path);
      await go();
      const items = page.locator('main ul.area-services > li');
      assert.ok(await items.count() >= 2);
      for (const li of await items.all()) {
        const links = await li.locator('a').count();
        const coming = await li.locator('.coming-soon').count();
        assert.equal(links + coming, 1, await li.textContent());
      }
      await context.close();
    });
  }

  test('an area without a session asks to sign in', async () => {
    const { context, page, go } = await open('/cittadino/area/');
    await go();
    await page.getByText('Accedi per usare i servizi').waitFor();
    await honest(page);
    assert.equal(await page.locator('main .callout a[href="/accedi/"]').count(), 1);
    await context.close();
  });
});

describe('signed in as Mario Rossi', () => {
  test('the citizen\'s area and menu; "Opera come" ACME leads to the company\'s area and menu', async () => {
    const { context, page, problems } = await open('/accedi/');
    await login(s, page, 'Mario Rossi', '/');
    // the home page points to the area
    const hint = page.locator('[data-area-hint] .callout');
    await hint.waitFor();
    assert.equal(await hint.getByRole('link', { name: 'La mia area' }).getAttribute('href'), '/cittadino/area/');

    // the header's menu: the citizen's services
    await headerButton(page).click();
    const menu = page.locator('#menu-utente');
    for (const [name, href] of [['La mia area', '/cittadino/area/'], ['Gestione Curriculum Vitae', '/cittadino/curriculum/'], ['Visualizza candidature', '/cittadino/candidature/'], ['Richieste curriculum vitae', '/cittadino/richieste-cv/'], ['Appuntamenti CPI', '/cittadino/appuntamenti/'], ['Il mio profilo', '/cittadino/profilo/']]) {
      assert.equal(await menu.getByRole('link', { name }).getAttribute('href'), href, name);
    }
    assert.deepEqual(await axe(page), [], 'axe-core: the menu open');
    await menu.getByRole('link', { name: 'La mia area' }).click();
    await page.waitForURL(s.portal.base + '/cittadino/area/');
    await page.getByText('Mario Rossi, qui trovi i servizi che puoi usare ora e quelli in arrivo.').waitFor();
    assert.equal(await page.locator('h1').textContent(), 'La mia area');
    await honest(page);
    const now = await page.locator('#area-ora ~ ul a').allTextContents();
    assert.deepEqual(now, ['Gestione Curriculum Vitae', 'Richieste curriculum vitae', 'Il mio profilo', 'Offerte di lavoro', 'Le mie ricerche salvate', 'Visualizza candidature', 'Appuntamenti', 'Colloqui online', 'Documenti da firmare',
      'Scheda anagrafica professionale', 'Libretto formativo', 'Lista attività 150/percettori RDC', 'Lista attività Garanzia Giovani', 'Accedi a Garanzia Giovani', 'Visualizza la tua formazione regionale', 'Scarica i miei dati']);
    const coming = await page.locator('#area-in-arrivo ~ ul .card-title').allTextContents();
    assert.deepEqual(coming.map((t) => t.replace(/\s*In arrivo$/, '')), []);
    // Mario has no back-office role: no "Area operatore" in the menu once it has asked
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/staff/me')), headerButton(page).click()]);
    assert.equal(await menu.getByRole('link', { name: 'Area operatore' }).count(), 0);
    await headerButton(page).click();
    assert.deepEqual(await axe(page), []);
    assert.deepEqual(await contrastProblems(page), []);
    await screenshot(page, 'area-cittadino-accesso');
    await page.setViewportSize(PHONE);
    await fitsWidth(page);
    await primaryReachable(page);
    assert.deepEqual(await axe(page), [], 'axe-core on a phone');
    assert.deepEqual(await contrastProblems(page), [], 'contrast on a phone');
    await page.setViewportSize({ width: 1280, height: 900 });

    // "Opera come" ACME: the company's area, not the public page that invites to register
    await headerButton(page).click();
    await page.locator('#menu-utente-ruoli').getByRole('button', { name: /ACME S\.R\.L\./ }).click();
    await page.waitForURL(s.portal.base + '/azienda/area/');
    await page.waitForLoadState('networkidle');
    assert.equal(await page.locator('h1').textContent(), 'Area azienda');
    await page.locator('#area-stato').getByText('Stai operando per ACME S.R.L.', { exact: false }).waitFor();
    await honest(page);
    assert.equal(await page.locator('#area-ora ~ ul').getByRole('link', { name: 'Ricerca curriculum' }).getAttribute('href'), '/azienda/ricerca-cv/');
    assert.equal(await page.locator('#area-ora ~ ul').getByRole('link', { name: 'Offerte e candidature' }).getAttribute('href'), '/azienda/candidature/');
    assert.equal(await page.getByText('Registra la tua azienda').count(), 0);
    // the company's menu in the header
    await headerButton(page).click();
    assert.equal(await menu.getByRole('link', { name: 'Area azienda' }).getAttribute('href'), '/azienda/area/');
    assert.equal(await menu.getByRole('link', { name: 'Ricerca curriculum' }).getAttribute('href'), '/azienda/ricerca-cv/');
    assert.equal(await menu.getByRole('link', { name: 'Offerte e candidature' }).getAttribute('href'), '/azienda/candidature/');
    assert.equal(await menu.getByRole('link', { name: 'Gestione Curriculum Vitae' }).count(), 0);
    assert.deepEqual(await axe(page), []);
    assert.deepEqual(await contrastProblems(page), []);
    await screenshot(page, 'area-azienda');

    // the public company page and the agency's area point to where ACME's services are
    await page.goto(s.portal.base + '/azienda/', { waitUntil: 'networkidle' });
    await page.locator('[data-area-hint] .callout').getByRole('link', { name: 'Area azienda' }).waitFor();
    await page.goto(s.portal.base + '/agenzia/area/', { waitUntil: 'networkidle' });
    await page.getByText('ACME S.R.L. è un\'azienda: i suoi servizi sono nell\'Area azienda.').waitFor();

    // back to Cittadino: the citizen's area
    await headerButton(page).click();
    await page.locator('#menu-utente-ruoli').getByRole('button', { name: 'Cittadino' }).click();
    await page.waitForURL(s.portal.base + '/cittadino/area/');
    assert.deepEqual(problems, []);
    await context.close();
  });
});
