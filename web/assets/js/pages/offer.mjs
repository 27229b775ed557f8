// An offer's page (/offerte/<code>, rendered by the offers component): "Torna
// all'elenco" and the breadcrumb go back to the search the person came from in this
// tab (offers.mjs keeps it in sessionStorage), not to the bare list; "Compila
// candidatura" (shown by the component when the offer is open and takes applications
// online) opens the application form, after login when there is no session: the
// Accedi page carries the form's address in `next`, and the SSO comes back to it.

import { loginHref } from '../cv.mjs';
import { currentSession } from '../session.mjs';
import { LAST_SEARCH_KEY } from './offers.mjs';

/** The application form's address for offer `code`. */
export const applyPath = (code) => `/cittadino/candidatura/?offerta=${encodeURIComponent(code)}`;

/** Where "Compila candidatura" leads: the form, or Accedi coming back to it. */
export function applyHref(code, signedIn) {
  return signedIn ? applyPath(code) : loginHref(applyPath(code));
}

export async function init() {
  const search = sessionStorage.getItem(LAST_SEARCH_KEY);
  if (search && /^\?[^#]*$/.test(search)) {
    for (const a of document.querySelectorAll('main a[href="/cittadino/offerte/"]')) a.setAttribute('href', `/cittadino/offerte/${search}`);
  }
  // the button's own address names the offer (?offerta=)
  const apply = [...document.querySelectorAll('main a[href*="offerta="]')].filter((a) => /Compila candidatura/i.test(a.textContent));
  if (!apply.length) return;
  const session = await currentSession();
  for (const a of apply) {
    const code = new URL(a.href, location.origin).searchParams.get('offerta');
    if (code) {
      a.setAttribute('href', applyHref(code, session.authenticated));
      a.dataset.ready = '';
    }
  }
}
