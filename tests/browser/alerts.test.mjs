// Saved offer searches (issue 22, X1) in a real browser: Mario Rossi of the demo data (an
// active citizen) filters the offers, saves the search from the offers page with
// "Salva questa ricerca", finds it in "Le mie ricerche salvate" (the filters in words,
// the frequency, no alert yet), opens it, renames it, changes its frequency and deletes
// it after the confirmation; a visitor without a session sees no "Salva questa
// ricerca". Both pages are checked with axe-core and the contrast check on a computer
// and at 390 px. No fixed waits: each step waits for what it expects to see.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { describeFilters, filtersOf, frequencyText, lastAlertText, openHref } from '../../web/assets/js/saved-searches.mjs';
import { axe, everyWidth, login, openPage, session } from './support.mjs';

const s = session();

describe('helpers (unit)', () => {
  test('the filters of an address, in words, and the address that opens them', () => {
    const filters = filtersOf('?q=cuoc&region=09&province=048&sort=newest&page=2&page_size=20&code=');
    assert.deepEqual(filters, { q: 'cuoc', region: '09', province: '048' });
    const names = { 'region:09': 'Toscana', 'province:048': 'Firenze' };
    assert.equal(describeFilters(filters, (n, c) => names[`${n}:${c}`] ?? null), 'Descrizione qualifica: cuoc · Regione: Toscana · Provincia: Firenze');
    assert.equal(describeFilters({ cpi: 'zzz' }), 'Centro impiego: zzz');
    assert.equal(describeFilters({}), 'Tutte le offerte');
    assert.equal(frequencyText('weekly'), 'Settimanale');
    assert.equal(frequencyText('none'), 'Nessun avviso');
    assert.equal(lastAlertText(null), 'Nessun avviso inviato');
    assert.equal(lastAlertText(Date.UTC(2026, 10, 30, 9, 5) / 1000), '30/11/2026 alle 10:05');
    assert.equal(openHref({ query: 'q=cuoc&province=048' }), '/cittadino/offerte/?q=cuoc&province=048');
    assert.equal(openHref({ query: '' }), '/cittadino/offerte/');
  });
});

describe('saved searches in the browser', () => {
  test('a visitor without a session sees no "Salva questa ricerca"', async () => {
    const { context, page, go, problems } = await openPage(s, '/cittadino/offerte/?q=cuoc');
    await go();
    await page.waitForFunction(() => !document.querySelector('#risultati[aria-busy]'));
    assert.equal(await page.getByRole('button', { name: 'Salva questa ricerca' }).count(), 0);
    assert.equal(await page.locator('#salva-ricerca').isHidden(), true);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('Mario Rossi saves a search from the offers page, finds it, renames it, changes its frequency and deletes it', async () => {
    const { context, page, problems } = await openPage(s, '/accedi/');
    await login(s, page, 'Mario Rossi', '/');

    // nothing saved yet
    await page.goto(`${s.portal.base}/cittadino/ricerche/`, { waitUntil: 'networkidle' });
    await page.locator('#ric-vuoto').waitFor();
    assert.equal(await page.locator('h1').textContent(), 'Le mie ricerche salvate');
    await everyWidth(page, 'ricerche-vuoto');

    // the offers page: filter, search, save
    await page.goto(`${s.portal.base}/cittadino/offerte/`, { waitUntil: 'networkidle' });
    await page.getByLabel('Descrizione qualifica').fill('cuoc');
    await page.getByLabel('Regione').selectOption({ label: 'Toscana' });
    await page.waitForFunction(() => document.getElementById('f-province').options.length > 1);
    await page.getByLabel('Provincia').selectOption({ label: 'Firenze' });
    await page.getByRole('button', { name: 'Cerca', exact: true }).click();
    await page.waitForURL(/q=cuoc/);
    await page.waitForFunction(() => !document.querySelector('#risultati[aria-busy]'));
    const save = page.getByRole('button', { name: 'Salva questa ricerca' });
    await save.click();
    assert.equal(await save.getAttribute('aria-expanded'), 'true');
    const name = page.getByLabel('Nome della ricerca');
    assert.equal(await name.inputValue(), 'Descrizione qualifica: cuoc · Regione: Toscana · Provincia: Firenze');
    // an empty name is refused next to the field
    await name.fill('');
    await page.getByRole('button', { name: 'Salva la ricerca' }).click();
    await page.locator('#salva-nome-errore').waitFor();
    assert.equal(await name.getAttribute('aria-invalid'), 'true');
    await name.fill('Cuoco a Firenze');
    await page.getByLabel('Nuove offerte per e-mail').selectOption({ label: 'Settimanale' });
    await everyWidth(page, 'offerte-salva-ricerca');
    const [posted] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/saved-searches') && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Salva la ricerca' }).click(),
    ]);
    assert.equal(posted.status(), 201);
    assert.deepEqual(posted.request().postDataJSON(), { name: 'Cuoco a Firenze', filters: { q: 'cuoc', region: '09', province: '048' }, frequency: 'weekly' });
    const done = page.locator('#salva-ricerca-esito');
    await done.getByText('Ricerca salvata').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'salva-ricerca-esito');
    await everyWidth(page, 'offerte-ricerca-salvata');

    // "Le mie ricerche salvate"
    await done.getByRole('link', { name: 'Le mie ricerche salvate' }).click();
    await page.waitForURL(`${s.portal.base}/cittadino/ricerche/`);
    const item = page.locator('#ric-lista > li');
    await item.first().waitFor();
    assert.equal(await item.count(), 1);
    assert.equal(await item.locator('h3').textContent(), 'Cuoco a Firenze');
    const text = await item.textContent();
    assert.ok(text.includes('Descrizione qualifica: cuoc · Regione: Toscana · Provincia: Firenze'), text);
    assert.ok(text.includes('Nessun avviso inviato'), text);
    assert.equal(await item.locator('[data-frequency-text]').textContent(), 'Settimanale');
    assert.equal(await item.getByRole('link', { name: 'Apri la ricerca «Cuoco a Firenze»' }).getAttribute('href'), '/cittadino/offerte/?q=cuoc&region=09&province=048');
    await everyWidth(page, 'ricerche');

    // rename: an empty name is refused in the dialog, then the new one is saved
    await item.getByRole('button', { name: 'Rinomina la ricerca «Cuoco a Firenze»' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Rinomina' }).click();
    await dialog.getByText('Scrivi il nome della ricerca.').waitFor();
    assert.deepEqual(await axe(page), [], 'axe-core: the rename dialog');
    await dialog.getByLabel('Nome della ricerca').fill('Cuoco in provincia di Firenze');
    await dialog.getByRole('button', { name: 'Rinomina' }).click();
    await page.locator('#ric-esito').getByText('Ricerca rinominata').waitFor();
    assert.equal(await item.locator('h3').textContent(), 'Cuoco in provincia di Firenze');

    // the frequency, saved as it changes
    const [patched] = await Promise.all([
      page.waitForResponse((r) => /\/api\/saved-searches\/\d+$/.test(r.url()) && r.request().method() === 'PATCH'),
      item.getByLabel('Frequenza degli avvisi di «Cuoco in provincia di Firenze»').selectOption({ label: 'Giornaliero' }),
    ]);
    assert.equal(patched.status(), 200);
    await page.locator('#ric-esito').getByText('Avvisi aggiornati').waitFor();
    assert.equal(await item.locator('[data-frequency-text]').textContent(), 'Giornaliero');
    await everyWidth(page, 'ricerche-aggiornata');
    // it stays after a reload, as the API has it
    await page.reload({ waitUntil: 'networkidle' });
    await page.locator('#ric-lista > li').first().waitFor();
    assert.equal(await item.locator('[data-frequency-text]').textContent(), 'Giornaliero');
    assert.equal(await item.getByLabel('Frequenza degli avvisi di «Cuoco in provincia di Firenze»').inputValue(), 'daily');

    // open it: the offers page with its filters
    await item.getByRole('link', { name: 'Apri la ricerca «Cuoco in provincia di Firenze»' }).click();
    await page.waitForURL(/\/cittadino\/offerte\/\?q=cuoc&region=09&province=048$/);
    await page.waitForFunction(() => document.getElementById('f-province').value === '048');
    assert.equal(await page.getByLabel('Descrizione qualifica').inputValue(), 'cuoc');
    await page.goBack({ waitUntil: 'networkidle' });

    // delete: "Annulla" keeps it, the confirmation deletes it
    await page.locator('#ric-lista > li').first().waitFor();
    await item.getByRole('button', { name: 'Elimina la ricerca «Cuoco in provincia di Firenze»' }).click();
    await dialog.getByRole('button', { name: 'Annulla' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await item.count(), 1);
    await item.getByRole('button', { name: 'Elimina la ricerca «Cuoco in provincia di Firenze»' }).click();
    assert.deepEqual(await axe(page), [], 'axe-core: the delete dialog');
    await dialog.getByRole('button', { name: 'Elimina la ricerca' }).click();
    await page.locator('#ric-esito').getByText('Ricerca eliminata').waitFor();
    await page.locator('#ric-vuoto').waitFor();
    const left = await page.request.get(`${s.portal.base}/api/saved-searches`);
    assert.deepEqual((await left.json()).items, []);

    assert.deepEqual(problems, []);
    await context.close();
  });

  test('with 20 searches saved, "Salva questa ricerca" says the limit (409 too_many_searches)', async () => {
    const { context, page, problems } = await openPage(s, '/accedi/');
    await login(s, page, 'Mario Rossi', '/');
    const url = (p) => s.portal.base + p;
    const { csrf_token: csrf } = await (await page.request.get(url('/api/session'))).json();
    for (let i = 1; i <= 20; i += 1) {
      const r = await page.request.post(url('/api/saved-searches'), { headers: { 'x-csrf-token': csrf }, data: { name: `Ricerca ${i}`, filters: { q: `cuoc${i}` }, frequency: 'none' } });
      assert.equal(r.status(), 201, await r.text());
    }
    await page.goto(url('/cittadino/offerte/?q=cuoc'), { waitUntil: 'networkidle' });
    await page.getByRole('button', { name: 'Salva questa ricerca' }).click();
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/saved-searches') && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Salva la ricerca' }).click(),
    ]);
    assert.equal(refused.status(), 409);
    const { error } = await refused.json();
    assert.equal(error.code, 'too_many_searches');
    const box = page.locator('#salva-ricerca-esito [role="alert"]');
    await box.getByText('Ricerca non salvata').waitFor();
    assert.ok((await box.textContent()).includes(error.message));
    assert.equal(await box.getByRole('link', { name: 'Le mie ricerche salvate' }).getAttribute('href'), '/cittadino/ricerche/');
    assert.deepEqual(await axe(page), [], 'axe-core: the refusal');
    assert.deepEqual(problems.filter((p) => !/409/.test(p)), []);
    await context.close();
  });
});
