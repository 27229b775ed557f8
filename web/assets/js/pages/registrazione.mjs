// /registrati/cittadino/ and /registrati/azienda/ (A1, B1): the registration form
// after the first login. GET /api/registration pre-fills the identity (read-only)
// and the IdP's contacts; "Richiedi codice OTP" sends the SMS code (POST
// /api/registration/otp, then a countdown until a new one may be asked for);
// "Registrati" POSTs the form (422: errors next to the inputs); the company form
// also looks the company up ("Cerca") and sends the incarico with it.

import { getJSON, sendJSON } from '../api.mjs';
import { addressFields, callout, clearErrors, companySummary, countdown, fieldInput, loadInStatus, showErrors, showFieldError, waitNotice } from '../forms.mjs';
import { currentSession } from '../session.mjs';
import { bindDateInput, done, el, formatDate, sentence, showLoading } from '../ui.mjs';

/** Where a login started from the company form should continue (sessionStorage). */
const INTENT = 'tl_registrazione';
const ALIASES = { privacy_version: 'privacy_accepted', 'company.declaration_version': 'company.declaration_accepted' };

const link = (href, text, cls) => el('a', { href, class: cls }, text);

function loginFirst(company) {
  const accedi = link('/accedi/', 'Accedi con SPID, CIE o CNS', 'btn btn-primary');
  accedi.dataset.primary = '';
  if (company) accedi.addEventListener('click', () => sessionStorage.setItem(INTENT, 'azienda'));
  return callout('note', 'Accedi per registrarti',
    'Per registrarti a Toscana Lavoro devi prima accedere con la tua identità digitale: SPID, CIE o CNS. I tuoi dati anagrafici saranno compilati in automatico.',
    el('p', { class: 'mb-0' }, accedi));
}

function placeOfBirth(p) {
  if (!p) return '';
  if (p.abroad) return 'Stato estero';
  return p.name ? `${p.name}${p.province ? ` (${p.province})` : ''}` : p.code;
}

function fill(form, pre) {
  for (const input of form.querySelectorAll('[data-person]')) input.value = pre.person[input.dataset.person] ?? '';
  const date = fieldInput(form, 'date_of_birth');
  date.value = formatDate(pre.person.date_of_birth);
  if (!pre.read_only?.date_of_birth) {
    // not given by the identity provider (CNS): typed, pre-filled from the codice fiscale
    date.readOnly = false;
    date.setAttribute('aria-required', 'true');
    date.setAttribute('aria-describedby', 'anagrafica-data-aiuto');
    date.after(el('small', { id: 'anagrafica-data-aiuto', class: 'form-text' }, 'Scrivila come gg/mm/aaaa.'));
    bindDateInput(date)();
  }
  fieldInput(form, 'place_of_birth').value = placeOfBirth(pre.person.place_of_birth);
  fieldInput(form, 'email').value = pre.suggested?.email ?? '';
  fieldInput(form, 'mobile').value = pre.mobile_verified ?? pre.suggested?.mobile ?? '';
  if (pre.contacts_notice) document.getElementById('recapiti-nota').textContent = pre.contacts_notice;
  const role = fieldInput(form, 'company.role');
  if (role && Array.isArray(pre.roles)) role.replaceChildren(role.options[0], ...pre.roles.map((r) => el('option', { value: r.code }, r.label)));
  const declaration = document.getElementById('dichiarazione-testo');
  if (declaration && pre.declaration?.text) declaration.textContent = pre.declaration.text;
}

function otpRequest(form, csrf, pre) {
  const button = document.getElementById('richiedi-otp');
  const status = document.getElementById('otp-stato');
  const mobile = fieldInput(form, 'mobile');
  if (pre.mobile_verified) status.replaceChildren(el('p', { class: 'mb-0' }, `Il numero ${pre.mobile_verified} è già stato verificato: non serve un nuovo codice.`));
  button.addEventListener('click', async () => {
    clearErrors(mobile.closest('.mb-3'));
    status.replaceChildren();
    button.disabled = true;
    try {
      const r = await sendJSON('POST', '/api/registration/otp', { mobile: mobile.value }, csrf);
      const minutes = Math.round((r.expires_in ?? 600) / 60);
      status.replaceChildren(el('p', { class: 'mb-0' }, `Ti abbiamo inviato il codice via SMS al numero ${r.sent_to}: inseriscilo qui sopra entro ${minutes} minuti.`));
      countdown(button, r.resend_in ?? pre.otp?.resend_in ?? 60, 'Richiedi un nuovo codice OTP');
      fieldInput(form, 'otp').focus();
    } catch (e) {
      button.disabled = false;
      const f = e.fields.find((x) => x.field === 'mobile');
      if (f) showFieldError(mobile, f.message);
      else status.replaceChildren(waitNotice(e, 'Ora puoi chiedere un nuovo codice.'));
      if (e.retryAfter) countdown(button, e.retryAfter, button.dataset.label ?? button.textContent);
    }
  });
}

function companySearch(form) {
  const code = fieldInput(form, 'company.code');
  const found = document.getElementById('azienda-trovata');
  const button = document.getElementById('azienda-cerca');
  button.addEventListener('click', async () => {
    clearErrors(code.closest('.mb-3'));
    found.replaceChildren();
    if (!code.value.trim()) return showFieldError(code, "Inserisci il codice fiscale o la partita IVA dell'azienda.");
    try {
      const r = await getJSON(`/api/companies/lookup?code=${encodeURIComponent(code.value.trim())}`);
      found.replaceChildren(companySummary(r.company));
    } catch (e) {
      showFieldError(code, e.fields[0]?.message ?? e.message);
    }
  });
  // Enter in the code searches, it does not send the whole form
  code.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') { event.preventDefault(); button.click(); }
  });
}

function registered(status, r) {
  const hours = r.activation_expires_in_hours;
  const result = callout('success', 'Registrazione effettuata',
    `Ti abbiamo inviato un'e-mail all'indirizzo ${r.email} con il collegamento per attivare il tuo profilo: aprilo per completare la registrazione${hours ? ` (vale ${hours} ore)` : ''}. Finché il profilo non è attivo non puoi usare i servizi dell'area riservata.`,
    r.company ? sentence(`Con l'attivazione potrai operare per ${r.company.name}`) : null,
    el('p', { class: 'mb-0' }, "Non trovi l'e-mail? Controlla anche la posta indesiderata, oppure ", link('/accedi/non-attivo/', 'chiedi un nuovo collegamento'), '.'));
  status.replaceChildren(result);
  status.tabIndex = -1;
  status.focus();
}

export async function init() {
  const status = document.getElementById('registrazione-stato');
  const box = document.getElementById('registrazione');
  const form = document.getElementById('modulo-registrazione');
  const company = form.dataset.kind === 'company';
  showLoading(status);
  const session = await currentSession();
  if (!session.authenticated) {
    done(status);
    status.replaceChildren(loginFirst(company));
    return;
  }
  // a login started from the company form comes back here: continue there
  const intent = sessionStorage.getItem(INTENT);
  sessionStorage.removeItem(INTENT);
  if (!company && intent === 'azienda' && session.account === 'unregistered') {
    location.replace('/registrati/azienda/');
    return;
  }
  const pre = await loadInStatus(status, '/api/registration');
  if (!pre) return;
  if (pre.status === 'pending') {
    status.replaceChildren(callout('note', 'Registrazione già inviata',
      `Hai già inviato la registrazione: per completarla apri il collegamento di attivazione che ti abbiamo inviato${pre.pending?.email ? ` all'indirizzo ${pre.pending.email}` : ''}.`,
      el('p', { class: 'mb-0' }, link('/accedi/non-attivo/', 'Chiedi un nuovo collegamento di attivazione'))));
    return;
  }
  if (pre.status === 'active') {
    status.replaceChildren(callout('success', 'Sei già registrato',
      'Il tuo profilo su Toscana Lavoro è attivo.',
      el('p', { class: 'mb-0' }, company ? 'Per aggiungere un\'azienda vai alla sezione Aziende de ' : 'Puoi aggiornare i tuoi dati da ',
        link(company ? '/cittadino/profilo/#aziende' : '/cittadino/profilo/', 'Il mio profilo'), '.')));
    return;
  }
  status.replaceChildren();
  fill(form, pre);
  box.hidden = false;
  const addresses = addressFields(form);
  otpRequest(form, session.csrf_token, pre);
  if (company) companySearch(form);

  const submit = form.querySelector('button[type="submit"]');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = (name) => fieldInput(form, name).value.trim();
    const checked = (name) => fieldInput(form, name).checked;
    const body = {
      kind: company ? 'company' : 'citizen',
      ...addresses.read(),
      email: value('email'),
      email_confirm: value('email_confirm'),
      mobile: value('mobile'),
      otp: value('otp'),
      privacy_accepted: checked('privacy_accepted'),
      privacy_version: pre.privacy?.version,
    };
    const date = fieldInput(form, 'date_of_birth');
    if (!date.readOnly) body.date_of_birth = date.dataset.iso ?? date.value.trim();
    if (company) {
      body.company = {
        code: value('company.code'),
        role: value('company.role'),
        declaration_accepted: checked('company.declaration_accepted'),
        declaration_version: pre.declaration?.version,
      };
    }
    submit.disabled = true;
    try {
      const r = await sendJSON('POST', '/api/registration', body, session.csrf_token);
      box.hidden = true;
      registered(status, r);
    } catch (e) {
      showErrors(form, e, ALIASES);
    } finally {
      submit.disabled = false;
    }
  });
}
