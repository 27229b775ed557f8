// Accedi: "Entra con SPID" (drawn as AgID's SPID button kit: the official icon on
// #06c, Titillium Web semibold; site.css .spid-button) opens the list of SPID identity
// providers (GET /auth/spid/idps, fetched at the first opening, shown in random order
// as the official SPID button does); "Entra con CIE" and "Entra con CNS" are plain links.
// All three carry data-requires-consent: before the cookie notice is accepted,
// consent.mjs cancels their clicks, and a cancelled click does not open the list.
// The page's own `?next=` (a path of this site, e.g. the application form "Compila
// candidatura" opens) goes with each login, and the SSO comes back to it.

import { getJSON } from '../api.mjs';
import { disclosure } from '../disclosure.mjs';
import { currentSession, displayName } from '../session.mjs';
import { done, el, icon, showError, showLoading } from '../ui.mjs';

/** A shuffled copy (Fisher–Yates); `random` returns numbers in [0, 1). */
export function shuffle(items, random = Math.random) {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Keeps the providers with a name and a login address on this site. */
export function usableIdps(items, origin) {
  return (Array.isArray(items) ? items : []).filter((idp) => {
    if (typeof idp?.name !== 'string' || !idp.name.trim() || typeof idp.login_url !== 'string') return false;
    try {
      return new URL(idp.login_url, origin).origin === origin;
    } catch {
      return false;
    }
  });
}

/** `next` when it is a path of this site ("/…", not "//host" nor "/\\host"), else null. */
export function localNext(next) {
  if (typeof next !== 'string' || !/^\/(?![/\\])/.test(next) || /[\u0000-\u001f\u007f]/.test(next) || next.length > 1000) return null;
  return next;
}

/** A login address (`href`, of this site) that carries `next` (when there is one). */
export function withNext(href, next, origin) {
  if (!next) return href;
  const url = new URL(href, origin);
  url.searchParams.set('next', next);
  return url.origin === origin ? `${url.pathname}${url.search}` : href;
}

function idpList(items) {
  if (items.length === 0) {
    return el('p', { class: 'px-3 mb-2' }, 'Nessun gestore SPID disponibile al momento. Riprova più tardi o accedi con CIE o CNS.');
  }
  return el('ul', { class: 'list-unstyled mb-0 login-menu-list', 'aria-labelledby': 'spid-gestori-titolo' },
    items.map((idp) => el('li', {}, el('a', { href: idp.login_url, class: 'login-menu-item' }, idp.name))));
}

export function init() {
  const button = document.getElementById('spid-accesso');
  const panel = document.getElementById('spid-gestori');
  const list = document.getElementById('spid-elenco');
  button.append(icon('it-expand', 'icon-white spid-button-expand'));
  const next = localNext(new URLSearchParams(location.search).get('next'));
  for (const a of document.querySelectorAll('#metodi-accesso a.login-button')) a.setAttribute('href', withNext(a.getAttribute('href'), next, location.origin));

  let loading = null;
  async function load() {
    showLoading(list, 'Caricamento dei gestori SPID…');
    try {
      const data = await getJSON('/auth/spid/idps');
      done(list);
      const idps = usableIdps(data.items, location.origin).map((idp) => ({ ...idp, login_url: withNext(idp.login_url, next, location.origin) }));
      list.replaceChildren(idpList(shuffle(idps)));
    } catch (e) {
      loading = null; // opening the list again tries again
      showError(list, `Impossibile caricare l'elenco dei gestori SPID. ${e.message}`, () => {
        button.focus(); // "Riprova" is about to be replaced by the spinner
        loading = load();
      });
    }
  }
  disclosure(button, panel, { onOpen: () => { loading ??= load(); } });

  // Already signed in: say so (the buttons stay, to sign in with another identity).
  currentSession().then((session) => {
    if (!session.authenticated) return;
    document.getElementById('metodi-accesso').before(
      el('div', { class: 'callout success' },
        el('div', { class: 'callout-title' }, 'Accesso effettuato'),
        el('p', { class: next ? 'mb-2' : null }, `Hai già effettuato l'accesso come ${displayName(session.person)}. Per uscire usa il menu con il tuo nome in alto.`),
        next ? el('p', { class: 'mb-0' }, el('a', { href: next, class: 'btn btn-primary btn-sm' }, 'Continua')) : null));
  });
}
