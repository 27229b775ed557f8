// CVs in a real browser (C2, C3, B3), with the demo data's Mario Rossi (an active
// citizen with an incarico for ACME S.R.L.):
// - "Gestione Curriculum Vitae": upload with the progress bar (the upload throttled
//   with CDP so intermediate values show), the list's SI/NO columns, a wrong file
//   refused next to the file input (client-side by name, server-side by content),
//   Modifica, Storico utilizzi, Elimina with its confirmation dialog, phone width;
// - acting as ACME: the anonymised search, «Richiedi visione del CV» for PIZZAIOLO, the
//   owner's e-mail link (from the development mailbox) opened without a session in a
//   fresh context, «Autorizza», the link again (the decision, no buttons), then the
//   company's list (ACCETTATA, the candidate, the download) and the citizen's list.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import path from 'node:path';

import { PHONE, axe, contrastProblems, fitsWidth, focused, lastMessage, login, openPage, pdf, root, screenshot, session, unexpected } from './support.mjs';

const s = session();
const open = (path, options) => openPage(s, path, options);

const CV_TEXT = [
  'Curriculum Vitae di Mario Rossi',
  'Esperienza: pizzaiolo presso la pizzeria Da Gino di Firenze dal 2015 al 2023, forno a legna e impasti a lunga lievitazione.',
  'Aiuto cuoco in un ristorante di Prato, preparazione di primi piatti e gestione della dispensa e degli ordini ai fornitori.',
  'Lingue: inglese livello B1. Patente B, automunito. Disponibile a turni serali e nei fine settimana.',
].join('\n');
// the signature of a PNG file, and a few bytes more
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

/** The problems of a page but the refusals it was expected to meet (`statuses`). */

const today = new Intl.DateTimeFormat('it-IT', { timeZone: 'Europe/Rome', day: '2-digit', month: '2-digit', year: 'numeric' }).format(new Date());

/** Records every value the upload's <progress> takes (its `value` attribute reflects the property). */
async function watchProgress(page) {
  await page.evaluate(() => {
    const bar = document.getElementById('cv-progress');
    window.progressValues = [];
    new MutationObserver(() => window.progressValues.push(Number(bar.value))).observe(bar, { attributes: true, attributeFilter: ['value'] });
  });
}

/** Uploads a CV from the open form ("Nuovo" clicked): description, consent, all territories when consenting. */
async function fillNew(page, { description, consent, file }) {
  await page.locator('#cv-descrizione').fill(description);
  await page.locator(`label[for="cv-consenso-${consent ? 'si' : 'no'}"]`).click();
  if (consent) await page.locator('label[for="cv-territori-tutti"]').click();
  await page.locator('#cv-file').setInputFiles(file);
}

describe('Gestione Curriculum Vitae', () => {
  test('upload with progress, a wrong file, Modifica, Storico utilizzi, Elimina', async () => {
    const { context, page, problems } = await open('/accedi/');
    await login(s, page, 'Mario Rossi', '/');
    // the citizen's area links the page
    await page.goto(s.portal.base + '/cittadino/area/', { waitUntil: 'networkidle' });
    await page.locator('main').getByRole('link', { name: 'Gestione Curriculum Vitae' }).click();
    await page.waitForURL(s.portal.base + '/cittadino/curriculum/');
    await page.getByText('Non hai ancora caricato curriculum.').waitFor();
    assert.equal(await page.locator('h1').textContent(), 'Gestione Curriculum Vitae');
    assert.deepEqual(await axe(page), [], 'axe-core: the empty list');

    // Nuovo: the manual's texts and the 11 territories
    await page.getByRole('button', { name: 'Nuovo' }).click();
    await page.getByRole('heading', { name: 'Nuovo Curriculum Vitae' }).waitFor();
    assert.match(await page.locator('#cv-consenso-testo').textContent(), /\S{10}/);
    assert.equal(await page.locator('[data-territory]').count(), 11);
    await page.locator('label[for="cv-territori-tutti"]').click();
    assert.equal(await page.locator('[data-territory]:checked').count(), 11);
    await page.locator('label[for="cv-territori-tutti"]').click();
    assert.equal(await page.locator('[data-territory]:checked').count(), 0);
    assert.deepEqual(await axe(page), [], 'axe-core: the upload form');

    // a wrong file dropped on the drop zone: refused before sending, next to the file input
    const png = await page.evaluateHandle((bytes) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes)], 'foto.png', { type: 'image/png' }));
      return dt;
    }, [...PNG]);
    await page.locator('#cv-drop').dispatchEvent('drop', { dataTransfer: png });
    assert.match(await page.locator('#cv-file-scelto').textContent(), /foto\.png/);
    assert.match(await page.locator('#cv-file-errore').textContent(), /formato PDF, DOC, DOCX, ODT/);
    assert.equal(await page.locator('#cv-file').getAttribute('aria-invalid'), 'true');
    // more than 5 MB: refused before sending
    await page.locator('#cv-file').setInputFiles({ name: 'grande.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(5 * 1024 * 1024 + 1, 32) });
    assert.match(await page.locator('#cv-file-errore').textContent(), /troppo grande.*5 MB/);
    // a PNG named .pdf: the server reads the content and refuses it (415), shown at the same place
    await fillNew(page, { description: 'Foto', consent: false, file: { name: 'cv.pdf', mimeType: 'application/pdf', buffer: PNG } });
    await page.getByRole('button', { name: 'Carica il curriculum' }).click();
    await page.locator('#cv-file-errore').waitFor();
    const refusal = await page.locator('#cv-file-errore').textContent();
    assert.ok(refusal.trim().length > 10, refusal);
    assert.doesNotMatch(refusal, /Il file deve essere in formato/, 'the server\'s message, not the client-side check');
    assert.match(await page.locator('[data-error-summary]').textContent(), /Controlla questo dato/);
    await screenshot(page, 'cv-file-rifiutato');

    // a real PDF, the upload throttled so that the progress bar moves
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 256 * 1024 });
    await watchProgress(page);
    await fillNew(page, { description: 'CV cameriere', consent: false, file: { name: 'curriculum.pdf', mimeType: 'application/pdf', buffer: pdf(CV_TEXT, 600 * 1024) } });
    assert.equal(await page.locator('#cv-file-errore').count(), 0, 'a good file clears the error');
    await page.getByRole('button', { name: 'Carica il curriculum' }).click();
    await page.getByText('Il curriculum «CV cameriere» è stato caricato.').waitFor({ timeout: 60000 });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    const values = await page.evaluate(() => window.progressValues);
    assert.equal(values.at(-1), 100, `progress ${values}`);
    assert.ok(values.some((v) => v > 0 && v < 100), `intermediate progress values: ${values}`);
    assert.deepEqual(values, [...values].sort((a, b) => a - b), 'the bar never goes back');

    // the list: Data inserimento, Descrizione, Download, Consenti ricerca NO, Caricato CPI NO
    const row = page.locator('#cv-tabella tbody tr');
    assert.equal(await row.count(), 1);
    const cells = (await row.locator('th, td').allTextContents()).map((t) => t.trim());
    assert.deepEqual(cells.slice(0, 5), [today, 'CV cameriere', 'curriculum.pdf', 'NO', 'NO']);
    const download = await page.request.get(s.portal.base + await row.getByRole('link').getAttribute('href'));
    assert.equal(download.status(), 200);
    assert.equal((await download.body()).subarray(0, 5).toString(), '%PDF-');
    assert.doesNotMatch(await page.locator('main').innerText(), /\bnull\b|undefined/);
    assert.deepEqual(await axe(page), [], 'axe-core: the list');
    assert.deepEqual(await contrastProblems(page), [], 'contrast: the list');
    await screenshot(page, 'cv-elenco');

    // Modifica: description, consent and territories
    await page.getByRole('button', { name: 'Modifica CV cameriere' }).click();
    await page.getByRole('heading', { name: 'Modifica Curriculum Vitae' }).waitFor();
    assert.equal(await page.locator('#cv-descrizione').inputValue(), 'CV cameriere');
    assert.ok(await page.locator('#cv-consenso-no').isChecked());
    await page.locator('#cv-descrizione').fill('CV cameriere e pizzaiolo');
    await page.locator('label[for="cv-consenso-si"]').click();
    // consent without territories: the problem next to the territories
    await page.getByRole('button', { name: 'Salva le modifiche' }).click();
    assert.match(await page.locator('[data-error-summary]').textContent(), /territorio/);
    await page.locator('label[for="cv-territori-tutti"]').click();
    await page.getByRole('button', { name: 'Salva le modifiche' }).click();
    await page.getByText('Le modifiche al curriculum «CV cameriere e pizzaiolo» sono state salvate.').waitFor();
    assert.deepEqual((await row.locator('th, td').allTextContents()).map((t) => t.trim()).slice(1, 5), ['CV cameriere e pizzaiolo', 'curriculum.pdf', 'SI', 'NO']);

    // Modifica: the file replaced (a DOCX made by an office suite), with the progress bar
    await page.getByRole('button', { name: 'Modifica CV cameriere e pizzaiolo' }).click();
    await page.getByLabel('Sostituisci il file (facoltativo)').setInputFiles(path.join(root, 'crates/cvtext/testdata/cv-esempio.docx'));
    await watchProgress(page);
    await page.getByRole('button', { name: 'Salva le modifiche' }).click();
    await page.getByText('Le modifiche al curriculum «CV cameriere e pizzaiolo» sono state salvate.').waitFor();
    assert.equal((await page.evaluate(() => window.progressValues)).at(-1), 100);
    assert.deepEqual((await row.locator('th, td').allTextContents()).map((t) => t.trim()).slice(1, 5), ['CV cameriere e pizzaiolo', 'cv-esempio.docx', 'SI', 'NO']);

    // filters: description and dates
    await page.locator('#cv-descrizione-filtro').fill('nessuno');
    await page.getByRole('button', { name: 'Cerca' }).click();
    await page.getByText('Nessun curriculum corrisponde ai criteri di ricerca.').waitFor();
    await page.locator('#cv-descrizione-filtro').fill('pizzaiolo');
    await page.getByLabel('Data inserimento da').fill(today);
    await page.getByLabel('Data inserimento a').fill(today);
    await page.getByRole('button', { name: 'Cerca' }).click();
    await page.locator('#cv-tabella').waitFor();
    assert.equal(await row.count(), 1);

    // Storico utilizzi: Caricamento then Modifica
    await page.getByRole('button', { name: 'Storico utilizzi di CV cameriere e pizzaiolo' }).click();
    await page.locator('#cv-storico-tabella').waitFor();
    const kinds = await page.locator('#cv-storico-tabella tbody td[data-label="Tipo"]').allTextContents();
    assert.deepEqual(kinds, ['Caricamento', 'Modifica', 'Modifica']);
    assert.deepEqual(await axe(page), [], 'axe-core: Storico utilizzi');
    await screenshot(page, 'cv-storico');
    await page.getByRole('button', { name: 'Torna all\'elenco' }).click();

    // phone width: no horizontal scrolling
    await page.setViewportSize(PHONE);
    await fitsWidth(page);
    assert.deepEqual(await contrastProblems(page), [], 'contrast: the list on a phone');
    await screenshot(page, 'cv-elenco-telefono');
    await page.setViewportSize({ width: 1280, height: 900 });

    // Elimina: the confirmation; Annulla keeps the CV, Elimina removes it
    await page.getByRole('button', { name: 'Elimina CV cameriere e pizzaiolo' }).click();
    const dialog = page.getByRole('dialog', { name: 'Elimina il curriculum' });
    await dialog.waitFor();
    assert.equal((await dialog.locator('#cv-conferma-testo').textContent()).trim(), 'Sicuro di voler procedere con la rimozione del Curriculum Vitae?');
    assert.deepEqual(await axe(page), [], 'axe-core: the confirmation');
    await screenshot(page, 'cv-conferma-eliminazione');
    await dialog.getByRole('button', { name: 'Annulla' }).click();
    assert.equal(await row.count(), 1);
    assert.match(await focused(page), /^button «Elimina»/, 'Annulla: the focus back on the button that opened the dialog');
    await page.getByRole('button', { name: 'Elimina CV cameriere e pizzaiolo' }).click();
    await dialog.getByRole('button', { name: 'Elimina' }).click();
    await page.getByText('Il curriculum «CV cameriere e pizzaiolo» è stato eliminato.').waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'cv-esito');
    await page.getByText('Nessun curriculum corrisponde ai criteri di ricerca.').waitFor();
    assert.deepEqual(unexpected(problems, [415]), []);
    await context.close();
  });
});

describe('view requests: search, request, authorisation by the e-mail link', () => {
  test('ACME asks to see a CV for PIZZAIOLO; the owner authorises from the link without logging in', async () => {
    const { context, page, problems } = await open('/accedi/');
    await login(s, page, 'Mario Rossi', '/');

    // not acting for a company: the search page says how to
    await page.goto(s.portal.base + '/azienda/ricerca-cv/', { waitUntil: 'networkidle' });
    await page.getByText('Scegli per quale azienda operi').waitFor();
    assert.match(await page.locator('main').textContent(), /Opera come/);
    assert.deepEqual(await axe(page), [], 'axe-core: search without a company');

    // the citizen uploads a CV with consent
    await page.goto(s.portal.base + '/cittadino/curriculum/', { waitUntil: 'networkidle' });
    await page.getByRole('button', { name: 'Nuovo' }).click();
    await fillNew(page, { description: 'Pizzaiolo', consent: true, file: { name: 'cv-pizzaiolo.pdf', mimeType: 'application/pdf', buffer: pdf(CV_TEXT) } });
    await page.getByRole('button', { name: 'Carica il curriculum' }).click();
    await page.getByText('Il curriculum «Pizzaiolo» è stato caricato.').waitFor();

    // acting for ACME S.R.L.; the company's menu links the search
    await page.locator('header [data-user-zone] button.user-menu-toggle').click();
    await page.locator('#menu-utente-ruoli').getByRole('button', { name: /ACME S\.R\.L\./ }).click();
    await page.waitForURL(s.portal.base + '/azienda/area/');
    await page.waitForLoadState('networkidle');
    await page.locator('main').getByRole('link', { name: 'Ricerca curriculum' }).click();
    await page.waitForURL(s.portal.base + '/azienda/ricerca-cv/');
    await page.getByText('Non hai ancora inviato richieste di visione.').waitFor();

    await page.getByLabel('Occupazione').fill('pizzaiolo');
    await page.getByLabel('Territorio').selectOption({ label: 'Firenze' });
    await page.getByRole('button', { name: 'Cerca' }).click();
    const result = page.locator('.rc-card');
    await result.first().waitFor();
    assert.equal(await result.count(), 1);
    const text = await result.locator('.cv-text').textContent();
    assert.match(text, /pizzaiolo/i);
    assert.doesNotMatch(text, /Mario|Rossi/, 'the anonymised text hides the name');
    assert.match(await result.textContent(), new RegExp(`Aggiornato il ${today.replace(/\//g, '\\/')}`));
    assert.doesNotMatch(await page.locator('main').innerText(), /\bnull\b|undefined/);
    assert.deepEqual(await axe(page), [], 'axe-core: search results');
    await screenshot(page, 'cv-ricerca');

    // «Richiedi visione del CV» for PIZZAIOLO
    await result.getByRole('button', { name: 'Richiedi visione del CV' }).click();
    await result.getByLabel(/Posizione lavorativa/).fill('PIZZAIOLO');
    await result.getByRole('button', { name: 'Invia la richiesta' }).click();
    await result.getByText('Richiesta inviata').waitFor();
    const requestRow = page.locator('#rc-richieste-tabella tbody tr');
    await requestRow.first().waitFor();
    assert.match(await requestRow.textContent(), /PIZZAIOLO.*RICHIESTA/);
    assert.deepEqual(await axe(page), [], 'axe-core: request sent');

    // the owner's e-mail link, opened with no session, as the portal's own page
    // (/cittadino/richieste-cv/decisione/?token=, on the JSON API)
    const mail = await lastMessage(s, 'mario.rossi@example.org', 'cv_request');
    const token = new URL(mail.params.link).searchParams.get('token');
    assert.ok(token, mail.params.link);
    const link = `${s.portal.base}/cittadino/richieste-cv/decisione/?token=${encodeURIComponent(token)}`;
    const anon = await open('/');
    await anon.page.goto(link, { waitUntil: 'networkidle' });
    assert.equal((await anon.page.request.get(s.portal.base + '/api/session').then((r) => r.json())).authenticated, false);
    await anon.page.getByRole('button', { name: 'Autorizza' }).waitFor();
    assert.match(await anon.page.locator('main').textContent(), /ACME S\.R\.L\..*PIZZAIOLO/s);
    assert.deepEqual(await axe(anon.page), [], "axe-core: the link's page");
    assert.deepEqual(await contrastProblems(anon.page), [], "contrast: the link's page");
    await screenshot(anon.page, 'cv-link-richiesta');
    await anon.page.getByRole('button', { name: 'Autorizza' }).click();
    await anon.page.getByText(/Hai autorizzato la visione del tuo curriculum/).waitFor();
    await anon.page.waitForFunction(() => document.activeElement?.id === 'decisione');
    assert.deepEqual(await axe(anon.page), [], "axe-core: the link's page after the decision");
    // a way back into the portal
    assert.equal(await anon.page.locator('main').getByRole('link', { name: 'La mia area' }).getAttribute('href'), '/cittadino/area/');
    // the link again: the decision taken, no buttons
    await anon.page.goto(link, { waitUntil: 'networkidle' });
    await anon.page.getByText(/Hai autorizzato la visione del tuo curriculum/).waitFor();
    assert.equal(await anon.page.getByRole('button', { name: /Autorizza|Rifiuta/ }).count(), 0);
    await screenshot(anon.page, 'cv-link-autorizzato');
    await anon.page.setViewportSize(PHONE);
    await fitsWidth(anon.page);
    assert.deepEqual(await axe(anon.page), [], "axe-core: the link's page on a phone");
    // the e-mail's own address (the component's page) still works and shows the decision
    await anon.page.goto(mail.params.link, { waitUntil: 'networkidle' });
    await anon.page.getByText(/Hai autorizzato la visione del tuo curriculum/).waitFor();
    assert.deepEqual(anon.problems, []);
    await anon.context.close();

    // the company's list: ACCETTATA, the candidate and the download
    await page.reload({ waitUntil: 'networkidle' });
    await requestRow.first().waitFor();
    assert.match(await requestRow.textContent(), /PIZZAIOLO.*ACCETTATA.*Mario Rossi/);
    const href = await requestRow.getByRole('link', { name: /Download del curriculum di Mario Rossi/ }).getAttribute('href');
    const file = await page.request.get(s.portal.base + href);
    assert.equal(file.status(), 200);
    assert.equal((await file.body()).subarray(0, 5).toString(), '%PDF-');
    assert.deepEqual(await axe(page), [], 'axe-core: accepted request');
    await page.setViewportSize({ width: 375, height: 800 });
    await fitsWidth(page);
    await screenshot(page, 'cv-ricerca-telefono');
    await page.setViewportSize({ width: 1280, height: 900 });

    // a second request, for CAMERIERE, which the owner will refuse from the portal
    const again = page.locator('.rc-card');
    await again.first().waitFor();
    assert.match(await again.textContent(), /Stato della richiesta: ACCETTATA/);
    await again.getByRole('button', { name: 'Richiedi visione del CV' }).click();
    await again.getByLabel(/Posizione lavorativa/).fill('CAMERIERE');
    await again.getByRole('button', { name: 'Invia la richiesta' }).click();
    await again.getByText('Richiesta inviata').waitFor();
    await page.locator('#rc-richieste-tabella tbody tr', { hasText: /CAMERIERE/ }).waitFor();

    // back as a citizen: "Elenco richieste curriculum vitae" shows the decision, no buttons
    await page.locator('header [data-user-zone] button.user-menu-toggle').click();
    await page.locator('#menu-utente-ruoli').getByRole('button', { name: 'Cittadino' }).click();
    await page.waitForURL(s.portal.base + '/cittadino/area/');
    await page.locator('main').getByRole('link', { name: 'Richieste curriculum vitae' }).click();
    await page.waitForURL(s.portal.base + '/cittadino/richieste-cv/');
    const accepted = page.locator('#rcv-tabella tbody tr', { hasText: /PIZZAIOLO/ });
    await accepted.waitFor();
    assert.match(await accepted.textContent(), /ACME S\.R\.L\..*PIZZAIOLO.*Pizzaiolo.*ACCETTATA/);
    assert.equal(await accepted.getByRole('button').count(), 0);
    const pending = page.locator('#rcv-tabella tbody tr', { hasText: /CAMERIERE/ });
    assert.match(await pending.textContent(), /RICHIESTA/);
    assert.deepEqual(await axe(page), [], 'axe-core: the citizen\'s requests');
    await screenshot(page, 'cv-richieste-cittadino');
    await pending.getByRole('button', { name: /^Rifiuta/ }).click();
    await page.getByText('Richiesta rifiutata').waitFor();
    assert.match(await pending.textContent(), /RIFIUTATA/);
    assert.equal(await pending.getByRole('button').count(), 0);
    await page.setViewportSize({ width: 375, height: 800 });
    await fitsWidth(page);
    await page.setViewportSize({ width: 1280, height: 900 });

    // the company sees the refusal and nothing of the person
    await page.locator('header [data-user-zone] button.user-menu-toggle').click();
    await page.locator('#menu-utente-ruoli').getByRole('button', { name: /ACME S\.R\.L\./ }).click();
    await page.waitForURL(s.portal.base + '/azienda/area/');
    await page.waitForLoadState('networkidle');
    await page.goto(s.portal.base + '/azienda/ricerca-cv/', { waitUntil: 'networkidle' });
    const refused = page.locator('#rc-richieste-tabella tbody tr', { hasText: /CAMERIERE/ });
    await refused.waitFor();
    assert.match(await refused.textContent(), /RIFIUTATA/);
    assert.doesNotMatch(await refused.textContent(), /Mario|Rossi|Download/);
    assert.deepEqual(problems, []);
    await context.close();
  });
});
