// P2/P3 in the browser: search with filters (cascading), paging, empty and error
// states, recent searches, bookmarkable address, and the offer page with its JSON-LD.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { PHONE, axe, contrastProblems, fitsWidth, focused, openPage, screenshot, session } from './support.mjs';

const s = session();

async function open(path) {
  const opened = await openPage(s, path);
  await opened.go();
  return opened;
}

const rows = (page) => page.locator('#risultati tbody tr');
const apiTotal = async (query) => (await (await fetch(`${s.portal.base}/api/offers?${query}`)).json()).total;

test('the search page lists open offers with the manual\'s columns and passes axe-core', async () => {
  const { context, page, problems } = await open('/cittadino/offerte/');
  await rows(page).first().waitFor();
  const headers = await page.locator('#risultati thead th').allTextContents();
  assert.deepEqual(headers, ['Provenienza', 'Codice offerta', 'Tipo offerta', 'Tipo contratto', 'Qualifica - Descrizione qualifica', 'Sede di lavoro', 'Scadenza', 'Dettaglio']);
  assert.equal(await rows(page).count(), 10);
  assert.match(await page.locator('#risultati caption').textContent(), new RegExp(`Offerte trovate: ${await apiTotal('')}$`));
  assert.match(await rows(page).first().locator('td[data-label="Scadenza"]').textContent(), /^\d{2}\/\d{2}\/\d{4}$/);
  assert.deepEqual(await contrastProblems(page), []);
  assert.deepEqual(await axe(page), []);
  await screenshot(page, 'offerte');
  assert.deepEqual(problems, []);
  await context.close();
});

test('filters cascade, the search is in the address, and it can be reopened from a bookmark', async () => {
  const { context, page, problems } = await open('/cittadino/offerte/');
  await page.getByLabel('Descrizione qualifica').fill('cuoc');
  await page.getByLabel('Regione').selectOption({ label: 'Toscana' });
  const province = page.getByLabel('Provincia');
  await page.waitForFunction(() => document.getElementById('f-province').options.length > 1);
  await province.selectOption({ label: 'Firenze' });
  await page.waitForFunction(() => document.getElementById('f-comune').options.length > 1);
  await page.getByRole('button', { name: 'Cerca', exact: true }).click();
  await page.waitForURL(/q=cuoc/);
  const query = new URL(page.url()).searchParams;
  assert.equal(query.get('region'), '09');
  assert.equal(query.get('province'), '048');
  await page.waitForFunction(() => !document.querySelector('#risultati[aria-busy]'));
  const total = await apiTotal('q=cuoc&region=09&province=048');
  assert.ok(total > 0);
  assert.match(await page.locator('#risultati caption').textContent(), new RegExp(`: ${total}$`));
  assert.equal(await page.getByRole('link', { name: /Feed RSS/ }).getAttribute('href'), '/feeds/offers.rss?q=cuoc&region=09&province=048');
  for (const cell of await rows(page).locator('th[scope="row"]').allTextContents()) {
    assert.match(cell.toLowerCase(), /cuoc/);
  }

  // the same address restores the form
  const again = await context.newPage();
  await again.goto(page.url(), { waitUntil: 'networkidle' });
  assert.equal(await again.getByLabel('Descrizione qualifica').inputValue(), 'cuoc');
  assert.equal(await again.getByLabel('Provincia').inputValue(), '048');
  assert.ok(await again.getByLabel('Comune').isEnabled());

  // recent searches remember it
  await page.getByRole('button', { name: 'Ultime ricerche' }).click();
  assert.match(await page.locator('#ultime-ricerche').textContent(), /Descrizione qualifica: cuoc · Regione: Toscana · Provincia: Firenze/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('paging, page size, empty results, bad input and reset', async () => {
  const { context, page } = await open('/cittadino/offerte/');
  await rows(page).first().waitFor();
  await page.getByLabel('Risultati per pagina').selectOption('20');
  await page.getByRole('button', { name: 'Cerca', exact: true }).click();
  await page.waitForFunction(() => document.querySelectorAll('#risultati tbody tr').length === 20);
  const pages = Math.ceil((await apiTotal('')) / 20);
  await page.getByText(`Pagina 1 di ${pages}`).waitFor();
  await page.getByRole('button', { name: 'Pagina successiva' }).click();
  await page.getByText(`Pagina 2 di ${pages}`).waitFor();
  assert.equal(new URL(page.url()).searchParams.get('page'), '2');
  // the list was redrawn: the focus is on the new pager's "Successiva", not on the body
  await page.waitForFunction(() => document.activeElement?.dataset.dir === 'next');
  // back: the browser's history shows page 1 again, without reloading the page
  await page.goBack();
  await page.getByText(`Pagina 1 di ${pages}`).waitFor();
  assert.equal(await page.getByLabel('Risultati per pagina').inputValue(), '20');
  await page.goForward();
  await page.getByText(`Pagina 2 di ${pages}`).waitFor();

  await page.getByLabel('Codice offerta').fill('ZZ-1');
  await page.getByRole('button', { name: 'Cerca', exact: true }).click();
  await page.getByText('Nessuna offerta soddisfa i criteri di ricerca.').waitFor();

  await page.getByLabel('Codice offerta').fill('ABC');
  await page.getByRole('button', { name: 'Cerca', exact: true }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').textContent(), /Il codice offerta non è valido/);

  await page.getByRole('button', { name: 'Azzera ricerca' }).click();
  await rows(page).first().waitFor();
  assert.equal(await page.getByLabel('Codice offerta').inputValue(), '');
  assert.equal(new URL(page.url()).search, '');
  await context.close();
});

/** The first result whose type takes applications online (public administrations' notices do not). */
async function onlineRow(page) {
  await rows(page).first().waitFor();
  for (const row of await rows(page).all()) {
    if (!/Pubbliche amministrazioni/.test(await row.locator('td[data-label="Tipo offerta"]').textContent())) return row;
  }
  throw new Error('no offer with online applications on the first page');
}

test('the offer page shows every section, carries JSON-LD and leads to login to apply, coming back to the form', async () => {
  const { context, page, problems } = await open('/cittadino/offerte/');
  const row = await onlineRow(page);
  const code = await row.locator('td[data-label="Codice offerta"]').textContent();
  await row.getByRole('link').click();
  await page.waitForURL(`**/offerte/${code}`);
  await page.waitForLoadState('networkidle');
  assert.match(await page.locator('h1').textContent(), /^Dettaglio offerta \(/);
  for (const heading of ['Profilo professionale ricercato', 'Condizioni lavorative offerte', 'Ulteriori requisiti']) {
    assert.equal(await page.getByRole('heading', { name: heading }).count(), 1, heading);
  }
  const ld = JSON.parse(await page.locator('script[type="application/ld+json"]').textContent());
  assert.equal(ld['@type'], 'JobPosting');
  assert.equal(ld.identifier.value, code);
  assert.deepEqual(await axe(page), []);
  await screenshot(page, 'offerta');
  // without a session, Accedi carries the application form's address in `next`
  const apply = page.locator('main a[data-ready]', { hasText: 'Compila candidatura' });
  await apply.waitFor();
  await apply.click();
  await page.waitForURL((url) => url.pathname === '/accedi/');
  assert.equal(new URL(page.url()).searchParams.get('next'), `/cittadino/candidatura/?offerta=${code}`);
  await page.waitForLoadState('networkidle');
  // every way in carries it on
  for (const name of ['Entra con CIE', 'Entra con CNS']) {
    const href = new URL(await page.getByRole('link', { name }).getAttribute('href'), s.portal.base);
    assert.equal(href.searchParams.get('next'), `/cittadino/candidatura/?offerta=${code}`, name);
  }
  await page.getByRole('button', { name: 'Entra con SPID' }).click();
  const idp = page.locator('#spid-elenco a').first();
  await idp.waitFor();
  assert.equal(new URL(await idp.getAttribute('href'), s.portal.base).searchParams.get('next'), `/cittadino/candidatura/?offerta=${code}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('an offer of a public administration says how to apply and has no "Compila candidatura"', async () => {
  const { context, page, problems } = await open('/cittadino/offerte/');
  await page.getByLabel('Tipo offerta').selectOption({ label: 'Pubbliche amministrazioni' });
  await page.getByRole('button', { name: 'Cerca', exact: true }).click();
  await page.waitForFunction(() => [...document.querySelectorAll('#risultati tbody td[data-label="Tipo offerta"]')].every((td) => td.textContent === 'Pubbliche amministrazioni')
    && document.querySelectorAll('#risultati tbody tr').length > 0);
  const code = await rows(page).first().locator('td[data-label="Codice offerta"]').textContent();
  const detail = await (await fetch(`${s.portal.base}/api/offers/${code}`)).json();
  assert.equal(detail.application.mode, 'text');
  await rows(page).first().getByRole('link').click();
  await page.waitForURL(`**/offerte/${code}`);
  await page.waitForLoadState('networkidle');
  assert.equal(await page.getByText('Compila candidatura').count(), 0);
  assert.ok((await page.locator('main').textContent()).includes(detail.how_to_apply.trim().slice(0, 40)));
  assert.deepEqual(problems, []);
  await context.close();
});

test('on a phone: stacked cards with the link to each offer in view, folded filter groups', async () => {
  const opened = await openPage(s, '/cittadino/offerte/?region=09&province=048', { viewport: PHONE });
  const { context, page, problems } = opened;
  await opened.go();
  await rows(page).first().waitFor();
  await fitsWidth(page);
  // each result is a card: its link in view, its code on one line
  for (const row of (await rows(page).all()).slice(0, 3)) {
    const link = row.getByRole('link', { name: /Dettaglio dell'offerta/ });
    await link.scrollIntoViewIfNeeded();
    const box = await link.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= PHONE.width, `link in view: ${JSON.stringify(box)}`);
    const lines = await row.locator('td[data-label="Codice offerta"]').evaluate((td) => {
      const range = document.createRange();
      range.selectNodeContents(td.lastChild);
      return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
    });
    assert.equal(lines, 1, 'the offer code on one line');
  }
  // "Localizzazione" is open (its filters are set and counted), "Competenza" is folded
  const [where, competence] = await page.locator('details[data-filter-group]').all();
  assert.equal(await where.getAttribute('open'), '');
  assert.match(await where.locator('summary').textContent(), /Localizzazione sede di lavoro \(2 filtri impostati\)/);
  assert.equal(await competence.getAttribute('open'), null);
  assert.ok(!(await page.getByLabel('Centro impiego').isVisible()));
  await competence.locator('summary').click();
  await page.getByLabel('Centro impiego').waitFor({ state: 'visible' });
  assert.deepEqual(await axe(page), []);
  assert.deepEqual(await contrastProblems(page), []);
  await screenshot(page, 'offerte-telefono');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a filter of the address that does not exist is reported, not silently ignored', async () => {
  const opened = await openPage(s, '/cittadino/offerte/?q=cuoc&province=999');
  const { context, page, problems } = opened;
  await opened.go();
  const alert = page.locator('#avvisi-filtri [role="alert"]');
  await alert.waitFor();
  assert.match(await alert.textContent(), /Questo filtro dell'indirizzo non esiste e non è stato applicato: Provincia \(999\)/);
  await rows(page).first().waitFor();
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('q'), 'cuoc');
  assert.equal(url.searchParams.get('province'), null, 'the address no longer carries it');
  assert.match(await page.locator('#risultati caption').textContent(), new RegExp(`: ${await apiTotal('q=cuoc')}$`));
  // the API's refusal of the first try is the only failed request
  assert.deepEqual(problems.filter((p) => !/HTTP 400: .*province=999|status of 400/.test(p)), []);
  await context.close();
});

test('"Torna all\'elenco" on an offer goes back to the search it came from', async () => {
  const { context, page, problems } = await open('/cittadino/offerte/');
  await page.getByLabel('Descrizione qualifica').fill('cuoc');
  await page.getByRole('button', { name: 'Cerca', exact: true }).click();
  await page.waitForURL(/q=cuoc/);
  await page.waitForFunction(() => !document.querySelector('#risultati[aria-busy]'));
  const search = new URL(page.url()).search;
  await rows(page).first().getByRole('link').click();
  await page.waitForURL(/\/offerte\/[A-Z]{2}-\d+$/);
  await page.waitForLoadState('networkidle');
  const back = page.getByRole('link', { name: 'Torna all\'elenco' }).first();
  await page.waitForFunction(() => document.querySelector('main a[href^="/cittadino/offerte/?"]'));
  assert.equal(await back.getAttribute('href'), `/cittadino/offerte/${search}`);
  await back.click();
  await page.waitForURL(`**/cittadino/offerte/${search}`);
  await rows(page).first().waitFor();
  assert.equal(await page.getByLabel('Descrizione qualifica').inputValue(), 'cuoc');
  assert.notEqual(await focused(page), null);
  assert.deepEqual(problems, []);
  await context.close();
});
