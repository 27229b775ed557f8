// P2/P3 in the browser: search with filters (cascading), paging, empty and error
// states, recent searches, bookmarkable address, and the offer page with its JSON-LD.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { axe, openPage, screenshot, session } from './support.mjs';

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
  assert.match(await rows(page).first().locator('td').nth(6).textContent(), /^\d{2}\/\d{2}\/\d{4}$/);
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
  for (const cell of await rows(page).locator('td:nth-child(5)').allTextContents()) {
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

test('the offer page shows every section, carries JSON-LD and leads to login to apply', async () => {
  const { context, page, problems } = await open('/cittadino/offerte/');
  await rows(page).first().waitFor();
  const code = await rows(page).first().locator('td').nth(1).textContent();
  await rows(page).first().getByRole('link').click();
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
  await page.getByRole('link', { name: 'Compila candidatura' }).click();
  await page.waitForURL(`**/accedi/?offerta=${code}`);
  assert.deepEqual(problems, []);
  await context.close();
});
