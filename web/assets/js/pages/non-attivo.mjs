// /accedi/non-attivo/: where a login lands while the account waits for its activation
// link (A1). "Invia di nuovo il collegamento" asks for a new link (POST
// /api/registration/activation/resend); the form below sends it to a corrected
// address. Other states (not signed in, not registered, already active) say where to go.

import { sendJSON } from '../api.mjs';
import { callout, clearErrors, loadInStatus, showErrors, waitNotice } from '../forms.mjs';
import { currentSession } from '../session.mjs';
import { done, el, showLoading } from '../ui.mjs';

const link = (href, text) => el('a', { href }, text);

export async function init() {
  const status = document.getElementById('attivazione-stato');
  const box = document.getElementById('attivazione');
  showLoading(status);
  const session = await currentSession();
  if (!session.authenticated) {
    done(status);
    status.replaceChildren(callout('note', 'Accedi per continuare',
      'Per sapere se il tuo profilo è attivo, o per chiedere un nuovo collegamento di attivazione, accedi con SPID, CIE o CNS.',
      el('p', { class: 'mb-0' }, el('a', { href: '/accedi/', class: 'btn btn-primary', 'data-primary': '' }, 'Accedi'))));
    return;
  }
  const pre = await loadInStatus(status, '/api/registration');
  if (!pre) return;
  if (pre.status === 'unregistered') {
    status.replaceChildren(callout('note', 'Non sei ancora registrato',
      el('p', { class: 'mb-0' }, 'Per usare i servizi di Toscana Lavoro completa prima la ', link('/registrati/cittadino/', 'registrazione'), '.')));
    return;
  }
  if (pre.status === 'active') {
    status.replaceChildren(callout('success', 'Il tuo profilo è attivo',
      el('p', { class: 'mb-0' }, 'Puoi già usare i servizi dell\'area riservata. ', link('/', 'Vai alla pagina iniziale'), '.')));
    return;
  }
  status.replaceChildren();
  const email = document.getElementById('attivazione-email');
  const show = (address) => email.replaceChildren('Il collegamento è stato inviato all\'indirizzo ', el('strong', {}, address), '.');
  if (pre.pending?.email) show(pre.pending.email);
  box.hidden = false;

  const result = document.getElementById('invio-esito');
  const resend = document.getElementById('invia-di-nuovo');
  const form = document.getElementById('correggi-email');
  async function send(body, button) {
    result.replaceChildren();
    button.disabled = true;
    try {
      const r = await sendJSON('POST', '/api/registration/activation/resend', body, session.csrf_token);
      show(r.email);
      result.replaceChildren(callout('success', 'Collegamento inviato',
        `Ti abbiamo inviato un nuovo collegamento di attivazione all'indirizzo ${r.email}${r.activation_expires_in_hours ? `: vale ${r.activation_expires_in_hours} ore` : ''}. I collegamenti inviati prima non valgono più.`));
      return true;
    } catch (e) {
      if (e.fields.length) showErrors(form, e);
      else result.replaceChildren(waitNotice(e, 'Ora puoi chiedere un nuovo collegamento.'));
      return false;
    } finally {
      button.disabled = false;
    }
  }
  resend.addEventListener('click', () => send({}, resend));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const value = (id) => document.getElementById(id).value.trim();
    if (await send({ email: value('nuova-email'), email_confirm: value('nuova-email-conferma') }, form.querySelector('button'))) form.reset();
  });
}
