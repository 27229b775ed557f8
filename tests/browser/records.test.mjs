// Records and prints (issue 19) in a real browser, each page state checked with axe-core
// and the contrast check on a computer and at 390 px:
//   Alessandro Romano  the first administrator: makes Chiara Ricci operatore CPI of FIRENZE
//                      (through the API);
//   Sofia Gallo        the citizen: first finds her lists empty with the manual's texts;
//   Chiara Ricci       the operator: finds Sofia by codice fiscale in «Schede dei
//                      cittadini», adds a work experience through the form (errors first),
//                      an activity 150 and a course enrolment;
//   Sofia Gallo        then sees them in «Lista attività 150/percettori RDC» and «Visualizza
//                      la tua formazione regionale», opens her SAP, which prints on A4
//                      (page.pdf in print media: the portal's header is not printed),
//                      downloads its PDF, opens her Libretto (the validated experience)
//                      and downloads «Scarica i miei dati» (a ZIP).
// No fixed waits: each step waits for what it expects to see.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { BOOTSTRAP_ADMIN, axe, everyWidth, login, okJson, openPage, registerCitizen, session, unexpected } from './support.mjs';

const s = session();

const OPERATOR = { name: 'Chiara Ricci', fiscal_code: 'RCCCHR69P70E625Q', email: 'chiara.ricci@example.org', mobile: '+393356677889' };
const CITIZEN = { name: 'Sofia Gallo', fiscal_code: 'GLLSFO04E58D612H', email: 'sofia.gallo@example.org', mobile: '+393297778899' };

describe('records: the operator\'s record, the citizen\'s lists, the SAP on A4, the export', () => {
  const people = {};
  const csrfOf = {};

  before(async () => {
    for (const who of [BOOTSTRAP_ADMIN, OPERATOR, CITIZEN]) await registerCitizen(s, who.name, who);
    for (const [key, who] of [['admin', BOOTSTRAP_ADMIN], ['operator', OPERATOR], ['citizen', CITIZEN]]) {
      const opened = await openPage(s, '/accedi/');
      people[key] = opened;
      await login(s, opened.page, who.name, '/');
      csrfOf[key] = (await okJson(await opened.page.request.get(`${s.portal.base}/api/session`))).csrf_token;
    }
    await okJson(await people.admin.page.request.post(`${s.portal.base}/api/admin/roles`, {
      headers: { 'x-csrf-token': csrfOf.admin, accept: 'application/json' },
      data: { fiscal_code: OPERATOR.fiscal_code, role: 'operator', cpi: 'firenze' },
    }));
  });
  after(async () => {
    for (const p of Object.values(people)) await p.context.close();
  });

  test('the citizen\'s lists are empty at first, with the manual\'s texts', async () => {
    const { page, problems } = people.citizen;
    await page.goto(`${s.portal.base}/cittadino/area/`, { waitUntil: 'networkidle' });
    await page.getByRole('link', { name: 'Visualizza la tua formazione regionale' }).first().click();
    await page.waitForURL(`${s.portal.base}/cittadino/formazione/`);
    await page.getByRole('cell', { name: 'Non sono presenti corsi di formazione regionali' }).waitFor();
    assert.deepEqual(await page.locator('#for-tabella thead th').allTextContents(), ['Titolo', 'Descrizione', 'Formatore', 'Data inizio', 'Data Fine']);
    await everyWidth(page, 'formazione-vuota');
    await page.goto(`${s.portal.base}/cittadino/garanzia-giovani/`, { waitUntil: 'networkidle' });
    await page.getByRole('cell', { name: 'Non sono presenti attività Garanzia Giovani' }).waitFor();
    assert.deepEqual(await page.locator('#gg-tabella thead th').allTextContents(), ['Azione', 'Data proposta', 'Data appuntamento', 'Soggetto erogatore']);
    await everyWidth(page, 'garanzia-giovani-vuota');
    assert.deepEqual(unexpected(problems), []);
  });

  test('the operator finds the citizen and keeps her record', async () => {
    const { page, problems } = people.operator;
    await page.goto(`${s.portal.base}/operatore/`, { waitUntil: 'networkidle' });
    await page.getByRole('navigation', { name: 'Menu dell\'area operatore' }).getByRole('link', { name: 'Schede dei cittadini' }).click();
    await page.waitForURL(`${s.portal.base}/operatore/schede/`);
    await page.getByLabel('Codice fiscale del cittadino').fill(CITIZEN.fiscal_code);
    await page.getByRole('button', { name: 'Cerca' }).click();
    await page.getByRole('heading', { name: `Scheda di Sofia Gallo (${CITIZEN.fiscal_code})` }).waitFor();
    const form = page.locator('#sch-experiences-modulo');
    // nothing filled in: the problems next to the inputs
    await form.getByRole('button', { name: 'Salva' }).click();
    await form.locator('[data-error-summary]').waitFor();
    assert.equal(await form.getByLabel('Datore di lavoro').getAttribute('aria-invalid'), 'true');
    await form.getByLabel('Datore di lavoro').fill('Trattoria Da Gino');
    await form.getByLabel('Qualifica').fill('Aiuto cuoca');
    await form.getByLabel('Data inizio').fill('2022-03-01');
    await form.getByLabel('Data fine').fill('2023-06-30');
    // Bootstrap Italia draws the box over the input: the label is what a person clicks
    await form.locator('label', { hasText: 'Validata per il Libretto formativo' }).click();
    assert.equal(await form.getByLabel('Validata per il Libretto formativo').isChecked(), true);
    await form.getByRole('button', { name: 'Salva' }).click();
    await page.getByText('Voce salvata in «Esperienze di lavoro».').waitFor();
    await page.locator('section', { has: page.getByRole('heading', { name: 'Esperienze di lavoro' }) }).getByRole('cell', { name: 'Trattoria Da Gino' }).waitFor();
    await everyWidth(page, 'operatore-scheda');

    // an activity 150 and a course, through the API the page uses
    const api = (path, data) => page.request.post(`${s.portal.base}${path}`, { headers: { 'x-csrf-token': csrfOf.operator, accept: 'application/json' }, data });
    await okJson(await api(`/api/operator/records/activities?person=${CITIZEN.fiscal_code}`, { activity_code: 'A01', proposed_on: '2024-02-04', appointment_on: '2024-02-05', ended_on: '2024-02-06', interview_date: '2024-02-01', interview_type: 'Disoccupato ai sensi del 150', interview_responsible: 'Chiara Ricci' }));
    const course = await okJson(await api('/api/operator/courses', { title: 'Addetto alla contabilità', description: 'Corso di 300 ore', trainer: 'Agenzia Formativa Toscana', start_date: '2026-01-10', end_date: '2026-06-30' }));
    await okJson(await api(`/api/operator/records/enrolments?person=${CITIZEN.fiscal_code}`, { course_id: course.id }));
    assert.deepEqual(unexpected(problems, [422]), [], 'only the form\'s expected 422');
  });

  test('the citizen sees them, prints the SAP on A4 and downloads its PDF and her data', async () => {
    const { page, problems } = people.citizen;
    await page.goto(`${s.portal.base}/cittadino/attivita/`, { waitUntil: 'networkidle' });
    const row = page.locator('#att-tabella tbody tr').first();
    await row.getByRole('rowheader', { name: 'A01 - COLLOQUI DI ORIENTAMENTO' }).waitFor();
    assert.match(await row.textContent(), /Date: 01\/02\/2024.*Tipo: Disoccupato ai sensi del 150.*Responsabile: Chiara Ricci.*04\/02\/2024.*05\/02\/2024.*06\/02\/2024/);
    assert.deepEqual(await page.locator('#att-tabella thead th').allTextContents(), ['Colloquio', 'Tipo attività', 'Data proposta', 'Data appuntamento', 'Data fine']);
    await everyWidth(page, 'attivita-150');
    await page.goto(`${s.portal.base}/cittadino/formazione/`, { waitUntil: 'networkidle' });
    await page.getByRole('rowheader', { name: 'Addetto alla contabilità' }).waitFor();

    // the SAP: the page, then as printed on A4
    await page.goto(`${s.portal.base}/cittadino/area/`, { waitUntil: 'networkidle' });
    await page.getByRole('link', { name: 'Scheda anagrafica professionale' }).first().click();
    await page.waitForURL(`${s.portal.base}/cittadino/sap/`);
    await page.getByRole('heading', { name: 'Sezione 4.1 - Esperienze professionali' }).waitFor();
    await page.getByRole('cell', { name: 'Trattoria Da Gino' }).waitFor();
    await page.getByText('Nessun titolo di studio conseguito').waitFor();
    await page.getByText('A01 - COLLOQUI DI ORIENTAMENTO').waitFor();
    await everyWidth(page, 'sap');
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('header.it-header-wrapper').isVisible(), false, 'the portal\'s header is not printed');
    assert.equal(await page.locator('#stampa-stampa').isVisible(), false, 'nor the buttons');
    assert.equal(await page.locator('#stampa-documento').isVisible(), true);
    const a4 = await page.pdf({ format: 'A4', printBackground: true });
    assert.equal(a4.subarray(0, 4).toString(), '%PDF');
    const pages = (a4.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    assert.ok(pages >= 2 && pages <= 8, `the SAP prints on ${pages} A4 pages`);
    const box = a4.toString('latin1').match(/\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/);
    assert.ok(box && Math.abs(box[1] - 595.3) < 2 && Math.abs(box[2] - 841.9) < 2, `A4 pages (595 × 842 pt): ${box?.[0]}`);
    await page.emulateMedia({ media: 'screen' });

    // the PDF
    const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Scarica la scheda in PDF' }).click()]);
    assert.equal(pdf.suggestedFilename(), 'scheda-anagrafica-professionale.pdf');
    assert.equal(fs.readFileSync(await pdf.path()).subarray(0, 4).toString(), '%PDF');

    // the Libretto: the validated experience
    await page.goto(`${s.portal.base}/cittadino/libretto/`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { name: 'Libretto formativo del cittadino' }).waitFor();
    await page.getByRole('cell', { name: 'Trattoria Da Gino' }).waitFor();
    await page.getByText('Nessun titolo di studio conseguito').waitFor();
    await everyWidth(page, 'libretto');

    // Scarica i miei dati
    await page.goto(`${s.portal.base}/cittadino/profilo/`, { waitUntil: 'networkidle' });
    await page.getByRole('link', { name: 'Scarica i miei dati' }).first().click();
    await page.waitForURL(`${s.portal.base}/cittadino/miei-dati/`);
    await everyWidth(page, 'miei-dati');
    const [zip] = await Promise.all([page.waitForEvent('download'), page.locator('#dati-scarica').click()]);
    assert.equal(zip.suggestedFilename(), `dati-personali-${CITIZEN.fiscal_code}.zip`);
    const bytes = fs.readFileSync(await zip.path());
    assert.equal(bytes.subarray(0, 2).toString(), 'PK');
    assert.ok(bytes.includes(Buffer.from('indice.json')), 'the index is in the ZIP');
    assert.deepEqual(unexpected(problems), []);
  });
});
