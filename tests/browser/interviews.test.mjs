// Online interviews (issue 17) in a real browser with fake cameras and microphones
// (Chromium's --use-fake-device-for-media-stream: a test pattern and a tone; permission
// granted by --use-fake-ui-for-media-stream), one browser context per person:
//   Alessandro Romano  the first administrator: makes Chiara Ricci operatore CPI of FIRENZE;
//   Chiara Ricci       the operator: publishes an offer for ACME S.R.L. and sends it Sofia
//                      Gallo's application (all through the API);
//   Mario Rossi        acting for ACME S.R.L. (demo data): invites Sofia from
//                      /azienda/colloqui/ a few minutes ahead (so the room is open), answers
//                      her "Richiedi modifica" with a new date, enters the room first and
//                      lets her in from the lobby;
//   Sofia Gallo        the candidate: "Elenco Colloqui", Richiedi modifica, Accetta (the
//                      manual's dialogs), "Vai al colloquio", waits in the lobby, is let in;
//   Lorenzo Conti      another citizen: the room's address tells him it is not his.
// Both sides receive a live video track whose frames are decoded (getStats' framesDecoded
// grows); the candidate leaves and the company is told. axe-core on the lists and the
// room, on a computer and on a phone. The Italian messages for a camera refused or missing.
// No fixed waits: each step waits for what it expects to see.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { apiOf, dialogTexts, inviteBody, mediaError, readRoom, roomHref, splitLocal } from '../../web/assets/js/interviews.mjs';
import {
  BOOTSTRAP_ADMIN, FAKE_MEDIA, axe, everyWidth, lastMessage, login, okJson, openPage, pdf, registerCitizen, screenshot, session, unexpected,
} from './support.mjs';

const s = session({ args: FAKE_MEDIA });

const OPERATOR = { name: 'Chiara Ricci', fiscal_code: 'RCCCHR69P70E625Q', email: 'chiara.ricci@example.org', mobile: '+393356677889' };
const CITIZEN = { name: 'Sofia Gallo', fiscal_code: 'GLLSFO04E58D612H', email: 'sofia.gallo@example.org', mobile: '+393297778899' };
const OTHER = { name: 'Lorenzo Conti', fiscal_code: 'CNTLNZ01B28G702J', email: 'lorenzo.conti@example.org', mobile: '+393921112233' };
const COMPANY = { name: 'Mario Rossi' };
const AVAILABILITY = 'Preferisco qualche minuto più tardi, se possibile';

const romeParts = (date) => Object.fromEntries(new Intl.DateTimeFormat('it-IT', {
  timeZone: 'Europe/Rome', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
}).formatToParts(date).map((p) => [p.type, p.value]));

/** Every RTCPeerConnection a page makes, in window.__pcs (a test's view of the room). */
function recordPeerConnections() {
  const Native = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      window.__pcs.push(this);
    }
  };
}

/**
 * Resolves when the page's newest peer connection has decoded more than `before` video
 * frames (getStats' inbound-rtp framesDecoded), polling the stats in the page; rejects
 * after a minute with what the page had.
 */
function framesBeyond(page, before) {
  return page.evaluate(async (n0) => {
    const decoded = async () => {
      const pc = window.__pcs?.at(-1);
      if (!pc) return -1;
      let n = 0;
      (await pc.getStats()).forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'video') n += r.framesDecoded ?? 0; });
      return n;
    };
    const until = Date.now() + 60000;
    for (;;) {
      const n = await decoded();
      if (n > n0) return n;
      if (Date.now() > until) {
        const pc = window.__pcs?.at(-1);
        throw new Error(`no video frames decoded beyond ${n0}: ${window.__pcs?.length ?? 0} peer connections, the last ${pc?.connectionState}/${pc?.iceConnectionState}, ${n} frames`);
      }
      await new Promise((next) => setTimeout(next, 100));
    }
  }, before);
}

/** Waits until the page decodes video frames, and then more of them: live video. */
async function decodesLiveVideo(page, who) {
  const first = await framesBeyond(page, 0);
  await framesBeyond(page, first);
  const track = await page.evaluate(() => document.getElementById('cl-remoto').srcObject?.getVideoTracks()[0]?.readyState);
  assert.equal(track, 'live', `${who}: the other person's video track`);
}

describe('helpers (unit)', () => {
  test('the room\'s address, the manual\'s dialogs, the invitation\'s body', () => {
    assert.equal(roomHref(12), '/colloquio/?id=12');
    assert.equal(roomHref(12, true), '/colloquio/?id=12&come=azienda');
    assert.deepEqual(readRoom('?id=12&come=azienda'), { id: '12', company: true });
    assert.deepEqual(readRoom('?id=12'), { id: '12', company: false });
    assert.equal(readRoom('?id=0'), null);
    assert.equal(readRoom('?id=1%2F..'), null);
    assert.equal(apiOf({ id: '3', company: true }), '/api/company/interviews/3');
    assert.equal(apiOf({ id: '3', company: false }), '/api/interviews/3');
    assert.deepEqual(splitLocal('09/08/2021 11:40'), { date: '09/08/2021', time: '11:40' });
    assert.deepEqual(dialogTexts({ start_local: '09/08/2021 11:40', company: 'CAFE\' TEATRO SRL' }), {
      accept: 'Confermi l\'appuntamento del 09/08/2021 alle ore 11:40 con l\'azienda/agenzia CAFE\' TEATRO SRL ?',
      refuse: 'Vuoi rifiutare l\'appuntamento del 09/08/2021 alle ore 11:40 con l\'azienda/agenzia CAFE\' TEATRO SRL ?',
    });
    assert.deepEqual(inviteBody({ application: '7', date: '2026-12-01', time: '10:00', minutes: '45', description: '  ' }), { application: 7, date: '2026-12-01', time: '10:00', minutes: 45 });
    assert.equal(inviteBody({ application: '', date: '', time: '', minutes: '', description: 'Primo colloquio' }).description, 'Primo colloquio');
  });

  test('the Italian messages of camera and microphone errors', () => {
    assert.match(mediaError({ name: 'NotAllowedError' }), /Non hai concesso al portale l'accesso alla fotocamera e al microfono/);
    assert.match(mediaError({ name: 'NotFoundError' }), /Non è stata trovata nessuna fotocamera o nessun microfono/);
    assert.match(mediaError({ name: 'NotReadableError' }), /già in uso/);
    assert.match(mediaError(new Error('x')), /Non è stato possibile avviare la fotocamera/);
  });
});

describe('an online interview: invitation, change, acceptance and the video room', () => {
  const people = {};
  let offer = '';
  let interview = '';
  let start = null;

  before(async () => {
    for (const who of [BOOTSTRAP_ADMIN, OPERATOR, CITIZEN, OTHER]) await registerCitizen(s, who.name, who);
    for (const [key, who] of [['admin', BOOTSTRAP_ADMIN], ['operator', OPERATOR], ['citizen', CITIZEN], ['company', COMPANY], ['other', OTHER]]) {
      const opened = await openPage(s, '/accedi/');
      await opened.context.addInitScript(recordPeerConnections);
      people[key] = opened;
      await login(s, opened.page, who.name, '/');
      opened.csrf = (await okJson(await opened.page.request.get(`${s.portal.base}/api/session`))).csrf_token;
    }
    const post = async (who, path, data) => okJson(await people[who].page.request.post(s.portal.base + path, { headers: { 'x-csrf-token': people[who].csrf, accept: 'application/json' }, data }));
    // the back office: an operator of FIRENZE publishes an offer for ACME S.R.L. (company 1)
    await post('admin', '/api/admin/roles', { fiscal_code: OPERATOR.fiscal_code, role: 'operator', cpi: 'firenze' });
    const deadline = new Date(Date.now() + 20 * 86400000).toISOString().slice(0, 10);
    offer = (await post('operator', '/api/operator/offers', {
      offer_type: 'preselezione', contract_type: 'tempo-determinato', occupation: 'cameriere di sala', description: 'Cameriere per il servizio serale.',
      places: 1, how_to_apply: 'Online dal portale.', locations: ['048017'], deadline, application_mode: 'online', requirements: [], company_id: 1,
    })).code;
    // Sofia applies with a CV; the CPI sends the application to ACME
    const uploaded = await people.citizen.page.request.post(`${s.portal.base}/api/cv`, {
      headers: {
        'x-csrf-token': people.citizen.csrf, accept: 'application/json', 'content-type': 'application/octet-stream',
        'x-cv-meta': encodeURIComponent(JSON.stringify({ description: 'CV cameriera', search_consent: false, territories: [], file_name: 'cv.pdf' })),
      },
      data: pdf([
        'Curriculum Vitae di Sofia Gallo',
        'Esperienza: cameriera di sala presso la trattoria Il Latini di Firenze dal 2021 al 2024, servizio ai tavoli e accoglienza.',
        'Attestato HACCP conseguito nel 2021. Lingue: inglese livello B2, francese livello A2.',
        'Patente B, automunita. Disponibile a turni serali e nei fine settimana, anche nei giorni festivi.',
      ].join('\n')),
    });
    assert.equal(uploaded.status(), 201, await uploaded.text());
    const cv = await uploaded.json();
    const form = await okJson(await people.citizen.page.request.get(`${s.portal.base}/api/applications/form?offer=${offer}`));
    const applied = await post('citizen', '/api/applications', { offer, cv_id: cv.id, declarations: form.requirements.map(() => true) });
    for (const status of ['presa_in_carico', 'inviata']) await post('operator', `/api/operator/applications/${applied.id}/status`, { status });
    // Mario Rossi acts for ACME S.R.L.
    await post('company', '/api/session/act-as', { company_id: 1 });
  });
  after(async () => {
    for (const p of Object.values(people)) await p.context.close();
  });

  test('the company invites the candidate from «Colloqui online»', async () => {
    const { page, problems } = people.company;
    problems.splice(0);
    await page.goto(`${s.portal.base}/azienda/area/`, { waitUntil: 'networkidle' });
    await page.locator('main').getByRole('link', { name: 'Colloqui online' }).first().click();
    await page.waitForURL(`${s.portal.base}/azienda/colloqui/`);
    await page.getByText('Non hai ancora invitato candidati a un colloquio online.').waitFor();
    await everyWidth(page, 'colloqui-azienda-vuoto', { contrast: false });
    // nothing chosen: the problems next to the inputs
    await page.getByRole('button', { name: 'Invia invito' }).click();
    await page.locator('#ic-invito [data-error-summary]').waitFor();
    assert.equal(await page.locator('#ic-candidatura').getAttribute('aria-invalid'), 'true');
    assert.deepEqual(await axe(page), [], 'axe-core: the invitation with errors');
    // five minutes ahead, whole minutes: the room is open at once (15 minutes before)
    start = new Date(Math.ceil((Date.now() + 5 * 60000) / 60000) * 60000);
    const at = romeParts(start);
    await page.locator('#ic-candidatura').selectOption({ label: `Sofia Gallo – ${offer} cameriere di sala` });
    await page.locator('#ic-data').fill(`${at.day}/${at.month}/${at.year}`);
    await page.locator('#ic-ora').fill(`${at.hour}:${at.minute}`);
    await page.getByRole('button', { name: 'Invia invito' }).click();
    await page.getByText(`Sofia Gallo riceve l'invito al colloquio del ${at.day}/${at.month}/${at.year} ${at.hour}:${at.minute} per e-mail.`).waitFor();
    const row = page.locator('#ic-tabella tbody tr');
    await row.getByText('RICHIESTO', { exact: true }).waitFor();
    interview = await row.getAttribute('data-interview');
    await row.getByText(`Colloquio a seguito di candidatura sull'offerta ${offer} richiesto da ACME S.R.L.`).waitFor();
    await everyWidth(page, 'colloqui-azienda-invito', { contrast: false });
    const mail = await lastMessage(s, CITIZEN.email, 'interview_invitation');
    assert.match(mail.body, new RegExp(`/api/interviews/${interview}/calendar`));
    assert.deepEqual(unexpected(problems, [422]), []);
  });

  test('the candidate asks for a change; the company answers with a new date; the candidate accepts', async () => {
    const { page, problems } = people.citizen;
    problems.splice(0);
    await page.goto(`${s.portal.base}/cittadino/area/`, { waitUntil: 'networkidle' });
    await page.locator('main').getByRole('link', { name: 'Colloqui online' }).first().click();
    await page.waitForURL(`${s.portal.base}/cittadino/colloqui/`);
    const row = page.locator(`#co-tabella tbody tr[data-interview="${interview}"]`);
    await row.getByText('RICHIESTO', { exact: true }).waitFor();
    await everyWidth(page, 'colloqui-cittadino-richiesto', { contrast: false });
    const at = romeParts(start);

    // Richiedi modifica: the manual's dialog
    await row.getByRole('button', { name: /^Richiedi modifica/ }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.getByText('Indica di seguito le tue disponibilità per ricevere un nuovo appuntamento').waitFor();
    assert.deepEqual(await axe(page), [], 'axe-core: Richiedi modifica appuntamento');
    await dialog.getByLabel('Le tue disponibilità').fill(AVAILABILITY);
    await dialog.getByRole('button', { name: 'Invia la richiesta' }).click();
    await row.getByText('MODIFICA RICHIESTA', { exact: true }).waitFor();
    await row.getByText(`Le tue disponibilità: ${AVAILABILITY}`).waitFor();

    // the company proposes the new date (the same minute: the room stays open)
    const company = people.company.page;
    await company.reload({ waitUntil: 'networkidle' });
    const crow = company.locator(`#ic-tabella tbody tr[data-interview="${interview}"]`);
    await crow.getByText(`Disponibilità del candidato: ${AVAILABILITY}`).waitFor();
    await crow.getByRole('button', { name: 'Proponi una nuova data a Sofia Gallo' }).click();
    await company.getByRole('heading', { name: 'Nuova data' }).waitFor();
    await company.locator('#ic-nuova-data-giorno').fill(`${at.day}/${at.month}/${at.year}`);
    await company.locator('#ic-nuova-data-ora').fill(`${at.hour}:${at.minute}`);
    await company.getByRole('button', { name: 'Proponi la nuova data' }).click();
    await company.getByText('Nuova data proposta', { exact: true }).waitFor();
    await crow.getByText('RICHIESTO', { exact: true }).waitFor();
    await lastMessage(s, CITIZEN.email, 'interview_update');

    // Accetta: the manual's "Conferma Appuntamento"
    await page.reload({ waitUntil: 'networkidle' });
    await row.getByRole('button', { name: /^Accetta/ }).click();
    await page.locator('dialog[open]').getByText(`Confermi l'appuntamento del ${at.day}/${at.month}/${at.year} alle ore ${at.hour}:${at.minute} con l'azienda/agenzia ACME S.R.L. ?`).waitFor();
    assert.deepEqual(await axe(page), [], 'axe-core: Conferma Appuntamento');
    await page.locator('dialog[open]').getByRole('button', { name: '✅ Conferma' }).click();
    await row.getByText('CONFERMATO', { exact: true }).waitFor();
    await row.getByRole('link', { name: 'Vai al colloquio' }).waitFor();
    await everyWidth(page, 'colloqui-cittadino-confermato', { contrast: false });
    assert.deepEqual(unexpected(problems), []);
  });

  test('a refused or missing camera is said in Italian', async () => {
    for (const [name, text] of [['NotAllowedError', 'Non hai concesso al portale l\'accesso alla fotocamera e al microfono'], ['NotFoundError', 'Non è stata trovata nessuna fotocamera o nessun microfono']]) {
      const page = await people.citizen.context.newPage();
      await page.addInitScript((n) => { navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('test', n)); }, name);
      await page.goto(`${s.portal.base}${roomHref(interview)}`, { waitUntil: 'networkidle' });
      await page.getByText(text).waitFor();
      assert.deepEqual(await axe(page), [], `axe-core: ${name}`);
      await page.close();
    }
  });

  test('the room: the company enters, the candidate waits, is let in, and both see each other', async () => {
    const company = people.company;
    const citizen = people.citizen;
    company.problems.splice(0);
    citizen.problems.splice(0);

    // the company enters first
    await company.page.goto(`${s.portal.base}/azienda/colloqui/`, { waitUntil: 'networkidle' });
    await company.page.locator(`#ic-tabella tbody tr[data-interview="${interview}"]`).getByRole('link', { name: 'Vai al colloquio' }).click();
    await company.page.waitForURL((url) => url.pathname === '/colloquio/');
    await company.page.getByText('Sei nella stanza: attendi che Sofia Gallo si colleghi.').waitFor();

    // the candidate waits in the lobby
    await citizen.page.goto(`${s.portal.base}/cittadino/colloqui/`, { waitUntil: 'networkidle' });
    await citizen.page.locator(`#co-tabella tbody tr[data-interview="${interview}"]`).getByRole('link', { name: 'Vai al colloquio' }).click();
    await citizen.page.waitForURL((url) => url.pathname === '/colloquio/');
    await citizen.page.getByText('In attesa che l\'azienda ti faccia entrare').waitFor();
    assert.deepEqual(await axe(citizen.page), [], 'axe-core: the lobby');
    await screenshot(citizen.page, 'colloquio-attesa');

    // a third person cannot join
    const other = people.other;
    other.problems.splice(0);
    other.page.__expect404 = true;
    await other.page.goto(`${s.portal.base}${roomHref(interview)}`, { waitUntil: 'networkidle' });
    await other.page.getByText('Il colloquio indicato non esiste tra i tuoi.').waitFor();
    assert.equal(await other.page.locator('#cl-app').isVisible(), false);
    assert.equal(await other.page.evaluate(() => window.__pcs.length), 0, 'no peer connection');
    assert.deepEqual(unexpected(other.problems, [404]), []);

    // the company lets the candidate in
    const admit = company.page.getByRole('button', { name: 'Fai entrare il candidato' });
    await admit.click();
    await decodesLiveVideo(company.page, 'the company');
    await decodesLiveVideo(citizen.page, 'the candidate');
    await citizen.page.getByText('Sei in colloquio con ACME S.R.L.', { exact: true }).waitFor();
    await company.page.getByText('Sei in colloquio con Sofia Gallo.', { exact: true }).waitFor();
    assert.deepEqual(await axe(company.page), [], 'axe-core: the room, the company');
    await everyWidth(citizen.page, 'colloquio-in-corso', { contrast: false });

    // mute and camera off, then back
    const mic = citizen.page.getByRole('button', { name: 'Disattiva microfono' });
    await mic.click();
    assert.equal(await citizen.page.locator('#cl-microfono').getAttribute('aria-pressed'), 'true');
    assert.equal(await citizen.page.evaluate(() => document.getElementById('cl-locale').srcObject.getAudioTracks().every((t) => !t.enabled)), true);
    await citizen.page.getByRole('button', { name: 'Attiva microfono' }).click();
    await citizen.page.getByRole('button', { name: 'Disattiva fotocamera' }).click();
    assert.equal(await citizen.page.evaluate(() => document.getElementById('cl-locale').srcObject.getVideoTracks().every((t) => !t.enabled)), true);
    await citizen.page.getByRole('button', { name: 'Attiva fotocamera' }).click();
    assert.ok(await citizen.page.locator('#cl-scelta-fotocamera option').count() >= 1, 'the cameras to choose from');

    // the candidate leaves; the company is told
    await citizen.page.getByRole('button', { name: 'Esci dal colloquio' }).click();
    await citizen.page.getByText('Sei uscito dal colloquio').waitFor();
    await company.page.getByText('Sofia Gallo ha lasciato la stanza.').waitFor();
    assert.deepEqual(unexpected(company.problems), []);
    assert.deepEqual(unexpected(citizen.problems), []);
  });
  test('without a camera the candidate takes part with the microphone alone', async () => {
    const page = await people.citizen.context.newPage();
    await page.addInitScript(() => {
      const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = (c) => (c?.video ? Promise.reject(new DOMException('no camera', 'NotFoundError')) : real(c));
    });
    await page.goto(`${s.portal.base}${roomHref(interview)}`, { waitUntil: 'networkidle' });
    await page.getByText('Non è stata trovata nessuna fotocamera: partecipi al colloquio con il solo microfono.').waitFor();
    assert.equal(await page.locator('#cl-fotocamera').isDisabled(), true, 'no camera to switch off');
    assert.deepEqual(await page.evaluate(() => { const m = document.getElementById('cl-locale').srcObject; return [m.getAudioTracks().length, m.getVideoTracks().length]; }), [1, 0]);
    assert.deepEqual(await axe(page), [], 'axe-core: the room without a camera');
    await page.close();
  });
});
