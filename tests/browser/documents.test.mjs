// Documents to sign (issue 18) in a real browser, one context per person, each page
// state checked with axe-core (and the contrast check) on a computer and at 390 px:
//   Alessandro Romano  the first administrator: makes Chiara Ricci operatore CPI of
//                      FIRENZE (through the API);
//   Chiara Ricci       the operator: creates a «Patto di servizio D.Lgs. 150» for Sofia
//                      Gallo on /operatore/documenti/, later counter-signs it («Firma
//                      operatore» after a dialog);
//   Sofia Gallo        the citizen: finds it in «Elenco documenti in firma», downloads it,
//                      takes it in charge, signs it with the code sent by SMS (read from
//                      the development mailbox);
//   anyone             /verifica/: the document code, the final PDF (authentic) and the
//                      same PDF with one byte changed (altered).
// No fixed waits: each step waits for what it expects to see.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  BOOTSTRAP_ADMIN, axe, everyWidth, lastMessage, login, okJson, openPage, registerCitizen, session, unexpected,
} from './support.mjs';

const s = session();

const OPERATOR = { name: 'Chiara Ricci', fiscal_code: 'RCCCHR69P70E625Q', email: 'chiara.ricci@example.org', mobile: '+393356677889' };
const CITIZEN = { name: 'Sofia Gallo', fiscal_code: 'GLLSFO04E58D612H', email: 'sofia.gallo@example.org', mobile: '+393297778899' };
const KIND = 'Patto di servizio D.Lgs. 150';

describe('documents to sign: from the operator to both signatures and the check page', () => {
  const people = {};
  let documentCode = '';
  let finalPdf = null;

  before(async () => {
    for (const who of [BOOTSTRAP_ADMIN, OPERATOR, CITIZEN]) await registerCitizen(s, who.name, who);
    for (const [key, who] of [['admin', BOOTSTRAP_ADMIN], ['operator', OPERATOR], ['citizen', CITIZEN]]) {
      const opened = await openPage(s, '/accedi/');
      people[key] = opened;
      await login(s, opened.page, who.name, '/');
    }
    const csrf = (await okJson(await people.admin.page.request.get(`${s.portal.base}/api/session`))).csrf_token;
    await okJson(await people.admin.page.request.post(`${s.portal.base}/api/admin/roles`, {
      headers: { 'x-csrf-token': csrf, accept: 'application/json' },
      data: { fiscal_code: OPERATOR.fiscal_code, role: 'operator', cpi: 'firenze' },
    }));
  });
  after(async () => {
    for (const p of Object.values(people)) await p.context.close();
  });

  test('the operator creates a document and sends it to sign', async () => {
    const { page, problems } = people.operator;
    problems.splice(0);
    await page.goto(`${s.portal.base}/operatore/`, { waitUntil: 'networkidle' });
    await page.getByRole('navigation', { name: 'Menu dell\'area operatore' }).getByRole('link', { name: 'Documenti da firmare' }).click();
    await page.waitForURL(`${s.portal.base}/operatore/documenti/`);
    await page.getByText('Operi per il Centro per l\'impiego di FIRENZE.', { exact: true }).waitFor();
    await page.getByText('Nessun documento.').waitFor();
    await everyWidth(page, 'operatore-documenti');
    // a missing content is said next to its field
    await page.getByLabel('Codice fiscale del cittadino').fill(CITIZEN.fiscal_code);
    await page.getByLabel('Tipo documento').selectOption({ label: KIND });
    await page.getByRole('button', { name: 'Crea e invia in firma' }).click();
    await page.getByText('Scrivi il contenuto concordato con il cittadino.').first().waitFor();
    await page.getByLabel('Contenuto concordato con il cittadino').fill('Due candidature a settimana.\n\nColloquio di verifica tra un mese.');
    await page.getByLabel('Riferimento pratica').fill('Pratica 84');
    await page.getByRole('button', { name: 'Crea e invia in firma' }).click();
    const done = page.getByText('Documento inviato in firma');
    await done.waitFor();
    documentCode = /codice ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})/.exec(await page.locator('#od-esito').textContent())[1];
    await page.locator('#od-tabella').getByText(KIND).waitFor();
    await everyWidth(page, 'operatore-documenti-inviato');
    assert.deepEqual(unexpected(problems, [422]), []);
  });

  test('the citizen takes it in charge and signs it with the code sent by SMS', async () => {
    const { page, problems } = people.citizen;
    problems.splice(0);
    await page.goto(`${s.portal.base}/cittadino/area/`, { waitUntil: 'networkidle' });
    await page.getByRole('link', { name: 'Documenti da firmare' }).click();
    await page.waitForURL(`${s.portal.base}/cittadino/documenti/`);
    const table = page.locator('#doc-tabella');
    await table.getByText(KIND).waitFor();
    await table.getByText(/^Documento Inserito il \d\d\/\d\d\/\d{4} \d\d:\d\d$/).waitFor();
    assert.equal(await page.getByLabel('Centro impiego').locator('option').allTextContents().then((o) => o.join('|')), 'Tutti|CPI di FIRENZE');
    await everyWidth(page, 'cittadino-documenti');
    // «Scarica Documento»: the PDF as the CPI inserted it
    const href = await table.getByRole('link', { name: /^Scarica Documento/ }).getAttribute('href');
    const inserted = await page.request.get(s.portal.base + href);
    assert.equal(inserted.headers()['content-type'], 'application/pdf');
    assert.equal(await table.getByRole('button', { name: /^Firma documento/ }).count(), 0, 'no signing before taking in charge');
    await table.getByRole('button', { name: /^Prendi in carico/ }).click();
    await page.getByText('Documento preso in carico').waitFor();
    await table.getByText(/^Preso In Carico il /).waitFor();
    const sentAfter = (await (await fetch(`${s.portal.base}/api/dev/mailbox?recipient=${encodeURIComponent(CITIZEN.mobile)}`)).json()).items[0]?.id ?? 0;
    await table.getByRole('button', { name: /^Firma documento/ }).click();
    const code = page.getByLabel('Codice ricevuto');
    await code.waitFor();
    await page.getByText('cellulare che termina con 899').waitFor();
    await everyWidth(page, 'cittadino-documenti-codice');
    // a wrong code is said next to the field
    const sms = await lastMessage(s, CITIZEN.mobile, 'document_sign_code', sentAfter);
    await code.fill(sms.params.code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Conferma la firma' }).click();
    await page.getByText(/^Codice errato/).first().waitFor();
    await code.fill(sms.params.code);
    await page.getByRole('button', { name: 'Conferma la firma' }).click();
    await page.getByText('Documento firmato').waitFor();
    await table.getByText(/^Firmato Cittadino il /).waitFor();
    await everyWidth(page, 'cittadino-documenti-firmato');
    assert.deepEqual(unexpected(problems, [400]), []);
  });

  test('the operator counter-signs: the process is concluded', async () => {
    const { page, problems } = people.operator;
    problems.splice(0);
    await page.goto(`${s.portal.base}/operatore/documenti/`, { waitUntil: 'networkidle' });
    await page.locator('#od-tabella').getByText(/^Firmato Cittadino il /).waitFor();
    await page.getByRole('button', { name: /^Firma operatore/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Firma il documento' }).click();
    await page.getByText('Documento firmato').waitFor();
    await page.locator('#od-tabella').getByText(/^Firmato Operatore il /).waitFor();
    assert.equal(await page.locator('#od-tabella .badge').first().textContent().then((t) => t.startsWith('Concluso')), true);
    const href = await page.getByRole('link', { name: /^Scarica Documento/ }).getAttribute('href');
    finalPdf = await (await page.request.get(s.portal.base + href)).body();
    assert.ok(finalPdf.subarray(0, 5).toString() === '%PDF-');
    assert.deepEqual(unexpected(problems), []);
  });

  test('the check page: by code, by the final PDF, and the PDF with one byte changed', async () => {
    const { context, page, problems, go } = await openPage(s, '/verifica/');
    await go();
    await page.getByLabel('Codice documento').fill(documentCode.toLowerCase());
    await page.getByRole('button', { name: 'Verifica il codice' }).click();
    await page.locator('#ver-risultato[data-verdict="valid"]').waitFor();
    await page.getByText(KIND, { exact: true }).waitFor();
    await page.getByText(/^Firma dell'operatore del Centro per l'impiego, il /).waitFor();
    await everyWidth(page, 'verifica-codice');
    const file = page.getByLabel('File PDF del documento');
    await file.setInputFiles({ name: 'documento.pdf', mimeType: 'application/pdf', buffer: finalPdf });
    await page.getByRole('button', { name: 'Verifica il file' }).click();
    await page.locator('#ver-risultato[data-verdict="valid"] ').getByText('Il file è un documento rilasciato da Toscana Lavoro', { exact: false }).waitFor();
    assert.equal(await page.getByText(/— firma integra$/).count(), 2);
    const altered = Buffer.from(finalPdf);
    altered[Math.floor(altered.length / 4)] ^= 1;
    await file.setInputFiles({ name: 'documento.pdf', mimeType: 'application/pdf', buffer: altered });
    await page.getByRole('button', { name: 'Verifica il file' }).click();
    await page.locator('#ver-risultato[data-verdict="altered"]').waitFor();
    await page.getByText('Documento modificato').waitFor();
    await everyWidth(page, 'verifica-alterato');
    assert.deepEqual(unexpected(problems), []);
    await context.close();
  });
});
