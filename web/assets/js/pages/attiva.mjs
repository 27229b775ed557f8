// /registrati/attiva/?token=…: the activation e-mail's link as a page of the portal (the
// GET changes nothing, since mail scanners open links); «Attiva il profilo» POSTs the
// token as a form to /api/registration/activate, which answers 303 to
// /registrati/attivato/ or its own error page.

import { callout } from '../forms.mjs';

export function init() {
  const token = new URLSearchParams(location.search).get('token')?.trim() ?? '';
  if (!token) {
    document.getElementById('attiva').hidden = true;
    document.getElementById('attiva-stato').replaceChildren(callout('danger', 'Il collegamento non è completo',
      'Apri il collegamento esattamente come lo hai ricevuto per e-mail, oppure chiedine uno nuovo accedendo al portale.'));
    return;
  }
  document.getElementById('attiva-token').value = token;
}
