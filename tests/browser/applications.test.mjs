// The back office and applications (issue 15: O1, C1, C4) in a real browser, one
// journey in a browser context per person, each on a computer and at 390 px:
//   Alessandro Romano  the first administrator (the portal's bootstrap_admins): grants
//                      Chiara Ricci the role of operatore CPI for FIRENZE;
//   Chiara Ricci       the operator: publishes an offer for ACME S.R.L. (a draft first),
//                      edits it, evaluates the application (Preso in carico, then
//                      Inviata all'azienda), closes another offer;
//   Sofia Gallo        the citizen: finds the offer, logs in from "Compila candidatura"
//                      and comes back to the form, uploads a CV there, declares the
//                      requirements, applies, follows each esito in Visualizza
//                      candidature, withdraws another application;
//   Mario Rossi        acting for ACME S.R.L. (demo data): sees the offer and the
//                      application the CPI sent, and downloads the CV.
// The three new accounts are registered through the APIs first (support.mjs
// registerCitizen). No fixed waits: each step waits for what it expects to see.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { localNext, withNext } from '../../web/assets/js/pages/accedi.mjs';
import { changes } from '../../web/assets/js/pages/amministrazione.mjs';
import { offerCode } from '../../web/assets/js/pages/candidatura.mjs';
import { listQuery } from '../../web/assets/js/pages/candidature.mjs';
import { applyHref } from '../../web/assets/js/pages/offer.mjs';
import { defaultMode, offerBody } from '../../web/assets/js/pages/operatore-offerte.mjs';
import {
  BOOTSTRAP_ADMIN, PHONE, axe, everyWidth, lastMessage, login, openPage, pdf, primaryReachable, registerCitizen, screenshot, session, unexpected,
} from './support.mjs';

const s = session();

const OPERATOR = { name: 'Chiara Ricci', fiscal_code: 'RCCCHR69P70E625Q', email: 'chiara.ricci@example.org', mobile: '+393356677889' };
const CITIZEN = { name: 'Sofia Gallo', fiscal_code: 'GLLSFO04E58D612H', email: 'sofia.gallo@example.org', mobile: '+393297778899' };
const OCCUPATION = 'aiuto cuoco di ristorante';
const CV_TEXT = [
  'Curriculum Vitae di Sofia Gallo',
  'Esperienza: aiuto cuoco presso la trattoria Il Latini di Firenze dal 2021 al 2024, preparazione di primi piatti e dolci.',
  'Attestato HACCP conseguito nel 2021. Lingue: inglese livello B2, francese livello A2.',
  'Patente B, automunita. Disponibile a turni serali e nei fine settimana, anche nei giorni festivi.',
].join('\n');

const rome = (date) => new Intl.DateTimeFormat('it-IT', { timeZone: 'Europe/Rome', day: '2-digit', month: '2-digit', year: 'numeric' }).format(date);
const today = rome(new Date());
const inDays = (n) => rome(new Date(Date.now() + n * 86400000));
const isoInDays = (n) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Rome' }).format(new Date(Date.now() + n * 86400000));

const headerButton = (page) => page.locator('header [data-user-zone] button.user-menu-toggle');

/** Ticks a Bootstrap Italia checkbox or radio by its label (the label draws the box). */
async function tick(scope, id) {
  await scope.locator(`label[for="${id}"]`).click();
  assert.ok(await scope.locator(`#${id}`).isChecked(), id);
}

describe('helpers (unit)', () => {
  test('Accedi keeps only a path of this site as `next`, and each login carries it', () => {
    assert.equal(localNext('/cittadino/candidatura/?offerta=FI-1'), '/cittadino/candidatura/?offerta=FI-1');
    for (const bad of ['//evil.example/x', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '/a\nb', '', null]) assert.equal(localNext(bad), null, String(bad));
    assert.equal(withNext('/auth/spid/login?idp=urn%3Ademo', '/a/?b=c', 'http://x'), '/auth/spid/login?idp=urn%3Ademo&next=%2Fa%2F%3Fb%3Dc');
    assert.equal(withNext('/auth/cie/login', null, 'http://x'), '/auth/cie/login');
    assert.equal(applyHref('FI-12', true), '/cittadino/candidatura/?offerta=FI-12');
    assert.equal(applyHref('FI-12', false), '/accedi/?next=%2Fcittadino%2Fcandidatura%2F%3Fofferta%3DFI-12');
    assert.equal(offerCode('?offerta=fi-12'), 'FI-12');
    assert.equal(offerCode('?offerta=FI-12%27%3E'), '');
  });

  test('the forms send what the APIs take', () => {
    assert.equal(listQuery({ page: 1, from: '', to: '2026-11-30', status: 'inviata', history: true }), 'to=2026-11-30&status=inviata&history=true&page=1&page_size=10');
    assert.equal(listQuery({ page: 2, from: '', to: '', status: '', history: false }), 'page=2&page_size=10');
    const body = offerBody({ offer_type: ' preselezione ', places: '2', experience_required: false, experience_months: '12', requirements: [' HACCP ', ' '], locations: ['048017'], deadline: '' });
    assert.deepEqual([body.offer_type, body.places, body.experience_months, body.requirements, body.deadline, body.company_id], ['preselezione', 2, null, ['HACCP'], null, null]);
    assert.equal(Object.keys(body).length, 20, 'every field of OfferIn, no other');
    assert.equal(defaultMode('pubbliche-amministrazioni'), 'text');
    // the audit log shows what changed
    assert.deepEqual(changes(null, { role: 'operator', cpi: 'prato' }), [['role', '', 'operator'], ['cpi', '', 'prato']]);
    assert.deepEqual(changes({ status: 'published', places: 2 }, { status: 'closed', places: 2 }), [['status', 'published', 'closed']]);
    assert.deepEqual(changes({ requirements: ['A'] }, { requirements: ['A', 'B'] }), [['requirements', '["A"]', '["A","B"]']]);
    assert.equal(defaultMode('preselezione'), 'online');
  });
});

describe('operators, an offer, an application and its esiti', () => {
  const people = {};
  let code = '';
  let closedCode = '';

  before(async () => {
    for (const who of [BOOTSTRAP_ADMIN, OPERATOR, CITIZEN]) await registerCitizen(s, who.name, who);
    for (const [key, who] of [['admin', BOOTSTRAP_ADMIN], ['operator', OPERATOR], ['citizen', null], ['company', { name: 'Mario Rossi' }]]) {
      const opened = await openPage(s, '/accedi/');
      people[key] = opened;
      if (who) await login(s, opened.page, who.name, '/');
    }
  });
  after(async () => {
    for (const p of Object.values(people)) await p.context.close();
  });

  test('the administrator finds the operator area in the menu and grants an operator role', async () => {
    const { page, problems } = people.admin;
    problems.splice(0);
    await headerButton(page).click();
    const area = page.locator('#menu-utente').getByRole('link', { name: 'Area operatore' });
    await area.click();
    await page.waitForURL(s.portal.base + '/operatore/');
    await page.getByText('Alessandro Romano, hai il ruolo di amministratore: qui trovi i servizi che puoi usare.').waitFor();
    // an administrator who is no operator: only Amministrazione
    const nav = page.getByRole('navigation', { name: 'Menu dell\'area operatore' });
    assert.ok(await nav.getByRole('link', { name: 'Amministrazione' }).isVisible());
    assert.equal(await page.locator('[data-staff="operator"]').count(), 14, 'seven links of the menu, seven cards');
    assert.equal(await page.locator('[data-staff="operator"]:visible').count(), 0);
    await everyWidth(page, 'operatore-amministratore', { idle: false });

    await nav.getByRole('link', { name: 'Amministrazione' }).click();
    await page.waitForURL(s.portal.base + '/operatore/amministrazione/');
    await page.locator('#adm-registro-elenco').getByText('Nessuna attività registrata.').waitFor();
    // a role without a fiscal code nor a CPI: the problems next to the inputs
    await page.getByRole('button', { name: 'Assegna il ruolo' }).click();
    await page.locator('#adm-assegna [data-error-summary]').waitFor();
    assert.equal(await page.locator('#adm-cf').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#adm-cpi').getAttribute('aria-invalid'), 'true');
    assert.deepEqual(await axe(page), [], 'axe-core: the grant form with errors');
    // an administrator has no CPI
    await page.locator('#adm-ruolo').selectOption('admin');
    assert.ok(await page.locator('#adm-cpi-campo').isHidden());
    await page.locator('#adm-ruolo').selectOption('operator');
    await page.locator('#adm-cf').fill(OPERATOR.fiscal_code.toLowerCase());
    await page.locator('#adm-cpi').selectOption({ label: 'FIRENZE' });
    await page.getByRole('button', { name: 'Assegna il ruolo' }).click();
    await page.getByText(`${OPERATOR.fiscal_code} è ora Operatore CPI del Centro per l'impiego di FIRENZE.`).waitFor();
    const role = page.locator('#adm-ruoli-tabella tbody tr', { hasText: OPERATOR.fiscal_code });
    assert.match(await role.textContent(), /Chiara Ricci.*Operatore CPI.*FIRENZE/);
    // the audit log: who did it, what, the values after
    const entry = page.locator('#adm-registro-tabella tbody tr', { hasText: 'Ruolo assegnato' }).first();
    await entry.waitFor();
    assert.match(await entry.textContent(), new RegExp(`Alessandro Romano \\(${BOOTSTRAP_ADMIN.fiscal_code}\\)`));
    await entry.locator('summary', { hasText: 'Valori (3 campi)' }).click();
    const values = (await entry.locator('.audit-table tbody tr').allTextContents()).sort();
    assert.deepEqual(values, ['cpi—firenze', `fiscal_code—${OPERATOR.fiscal_code}`, 'role—operator'], 'field, before (none), after');
    // a second CPI for the same operator (she will choose which one she works for)
    await page.locator('#adm-cf').fill(OPERATOR.fiscal_code);
    await page.locator('#adm-cpi').selectOption({ label: 'PRATO' });
    await page.getByRole('button', { name: 'Assegna il ruolo' }).click();
    await page.getByText(`${OPERATOR.fiscal_code} è ora Operatore CPI del Centro per l'impiego di PRATO.`).waitFor();
    assert.equal(await page.locator('#adm-ruoli-tabella tbody tr', { hasText: OPERATOR.fiscal_code }).count(), 2);
    await everyWidth(page, 'amministrazione', { idle: false });
    assert.deepEqual(unexpected(problems, [422]), []);
  });

  test('the operator publishes an offer for ACME S.R.L. (a draft first) and edits it', async () => {
    const { page, problems } = people.operator;
    problems.splice(0);
    // an operator of two CPIs: the offers wait for her choice
    await page.goto(s.portal.base + '/operatore/offerte/', { waitUntil: 'networkidle' });
    await page.getByText('Sei operatore di più Centri per l\'impiego: scegli prima per quale operi').waitFor();
    await page.locator('#oo-stato').getByRole('link', { name: 'Area operatore' }).click();
    await page.waitForURL(s.portal.base + '/operatore/');
    await page.getByText('Sei operatore di più Centri per l\'impiego: scegli per quale operi ora.').waitFor();
    const choice = page.getByLabel('Opera per il Centro per l\'impiego');
    assert.deepEqual(await choice.locator('option').allTextContents(), ['Scegli il Centro per l\'impiego', 'FIRENZE', 'PRATO']);
    await everyWidth(page, 'operatore-scelta-cpi', { idle: false });
    await choice.selectOption({ label: 'FIRENZE' });
    await page.getByRole('button', { name: 'Conferma' }).click();
    await page.getByText('Ora operi per il Centro per l\'impiego di FIRENZE.').waitFor();
    await page.getByText('Operi per il Centro per l\'impiego di FIRENZE.', { exact: true }).waitFor();
    await page.getByText('Chiara Ricci, hai il ruolo di operatore CPI: qui trovi i servizi che puoi usare.').waitFor();
    assert.equal(await page.locator('[data-staff="admin"]').count(), 2, 'a link of the menu, a card');
    assert.equal(await page.locator('[data-staff="admin"]:visible').count(), 0);
    assert.equal(await page.locator('[data-staff="operator"]:visible').count(), 14);
    await everyWidth(page, 'operatore', { idle: false });
    await page.locator('main .card').getByRole('link', { name: 'Offerte di lavoro' }).click();
    await page.waitForURL(s.portal.base + '/operatore/offerte/');
    // the CPI's offers of the demo data, newest first
    await page.locator('#oo-tabella tbody tr').first().waitFor();
    assert.deepEqual(await page.locator('#oo-tabella thead th').allTextContents(), ['Codice offerta', 'Qualifica', 'Tipo offerta', 'Pubblicata il', 'Scadenza', 'Stato', 'Candidature', 'Azioni']);
    assert.ok((await page.locator('#oo-tabella tbody th').allTextContents()).every((c) => /^FI-\d+$/.test(c)), 'FIRENZE\'s offers only');
    await page.getByText('Nessuna bozza.').waitFor();

    await page.getByRole('button', { name: 'Nuova offerta' }).click();
    await page.getByRole('heading', { name: 'Nuova offerta' }).waitFor();
    // nothing filled in: the API's problems next to the inputs
    await page.getByRole('button', { name: 'Pubblica l\'offerta' }).click();
    await page.locator('#oo-modulo [data-error-summary]').waitFor();
    for (const id of ['oo-tipo', 'oo-contratto', 'oo-scadenza', 'oo-posti', 'oo-qualifica', 'oo-descrizione', 'oo-sede', 'oo-come']) {
      assert.equal(await page.locator(`#${id}`).getAttribute('aria-invalid'), 'true', id);
    }
    assert.deepEqual(await axe(page), [], 'axe-core: the offer form with errors');

    await page.getByLabel('Tipo offerta').selectOption({ label: 'Preselezione' });
    await page.getByLabel('Tipologia contrattuale offerta').selectOption({ label: 'LAVORO A TEMPO DETERMINATO' });
    await page.getByLabel('Scadenza').fill(inDays(30));
    await page.getByLabel('Numero posti disponibili').fill('2');
    await page.getByLabel('Modalità di lavoro').selectOption('FULL TIME');
    await page.getByLabel('Qualifica professionale').fill(OCCUPATION);
    await page.getByLabel('Descrizione estesa della qualifica').fill('Cercasi aiuto cuoco per ristorante nel centro di Firenze.');
    await tick(page, 'oo-esperienza-si');
    await page.getByLabel('Descrizione dell\'esperienza').fill('Almeno un anno in cucina');
    await page.getByLabel('Durata dell\'esperienza (mesi)').fill('12');
    // two work locations from the autocomplete, then one removed
    const place = page.getByRole('combobox', { name: 'Aggiungi una sede di lavoro (comune)' });
    for (const [typed, option] of [['firen', 'Firenze (FI)'], ['prat', 'Prato (PO)']]) {
      await place.fill(typed);
      await page.getByRole('option', { name: option }).click();
      await page.locator('#oo-sedi-elenco li', { hasText: option }).waitFor();
    }
    await page.getByRole('button', { name: 'Rimuovi la sede Prato (PO)' }).click();
    assert.deepEqual(await page.locator('#oo-sedi-elenco li > span').allTextContents(), ['Firenze (FI)']);
    // the company from the registry
    await page.getByLabel('Cerca l\'azienda per nome, codice fiscale o partita IVA').fill('ac');
    await page.getByRole('button', { name: 'Cerca nel registro' }).click();
    await page.locator('#oo-azienda-errore').waitFor();
    await page.getByLabel('Cerca l\'azienda per nome, codice fiscale o partita IVA').fill('acme');
    await page.getByRole('button', { name: 'Cerca nel registro' }).click();
    await page.getByRole('button', { name: 'Scegli ACME S.R.L.' }).click();
    await page.locator('#oo-azienda-scelta').getByText('ACME S.R.L.').waitFor();
    await tick(page, 'oo-mezzi');
    await page.locator('#oo-come').fill('Candidatura online dal portale con la preselezione del Centro per l\'impiego.');
    assert.ok(await page.locator('#oo-modalita-online').isChecked(), 'online for a preselection');
    await page.getByRole('button', { name: 'Aggiungi requisito' }).click();
    await page.getByRole('textbox', { name: 'Requisito 1', exact: true }).fill('Attestato HACCP');
    await everyWidth(page, 'operatore-offerta-modulo', { idle: false });

    // saved as a draft, then published from it
    await page.getByRole('button', { name: 'Salva come bozza' }).click();
    await page.getByText('La trovi anche nell\'elenco delle bozze').waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Bozza di offerta' }).count(), 1);
    // back to the list, and the draft opened again from it
    await page.getByRole('button', { name: 'Annulla' }).click();
    const draft = page.locator('#oo-bozze-tabella tbody tr', { hasText: OCCUPATION });
    assert.match(await draft.textContent(), new RegExp(`${OCCUPATION}Preselezione${today} alle`));
    await draft.getByRole('button', { name: `Modifica la bozza ${OCCUPATION}` }).click();
    await page.getByRole('heading', { name: 'Bozza di offerta' }).waitFor();
    await page.locator('#oo-sedi-elenco li').first().waitFor();
    assert.equal(await page.getByLabel('Qualifica professionale').inputValue(), OCCUPATION);
    assert.equal(await page.getByLabel('Scadenza').inputValue(), inDays(30));
    assert.deepEqual(await page.locator('#oo-sedi-elenco li > span').allTextContents(), ['Firenze (FI)']);
    assert.equal(await page.locator('#oo-azienda-scelta .fw-semibold').textContent(), 'ACME S.R.L.');
    assert.ok(await page.locator('#oo-esperienza-si').isChecked());
    await page.getByRole('button', { name: 'Pubblica l\'offerta' }).click();
    const done = page.locator('#oo-esito').getByText(/^L'offerta FI-\d+ \(aiuto cuoco di ristorante\) è pubblicata sul portale/);
    await done.waitFor();
    code = /FI-\d+/.exec(await done.textContent())[0];
    await page.getByText('Nessuna bozza.').waitFor();
    const row = page.locator(`#oo-tabella tbody tr[data-code="${code}"]`);
    assert.match(await row.textContent(), new RegExp(`${OCCUPATION}.*ACME S\\.R\\.L\\..*Preselezione.*${today}.*${inDays(30)}.*Pubblicata`));
    await everyWidth(page, 'operatore-offerte', { idle: false });

    // edited: the public page shows the change at once
    await row.getByRole('button', { name: `Modifica l'offerta ${code}` }).click();
    await page.getByRole('heading', { name: `Modifica l'offerta ${code}` }).waitFor();
    assert.equal(await page.getByLabel('Qualifica professionale').inputValue(), OCCUPATION);
    assert.deepEqual(await page.locator('#oo-sedi-elenco li > span').allTextContents(), ['Firenze (FI)'], 'the location named again');
    assert.equal(await page.getByRole('textbox', { name: 'Requisito 1', exact: true }).inputValue(), 'Attestato HACCP');
    assert.equal(await page.locator('#oo-azienda-scelta .fw-semibold').textContent(), 'ACME S.R.L.');
    await page.getByLabel('Numero posti disponibili').fill('3');
    await page.getByRole('button', { name: 'Salva le modifiche' }).click();
    await page.locator('#oo-esito').getByText(`L'offerta ${code} (${OCCUPATION}) è aggiornata sul portale`).waitFor();
    const publicPage = await (await fetch(`${s.portal.base}/offerte/${code}`)).text();
    assert.match(publicPage, /Numero posti disponibili<\/dt><dd[^>]*>3</);
    assert.deepEqual(unexpected(problems, [400, 422]), []);
  });

  test('the citizen finds the offer, logs in from "Compila candidatura", uploads a CV there and applies', async () => {
    const { page, problems } = people.citizen;
    problems.splice(0);
    await page.goto(`${s.portal.base}/cittadino/offerte/?code=${code}`, { waitUntil: 'networkidle' });
    const result = page.locator(`#risultati tbody tr[data-offer="${code}"]`);
    await result.waitFor();
    await result.getByRole('link').click();
    await page.waitForURL(`**/offerte/${code}`);
    const apply = page.locator('main a[data-ready]', { hasText: 'Compila candidatura' });
    await apply.click();
    await page.waitForURL((url) => url.pathname === '/accedi/');
    // login comes back to the form of this offer
    await login(s, page, CITIZEN.name, '/cittadino/candidatura/');
    assert.equal(new URL(page.url()).search, `?offerta=${code}`);
    await page.getByRole('heading', { name: `Dettaglio Candidatura - Offerta (${OCCUPATION})` }).waitFor();
    const requirements = await page.locator('#cand-requisiti li > p').allTextContents();
    assert.deepEqual(requirements, [`Qualifica professionale: ${OCCUPATION}`, 'Esperienza richiesta: Almeno un anno in cucina', 'Disponibilità di mezzi di trasporto propri', 'Attestato HACCP']);
    assert.equal(await page.getByLabel('Dichiaro di essere in possesso del requisito').count(), 4);
    assert.match(await page.locator('#cand-cv-testo').textContent(), /Gestione Curriculum Vitae/);
    assert.ok(await page.locator('#cand-carica').evaluate((d) => d.open), 'no CV yet: the upload is open');

    // nothing declared, no CV: each problem next to its input
    await page.getByRole('button', { name: 'Invia candidatura' }).click();
    await page.locator('#cand-modulo [data-error-summary]').waitFor();
    for (let i = 0; i < 4; i += 1) assert.equal(await page.locator(`#cand-dichiaro-${i}`).getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#cand-cv-file').getAttribute('aria-invalid'), 'true');
    assert.deepEqual(await axe(page), [], 'axe-core: the application form with errors');
    await screenshot(page, 'candidatura-errori');

    // a CV uploaded from the form, chosen at once
    await page.getByLabel('Descrizione (facoltativa)').fill('CV aiuto cuoco');
    await page.getByLabel('File del curriculum').setInputFiles({ name: 'cv-sofia.pdf', mimeType: 'application/pdf', buffer: pdf(CV_TEXT) });
    await page.getByRole('button', { name: 'Carica il curriculum' }).click();
    await page.getByText('Curriculum caricato').waitFor();
    assert.ok(await page.getByLabel('CV aiuto cuoco – cv-sofia.pdf').isChecked());
    for (let i = 0; i < 4; i += 1) await tick(page, `cand-dichiaro-${i}`);
    await everyWidth(page, 'candidatura', { idle: false });
    await page.setViewportSize(PHONE);
    await primaryReachable(page);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('button', { name: 'Invia candidatura' }).click();
    await page.getByText('Candidatura inviata').waitFor();
    assert.match(await page.locator('#cand-stato').textContent(), new RegExp(`offerta ${code} \\(${OCCUPATION}\\).*FIRENZE il ${today}`));
    const mail = await lastMessage(s, CITIZEN.email, 'application_received');
    assert.equal(mail.params.offer, code);
    assert.deepEqual(await axe(page), [], 'axe-core: sent');

    // the form again: already applied
    await page.goto(`${s.portal.base}/cittadino/candidatura/?offerta=${code}`, { waitUntil: 'networkidle' });
    await page.getByText('Ti sei già candidato a questa offerta').waitFor();
    assert.match(await page.locator('#cand-stato').textContent(), /Esito CPI della tua candidatura: Inserita/);
    assert.ok(await page.locator('#cand-modulo').isHidden());

    // Visualizza candidature, from the header's menu
    await headerButton(page).click();
    await page.locator('#menu-utente').getByRole('link', { name: 'Visualizza candidature' }).click();
    await page.waitForURL(s.portal.base + '/cittadino/candidature/');
    const row = page.locator('#candidature-tabella tbody tr');
    await row.first().waitFor();
    assert.equal(await row.count(), 1);
    assert.deepEqual((await row.locator('th, td').allTextContents()).map((t) => t.trim()).slice(0, 5), [code, 'FIRENZE', today, OCCUPATION, 'Inserita']);
    assert.deepEqual(await page.locator('#candidature-tabella thead th').allTextContents(), ['Codice offerta', 'Centro Impiego', 'Data Candidatura', 'Profilo Professionale', 'Esito CPI', 'Azioni']);
    await everyWidth(page, 'candidature', { idle: false });
    // filters: another esito finds nothing
    await page.getByLabel('Esito').selectOption({ label: 'Inviata all\'azienda' });
    await page.getByRole('button', { name: 'Cerca' }).click();
    await page.getByText('Nessuna candidatura corrisponde ai criteri di ricerca.').waitFor();
    await page.getByLabel('Esito').selectOption({ label: '-- TUTTI --' });
    await page.getByLabel('Data candidatura da').fill(today);
    await page.getByRole('button', { name: 'Cerca' }).click();
    await row.first().waitFor();

    // Visualizza: the application as sent
    await row.getByRole('button', { name: `Visualizza la candidatura all'offerta ${code}` }).click();
    const detail = page.locator('#candidatura-dettaglio');
    await detail.getByText('Requisiti dichiarati').waitFor();
    assert.equal(await detail.locator('.declarations li').count(), 4);
    const cv = detail.getByRole('link', { name: 'Scarica file cv-sofia.pdf' });
    const file = await page.request.get(s.portal.base + await cv.getAttribute('href'));
    assert.equal(file.status(), 200);
    assert.equal((await file.body()).subarray(0, 5).toString(), '%PDF-');
    assert.ok(await page.getByRole('button', { name: 'Ritira candidatura' }).isVisible(), 'Inserita: it may be withdrawn');
    await everyWidth(page, 'candidatura-dettaglio', { idle: false });
    assert.deepEqual(unexpected(problems, [422]), []);
  });

  test('the operator takes the application in charge, then sends it to the company; the citizen sees each esito', async () => {
    const { page, problems } = people.operator;
    problems.splice(0);
    const citizen = people.citizen.page;
    await page.goto(s.portal.base + '/operatore/offerte/', { waitUntil: 'networkidle' });
    await page.getByRole('link', { name: `Candidature all'offerta ${code}: 1` }).click();
    await page.waitForURL(`**/operatore/candidature/?offerta=${code}`);
    const row = page.locator('#oc-tabella tbody tr');
    await row.first().waitFor();
    assert.equal(await page.getByLabel('Codice offerta').inputValue(), code);
    assert.match(await row.textContent(), new RegExp(`Sofia Gallo.*${CITIZEN.fiscal_code}.*${code}.*${today}.*Inserita`));
    await everyWidth(page, 'operatore-candidature', { idle: false });
    await row.getByRole('button', { name: `Apri la candidatura di Sofia Gallo all'offerta ${code}` }).click();
    await page.getByRole('heading', { name: `Candidatura di Sofia Gallo all'offerta ${code}` }).waitFor();
    await page.locator('#oc-esiti button').first().waitFor();
    assert.deepEqual(await page.locator('#oc-esiti button').allTextContents(), ['Prendi in carico', 'Invia all\'azienda', 'Non inviare all\'azienda']);
    const cv = page.locator('#oc-dettaglio').getByRole('link', { name: 'Scarica file cv-sofia.pdf' });
    const file = await page.request.get(s.portal.base + await cv.getAttribute('href'));
    assert.equal(file.status(), 200);
    assert.equal((await file.body()).subarray(0, 5).toString(), '%PDF-');
    await everyWidth(page, 'operatore-candidatura', { idle: false });

    const before = (await lastMessage(s, CITIZEN.email, 'application_received')).id;
    await page.getByLabel('Nota per il candidato (facoltativa)').fill('Colloquio conoscitivo al CPI la prossima settimana.');
    await page.getByRole('button', { name: 'Prendi in carico' }).click();
    await page.getByText('Esito: Preso in carico').waitFor();
    assert.deepEqual(await page.locator('#oc-esiti button').allTextContents(), ['Invia all\'azienda', 'Non inviare all\'azienda']);
    const taken = await lastMessage(s, CITIZEN.email, 'application_status', before);
    assert.equal(taken.params.status, 'Preso in carico');

    // the citizen: Preso in carico, with the note; no longer withdrawable
    await citizen.reload({ waitUntil: 'networkidle' });
    const mine = citizen.locator('#candidature-tabella tbody tr');
    await mine.first().waitFor();
    assert.equal((await mine.locator('td[data-label="Esito CPI"]').textContent()).trim(), 'Preso in carico');
    await mine.getByRole('button', { name: `Visualizza la candidatura all'offerta ${code}` }).click();
    await citizen.locator('#candidatura-dettaglio').getByText('Colloquio conoscitivo al CPI la prossima settimana.').first().waitFor();
    assert.ok(await citizen.locator('#candidatura-ritira').isHidden());

    await page.getByRole('button', { name: 'Invia all\'azienda' }).click();
    await page.getByText('Esito: Inviata all\'azienda').waitFor();
    assert.equal(await page.locator('#oc-valutazione').isHidden(), true, 'no esito after Inviata');
    const sent = await lastMessage(s, CITIZEN.email, 'application_status', taken.id);
    assert.equal(sent.params.status, 'Inviata all\'azienda');
    await citizen.getByRole('button', { name: 'Torna all\'elenco' }).click();
    await citizen.locator('#candidature-tabella td[data-label="Esito CPI"]', { hasText: 'Inviata all\'azienda' }).waitFor();
    assert.deepEqual(unexpected(problems), []);
  });

  test('the operator reads the CVs of a citizen of her CPI and uploads one for her', async () => {
    const { page, problems } = people.operator;
    problems.splice(0);
    await page.goto(s.portal.base + '/operatore/', { waitUntil: 'networkidle' });
    await page.getByRole('navigation', { name: 'Menu dell\'area operatore' }).getByRole('link', { name: 'Curriculum dei cittadini' }).click();
    await page.waitForURL(s.portal.base + '/operatore/curriculum/');
    const cf = page.getByLabel('Codice fiscale del cittadino');
    // a code that is not one, and a person who is not registered: said next to the input
    await cf.fill('RSSMRA');
    await page.getByRole('button', { name: 'Cerca' }).click();
    await page.locator('#ocv-cf-errore').waitFor();
    await cf.fill('BNCGLI92L63G999D');
    await page.getByRole('button', { name: 'Cerca' }).click();
    await page.locator('#ocv-cf-errore', { hasText: 'Nessun cittadino registrato' }).waitFor();
    await cf.fill(CITIZEN.fiscal_code.toLowerCase());
    await page.getByRole('button', { name: 'Cerca' }).click();
    await page.getByRole('heading', { name: `Curriculum di Sofia Gallo (${CITIZEN.fiscal_code})` }).waitFor();
    const rows = page.locator('#ocv-tabella tbody tr');
    assert.deepEqual((await rows.first().locator('th, td').allTextContents()).map((t) => t.trim()).slice(1, 5), ['CV aiuto cuoco', 'cv-sofia.pdf (1 KB)', 'NO', 'NO']);
    const file = await page.request.get(s.portal.base + await rows.first().getByRole('link').getAttribute('href'));
    assert.equal(file.status(), 200);
    await page.getByLabel('Descrizione', { exact: true }).fill('CV aggiornato al colloquio');
    await page.getByLabel('File del curriculum').setInputFiles({ name: 'cv-sofia-cpi.pdf', mimeType: 'application/pdf', buffer: pdf(`${CV_TEXT}\nAggiornato con il Centro per l'impiego.`) });
    await page.getByRole('button', { name: 'Carica il curriculum' }).click();
    await page.getByText('Il curriculum «CV aggiornato al colloquio» è stato caricato per Sofia Gallo.').waitFor();
    assert.equal(await rows.count(), 2);
    assert.deepEqual((await rows.first().locator('th, td').allTextContents()).map((t) => t.trim()).slice(1, 5), ['CV aggiornato al colloquio', 'cv-sofia-cpi.pdf (1 KB)', 'NO', 'SI']);
    await everyWidth(page, 'operatore-curriculum', { idle: false });
    assert.deepEqual(unexpected(problems, [403, 404, 422]), []);
  });

  test('the company sees the offer and the application the CPI sent, and downloads the CV', async () => {
    const { page, problems } = people.company;
    problems.splice(0);
    await headerButton(page).click();
    await page.locator('#menu-utente-ruoli').getByRole('button', { name: /ACME S\.R\.L\./ }).click();
    await page.waitForURL(s.portal.base + '/azienda/area/');
    await page.locator('#area-ora ~ ul').getByRole('link', { name: 'Offerte e candidature' }).click();
    await page.waitForURL(s.portal.base + '/azienda/candidature/');
    const offer = page.locator('#ac-offerte-tabella tbody tr', { hasText: code });
    await offer.waitFor();
    assert.match(await offer.textContent(), new RegExp(`${code}.*${OCCUPATION}.*FIRENZE.*${today}.*${inDays(30)}.*1`));
    const application = page.locator('#ac-candidature-tabella tbody tr', { hasText: 'Sofia Gallo' });
    await application.waitFor();
    assert.match(await application.textContent(), new RegExp(`Sofia Gallo.*${CITIZEN.email}.*${code}.*${today}.*${today}.*cv-sofia\\.pdf`));
    const file = await page.request.get(s.portal.base + await application.getByRole('link', { name: 'cv-sofia.pdf (curriculum di Sofia Gallo)' }).getAttribute('href'));
    assert.equal(file.status(), 200);
    assert.equal((await file.body()).subarray(0, 5).toString(), '%PDF-');
    // one offer's applications
    await offer.getByRole('button', { name: `Vedi candidature dell'offerta ${code}` }).click();
    await page.getByText(`Candidature dell'offerta ${code}.`).waitFor();
    await everyWidth(page, 'azienda-candidature', { idle: false });
    assert.deepEqual(unexpected(problems), []);
  });

  test('a closed offer refuses applications; an application still Inserita can be withdrawn', async () => {
    const op = people.operator.page;
    const { page, problems } = people.citizen;
    problems.splice(0);
    // two more offers through the API: one to close, one to apply to and withdraw from
    const { csrf_token: csrf } = await (await op.request.get(s.portal.base + '/api/session')).json();
    const form = {
      offer_type: 'preselezione', contract_type: 'tempo-determinato', occupation: 'cameriere di sala', description: 'Cameriere per il servizio serale.',
      places: 1, how_to_apply: 'Online dal portale.', locations: ['048017'], deadline: isoInDays(20), application_mode: 'online', requirements: [],
    };
    const publish = async (occupation) => {
      const r = await op.request.post(s.portal.base + '/api/operator/offers', { headers: { 'x-csrf-token': csrf }, data: { ...form, occupation } });
      assert.equal(r.status(), 201, await r.text());
      return (await r.json()).code;
    };
    closedCode = await publish('cameriere di sala');
    const openCode = await publish('barista');

    // closed from the list, after the confirmation (Annulla first)
    await op.goto(s.portal.base + '/operatore/offerte/', { waitUntil: 'networkidle' });
    const row = op.locator(`#oo-tabella tbody tr[data-code="${closedCode}"]`);
    await row.getByRole('button', { name: `Chiudi l'offerta ${closedCode}` }).click();
    const dialog = op.locator('dialog[data-confirm]');
    await dialog.waitFor();
    assert.deepEqual(await axe(op), [], 'axe-core: the confirmation dialog');
    await dialog.getByRole('button', { name: 'Annulla' }).click();
    assert.equal(await dialog.count(), 0);
    assert.match(await row.locator('td[data-label="Stato"]').textContent(), /Pubblicata/);
    await row.getByRole('button', { name: `Chiudi l'offerta ${closedCode}` }).click();
    await op.locator('dialog[data-confirm]').getByRole('button', { name: 'Chiudi l\'offerta' }).click();
    await op.locator('#oo-esito').getByText(`L'offerta ${closedCode} è chiusa`).waitFor();
    assert.match(await op.locator(`#oo-tabella tbody tr[data-code="${closedCode}"] td[data-label="Stato"]`).textContent(), /Chiusa/);

    await page.goto(`${s.portal.base}/cittadino/candidatura/?offerta=${closedCode}`, { waitUntil: 'networkidle' });
    await page.getByText('Offerta non più disponibile').waitFor();
    assert.match(await page.locator('#cand-stato').textContent(), /non accetta più candidature/);
    const offerPage = await (await fetch(`${s.portal.base}/offerte/${closedCode}`)).text();
    assert.doesNotMatch(offerPage, /Compila candidatura/);

    // applied, then withdrawn from Visualizza candidature after the confirmation
    await page.goto(`${s.portal.base}/cittadino/candidatura/?offerta=${openCode}`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { name: 'Dettaglio Candidatura - Offerta (barista)' }).waitFor();
    await tick(page, 'cand-dichiaro-0');
    await tick(page, await page.getByLabel('CV aiuto cuoco – cv-sofia.pdf').getAttribute('id'));
    await page.getByRole('button', { name: 'Invia candidatura' }).click();
    await page.getByText('Candidatura inviata').waitFor();
    await page.getByRole('link', { name: 'Visualizza candidature' }).first().click();
    await page.waitForURL(s.portal.base + '/cittadino/candidature/');
    await page.getByRole('button', { name: `Visualizza la candidatura all'offerta ${openCode}` }).click();
    await page.getByRole('button', { name: 'Ritira candidatura' }).click();
    await page.locator('dialog[data-confirm]').getByRole('button', { name: 'Ritira candidatura' }).click();
    await page.getByText(`Hai ritirato la candidatura all'offerta ${openCode}.`).waitFor();
    assert.ok(await page.locator('#candidatura-ritira').isHidden());
    assert.match(await page.locator('#candidatura-contenuto').textContent(), /Ritirata/);
    assert.deepEqual(unexpected(problems, [409]), []);
  });

  test('the administrator revokes a role after a confirmation; the audit log has it', async () => {
    const { page, problems } = people.admin;
    problems.splice(0);
    await page.goto(s.portal.base + '/operatore/amministrazione/', { waitUntil: 'networkidle' });
    const prato = page.locator('#adm-ruoli-tabella tbody tr', { hasText: 'PRATO' });
    await prato.getByRole('button', { name: /^Revoca il ruolo Operatore CPI PRATO a Chiara Ricci/ }).click();
    const dialog = page.locator('dialog[data-confirm]');
    await dialog.getByText('Vuoi revocare il ruolo Operatore CPI del Centro per l\'impiego di PRATO a Chiara Ricci').waitFor();
    await dialog.getByRole('button', { name: 'Revoca' }).click();
    await page.getByText('Il ruolo Operatore CPI del Centro per l\'impiego di PRATO di Chiara Ricci').waitFor();
    assert.equal(await page.locator('#adm-ruoli-tabella tbody tr', { hasText: OPERATOR.fiscal_code }).count(), 1);
    // the audit log, filtered: the operator's esiti on her CPI's applications
    await page.locator('#adm-reg-azione').selectOption({ label: 'Esito di una candidatura' });
    await page.locator('#adm-reg-chi').fill(OPERATOR.fiscal_code);
    await page.locator('#adm-registro-filtri').getByRole('button', { name: 'Cerca' }).click();
    await page.getByText('2 attività').waitFor();
    assert.deepEqual(await page.locator('#adm-registro-tabella tbody td[data-label="Centro per l\'impiego"]').allTextContents(), ['FIRENZE', 'FIRENZE']);
    await page.locator('#adm-reg-azione').selectOption({ label: 'Ruolo revocato' });
    await page.locator('#adm-reg-chi').fill('');
    await page.locator('#adm-registro-filtri').getByRole('button', { name: 'Cerca' }).click();
    await page.getByText('1 attività').waitFor();
    assert.deepEqual(unexpected(problems), []);
  });
});
