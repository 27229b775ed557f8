// CPI appointments (issue 16) in a real browser, one journey in a browser context per
// person, each page state checked with axe-core on a computer and at 390 px:
//   Alessandro Romano  the first administrator: makes Chiara Ricci operatore CPI of
//                      FIRENZE (through the API: the grant itself is applications.test.mjs's);
//   Chiara Ricci       the operator: adds a sportello with its weekly hours for
//                      "Colloquio per la ricerca di lavoro" (Monday to Friday), an
//                      exception (added, then deleted); later sees the week's bookings,
//                      cancels one with a reason, answers a citizen's message, creates
//                      and revokes the private calendar address;
//   Sofia Gallo        the citizen: searches FIRENZE's availability for that kind, meets a
//                      slot taken meanwhile (409 slot_taken: the message and fresh
//                      results), books another, sees the summary, downloads the receipt
//                      (application/pdf) and the .ics, finds it in the list and cancels it;
//                      with no availability (a kind without hours) writes to the CPI with
//                      "Contatta il CPI" and later reads the answer.
// The three accounts are registered through the APIs first (support.mjs registerCitizen).
// No fixed waits: each step waits for what it expects to see.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { addDays, availabilityQuery, mondayOf, readState, todayIso, weekdayOf, writeState } from '../../web/assets/js/appointments.mjs';
import { period, readFilters } from '../../web/assets/js/pages/operatore-appuntamenti.mjs';
import { exceptionBody, hoursBodies, WORKING_DAYS } from '../../web/assets/js/pages/operatore-sportelli.mjs';
import {
  BOOTSTRAP_ADMIN, PHONE, axe, everyWidth, login, okJson, openPage, primaryReachable, registerCitizen, session, unexpected,
} from './support.mjs';

const s = session();

const OPERATOR = { name: 'Chiara Ricci', fiscal_code: 'RCCCHR69P70E625Q', email: 'chiara.ricci@example.org', mobile: '+393356677889' };
const CITIZEN = { name: 'Sofia Gallo', fiscal_code: 'GLLSFO04E58D612H', email: 'sofia.gallo@example.org', mobile: '+393297778899' };
const RICERCA = 'Colloquio per la ricerca di lavoro';
const TIROCINI = 'Colloquio di attivazione dei tirocini';
const NO_SLOTS = 'Nessuna disponibilità con i parametri inseriti. Utilizza il tasto «Contatta il CPI» per richiedere ulteriori informazioni al CPI.';
const SLOT_TAKEN = 'Questo orario è appena stato prenotato da un\'altra persona: scegline un altro.';
const MESSAGE = 'Vorrei attivare un tirocinio presso una falegnameria: quando posso venire al Centro per l\'impiego?';
const ANSWER = 'Può presentarsi lunedì mattina allo sportello, senza appuntamento, con il progetto formativo.';

const rome = (date) => new Intl.DateTimeFormat('it-IT', { timeZone: 'Europe/Rome', day: '2-digit', month: '2-digit', year: 'numeric' }).format(date);
const inDays = (n) => rome(new Date(Date.now() + n * 86400000));
// bookings start at least three days ahead, so that the cancellation (allowed until 24
// hours before the start) is still open whatever the time the suite runs at
const SEARCH_FROM = 3;

const headerButton = (page) => page.locator('header [data-user-zone] button.user-menu-toggle');

/** The messages in the development mailbox to `recipient`. */
async function mailbox(recipient) {
  const r = await fetch(`${s.portal.base}/api/dev/mailbox?recipient=${encodeURIComponent(recipient)}`);
  return (await r.json()).items;
}

describe('helpers (unit)', () => {
  test('the citizen\'s view is in the address, and the search asks what the API takes', () => {
    const state = { nuovo: true, area: 'grosseto', cpi: 'grosseto', tipo: 'iscrizione', da: '2026-12-01', a: '', riepilogo: '' };
    assert.equal(writeState(state), '?nuovo=1&area=grosseto&cpi=grosseto&tipo=iscrizione&da=2026-12-01');
    assert.deepEqual(readState(writeState(state)), state);
    assert.equal(writeState({ riepilogo: '12', nuovo: true, cpi: 'x' }), '?riepilogo=12');
    assert.equal(writeState({}), '');
    // what the address may not smuggle in
    assert.deepEqual(readState('?nuovo=1&cpi=%3Cb%3E&da=2026-02-30&riepilogo=1%202'), { nuovo: true, area: '', cpi: '', tipo: '', da: '', a: '', riepilogo: '' });
    assert.equal(availabilityQuery({ cpi: 'firenze', tipo: 'ricerca', da: '2026-12-01', a: '' }), 'cpi=firenze&kind=ricerca&from=2026-12-01');
  });

  test('days and weeks (Europe/Rome, Monday first)', () => {
    assert.equal(todayIso(new Date('2026-11-30T23:30:00Z')), '2026-12-01', 'already tomorrow in Rome');
    assert.equal(weekdayOf('2026-11-30'), 1);
    assert.equal(weekdayOf('2026-12-06'), 7);
    assert.equal(mondayOf('2026-12-06'), '2026-11-30');
    assert.equal(addDays('2026-12-31', 1), '2027-01-01');
    assert.deepEqual(period('settimana', '2026-12-03'), { from: '2026-11-30', to: '2026-12-06' });
    assert.deepEqual(period('giorno', '2026-12-03'), { from: '2026-12-03', to: '2026-12-03' });
    assert.deepEqual(readFilters('?vista=giorno&giorno=2026-12-03&sportello=4', '2026-11-30'), { view: 'giorno', day: '2026-12-03', desk: '4', status: '' });
    assert.deepEqual(readFilters('?giorno=31-12-2026', '2026-11-30'), { view: 'settimana', day: '2026-11-30', desk: '', status: '' });
  });

  test('the sportelli forms send what the API takes', () => {
    const week = hoursBodies({ kind: 'ricerca', weekday: WORKING_DAYS, start: '09:00', end: '12:00', valid_from: '', valid_to: '2027-06-30' });
    assert.deepEqual(week.map((b) => b.weekday), [1, 2, 3, 4, 5]);
    assert.deepEqual(week[0], { kind: 'ricerca', weekday: 1, start: '09:00', end: '12:00', valid_from: null, valid_to: '2027-06-30' });
    assert.deepEqual(hoursBodies({ kind: 'ricerca', weekday: '6', start: '09:00', end: '10:00' }).map((b) => b.weekday), [6]);
    assert.deepEqual(exceptionBody({ day: '2026-12-24', open: false, kind: '', start: '', end: '', note: ' Vigilia ' }), { day: '2026-12-24', open: false, kind: null, start: null, end: null, note: 'Vigilia' });
  });
});

describe('appointments: sportelli and hours, a booking, a message to the CPI', () => {
  const people = {};
  let bookedDay = '';
  const csrfOf = {};

  before(async () => {
    for (const who of [BOOTSTRAP_ADMIN, OPERATOR, CITIZEN]) await registerCitizen(s, who.name, who);
    for (const [key, who] of [['admin', BOOTSTRAP_ADMIN], ['operator', OPERATOR], ['citizen', CITIZEN]]) {
      const opened = await openPage(s, '/accedi/');
      people[key] = opened;
      await login(s, opened.page, who.name, '/');
      csrfOf[key] = (await okJson(await opened.page.request.get(`${s.portal.base}/api/session`))).csrf_token;
    }
    // Chiara Ricci becomes operatore CPI of FIRENZE (her only CPI: she works for it)
    await okJson(await people.admin.page.request.post(`${s.portal.base}/api/admin/roles`, {
      headers: { 'x-csrf-token': csrfOf.admin, accept: 'application/json' },
      data: { fiscal_code: OPERATOR.fiscal_code, role: 'operator', cpi: 'firenze' },
    }));
  });
  after(async () => {
    for (const p of Object.values(people)) await p.context.close();
  });

  test('the operator adds a sportello and its weekly hours for «Colloquio per la ricerca di lavoro»', async () => {
    const { page, problems } = people.operator;
    problems.splice(0);
    await page.goto(`${s.portal.base}/operatore/`, { waitUntil: 'networkidle' });
    const nav = page.getByRole('navigation', { name: 'Menu dell\'area operatore' });
    await nav.getByRole('link', { name: 'Sportelli e orari' }).click();
    await page.waitForURL(`${s.portal.base}/operatore/sportelli/`);
    await page.getByText('Operi per il Centro per l\'impiego di FIRENZE.', { exact: true }).waitFor();
    await page.getByText('Nei giorni di festa nazionale gli sportelli sono chiusi, a meno che tu non aggiunga un\'apertura straordinaria').waitFor();
    await page.getByText('Il tuo Centro per l\'impiego non ha ancora sportelli').waitFor();
    await everyWidth(page, 'sportelli-vuoto');

    // a new desk: nothing filled in, then the problems next to the inputs
    await page.getByRole('button', { name: 'Nuovo sportello' }).click();
    await page.getByRole('heading', { name: 'Nuovo sportello' }).waitFor();
    await page.getByRole('button', { name: 'Salva lo sportello' }).click();
    await page.locator('#os-modulo [data-error-summary]').waitFor();
    assert.equal(await page.locator('#os-nome').getAttribute('aria-invalid'), 'true');
    assert.deepEqual(await axe(page), [], 'axe-core: the desk form with errors');
    await page.getByLabel('Nome dello sportello').fill('C.I. Firenze');
    await page.getByLabel('Indirizzo').fill('Via Cavour 1, Firenze');
    await page.getByLabel('E-mail').fill('cpi.firenze@example.org');
    await page.getByLabel('Telefono').fill('0551234567');
    await page.getByRole('button', { name: 'Salva lo sportello' }).click();
    await page.getByText('Lo sportello C.I. Firenze è aggiunto: ora aggiungi i suoi orari settimanali.').waitFor();
    const desk = page.locator('section[data-desk]', { hasText: 'C.I. Firenze' });
    const id = await desk.getAttribute('data-desk');
    await desk.getByText('Nessun orario: i cittadini non possono ancora prenotare a questo sportello.').waitFor();

    // Monday to Friday, 9:00–12:00, from today on
    await desk.getByText('Aggiungi un orario').click();
    await page.locator(`#os-${id}-orario-tipo`).selectOption({ label: RICERCA });
    await page.locator(`#os-${id}-orario-giorno`).selectOption({ label: 'Dal lunedì al venerdì' });
    await page.locator(`#os-${id}-orario-dalle`).fill('09:00');
    await page.locator(`#os-${id}-orario-alle`).fill('12:00');
    await everyWidth(page, 'sportelli-orario-modulo');
    await desk.getByRole('button', { name: 'Aggiungi l\'orario' }).click();
    await desk.getByText(`Allo sportello C.I. Firenze: ${RICERCA}, dal lunedì al venerdì dalle 09:00 alle 12:00.`).waitFor();
    const hours = page.locator(`#os-${id}-orari tbody tr`);
    assert.deepEqual((await hours.locator('th').allTextContents()), ['lunedì', 'martedì', 'mercoledì', 'giovedì', 'venerdì']);
    assert.match(await hours.first().textContent(), new RegExp(`${RICERCA}09:0012:00`));

    // an exception: a closure two months ahead, listed, then deleted after a confirmation
    await desk.getByText('Aggiungi un\'eccezione').click();
    await page.locator(`#os-${id}-eccezione-giorno`).fill(inDays(60));
    await page.locator(`#os-${id}-eccezione-nota`).fill('Inventario');
    await desk.getByRole('button', { name: 'Aggiungi l\'eccezione' }).click();
    await desk.getByText(`Chiusura dello sportello C.I. Firenze il ${inDays(60)}.`).waitFor();
    assert.match(await page.locator(`#os-${id}-eccezioni tbody tr`).textContent(), new RegExp(`${inDays(60)}ChiusuraTuttiTutto il giornoInventario`));
    await everyWidth(page, 'sportelli');
    await desk.getByRole('button', { name: `Elimina l'eccezione del ${inDays(60)} dello sportello C.I. Firenze` }).click();
    assert.deepEqual(await axe(page), [], 'axe-core: the confirmation dialog');
    await page.getByRole('dialog').getByRole('button', { name: 'Elimina' }).click();
    await desk.getByText('Nessuna eccezione.').waitFor();
    await page.reload({ waitUntil: 'networkidle' });
    assert.equal(await page.locator(`#os-${id}-orari tbody tr`).count(), 5, 'the hours are saved');
    assert.deepEqual(unexpected(problems, [422]), []);
  });

  test('the citizen searches the availability, meets a slot just taken, books another, downloads the receipt and cancels it', async () => {
    const { page, problems } = people.citizen;
    problems.splice(0);
    // from the header's menu
    await headerButton(page).click();
    await page.locator('#menu-utente').getByRole('link', { name: 'Appuntamenti CPI' }).click();
    await page.waitForURL(`${s.portal.base}/cittadino/appuntamenti/`);
    await page.getByText('Non hai appuntamenti in programma.').waitFor();
    await page.getByText('Non hai scritto ai Centri per l\'impiego.').waitFor();
    await everyWidth(page, 'appuntamenti-vuoto');
    await page.setViewportSize(PHONE);
    await primaryReachable(page);
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.getByRole('button', { name: 'Richiedi nuovo appuntamento' }).click();
    await page.getByRole('heading', { name: 'Nuovo appuntamento' }).waitFor();
    assert.equal(await focusedId(page), 'app-nuovo-titolo');
    // nothing chosen: the problems next to the inputs
    await page.getByRole('button', { name: 'Cerca Disponibilità' }).click();
    await page.locator('#app-ricerca [data-error-summary]').waitFor();
    assert.equal(await page.locator('#app-cpi').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#app-tipo').getAttribute('aria-invalid'), 'true');
    assert.deepEqual(await axe(page), [], 'axe-core: the search with errors');
    await page.getByLabel('Area geografica').selectOption({ label: 'Firenze' });
    // the CPIs of the area only
    await page.locator('#app-cpi option', { hasText: 'GROSSETO' }).waitFor({ state: 'detached' });
    await page.getByLabel('Centro impiego').selectOption({ label: 'FIRENZE' });
    await page.getByLabel('Tipo Evento').selectOption({ label: `${RICERCA} (30 minuti)` });
    await page.getByLabel('Data da').fill(inDays(SEARCH_FROM));
    await page.getByRole('button', { name: 'Cerca Disponibilità' }).click();
    const rows = page.locator('#app-disponibilita tbody tr');
    await rows.first().waitFor();
    assert.deepEqual(await page.locator('#app-disponibilita thead th').allTextContents(), ['Data inserimento', 'Centro impiego', 'Data e luogo appuntamento', 'Durata', 'Azioni']);
    const first = rows.first();
    assert.match(await first.locator('th').textContent(), /^CPI di FIRENZE sportello C\.I\. Firenze il \d{2}\/\d{2}\/\d{4} 09:00 \(Via Cavour 1, Firenze/);
    assert.equal(await first.locator('td[data-label="Durata"]').textContent(), '30 (Minuti)');
    assert.equal(await first.locator('td[data-label="Centro impiego"]').textContent(), 'FIRENZE');
    // the search is in the address: reloading shows it again
    const address = new URL(page.url());
    assert.equal(address.searchParams.get('nuovo'), '1');
    assert.equal(address.searchParams.get('cpi'), 'firenze');
    assert.equal(address.searchParams.get('tipo'), 'ricerca');
    await everyWidth(page, 'appuntamenti-disponibilita');
    await page.reload({ waitUntil: 'networkidle' });
    await rows.first().waitFor();
    assert.equal(await page.getByLabel('Data da').inputValue(), inDays(SEARCH_FROM));

    // someone else (Chiara, as a citizen) books the first slot meanwhile: 409 slot_taken
    const takenSlot = await rows.first().getAttribute('data-slot');
    const takenPlace = await rows.first().locator('th').textContent();
    await okJson(await people.operator.page.request.post(`${s.portal.base}/api/appointments`, {
      headers: { 'x-csrf-token': csrfOf.operator, accept: 'application/json' }, data: { slot: takenSlot },
    }));
    await rows.first().getByRole('button', { name: 'Prenota' }).click();
    await page.locator('#app-ricerca-esito').getByText(SLOT_TAKEN).waitFor();
    await page.locator(`#app-disponibilita tbody tr[data-slot="${takenSlot}"]`).waitFor({ state: 'detached' });
    assert.deepEqual(await axe(page), [], 'axe-core: slot taken');

    // the next one
    const place = await rows.first().locator('th').textContent();
    assert.notEqual(place, takenPlace);
    await rows.first().getByRole('button', { name: 'Prenota' }).click();
    await page.getByRole('heading', { name: 'Riepilogo prenotazione' }).waitFor();
    assert.equal(await focusedId(page), 'app-riepilogo-titolo');
    await page.getByText('Prenotazione effettuata').waitFor();
    assert.equal(await page.locator('#app-riepilogo-contenuto > p').textContent(), place);
    const summary = await page.locator('#app-riepilogo-dati').textContent();
    assert.match(summary, new RegExp(`Tipo di appuntamento${RICERCA}`));
    assert.match(summary, /Centro per l'impiegoFIRENZE/);
    assert.match(summary, /StatoPrenotato/);
    const id = new URL(page.url()).searchParams.get('riepilogo');
    assert.ok(id, 'the summary is in the address');
    bookedDay = /il (\d{2}\/\d{2}\/\d{4}) /.exec(place)[1];
    await everyWidth(page, 'appuntamenti-riepilogo');

    // "Scarica il documento": a PDF
    const receipt = page.getByRole('link', { name: 'Scarica il documento' });
    const href = await receipt.getAttribute('href');
    const answer = await page.request.get(s.portal.base + href);
    assert.equal(answer.status(), 200);
    assert.match(answer.headers()['content-type'], /^application\/pdf/);
    assert.ok((await answer.body()).subarray(0, 5).equals(Buffer.from('%PDF-')), 'a PDF file');
    const [download] = await Promise.all([page.waitForEvent('download'), receipt.click()]);
    assert.match(download.suggestedFilename(), /^appuntamento-.+\.pdf$/);
    assert.ok(fs.readFileSync(await download.path()).subarray(0, 5).equals(Buffer.from('%PDF-')));
    // "Aggiungi al calendario": an iCalendar event
    const ics = await page.request.get(s.portal.base + await page.getByRole('link', { name: 'Aggiungi al calendario' }).getAttribute('href'));
    assert.match(ics.headers()['content-type'], /^text\/calendar/);
    assert.match(await ics.text(), /BEGIN:VCALENDAR[\s\S]*METHOD:PUBLISH[\s\S]*BEGIN:VEVENT/);

    // the list: the next appointments, then cancelled after a confirmation
    await page.getByRole('button', { name: 'Torna all\'elenco' }).click();
    const row = page.locator(`#app-tabella-futuri tbody tr[data-appointment="${id}"]`);
    await row.waitFor();
    assert.match(await row.textContent(), new RegExp(`${bookedDay} 09:\\d\\d${RICERCA}FIRENZEC\\.I\\. Firenze.*Prenotato`));
    await everyWidth(page, 'appuntamenti-elenco');
    await row.getByRole('button', { name: /^Annulla l'appuntamento del/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Annulla l\'appuntamento' });
    await dialog.waitFor();
    assert.deepEqual(await axe(page), [], 'axe-core: the cancellation dialog');
    // by keyboard: Escape keeps it and gives the focus back; Enter opens it again, whose
    // first button ("Mantieni") has the focus, Tab reaches the confirmation
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.match(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), /^Annulla l'appuntamento del/);
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Mantieni l\'appuntamento');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.locator('#app-esito').getByText('Appuntamento annullato').waitFor();
    assert.equal(await focusedId(page), 'app-esito');
    const cancelled = page.locator(`tr[data-appointment="${id}"]`);
    await cancelled.locator('.badge', { hasText: 'Annullato da te' }).waitFor();
    assert.equal(await cancelled.getByRole('button', { name: /^Annulla/ }).count(), 0, 'no longer cancellable');
    const icsAfter = await page.request.get(`${s.portal.base}/api/appointments/${id}/calendar`);
    assert.match(await icsAfter.text(), /METHOD:CANCEL/);
    await everyWidth(page, 'appuntamenti-annullato');
    // Back: the summary, then the search again
    await page.goBack({ waitUntil: 'networkidle' });
    await page.getByRole('heading', { name: 'Riepilogo prenotazione' }).waitFor();
    await page.locator('#app-riepilogo-dati .badge', { hasText: 'Annullato da te' }).waitFor();
    assert.deepEqual(unexpected(problems, [409]), []);
  });

  test('with no availability the citizen writes to the CPI; the operator sees the bookings, answers, and makes a calendar address', async () => {
    const citizen = people.citizen;
    citizen.problems.splice(0);
    const page = citizen.page;
    await page.goto(`${s.portal.base}/cittadino/appuntamenti/?nuovo=1&area=firenze&cpi=firenze&tipo=tirocini`, { waitUntil: 'networkidle' });
    const none = page.locator('#app-nessuna');
    await none.getByText(NO_SLOTS).waitFor();
    await everyWidth(page, 'appuntamenti-nessuna-disponibilita');
    // by keyboard
    await none.getByRole('button', { name: 'Contatta il CPI' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Contatta il CPI' }).waitFor();
    assert.equal(await focusedId(page), 'app-contatta-titolo');
    await page.getByText(`Il messaggio arriverà al Centro per l'impiego di FIRENZE, per «${TIROCINI}»`).waitFor();
    await page.getByRole('button', { name: 'Invia messaggio al CPI' }).click();
    await page.locator('#app-contatta-modulo [data-error-summary]').waitFor();
    assert.deepEqual(await axe(page), [], 'axe-core: the message with errors');
    await page.getByLabel('Scrivi un breve messaggio al centro per l\'impiego.').fill(MESSAGE);
    await everyWidth(page, 'appuntamenti-contatta');
    await page.getByLabel('Scrivi un breve messaggio al centro per l\'impiego.').focus();
    await page.keyboard.press('Tab');
    assert.equal(await focusedId(page), 'app-contatta-invia');
    await page.keyboard.press('Enter');
    await page.getByText('Il tuo messaggio è stato inviato al Centro per l\'impiego di FIRENZE.').waitFor();
    assert.deepEqual(await axe(page), [], 'axe-core: message sent');
    await page.locator('#app-contatta').getByRole('button', { name: 'Torna all\'elenco' }).click();
    const mine = page.locator('#app-messaggi-elenco li', { hasText: MESSAGE });
    await mine.getByText('In attesa di risposta').waitFor();
    assert.deepEqual(unexpected(citizen.problems), []);

    // the operator: the week of the booking, with the person; cancels her own booking with a reason
    const { page: op, problems } = people.operator;
    problems.splice(0);
    await op.goto(`${s.portal.base}/operatore/`, { waitUntil: 'networkidle' });
    await op.getByRole('navigation', { name: 'Menu dell\'area operatore' }).getByRole('link', { name: 'Appuntamenti' }).click();
    await op.waitForURL(`${s.portal.base}/operatore/appuntamenti/`);
    await op.getByLabel('Giorno').fill(bookedDay);
    await op.getByRole('button', { name: 'Mostra', exact: true }).click();
    const sofia = op.locator('.oa-tabella tbody tr', { hasText: CITIZEN.fiscal_code });
    await sofia.waitFor();
    assert.match(await sofia.textContent(), new RegExp(`09:\\d\\d–\\d\\d:\\d\\d${RICERCA}C\\.I\\. Firenze${CITIZEN.name}${CITIZEN.fiscal_code}`));
    assert.equal(await sofia.getByRole('button', { name: /^Annulla/ }).count(), 0, 'cancelled by the citizen');
    const chiara = op.locator('.oa-tabella tbody tr', { hasText: OPERATOR.fiscal_code });
    assert.match(await chiara.locator('.badge').textContent(), /Prenotato/);
    assert.match(new URL(op.url()).search, /giorno=\d{4}-\d{2}-\d{2}/);
    await everyWidth(op, 'operatore-appuntamenti');
    await chiara.getByRole('button', { name: /^Annulla l'appuntamento di/ }).click();
    const dialog = op.getByRole('dialog', { name: 'Annulla l\'appuntamento' });
    await dialog.getByRole('button', { name: 'Annulla l\'appuntamento' }).click();
    await dialog.getByText('Scrivi il motivo dell\'annullamento').waitFor();
    assert.deepEqual(await axe(op), [], 'axe-core: the reason is required');
    await dialog.getByLabel('Motivo dell\'annullamento').fill('Sportello chiuso per formazione del personale');
    await dialog.getByRole('button', { name: 'Annulla l\'appuntamento' }).click();
    await op.locator('#oa-esito').getByText('Appuntamento annullato').waitFor();
    await chiara.getByText('Motivo: Sportello chiuso per formazione del personale').waitFor();
    // the next week and back, by the buttons
    await op.getByRole('button', { name: 'Settimana successiva ›' }).click();
    await op.waitForFunction(() => !document.querySelector('#oa-risultati[aria-busy="true"]'));
    await op.getByRole('button', { name: '‹ Settimana precedente' }).click();
    await sofia.waitFor();

    // the citizen's message, answered
    const sent = op.locator('#oa-messaggi-elenco li', { hasText: MESSAGE });
    await sent.waitFor();
    assert.match(await sent.textContent(), new RegExp(`${CITIZEN.name} \\(${CITIZEN.fiscal_code}\\)`));
    assert.match(await sent.textContent(), new RegExp(`Tipo Evento: ${TIROCINI}`));
    await everyWidth(op, 'operatore-messaggi');
    const answers = async () => (await mailbox(CITIZEN.email)).filter((m) => m.template === 'cpi_message_answer').length;
    const answersBefore = await answers();
    await sent.getByRole('button', { name: `Invia la risposta a ${CITIZEN.name}` }).click();
    await sent.locator('[data-error-summary], .field-error').first().waitFor();
    await sent.getByRole('textbox', { name: `Risposta a ${CITIZEN.name}` }).fill(ANSWER);
    await sent.getByRole('button', { name: `Invia la risposta a ${CITIZEN.name}` }).click();
    await op.locator('#oa-messaggi-esito').getByText('Risposta inviata').waitFor();
    await op.getByText('Nessun messaggio da rispondere.').waitFor();
    await op.getByLabel('Messaggi', { exact: true }).selectOption({ label: 'Con risposta' });
    await op.getByRole('button', { name: 'Mostra i messaggi' }).click();
    await op.locator('#oa-messaggi-elenco li', { hasText: ANSWER }).waitFor();
    // queued in the answer's own transaction: there once "Risposta inviata" shows
    assert.equal(await answers(), answersBefore + 1, 'the citizen gets an e-mail with the answer');

    // the private calendar: made, shown once, read without a session, revoked
    await op.getByText('Non hai un indirizzo del calendario attivo.').waitFor();
    await op.getByRole('button', { name: 'Crea l\'indirizzo del calendario' }).click();
    const url = await op.getByLabel('Indirizzo del calendario').inputValue();
    assert.match(url, /\/calendar\/[^/]+\.ics$/);
    await op.getByRole('button', { name: 'Copia l\'indirizzo' }).waitFor();
    await op.getByText(/^Il tuo indirizzo del calendario è attivo/).waitFor();
    await everyWidth(op, 'operatore-calendario');
    const feed = await fetch(s.portal.base + new URL(url).pathname);
    assert.equal(feed.status, 200);
    assert.match(feed.headers.get('content-type'), /^text\/calendar/);
    assert.match(await feed.text(), /BEGIN:VCALENDAR/);
    await op.getByRole('button', { name: 'Revoca l\'indirizzo' }).click();
    await op.getByRole('dialog').getByRole('button', { name: 'Revoca l\'indirizzo' }).click();
    await op.getByText('L\'indirizzo del calendario non funziona più.').waitFor();
    assert.equal((await fetch(s.portal.base + new URL(url).pathname)).status, 404);
    assert.deepEqual(unexpected(problems, [422]), []);

    // the citizen reads the answer
    citizen.problems.splice(0);
    await page.goto(`${s.portal.base}/cittadino/appuntamenti/`, { waitUntil: 'networkidle' });
    await page.locator('#app-messaggi-elenco li', { hasText: MESSAGE }).getByText(ANSWER).waitFor();
    await everyWidth(page, 'appuntamenti-risposta');
    assert.deepEqual(unexpected(citizen.problems), []);
  });
});

/** The focused element's id, or its tag and text. */
async function focusedId(page) {
  return page.evaluate(() => {
    const a = document.activeElement;
    return a?.id || `${a?.tagName} ${a?.textContent?.trim().slice(0, 30)}`;
  });
}
