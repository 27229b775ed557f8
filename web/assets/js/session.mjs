// Who is signed in, from GET /api/session (the SSO component; never cached), and the
// header's user menu: when signed in, "Accedi"/"Registrati" give way to the person's
// name in capitals, which opens a menu with "Esci" (a plain form POSTing to
// /auth/logout with the session's CSRF token). Anything but a valid answer (service
// missing or down, network error, malformed JSON) counts as not signed in, silently.

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

/** Replaces the header's Accedi/Registrati with the user menu when signed in. */
export async function initUserMenu() {
  const session = await currentSession();
  const zone = document.querySelector('[data-user-zone]');
  if (!session.authenticated || !zone) return;

  const button = el('button', { type: 'button', class: 'btn btn-sm user-menu-toggle' },
    icon('it-user', 'me-1'), el('span', {}, displayName(session.person)), icon('it-expand', 'ms-1'));
  const panel = el('div', { id: 'menu-utente', class: 'user-menu shadow' },
    el('form', { method: 'post', action: '/auth/logout' },
      el('input', { type: 'hidden', name: 'csrf_token', value: session.csrf_token }),
      el('button', { type: 'submit', class: 'btn btn-link user-menu-item' }, icon('it-logout', 'me-2'), 'Esci')));
  zone.replaceChildren(el('div', { class: 'user-menu-wrapper' }, button, panel));
  disclosure(button, panel);
}
