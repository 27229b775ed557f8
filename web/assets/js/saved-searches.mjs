// Saved offer searches (issue 22, X1): the words shared by "Le mie ricerche salvate"
// (/cittadino/ricerche/) and "Salva questa ricerca" on the offers page. Plain functions,
// tested in tests/browser/alerts.test.mjs without a browser.

/** The offer search filters (GET /api/offers) and their labels on the offers page. */
export const FILTER_LABELS = {
  q: 'Descrizione qualifica',
  offer_type: 'Tipo offerta',
  contract_type: 'Tipo contratto',
  region: 'Regione',
  province: 'Provincia',
  comune: 'Comune',
  area: 'Area geografica',
  cpi: 'Centro impiego',
  code: 'Codice offerta',
};

/** The alert frequencies (API value → words), in the order the selects show them. */
export const FREQUENCIES = [['none', 'Nessun avviso'], ['daily', 'Giornaliero'], ['weekly', 'Settimanale']];
export const frequencyText = (f) => new Map(FREQUENCIES).get(f) ?? f;

/** The filters of an offers page address (only those set). */
export function filtersOf(query) {
  const url = new URLSearchParams(query);
  const filters = {};
  for (const name of Object.keys(FILTER_LABELS)) {
    const v = (url.get(name) ?? '').trim();
    if (v) filters[name] = v;
  }
  return filters;
}

/**
 * The filters in words: "Descrizione qualifica: cuoco · Provincia: Firenze";
 * `nameOf(filter, code)` gives a reference value's name (null: the code itself).
 */
export function describeFilters(filters, nameOf = () => null) {
  const parts = [];
  for (const [name, label] of Object.entries(FILTER_LABELS)) {
    const v = filters?.[name];
    if (!v) continue;
    parts.push(`${label}: ${['q', 'code'].includes(name) ? v : (nameOf(name, v) ?? v)}`);
  }
  return parts.join(' · ') || 'Tutte le offerte';
}

/** "30/11/2026 alle 10:15" (Europe/Rome) of a unix time in seconds; null: "Nessun avviso inviato". */
export function lastAlertText(seconds) {
  if (seconds == null) return 'Nessun avviso inviato';
  const d = new Date(seconds * 1000);
  const day = new Intl.DateTimeFormat('it-IT', { timeZone: 'Europe/Rome', day: '2-digit', month: '2-digit', year: 'numeric' }).format(d);
  const time = new Intl.DateTimeFormat('it-IT', { timeZone: 'Europe/Rome', hour: '2-digit', minute: '2-digit' }).format(d);
  return `${day} alle ${time}`;
}

/** The address of the offers page that runs the saved search. */
export const openHref = (saved) => `/cittadino/offerte/${saved.query ? `?${saved.query}` : ''}`;
