// /azienda/comunicazioni-obbligatorie/ (B2), for a person acting for a company: choose the
// province, then the portal's single-use hand-off starts that CO site's login (OIDC).
// API: GET /api/oidc/partners, POST /api/oidc/handoff.

import { getJSON, sendJSON } from '../api.mjs';
import { activeSession } from '../cv.mjs';
import { callout } from '../forms.mjs';
import { done, el, showError, showLoading } from '../ui.mjs';

export async function init() {
  const status = document.getElementById('co-stato');
  showLoading(status);
  const session = await activeSession(status, 'accedere alle Comunicazioni Obbligatorie', { comeBack: true });
  if (!session) return;
  if (!session.acting_as) {
    done(status);
    status.replaceChildren(callout('note', 'Scegli per quale azienda operi',
      'Le Comunicazioni Obbligatorie si inviano per conto di un\'azienda.',
      'Apri il menu con il tuo nome in alto a destra e scegli l\'azienda sotto «Opera come». Se non hai ancora un incarico, puoi prenderlo dal tuo profilo.',
      el('p', { class: 'mb-0' }, el('a', { href: '/cittadino/profilo/#aziende' }, 'Vai agli incarichi del tuo profilo'))));
    return;
  }
  let partners;
  try {
    partners = (await getJSON('/api/oidc/partners')).items.filter((p) => p.kind === 'co');
  } catch (e) {
    showError(status, e.message, init);
    return;
  }
  done(status);
  status.replaceChildren();
  document.getElementById('co-app').hidden = false;
  document.getElementById('co-azienda').replaceChildren('Stai operando per ', el('strong', {}, session.acting_as.name), /[.!?]$/.test(session.acting_as.name) ? '' : '.');
  const list = document.getElementById('co-province');
  list.replaceChildren(...partners.map((p, i) => el('div', { class: 'form-check' },
    el('input', { class: 'form-check-input', type: 'radio', name: 'provincia', id: `co-p-${i}`, value: p.client_id, required: true }),
    el('label', { class: 'form-check-label', for: `co-p-${i}` }, p.name))));
  const notice = document.getElementById('co-esito');
  document.getElementById('co-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const chosen = list.querySelector('input:checked');
    if (!chosen) {
      notice.replaceChildren(callout('danger', 'Scegli la provincia', 'Indica la provincia delle Comunicazioni Obbligatorie a cui vuoi accedere.'));
      notice.focus();
      return;
    }
    try {
      const { url } = await sendJSON('POST', '/api/oidc/handoff', { client_id: chosen.value }, session.csrf_token);
      window.location.assign(url);
    } catch (e) {
      notice.replaceChildren(callout('danger', 'Accesso non riuscito', e.message));
      notice.focus();
    }
  });
}
