// /cittadino/miei-dati/ "Scarica i miei dati" (X8, GDPR art. 20): a ZIP of everything
// the portal holds about the person. API: GET /api/records/export.

import { activeSession } from '../cv.mjs';
import { done, showLoading } from '../ui.mjs';

export async function init() {
  const status = document.getElementById('dati-stato');
  showLoading(status);
  const session = await activeSession(status, 'scaricare i tuoi dati', { comeBack: true });
  if (!session) return;
  done(status);
  status.replaceChildren();
  document.getElementById('dati-app').hidden = false;
}
