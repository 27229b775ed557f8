// Who is signed in, from GET /api/session (the SSO component; never cached), and the
// header's user menu: when signed in, "Accedi"/"Registrati" give way to the person's
// name in capitals — "MARIO ROSSI (ACME S.R.L.)" while acting for a company (A3) —
// which opens a menu:
// - with an active account, "Opera come": "Cittadino" and the person's companies
//   (GET /api/session/act-as at every opening); choosing one POSTs act-as with the
//   CSRF token and goes to that area's landing page; then the menu of whom one acts
//   as (the company's area and services, or the citizen's) and "Il mio profilo";
//   "Area operatore" for a CPI operator or an administrator (GET /api/staff/me, asked
//   once, at the first opening);
// - a pending or unregistered account: the way to finish the registration;
// - "Esci" (a plain form POSTing to /auth/logout with the session's CSRF token).
// Anything but a valid answer (service missing or down, network error, malformed
// JSON) counts as not signed in, silently.

import { getJSON, sendJSON } from './api.mjs';
import { disclosure } from './disclosure.mjs';
import { el, icon } from './ui.mjs';

const ANONYMOUS = Object.freeze({ authenticated: false });

let pending = null;

async function load() {
  try {
    const response = await fetch('/api/session', {
      headers: { accept: 'application/json' },
      cache: 'no-store',
      credentials: 'same-origin',
    });
    if (!response.ok) return ANONYMOUS;
    const body = await response.json();
    if (body?.authenticated === true && body.person && typeof body.csrf_token === 'string') return body;
  } catch {
    // not signed in, as far as this page can tell
  }
  return ANONYMOUS;
}

/** The session, fetched once per page: {authenticated: false} or the SSO's JSON. */
export function currentSession() {
  pending ??= load();
  return pending;
}

/** "MARIO ROSSI": name and family name in capitals (the fiscal code when both are missing). */
export function displayName(person) {
  const name = [person?.name, person?.family_name].filter((s) => typeof s === 'string' && s.trim()).join(' ');
  return (name || person?.fiscal_code || '').trim().toLocaleUpperCase('it-IT');
}

/** The header's label: "MARIO ROSSI", or "MARIO ROSSI (ACME S.R.L.)" when acting for a company. */
export function headerLabel(session) {
  const name = displayName(session.person);
  return session.acting_as?.name ? `${name} (${session.acting_as.name})` : name;
}

/** The personal area of a company by its kind (companies.kind). */
export function areaOf(kind) {
  return { agency: '/agenzia/area/', professional_firm: '/professionista/area/' }[kind] ?? '/azienda/area/';
}

export const AREA_LABEL = { company: 'Area azienda', agency: 'Area agenzia', professional_firm: 'Area professionista' };
export const CITIZEN_AREA = '/cittadino/area/';

const menuLink = (href, iconName, text) =>
  el('a', { href, class: 'user-menu-item' }, icon(iconName, 'me-2'), text);

/** "Opera come": Cittadino and the companies of the person's incarichi. */
async function fillRoles(list, session) {
  list.setAttribute('aria-busy', 'true');
  list.replaceChildren(el('li', { class: 'user-menu-note' }, 'Caricamento…'));
  let data;
  try {
    data = await getJSON('/api/session/act-as');
  } catch (e) {
    list.removeAttribute('aria-busy');
    // (the alert inside the item: an item with another role would break the list)
    list.replaceChildren(el('li', { class: 'user-menu-note' }, el('span', { role: 'alert' }, e.message)));
    return;
  }
  const acting = data.acting_as?.company_id ?? null;
  const choose = (body, target) => async () => {
    try {
      await sendJSON('POST', '/api/session/act-as', body, session.csrf_token);
      location.assign(target);
    } catch (e) {
      list.append(el('li', { class: 'user-menu-note' }, el('span', { role: 'alert' }, e.message)));
    }
  };
  const option = (label, detail, current, onclick) => el('li', {},
    el('button', { type: 'button', class: 'btn btn-link user-menu-item', 'aria-current': current ? 'true' : null, onclick },
      icon(current ? 'it-check' : 'it-arrow-right', 'me-2'),
      el('span', {}, label, detail ? el('span', { class: 'd-block small fw-normal' }, detail) : null)));
  list.removeAttribute('aria-busy');
  list.replaceChildren(
    option('Cittadino', null, acting === null, choose({ citizen: true }, CITIZEN_AREA)),
    ...(data.options ?? []).map((o) => option(o.company.name, o.company.kind_label, acting === o.company_id,
      choose({ company_id: o.company_id }, areaOf(o.company.kind)))),
  );
}

let staffAsked = null;

/** "Area operatore" in the menu when the person has a back-office role (asked once a page). */
function fillStaff(slot) {
  staffAsked ??= getJSON('/api/staff/me').then((me) => Array.isArray(me?.roles) && me.roles.length > 0, () => false);
  staffAsked.then((staff) => {
    if (staff && !slot.firstChild) slot.replaceChildren(menuLink('/operatore/', 'it-settings', 'Area operatore'));
  });
}

function menu(session) {
  const parts = [];
  if (session.account === 'active') {
    const roles = el('ul', { id: 'menu-utente-ruoli', class: 'list-unstyled mb-0', 'aria-labelledby': 'menu-utente-opera' });
    // the header may cut a long name short: whom one acts for, in full
    if (session.acting_as) parts.push(el('p', { class: 'user-menu-acting' }, 'Stai operando per ', el('strong', {}, session.acting_as.name)));
    parts.push(el('p', { id: 'menu-utente-opera', class: 'user-menu-title' }, 'Opera come'), roles);
    // the menu of whom one acts as: the company's services, or the citizen's
    const links = session.acting_as
      ? [menuLink(areaOf(session.acting_as.kind), 'it-pa', AREA_LABEL[session.acting_as.kind] ?? 'Area azienda'),
        menuLink('/azienda/candidature/', 'it-files', 'Offerte e candidature'),
        menuLink('/azienda/ricerca-cv/', 'it-search', 'Ricerca curriculum'),
        menuLink('/azienda/colloqui/', 'it-video', 'Colloqui online')]
      : [menuLink(CITIZEN_AREA, 'it-pa', 'La mia area'),
        menuLink('/cittadino/curriculum/', 'it-file', 'Gestione Curriculum Vitae'),
        menuLink('/cittadino/candidature/', 'it-files', 'Visualizza candidature'),
        menuLink('/cittadino/richieste-cv/', 'it-mail', 'Richieste curriculum vitae'),
        menuLink('/cittadino/appuntamenti/', 'it-calendar', 'Appuntamenti CPI'),
        menuLink('/cittadino/colloqui/', 'it-video', 'Colloqui online')];
    links.push(menuLink('/cittadino/profilo/', 'it-user', 'Il mio profilo'));
    const staff = el('div', { 'data-staff-link': true });
    links.push(staff);
    parts.push(el('div', { class: 'user-menu-group' }, links));
    return { parts, onOpen: () => { fillRoles(roles, session); fillStaff(staff); } };
  }
  if (session.account === 'pending') parts.push(menuLink('/accedi/non-attivo/', 'it-mail', 'Attiva il profilo'));
  if (session.account === 'unregistered') parts.push(menuLink('/registrati/cittadino/', 'it-pencil', 'Completa la registrazione'));
  return { parts, onOpen: null };
}

/**
 * On the home page and the public section pages, a signed-in person is pointed to
 * their area ([data-area-hint]): the company's while acting for one.
 */
function areaHint(session) {
  const box = document.querySelector('[data-area-hint]');
  if (!box || session.account !== 'active') return;
  const acting = session.acting_as;
  const [href, label] = acting ? [areaOf(acting.kind), AREA_LABEL[acting.kind] ?? 'Area azienda'] : [CITIZEN_AREA, 'La mia area'];
  box.replaceChildren(el('div', { class: 'callout note area-hint' },
    el('div', { class: 'callout-title' }, acting ? `Stai operando per ${acting.name}` : 'Hai effettuato l\'accesso'),
    el('p', { class: 'mb-0' }, acting ? 'I servizi che puoi usare per suo conto sono nell\'' : 'I servizi che puoi usare sono in ',
      el('a', { href }, label), '.')));
}

/** Replaces the header's Accedi/Registrati with the user menu when signed in. */
export async function initUserMenu() {
  const session = await currentSession();
  const zone = document.querySelector('[data-user-zone]');
  if (!session.authenticated || !zone) return;
  areaHint(session);

  const button = el('button', { type: 'button', class: 'btn btn-sm user-menu-toggle' },
    icon('it-user', 'me-1'), el('span', {}, headerLabel(session)), icon('it-expand', 'ms-1'));
  const { parts, onOpen } = menu(session);
  const panel = el('div', { id: 'menu-utente', class: 'user-menu shadow' },
    ...parts,
    el('form', { method: 'post', action: '/auth/logout', class: parts.length ? 'user-menu-group' : null },
      el('input', { type: 'hidden', name: 'csrf_token', value: session.csrf_token }),
      el('button', { type: 'submit', class: 'btn btn-link user-menu-item' }, icon('it-logout', 'me-2'), 'Esci')));
  zone.replaceChildren(el('div', { class: 'user-menu-wrapper' }, button, panel));
  disclosure(button, panel, { onOpen });
}

/** Reads the session again and redraws the header (after a change of whom one acts for). */
export function refreshUserMenu() {
  pending = null;
  return initUserMenu();
}
