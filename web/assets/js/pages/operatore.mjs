// /operatore/ "Area operatore" (O1): the back office's landing. It says for which Centro
// per l'impiego the operator works and, to an operator of several, lets them choose
// (POST /api/staff/cpi, like "Opera come"); the services' cards and the area's menu
// show only what the person's roles allow (staff.mjs). API: GET /api/staff/me.

import { sendJSON } from '../api.mjs';
import { callout, showErrors } from '../forms.mjs';
import { displayName } from '../session.mjs';
import { staffContext } from '../staff.mjs';
import { el } from '../ui.mjs';

export async function init() {
  const status = document.getElementById('operatore-stato');
  const ctx = await staffContext(status, 'any', 'usare l\'area operatore');
  if (!ctx) return;
  const { session, me } = ctx;
  const roles = [me.admin ? 'amministratore' : null, me.cpis.length ? 'operatore CPI' : null].filter(Boolean).join(' e ');
  const person = session.person;
  const name = [person.name, person.family_name].filter(Boolean).join(' ') || displayName(person);
  status.replaceChildren(el('p', { class: 'lead' }, `${name}, hai il ruolo di ${roles}: qui trovi i servizi che puoi usare.`));
  if (!me.cpis.length) return;

  const box = document.getElementById('operatore-cpi');
  const current = document.getElementById('operatore-cpi-attuale');
  const form = document.getElementById('operatore-cpi-scelta');
  const select = document.getElementById('operatore-cpi-elenco');
  const notice = document.getElementById('operatore-cpi-esito');
  box.hidden = false;
  const say = (cpi) => {
    current.replaceChildren(...(cpi
      ? ['Operi per il Centro per l\'impiego di ', el('strong', {}, cpi.name), '.']
      : ['Sei operatore di più Centri per l\'impiego: scegli per quale operi ora.']));
  };
  say(me.working_cpi);
  if (me.cpis.length < 2) return;
  form.hidden = false;
  select.replaceChildren(
    ...(me.working_cpi ? [] : [el('option', { value: '' }, 'Scegli il Centro per l\'impiego')]),
    ...me.cpis.map((c) => el('option', { value: c.code, selected: c.code === me.working_cpi?.code }, c.name)));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!select.value) {
      showErrors(form, { message: '', fields: [{ field: 'cpi', message: 'Scegli il Centro per l\'impiego per cui operi.' }] });
      return;
    }
    try {
      const r = await sendJSON('POST', '/api/staff/cpi', { cpi: select.value }, session.csrf_token);
      form.querySelector('[data-error-summary]')?.remove();
      say(r.working_cpi);
      select.querySelector('option[value=""]')?.remove();
      notice.replaceChildren(el('div', { role: 'status' }, callout('success', 'Centro per l\'impiego scelto', `Ora operi per il Centro per l'impiego di ${r.working_cpi.name}.`)));
    } catch (e) {
      showErrors(form, e);
    }
  });
}
