// An offer's page (/offerte/<code>, rendered by the offers component): "Torna
// all'elenco" and the breadcrumb go back to the search the person came from in this
// tab (offers.mjs keeps it in sessionStorage), not to the bare list.

import { LAST_SEARCH_KEY } from './offers.mjs';

export function init() {
  const search = sessionStorage.getItem(LAST_SEARCH_KEY);
  if (!search || !/^\?[^#]*$/.test(search)) return;
  for (const a of document.querySelectorAll('main a[href="/cittadino/offerte/"]')) a.setAttribute('href', `/cittadino/offerte/${search}`);
}
