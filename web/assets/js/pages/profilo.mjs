// /cittadino/profilo/ "Il mio profilo" (A2): tabs Dati personali, Professionista,
// Aziende, Agenzie (the address's #hash opens one). Dati personali: the identity
// (read-only), addresses and contacts (PUT /api/profile); a new e-mail address or
// mobile number is verified with a code sent to it (POST /api/profile/otp) and typed
// in the form. The incarichi tabs are incarichi.mjs. Siti collegati: the partner sites
// the person consented to (GET /api/oidc/consents), each with "Revoca"
// (DELETE /api/oidc/consents/<client>).

import { getJSON, sendJSON } from '../api.mjs';
import { addressFields, callout, clearErrors, countdown, fieldInput, fillAddress, showErrors, showFieldError, waitNotice } from '../forms.mjs';
import { incarichiSection } from '../incarichi.mjs';
import { currentSession } from '../session.mjs';
import { confirmDialog, done, el, formatDate, showError, showLoading } from '../ui.mjs';

/** WAI-ARIA tabs: arrows move between tabs, the #hash names the open panel. */
function tabs(root) {
  const all = [...root.querySelectorAll('[role="tab"]')];
  const select = (tab, { focus = false, hash = false } = {}) => {
    for (const t of all) {
      const on = t === tab;
      t.setAttribute('aria-selected', String(on));
      t.classList.toggle('active', on);
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute('aria-controls')).hidden = !on;
    }
    if (focus) tab.focus();
    if (hash) history.replaceState(null, '', `#${tab.getAttribute('aria-controls')}`);
  };
  const byHash = () => all.find((t) => `#${t.getAttribute('aria-controls')}` === location.hash);
  for (const [i, tab] of all.entries()) {
    tab.addEventListener('click', () => select(tab, { hash: true }));
    tab.addEventListener('keydown', (event) => {
      const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: all.length - 1 }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      select(all[(next + all.length) % all.length], { focus: true, hash: true });
    });
  }
  window.addEventListener('hashchange', () => { const t = byHash(); if (t) select(t, { focus: true }); });
  select(byHash() ?? all[0]);
}

/** "Siti collegati": the partners consented to, each with "Revoca". */
async function partnerSites(session) {
  const list = document.getElementById('siti-elenco');
  const notice = document.getElementById('siti-esito');
  let items;
  try {
    items = (await getJSON('/api/oidc/consents')).items;
  } catch (e) {
    showError(list, e.message, () => partnerSites(session));
    return;
  }
  if (!items.length) {
    list.replaceChildren(el('p', {}, 'Non hai ancora usato Toscana Lavoro per accedere ad altri siti.'));
    return;
  }
  list.replaceChildren(el('ul', { class: 'list-unstyled' }, ...items.map((c) => el('li', { class: 'd-flex flex-wrap align-items-center gap-3 mb-2' },
    el('span', {}, el('strong', {}, c.name), ` — consenso dato il ${new Date(c.granted_at * 1000).toLocaleDateString('it-IT')}`),
    el('button', {
      type: 'button', class: 'btn btn-outline-danger btn-sm', 'aria-label': `Revoca il consenso a ${c.name}`,
      onclick: async () => {
        if (!await confirmDialog({ title: 'Revocare il consenso?', text: `${c.name} non riceverà più i tuoi dati finché non acconsentirai di nuovo.`, confirm: 'Revoca' })) return;
        try {
          await sendJSON('DELETE', `/api/oidc/consents/${encodeURIComponent(c.client_id)}`, {}, session.csrf_token);
          notice.replaceChildren(callout('success', 'Consenso revocato', `${c.name} non riceverà più i tuoi dati.`));
        } catch (e) {
          notice.replaceChildren(callout('danger', 'Revoca non riuscita', e.message));
        }
        notice.focus();
        partnerSites(session);
      },
    }, 'Revoca')))));
}

/** A mobile number as the API stores it (+39…), to tell whether it changed. */
export function normalMobile(v) {
  let s = String(v ?? '').replace(/[\s.\-/()]/g, '');
  if (s.startsWith('0039')) s = `+${s.slice(2)}`;
  if (/^3\d{8,9}$/.test(s)) s = `+39${s}`;
  return s;
}

function identity(p) {
  const place = p.place_of_birth?.abroad ? 'Stato estero'
    : [p.place_of_birth?.name ?? p.place_of_birth?.code, p.place_of_birth?.province && `(${p.place_of_birth.province})`].filter(Boolean).join(' ');
  return [['Codice fiscale', p.fiscal_code], ['Cognome', p.family_name], ['Nome', p.name], ['Data di nascita', formatDate(p.date_of_birth)], ['Comune di nascita', place]]
    .flatMap(([k, v]) => [el('dt', { class: 'col-sm-4' }, k), el('dd', { class: 'col-sm-8' }, v ?? '')]);
}

function personal(profile, session) {
  const form = document.getElementById('modulo-profilo');
  const result = document.getElementById('profilo-esito');
  const addresses = addressFields(form);
  const input = (name) => fieldInput(form, name);
  let current = profile;

  const fill = (p) => {
    current = p;
    document.getElementById('profilo-anagrafica').replaceChildren(...identity(p.person));
    document.getElementById('profilo-info').textContent = [
      p.registered_at && `Registrato il ${formatDate(p.registered_at)}`,
      p.activated_at && `profilo attivo dal ${formatDate(p.activated_at)}`,
      p.privacy?.accepted_at && `informativa sul trattamento dei dati accettata il ${formatDate(p.privacy.accepted_at)}`,
    ].filter(Boolean).join('; ') + '.';
    fillAddress(form, 'residence', p.residence);
    input('domicile_same').checked = p.domicile_same;
    fillAddress(form, 'domicile', p.domicile_same ? null : p.domicile);
    addresses.sync();
    input('email').value = p.email;
    input('email_confirm').value = p.email;
    input('mobile').value = p.mobile;
    for (const name of ['email_otp', 'mobile_otp']) input(name).value = '';
    changed();
  };
  // the verification of a new address or number appears when it changes
  const changed = () => {
    document.getElementById('verifica-email').hidden = input('email').value.trim().toLowerCase() === current.email.toLowerCase();
    document.getElementById('verifica-cellulare').hidden = normalMobile(input('mobile').value) === current.mobile;
  };
  input('email').addEventListener('input', changed);
  input('mobile').addEventListener('input', changed);

  for (const button of form.querySelectorAll('[data-otp]')) {
    const channel = button.dataset.otp;
    const field = channel === 'sms' ? 'mobile' : 'email';
    const status = form.querySelector(`[data-otp-status="${channel}"]`);
    button.addEventListener('click', async () => {
      clearErrors(input(field).closest('.mb-3'));
      status.replaceChildren();
      button.disabled = true;
      try {
        const r = await sendJSON('POST', '/api/profile/otp', { channel, [field]: input(field).value.trim() }, session.csrf_token);
        const minutes = Math.round((r.expires_in ?? 600) / 60);
        status.replaceChildren(el('p', { class: 'mb-0' }, `Ti abbiamo inviato il codice ${channel === 'sms' ? 'via SMS al numero' : "all'indirizzo"} ${r.sent_to}: inseriscilo entro ${minutes} minuti.`));
        countdown(button, r.resend_in ?? 60, channel === 'sms' ? 'Richiedi un nuovo codice OTP' : 'Invia un nuovo codice');
        input(`${field}_otp`).focus();
      } catch (e) {
        button.disabled = false;
        const f = e.fields.find((x) => x.field === field);
        if (f) showFieldError(input(field), f.message);
        else status.replaceChildren(waitNotice(e, 'Ora puoi chiedere un nuovo codice.'));
        if (e.retryAfter) countdown(button, e.retryAfter);
      }
    });
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    result.replaceChildren();
    const value = (name) => input(name).value.trim();
    const body = { ...addresses.read(), email: value('email'), email_confirm: value('email_confirm'), mobile: value('mobile') };
    if (!document.getElementById('verifica-email').hidden) body.email_otp = value('email_otp');
    if (!document.getElementById('verifica-cellulare').hidden) body.mobile_otp = value('mobile_otp');
    const submit = form.querySelector('button[type="submit"]');
    submit.disabled = true;
    try {
      const p = await sendJSON('PUT', '/api/profile', body, session.csrf_token);
      clearErrors(form);
      fill(p);
      result.replaceChildren(callout('success', 'Dati aggiornati', 'Le modifiche ai tuoi dati sono state salvate.'));
    } catch (e) {
      showErrors(form, e);
    } finally {
      submit.disabled = false;
    }
  });
  fill(profile);
}

export async function init() {
  const status = document.getElementById('profilo-stato');
  const box = document.getElementById('profilo');
  showLoading(status);
  const session = await currentSession();
  const say = (title, ...text) => { done(status); status.replaceChildren(callout('note', title, ...text)); };
  if (!session.authenticated) {
    return say('Accedi per vedere il tuo profilo', 'Il profilo è nell\'area riservata: accedi con SPID, CIE o CNS.',
      el('p', { class: 'mb-0' }, el('a', { href: '/accedi/', class: 'btn btn-primary', 'data-primary': '' }, 'Accedi')));
  }
  if (session.account === 'unregistered') {
    return say('Non sei ancora registrato', el('p', { class: 'mb-0' }, 'Per avere un profilo completa la ', el('a', { href: '/registrati/cittadino/' }, 'registrazione'), '.'));
  }
  if (session.account === 'pending') {
    return say('Il tuo profilo non è ancora attivo', el('p', { class: 'mb-0' }, 'Apri il collegamento di attivazione che ti abbiamo inviato per e-mail, oppure ', el('a', { href: '/accedi/non-attivo/' }, 'chiedine uno nuovo'), '.'));
  }
  let profile;
  try {
    profile = await getJSON('/api/profile');
  } catch (e) {
    showError(status, e.message, () => location.reload());
    return;
  }
  done(status);
  status.replaceChildren(el('p', { class: 'lead' }, `${profile.person.name} ${profile.person.family_name}, qui trovi i tuoi dati e gli incarichi per cui puoi operare su Toscana Lavoro.`));
  box.hidden = false;
  personal(profile, session);
  for (const panel of box.querySelectorAll('[data-section]')) incarichiSection(panel, session);
  partnerSites(session);
  tabs(box);
}
