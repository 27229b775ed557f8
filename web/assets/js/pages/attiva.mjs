// /registrati/attiva/?token=…: the activation e-mail's link as a page of the portal (the
// GET changes nothing, since mail scanners open links); «Attiva il profilo» POSTs the
// token as a form to /api/registration/activate, which answers 303 to
// /registrati/attivato/ or its own error page.

import { getJSON } from '../api.mjs';
import { callout } from '../forms.mjs';

function refuse(title, message) {
  document.getElementById('attiva').hidden = true;
  document.querySelector('main h1').textContent = 'Attivazione non riuscita';
  document.getElementById('attiva-stato').replaceChildren(callout('danger', title, message));
  // what to do now: sign in, and ask for a new link there
  document.querySelector('main a[href="/accedi/"]')?.setAttribute('data-primary', '');
}

export async function init() {
  const token = new URLSearchParams(location.search).get('token')?.trim() ?? '';
  if (!token) {
    refuse('Il collegamento non è completo',
      'Apri il collegamento esattamente come lo hai ricevuto per e-mail, oppure chiedine uno nuovo accedendo al portale.');
    return;
  }
  document.getElementById('attiva-token').value = token;
  // whether the link can still be used (expired, replaced by a newer one, used): asking
  // changes nothing, and the button shows only when it can
  const form = document.getElementById('attiva');
  form.hidden = true;
  try {
    await getJSON(`/api/registration/activate?token=${encodeURIComponent(token)}`);
    form.hidden = false;
  } catch (e) {
    refuse('Il collegamento non è più valido', e.message);
  }
}
