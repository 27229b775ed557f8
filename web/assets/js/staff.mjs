// The back office's pages (/operatore/…): who may use them. GET /api/staff/me says the
// person's roles, the CPIs they may work for and the one they work for now; the area's
// menu and cards marked data-staff="operator" or "admin" are shown only to who has
// that role, and a page that needs a role says what to do when the person lacks it.

import { getJSON } from './api.mjs';
import { activeSession } from './cv.mjs';
import { callout } from './forms.mjs';
import { done, el, showError } from './ui.mjs';

/** Operator services need a CPI to work for; administration needs the administrator role. */
function hideServices(me) {
  for (const node of document.querySelectorAll('[data-staff]')) {
    const role = node.dataset.staff;
    node.hidden = role === 'admin' ? !me.admin : me.cpis.length === 0;
  }
}

/**
 * The session and /api/staff/me when the person may use a page that needs `need`
 * (`operator`: an operator working for a CPI now; `admin`; `any`: some role); otherwise
 * shows in `status` why not and resolves to null.
 */
export async function staffContext(status, need, what) {
  const session = await activeSession(status, what, { comeBack: true });
  if (!session) return null;
  let me;
  try {
    me = await getJSON('/api/staff/me');
  } catch (e) {
    showError(status, e.message, () => location.reload());
    return null;
  }
  done(status);
  hideServices(me);
  const say = (title, ...text) => { status.replaceChildren(callout('note', title, ...text)); return null; };
  if (!me.roles?.length) {
    return say('Area riservata',
      'Quest\'area è riservata agli operatori dei Centri per l\'impiego e agli amministratori del portale.',
      'Se lavori in un Centro per l\'impiego, chiedi a un amministratore di assegnarti il ruolo di operatore.');
  }
  if (need === 'admin' && !me.admin) {
    return say('Riservato agli amministratori', el('p', { class: 'mb-0' }, 'Questa pagina è riservata agli amministratori del portale. Torna all\'',
      el('a', { href: '/operatore/' }, 'Area operatore'), '.'));
  }
  if (need === 'operator') {
    if (!me.cpis.length) {
      return say('Riservato agli operatori', el('p', { class: 'mb-0' }, 'Questa pagina è riservata agli operatori dei Centri per l\'impiego. Torna all\'',
        el('a', { href: '/operatore/' }, 'Area operatore'), '.'));
    }
    if (!me.working_cpi) {
      return say('Scegli il Centro per l\'impiego', el('p', { class: 'mb-0' }, 'Sei operatore di più Centri per l\'impiego: scegli prima per quale operi, nell\'',
        el('a', { href: '/operatore/' }, 'Area operatore'), '.'));
    }
  }
  return { session, me };
}

/** "Centro per l'impiego di FIRENZE": the line the operator's pages start with. */
export function workingCpiLine(me) {
  return el('p', { class: 'lead' }, 'Operi per il Centro per l\'impiego di ', el('strong', {}, me.working_cpi.name), '.');
}
