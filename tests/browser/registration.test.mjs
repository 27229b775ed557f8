// Registration (A1, B1), activation, "Il mio profilo" (A2) and acting as a company (A3)
// in a real browser, with the demo IdP's test identities (each registers once per
// portal start, so every test that registers uses its own):
//   Giulia Bianchi    citizen: the whole journey, field errors, profile, incarico, act-as
//   Francesca Esposito company registration from /registrati/azienda/
//   Lorenzo Conti     registered but not activated: /accedi/non-attivo/ and resend
//   Mario Rossi       already active with an incarico for ACME S.R.L. (demo data)
// One-time codes and activation links are read from the development mailbox
// (GET /api/dev/mailbox?recipient=).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { normalMobile } from '../../web/assets/js/pages/profilo.mjs';
import { areaOf, headerLabel } from '../../web/assets/js/session.mjs';
import { axe, fitsWidth, lastMessage as lastMessageOf, login as loginAs, openPage, screenshot, session, unexpected as withoutStatuses } from './support.mjs';

const s = session();
const open = (path, options) => openPage(s, path, options);

const login = (page, who, lands) => loginAs(s, page, who, lands);

async function apiSession(page) {
  return (await page.request.get(s.portal.base + '/api/session')).json();
}

const lastMessage = (recipient, template, after = 0) => lastMessageOf(s, recipient, template, after);

/** Ticks a Bootstrap Italia checkbox (its label draws the box) and checks it took. */
async function tick(scope, label, on = true) {
  const input = scope.getByLabel(label);
  if ((await input.isChecked()) !== on) await scope.locator(`label[for="${await input.getAttribute('id')}"]`).click();
  assert.equal(await input.isChecked(), on);
}

const headerButton = (page) => page.locator('header [data-user-zone] button.user-menu-toggle');
const field = (page, label) => page.getByRole('textbox', { name: label, exact: true });

/** Types part of a comune's name and picks `option` from the autocomplete (by mouse, or by keyboard: the first one). */
async function pickComune(page, label, typed, option, { keyboard = false } = {}) {
  const input = page.getByRole('combobox', { name: label });
  await input.fill(typed);
  if (keyboard) {
    await page.getByRole('option', { name: option }).waitFor();
    await input.press('ArrowDown');
    assert.equal(await input.getAttribute('aria-activedescendant'), await page.getByRole('option', { name: option }).getAttribute('id'));
    await input.press('Enter');
  } else {
    await page.getByRole('option', { name: option }).click();
  }
  assert.equal(await input.inputValue(), option);
  assert.equal(await input.getAttribute('aria-expanded'), 'false');
}

/** The problems of a page but the refusals it was expected to meet (422 forms, 429 limits, `more`). */
const unexpected = (problems, more = []) => withoutStatuses(problems, [422, 429, ...more]);

describe('helpers (unit)', () => {
  test('the header reads "NAME (COMPANY)" while acting for a company', () => {
    const person = { fiscal_code: 'RSSMRA85C14D612R', name: 'Mario', family_name: 'Rossi' };
    assert.equal(headerLabel({ person, acting_as: null }), 'MARIO ROSSI');
    assert.equal(headerLabel({ person, acting_as: { company_id: 1, name: 'ACME S.R.L.', kind: 'company' } }), 'MARIO ROSSI (ACME S.R.L.)');
    assert.equal(headerLabel({ person }), 'MARIO ROSSI', 'an SSO without acting_as');
    assert.deepEqual(['company', 'agency', 'professional_firm', undefined].map(areaOf), ['/azienda/area/', '/agenzia/area/', '/professionista/area/', '/azienda/area/']);
  });

  test('a mobile number compares as the API stores it', () => {
    for (const typed of ['347 123 4567', '3471234567', '+39 347 1234567', '0039 347-123-4567', '+393471234567']) {
      assert.equal(normalMobile(typed), '+393471234567', typed);
    }
    assert.equal(normalMobile('055 123456'), '055123456', 'a landline stays as typed (the API refuses it)');
  });
});

describe('pages without a session', () => {
  for (const [path, text] of [
    ['/registrati/cittadino/', 'Accedi per registrarti'],
    ['/registrati/azienda/', 'Accedi per registrarti'],
    ['/accedi/non-attivo/', 'Accedi per continuare'],
    ['/cittadino/profilo/', 'Accedi per vedere il tuo profilo'],
  ]) {
    test(`${path} asks to sign in first`, async () => {
      const { context, page, problems, go } = await open(path);
      await go();
      await page.getByText(text).waitFor();
      assert.equal(await page.locator('main .callout a[href="/accedi/"]').count(), 1);
      assert.deepEqual(await axe(page), []);
      assert.deepEqual(problems, []);
      await context.close();
    });
  }

  test('/registrati/ offers Cittadino and Azienda; /registrati/attivato/ exists', async () => {
    const { context, page, problems, go } = await open('/registrati/');
    await go();
    assert.equal(await page.locator('main').getByRole('link', { name: 'Cittadino', exact: true }).getAttribute('href'), '/registrati/cittadino/');
    assert.equal(await page.locator('main').getByRole('link', { name: 'Azienda', exact: true }).getAttribute('href'), '/registrati/azienda/');
    const r = await page.goto(s.portal.base + '/registrati/attivato/', { waitUntil: 'networkidle' });
    assert.equal(r.status(), 200);
    assert.equal(await page.locator('h1').textContent(), 'Profilo attivato');
    assert.deepEqual(await axe(page), []);
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe('citizen registration, activation, profile and acting as a company', () => {
  test('Giulia Bianchi registers, activates, takes an incarico and acts for the company', async () => {
    const { context, page, problems } = await open('/accedi/');
    await login(page, 'Giulia Bianchi', '/registrati/cittadino/');
    const form = page.locator('#modulo-registrazione');
    await form.waitFor();
    assert.equal(await page.locator('h1').textContent(), 'Registrazione Cittadino');

    // the identity, read-only
    for (const [label, value] of [['Codice fiscale', 'BNCGLI92L63G999D'], ['Cognome', 'Bianchi'], ['Nome', 'Giulia'],
      ['Data di nascita', '23/07/1992'], ['Comune di nascita', 'Prato (PO)']]) {
      assert.equal(await field(page, label).inputValue(), value, label);
      assert.equal(await field(page, label).getAttribute('readonly'), '', `${label} is read-only`);
    }
    assert.deepEqual(await axe(page), [], 'axe-core: the empty form');

    // on a phone: no horizontal scrolling
    await page.setViewportSize({ width: 375, height: 800 });
    await fitsWidth(page);
    await screenshot(page, 'registrazione-cittadino-telefono');
    await page.setViewportSize({ width: 1280, height: 900 });

    // choosing the comune fills its CAP (Prato has one)
    await pickComune(page, 'Comune di residenza', 'prat', 'Prato (PO)');
    await page.waitForFunction(() => document.getElementById('residenza-cap').value === '59100');
    // a bad CAP and e-mail: the API's messages next to the inputs, and a summary
    await page.locator('#residenza-cap').fill('591');
    await page.getByLabel('Indirizzo di residenza').fill('Via Santo Stefano 12');
    await field(page, 'Indirizzo e-mail').fill('giulia@');
    await page.getByLabel("Reinserisci l'indirizzo e-mail").fill('giulia@');
    await page.getByLabel('Numero di cellulare').fill('338 987 6543');
    await page.getByRole('button', { name: 'Registrati', exact: true }).click();
    const summary = page.locator('[data-error-summary]');
    await summary.waitFor();
    assert.ok(await summary.evaluate((n) => n === document.activeElement), 'the summary gets the focus');
    const cap = page.locator('#residenza-cap');
    assert.equal(await cap.getAttribute('aria-invalid'), 'true');
    assert.match(await page.locator('#residenza-cap-errore').textContent(), /CAP/);
    assert.match(await cap.getAttribute('aria-describedby'), /residenza-cap-errore/);
    assert.equal(await page.locator('#recapiti-email').getAttribute('aria-invalid'), 'true');
    assert.ok(await page.locator('#recapiti-email-errore').isVisible());
    assert.equal(await page.locator('#recapiti-otp').getAttribute('aria-invalid'), 'true', 'no OTP yet');
    assert.equal(await page.locator('#privacy-consenso').getAttribute('aria-invalid'), 'true', 'no consent yet');
    assert.equal(await page.locator('#recapiti-cellulare').getAttribute('aria-invalid'), null, 'the mobile number is fine');
    assert.ok(await summary.getByRole('link').count() >= 4);
    assert.deepEqual(await axe(page), [], 'axe-core: with the errors shown');
    await screenshot(page, 'registrazione-cittadino-errori');

    // corrected; the SMS code from the mailbox
    await cap.fill('59100');
    await page.locator('#recapiti-email').fill('giulia.bianchi@example.org');
    await page.getByLabel("Reinserisci l'indirizzo e-mail").fill('giulia.bianchi@example.org');
    const otpButton = page.getByRole('button', { name: 'Richiedi codice OTP' });
    await otpButton.click();
    await page.getByText('Ti abbiamo inviato il codice via SMS al numero +393389876543').waitFor();
    assert.ok(await page.locator('#richiedi-otp').isDisabled(), 'no new code before the countdown ends');
    assert.match(await page.locator('#richiedi-otp').textContent(), /\(\d+ s\)/);
    const sms = await lastMessage('+393389876543', 'otp');
    await page.getByLabel('Codice OTP ricevuto via SMS').fill(sms.params.code);
    await tick(page, /acconsento al trattamento dei dati personali/);
    await page.getByRole('button', { name: 'Registrati', exact: true }).click();
    await page.getByText('Registrazione effettuata').waitFor();
    assert.match(await page.locator('#registrazione-stato').textContent(), /giulia\.bianchi@example\.org/);
    assert.ok(await form.isHidden());
    assert.equal((await apiSession(page)).account, 'pending');
    assert.deepEqual(await axe(page), []);
    await screenshot(page, 'registrazione-cittadino-inviata');

    // the activation link from the mailbox: a page with a button, then the confirmation
    const mail = await lastMessage('giulia.bianchi@example.org', 'activation');
    await page.goto(mail.params.link, { waitUntil: 'networkidle' });
    assert.deepEqual(await axe(page), [], "axe-core: the link's page");
    await page.getByRole('button', { name: 'Attiva il profilo' }).click();
    await page.waitForURL(s.portal.base + '/registrati/attivato/');
    await page.waitForLoadState('networkidle');
    assert.equal(await page.locator('h1').textContent(), 'Profilo attivato');
    const me = await apiSession(page);
    assert.equal(me.account, 'active');
    assert.equal(me.acting_as, null);
    await headerButton(page).waitFor();
    assert.equal((await headerButton(page).textContent()).trim(), 'GIULIA BIANCHI');

    // Il mio profilo: the data as registered
    await page.goto(s.portal.base + '/cittadino/profilo/', { waitUntil: 'networkidle' });
    await page.locator('#modulo-profilo').waitFor();
    assert.equal(await page.getByRole('tab', { name: 'Dati personali' }).getAttribute('aria-selected'), 'true');
    assert.match(await page.locator('#profilo-anagrafica').textContent(), /BNCGLI92L63G999D/);
    assert.equal(await page.getByRole('combobox', { name: 'Comune di residenza' }).inputValue(), 'Prato (PO)');
    assert.equal(await page.locator('#profilo-cellulare').inputValue(), '+393389876543');
    assert.deepEqual(await axe(page), [], 'axe-core: profile');
    // a new mobile number must be verified again
    assert.ok(await page.locator('#verifica-cellulare').isHidden());
    await page.locator('#profilo-cellulare').fill('339 111 2233');
    await page.locator('#verifica-cellulare').waitFor();
    await page.getByRole('button', { name: 'Salva le modifiche' }).click();
    await page.locator('#profilo-cellulare-codice-errore').waitFor();
    assert.equal(await page.locator('#profilo-cellulare-codice').getAttribute('aria-invalid'), 'true');
    // back to the old number, and a new address: saved without codes
    await page.locator('#profilo-cellulare').fill('+393389876543');
    assert.ok(await page.locator('#verifica-cellulare').isHidden());
    await page.getByLabel('Indirizzo di residenza').fill('Via Santo Stefano 14');
    await page.getByRole('button', { name: 'Salva le modifiche' }).click();
    await page.getByText('Dati aggiornati').waitFor();
    assert.equal(await page.locator('[aria-invalid="true"]').count(), 0);

    // Aziende: search GPI by partita IVA, "Inserisci incarico", role, declaration
    await page.getByRole('tab', { name: 'Aziende' }).click();
    assert.ok(page.url().endsWith('#aziende'));
    const aziende = page.locator('#aziende');
    await aziende.getByText("Attualmente non hai alcun incarico per un'azienda.").waitFor();
    await aziende.getByLabel('Codice fiscale o partita IVA').fill('06543210485');
    await aziende.getByRole('button', { name: 'Cerca' }).click();
    await aziende.getByText('GPI S.P.A.').waitFor();
    await aziende.getByRole('button', { name: 'Inserisci incarico' }).click();
    await aziende.getByRole('button', { name: 'Aggiungi incarico' }).click();
    await aziende.locator('[data-error-summary]').waitFor();
    assert.equal(await aziende.getByRole('combobox', { name: 'Ruolo', exact: true }).getAttribute('aria-invalid'), 'true', 'the role is required');
    await aziende.getByRole('combobox', { name: 'Ruolo', exact: true }).selectOption({ label: 'Delegato' });
    await tick(aziende, /Ho letto la dichiarazione di responsabilità/);
    await aziende.getByRole('button', { name: 'Aggiungi incarico' }).click();
    await aziende.getByText('Incarico aggiunto').waitFor();
    const row = aziende.locator('tbody tr');
    await row.first().waitFor();
    assert.equal(await row.count(), 1);
    assert.match(await row.textContent(), /GPI S\.P\.A\..*06543210485.*Delegato/);
    assert.deepEqual(await axe(page), [], 'axe-core: the Aziende tab');
    await screenshot(page, 'profilo-aziende');
    await page.setViewportSize({ width: 375, height: 800 });
    await fitsWidth(page);
    await screenshot(page, 'profilo-aziende-telefono');
    await page.setViewportSize({ width: 1280, height: 900 });

    // Agenzie: a company's code there points to the Aziende section
    await page.getByRole('tab', { name: 'Agenzie' }).click();
    const agenzie = page.locator('#agenzie');
    await agenzie.getByLabel('Codice fiscale o partita IVA').fill('01234560488');
    await agenzie.getByRole('button', { name: 'Cerca' }).click();
    await agenzie.getByText('ACME S.R.L. è registrata come azienda: aggiungila dalla sezione Aziende.').waitFor();
    assert.ok(await agenzie.getByRole('button', { name: 'Inserisci incarico' }).isHidden());
    await agenzie.getByRole('link', { name: 'Aziende' }).click();
    assert.equal(await page.getByRole('tab', { name: 'Aziende' }).getAttribute('aria-selected'), 'true');

    // the header: the name opens "Cittadino" and the companies; choosing one acts for it
    await headerButton(page).click();
    const roles = page.locator('#menu-utente-ruoli');
    await roles.getByRole('button', { name: /GPI S\.P\.A\./ }).waitFor();
    assert.equal(await roles.getByRole('button', { name: 'Cittadino' }).getAttribute('aria-current'), 'true');
    assert.deepEqual(await axe(page), [], 'axe-core: user menu open');
    const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/session/act-as'));
    await roles.getByRole('button', { name: /GPI S\.P\.A\./ }).click();
    const request = await posted;
    assert.equal(request.headers()['x-csrf-token'], me.csrf_token);
    // the company's area, not the public "Registra la tua azienda" page
    await page.waitForURL(s.portal.base + '/azienda/area/');
    await page.waitForLoadState('networkidle');
    await headerButton(page).waitFor();
    assert.equal((await headerButton(page).textContent()).trim(), 'GIULIA BIANCHI (GPI S.P.A.)');
    assert.equal((await apiSession(page)).acting_as?.name, 'GPI S.P.A.');
    const acting = page.locator('#area-stato');
    await acting.getByText('Stai operando per GPI S.P.A.', { exact: false }).waitFor();
    assert.doesNotMatch(await acting.textContent(), /S\.P\.A\.\./, 'no doubled full stop');
    await headerButton(page).click();
    assert.equal(await page.locator('#menu-utente').getByRole('link', { name: 'Area azienda' }).getAttribute('href'), '/azienda/area/');
    await roles.getByRole('button', { name: /GPI S\.P\.A\./ }).waitFor();
    assert.equal(await roles.getByRole('button', { name: /GPI S\.P\.A\./ }).getAttribute('aria-current'), 'true');
    await screenshot(page, 'header-opera-come-azienda');
    await roles.getByRole('button', { name: 'Cittadino' }).click();
    await page.waitForURL(s.portal.base + '/cittadino/area/');
    await page.waitForLoadState('networkidle');
    await headerButton(page).waitFor();
    assert.equal((await headerButton(page).textContent()).trim(), 'GIULIA BIANCHI');
    assert.equal((await apiSession(page)).acting_as, null);

    // revoking the incarico, after a confirmation
    await page.goto(s.portal.base + '/cittadino/profilo/#aziende', { waitUntil: 'networkidle' });
    await aziende.getByRole('button', { name: "Revoca l'incarico per GPI S.P.A." }).click();
    await aziende.getByRole('button', { name: 'Sì, revoca' }).click();
    await aziende.getByText("Attualmente non hai alcun incarico per un'azienda.").waitFor();
    await aziende.getByText('Incarico revocato').waitFor();
    // the row and its buttons are gone: the focus is on the outcome, not on the body
    await page.waitForFunction(() => document.activeElement?.closest('.callout')?.textContent.includes('Incarico revocato'));
    assert.match(await aziende.locator('.callout').textContent(), /Hai revocato l'incarico per GPI S\.P\.A\.$/);

    assert.deepEqual(unexpected(problems), []);
    await context.close();
  });
});

describe('company registration (B1)', () => {
  test('from /registrati/azienda/: login, company search, role, declaration, one submit', async () => {
    const { context, page, problems, go } = await open('/registrati/azienda/');
    await go();
    await page.getByRole('link', { name: 'Accedi con SPID, CIE o CNS' }).click();
    await page.waitForURL(s.portal.base + '/accedi/');
    await page.waitForLoadState('networkidle');
    // the login lands on the citizen form, which continues to the company one
    await login(page, 'Francesca Esposito', '/registrati/cittadino/');
    await page.waitForURL(s.portal.base + '/registrati/azienda/');
    await page.locator('#modulo-registrazione').waitFor();
    assert.equal(await page.locator('h1').textContent(), 'Registrazione Azienda');
    assert.equal(await field(page, 'Codice fiscale').inputValue(), 'SPSFNC78S45F839M');

    await pickComune(page, 'Comune di residenza', 'pis', 'Pisa (PI)');
    // Pisa has several CAPs: a hint with their range instead of a guess
    await page.getByText('Pisa ha più CAP, da 56121 a 56128: scrivi quello del tuo indirizzo.').waitFor();
    assert.match(await page.locator('#residenza-cap').getAttribute('aria-describedby'), /residenza-cap-aiuto/);
    await page.locator('#residenza-cap').fill('56121');
    await page.getByLabel('Indirizzo di residenza').fill('Lungarno Pacinotti 3');
    await tick(page, 'Uguale alla residenza', false);
    await pickComune(page, 'Comune di domicilio', 'livor', 'Livorno (LI)', { keyboard: true });
    await page.locator('#domicilio-cap').fill('57123');
    await page.getByLabel('Indirizzo di domicilio').fill('Via Grande 10');
    await page.getByLabel("Reinserisci l'indirizzo e-mail").fill('francesca.esposito@example.org');
    await page.getByRole('button', { name: 'Richiedi codice OTP' }).click();
    const sms = await lastMessage('+393205551234', 'otp');
    await page.getByLabel('Codice OTP ricevuto via SMS').fill(sms.params.code);

    // the company: an unknown code, then ACME by its codice fiscale
    const code = page.getByLabel("Codice fiscale o partita IVA dell'azienda");
    await code.fill('12345678903');
    await page.getByRole('button', { name: 'Cerca' }).click();
    await page.locator('#azienda-codice-errore').waitFor();
    await code.fill('01234560488');
    await page.getByRole('button', { name: 'Cerca' }).click();
    await page.locator('#azienda-trovata').getByText('ACME S.R.L.').waitFor();
    assert.equal(await code.getAttribute('aria-invalid'), null);
    await page.getByLabel("Ruolo che ricopri per l'azienda").selectOption('rappresentante_legale');
    await tick(page, /Ho letto la dichiarazione di responsabilità/);
    await tick(page, /acconsento al trattamento dei dati personali/);
    assert.deepEqual(await axe(page), []);
    await screenshot(page, 'registrazione-azienda');
    await page.getByRole('button', { name: 'Registrati', exact: true }).click();
    await page.getByText('Registrazione effettuata').waitFor();
    assert.match(await page.locator('#registrazione-stato').textContent(), /potrai operare per ACME S\.R\.L\./);
    assert.doesNotMatch(await page.locator('#registrazione-stato').textContent(), /S\.R\.L\.\./, 'no doubled full stop');

    // the e-mail's link as the portal's own page (/registrati/attiva/?token=), a form POST
    const mail = await lastMessage('francesca.esposito@example.org', 'activation');
    const token = new URL(mail.params.link).searchParams.get('token');
    await page.goto(`${s.portal.base}/registrati/attiva/?token=${encodeURIComponent(token)}`, { waitUntil: 'networkidle' });
    assert.deepEqual(await axe(page), [], 'axe-core: the activation page');
    await page.getByRole('button', { name: 'Attiva il profilo' }).click();
    await page.waitForURL(s.portal.base + '/registrati/attivato/');
    await headerButton(page).click();
    await page.locator('#menu-utente-ruoli').getByRole('button', { name: /ACME S\.R\.L\./ }).click();
    await page.waitForURL(s.portal.base + '/azienda/area/');
    await page.waitForLoadState('networkidle');
    assert.equal((await headerButton(page).textContent()).trim(), 'FRANCESCA ESPOSITO (ACME S.R.L.)');
    assert.deepEqual(unexpected(problems, [404]), [], 'only the unknown company is missing');
    await context.close();
  });
});

describe('a registration waiting for its activation', () => {
  test('Lorenzo Conti lands on /accedi/non-attivo/ and asks for a new link', async () => {
    const { context, page, problems } = await open('/accedi/');
    await login(page, 'Lorenzo Conti', '/registrati/cittadino/');
    // registered through the API, as the form would
    const me = await apiSession(page);
    const headers = { 'x-csrf-token': me.csrf_token, 'content-type': 'application/json' };
    assert.equal((await page.request.post(s.portal.base + '/api/registration/otp', { headers, data: { mobile: '+393921112233' } })).status(), 200);
    const sms = await lastMessage('+393921112233', 'otp');
    const registered = await page.request.post(s.portal.base + '/api/registration', {
      headers,
      data: {
        kind: 'citizen', residence: { comune: '050026', cap: '56121', address: 'Via Roma 1' }, domicile_same: true,
        email: 'lorenzo.conti@example.org', email_confirm: 'lorenzo.conti@example.org', mobile: '+393921112233', otp: sms.params.code,
        privacy_accepted: true,
      },
    });
    assert.equal(registered.status(), 201, await registered.text());
    const first = await lastMessage('lorenzo.conti@example.org', 'activation');

    // signing in again lands here
    await page.request.post(s.portal.base + '/auth/logout', { form: { csrf_token: me.csrf_token }, maxRedirects: 0 });
    await login(page, 'Lorenzo Conti', '/accedi/non-attivo/');
    await page.getByText("Il collegamento è stato inviato all'indirizzo lorenzo.conti@example.org.").waitFor();
    assert.deepEqual(await axe(page), []);
    await page.getByRole('button', { name: 'Invia di nuovo il collegamento' }).click();
    await page.getByText('Collegamento inviato').waitFor();
    const second = await lastMessage('lorenzo.conti@example.org', 'activation', first.id);
    assert.notEqual(second.params.link, first.params.link);
    // at once again: the API's limit, in Italian
    await page.getByRole('button', { name: 'Invia di nuovo il collegamento' }).click();
    await page.locator('#invio-esito .alert').waitFor();
    assert.match(await page.locator('#invio-esito').textContent(), /Hai appena chiesto un nuovo collegamento/);
    // the seconds to wait count down
    const seconds = () => page.locator('#invio-esito').textContent().then((t) => Number(/(\d+) secondi/.exec(t)?.[1]));
    const wait = await seconds();
    assert.ok(wait > 1, `seconds to wait: ${wait}`);
    await page.waitForFunction((n) => Number(/(\d+) secondi/.exec(document.getElementById('invio-esito').textContent)?.[1]) < n, wait);

    // a corrected address: the confirmation must match
    await page.getByLabel('Indirizzo e-mail corretto').fill('lorenzo.conti@example.net');
    await page.getByLabel("Reinserisci l'indirizzo e-mail").fill('lorenzo.conti@example.com');
    await page.getByRole('button', { name: 'Invia il collegamento al nuovo indirizzo' }).click();
    await page.locator('#nuova-email-conferma-errore').waitFor();
    assert.equal(await page.locator('#nuova-email-conferma').getAttribute('aria-invalid'), 'true');
    assert.deepEqual(await axe(page), []);
    await screenshot(page, 'accedi-non-attivo');

    // the older link no longer works: the activation's error page
    await page.goto(first.params.link, { waitUntil: 'networkidle' });
    assert.match(await page.locator('h1').textContent(), /Attivazione non riuscita/);
    assert.equal(await page.locator('main a[href="/accedi/"]').count(), 1);
    assert.deepEqual(unexpected(problems, [410]), [], 'only the superseded link is refused');
    await context.close();
  });
});

describe('acting as a company (demo data)', () => {
  test('Mario Rossi acts for ACME S.R.L. from the header and back', async () => {
    const { context, page, problems } = await open('/accedi/');
    await login(page, 'Mario Rossi', '/');
    await headerButton(page).click();
    const roles = page.locator('#menu-utente-ruoli');
    await roles.getByRole('button', { name: /ACME S\.R\.L\./ }).click();
    await page.waitForURL(s.portal.base + '/azienda/area/');
    await page.waitForLoadState('networkidle');
    assert.equal((await headerButton(page).textContent()).trim(), 'MARIO ROSSI (ACME S.R.L.)');
    // the keyboard: Arrow Down opens the menu and walks its items
    await headerButton(page).focus();
    await page.keyboard.press('ArrowDown');
    await roles.getByRole('button', { name: 'Cittadino' }).waitFor();
    assert.ok(await page.locator('#menu-utente').getByRole('link', { name: 'Il mio profilo' }).isVisible());
    assert.deepEqual(await axe(page), []);
    await page.setViewportSize({ width: 375, height: 800 });
    await fitsWidth(page);
    await screenshot(page, 'header-azienda-telefono');
    await roles.getByRole('button', { name: 'Cittadino' }).click();
    await page.waitForURL(s.portal.base + '/cittadino/area/');
    await page.waitForLoadState('networkidle');
    assert.equal((await headerButton(page).textContent()).trim(), 'MARIO ROSSI');
    assert.deepEqual(problems, []);
    await context.close();
  });
});
