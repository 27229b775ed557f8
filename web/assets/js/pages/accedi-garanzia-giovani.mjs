// /cittadino/accedi-garanzia-giovani/ "Accedi a Garanzia Giovani" (C7), for a registered
// citizen: the portal's single-use hand-off starts Garanzia Giovani's login (OIDC).
// API: GET /api/oidc/partners, POST /api/oidc/handoff.

import { getJSON, sendJSON } from '../api.mjs';
import { activeSession } from '../cv.mjs';
import { callout } from '../forms.mjs';
import { done, showError, showLoading } from '../ui.mjs';

export async function init() {
  const status = document.getElementById('gg-stato');
  showLoading(status);
  const session = await activeSession(status, 'accedere a Garanzia Giovani', { comeBack: true });
  if (!session) return;
  let partner;
  try {
    partner = (await getJSON('/api/oidc/partners')).items.find((p) => p.kind === 'gg');
  } catch (e) {
    showError(status, e.message, init);
    return;
  }
  done(status);
  status.replaceChildren();
  if (!partner) {
    status.replaceChildren(callout('note', 'Servizio non disponibile', 'Il collegamento con Garanzia Giovani non è attivo in questo momento.'));
    return;
  }
  document.getElementById('gg-app').hidden = false;
  const notice = document.getElementById('gg-esito');
  document.getElementById('gg-vai').addEventListener('click', async () => {
    try {
      const { url } = await sendJSON('POST', '/api/oidc/handoff', { client_id: partner.client_id }, session.csrf_token);
      window.location.assign(url);
    } catch (e) {
      notice.replaceChildren(callout('danger', 'Accesso non riuscito', e.message));
      notice.focus();
    }
  });
}
