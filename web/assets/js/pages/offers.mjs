// /cittadino/offerte/: offer search (P2). The filters live in the address, so a search
// can be bookmarked and shared; the last searches are kept in this browser only.
// On a first visit the filter lists and the search itself are asked for at once (the
// search does not wait for the lists); a filter in the address that does not exist
// (province=999) is not applied and the page says so. On a phone the results are
// stacked cards and the "Localizzazione" and "Competenza" groups fold away.

import { getJSON, sendJSON } from '../api.mjs';
import { callout, clearErrors, clearOnEdit, showErrors } from '../forms.mjs';
import { describeFilters, filtersOf, FREQUENCIES } from '../saved-searches.mjs';
import { currentSession } from '../session.mjs';
import { done, el, formatDate, pager, showError, showLoading } from '../ui.mjs';

const FILTERS = ['q', 'offer_type', 'contract_type', 'region', 'province', 'comune', 'area', 'cpi', 'code'];
const OPTIONS = ['sort', 'page_size'];
const DEFAULTS = { sort: 'deadline', page_size: '10' };
const RECENT_KEY = 'tl_ultime_ricerche';
const RECENT_MAX = 5;
/** The search the offer pages' "Torna all'elenco" goes back to (sessionStorage, this tab). */
export const LAST_SEARCH_KEY = 'tl_offerte_ricerca';

const form = () => document.getElementById('ricerca-offerte');
const field = (name) => form().elements.namedItem(name);
const labelOf = (f) => document.querySelector(`label[for="${f.id}"]`).textContent;

/** Fills a select from a reference list; resolves to whether `keep` was among its values. */
async function fillSelect(select, path, keep) {
  const first = select.options[0];
  const data = await getJSON(path);
  select.replaceChildren(first, ...data.items.map((i) => el('option', { value: i.code }, i.name)));
  select.disabled = false;
  const found = [...select.options].some((o) => o.value === keep);
  select.value = found ? keep : '';
  return found;
}

function clearSelect(select) {
  select.replaceChildren(select.options[0]);
  select.value = '';
  select.disabled = true;
}

/** The search of an address: the known filters and options that are set. */
export function searchOf(query) {
  const url = new URLSearchParams(query);
  const p = new URLSearchParams();
  for (const name of [...FILTERS, ...OPTIONS]) {
    const v = (url.get(name) ?? '').trim();
    if (v && v !== DEFAULTS[name]) p.set(name, v);
  }
  const page = Number.parseInt(url.get('page') ?? '', 10);
  if (page > 1) p.set('page', String(page));
  return p;
}

/** The search as URL parameters (only what is set). */
function paramsFromForm() {
  const p = new URLSearchParams();
  for (const name of [...FILTERS, ...OPTIONS]) {
    const v = field(name).value.trim();
    if (v && v !== DEFAULTS[name]) p.set(name, v);
  }
  return p;
}

/** A readable summary of a search, for "Ultime ricerche". */
function describe(params) {
  const parts = [];
  for (const name of FILTERS) {
    if (!params.get(name)) continue;
    const f = field(name);
    const shown = f.tagName === 'SELECT' ? (f.selectedOptions[0]?.textContent ?? params.get(name)) : params.get(name);
    parts.push(`${labelOf(f)}: ${shown}`);
  }
  return parts.join(' · ') || 'Tutte le offerte';
}

function remember(params) {
  const query = params.toString();
  const list = JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]').filter((r) => r.query !== query);
  list.unshift({ query, label: describe(params) });
  localStorage.setItem(RECENT_KEY, JSON.stringify(list.slice(0, RECENT_MAX)));
}

function showRecent() {
  const box = document.getElementById('ultime-ricerche');
  const list = JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]');
  box.replaceChildren(
    el('h2', { class: 'h6' }, 'Ultime ricerche'),
    list.length === 0
      ? el('p', {}, 'Non hai ancora fatto ricerche da questo browser.')
      : el('ul', { class: 'list-unstyled' }, list.map((r) => el('li', {}, el('a', { href: `?${r.query}` }, r.label)))),
  );
}

/** The results: a table on a computer, stacked cards on a phone (site.css .offer-results). */
function resultsTable(data) {
  const head = ['Provenienza', 'Codice offerta', 'Tipo offerta', 'Tipo contratto', 'Qualifica - Descrizione qualifica', 'Sede di lavoro', 'Scadenza', 'Dettaglio'];
  return el('div', { class: 'table-responsive' },
    el('table', { class: 'table table-striped offer-results' },
      el('caption', { id: 'risultati-titolo', tabindex: '-1' }, `Offerte trovate: ${data.total}`),
      el('thead', {}, el('tr', {}, head.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, data.items.map((o) => el('tr', { 'data-offer': o.code },
        el('td', { 'data-label': 'Provenienza' }, o.cpi.name),
        el('td', { 'data-label': 'Codice offerta', class: 'text-nowrap' }, o.code),
        el('td', { 'data-label': 'Tipo offerta' }, o.offer_type.name),
        el('td', { 'data-label': 'Tipo contratto' }, o.contract_type.name),
        el('th', { scope: 'row', class: 'offer-title' }, el('strong', {}, o.occupation), ' – ', o.description),
        el('td', { 'data-label': 'Sede di lavoro' }, o.locations.join(', ')),
        el('td', { 'data-label': 'Scadenza', class: 'text-nowrap' }, el('time', { datetime: o.deadline }, formatDate(o.deadline))),
        el('td', { class: 'offer-link' }, el('a', { href: `/offerte/${encodeURIComponent(o.code)}`, class: 'btn btn-outline-primary btn-sm', 'aria-label': `Dettaglio dell'offerta ${o.code}` }, 'Dettaglio')))))));
}

/** The folding groups of filters: how many of their filters are set, in the summary. */
function filterGroups() {
  const groups = [...form().querySelectorAll('details[data-filter-group]')];
  const count = (d) => [...d.querySelectorAll('input, select')].filter((f) => f.value.trim()).length;
  const update = () => {
    for (const d of groups) {
      const n = count(d);
      d.querySelector('[data-filter-count]').textContent = n === 0 ? '' : n === 1 ? ' (1 filtro impostato)' : ` (${n} filtri impostati)`;
    }
  };
  form().addEventListener('change', update);
  form().addEventListener('input', update);
  return {
    update,
    // open on a computer; on a phone only the groups with a filter set
    open: () => {
      const wide = window.matchMedia('(min-width: 992px)').matches;
      for (const d of groups) d.open = wide || count(d) > 0;
      update();
    },
  };
}

/**
 * "Salva questa ricerca" for a signed-in citizen with an active account (nothing for
 * anyone else): a name and the alert frequency, then POST /api/saved-searches with the
 * filters of the search on screen (the address's).
 */
async function saveSearch() {
  const session = await currentSession();
  if (!session.authenticated || session.account !== 'active') return;
  const section = document.getElementById('salva-ricerca');
  const toggle = document.getElementById('salva-ricerca-apri');
  const saveForm = document.getElementById('salva-ricerca-modulo');
  const nameInput = document.getElementById('salva-nome');
  const frequency = document.getElementById('salva-frequenza');
  const outcome = document.getElementById('salva-ricerca-esito');
  const send = document.getElementById('salva-ricerca-invia');
  frequency.append(...FREQUENCIES.map(([value, text]) => el('option', { value }, text)));
  frequency.value = 'daily';
  clearOnEdit(saveForm);
  // a reference value's name as the form's lists show it
  const nameOf = (name, code) => [...(field(name).options ?? [])].find((o) => o.value === code)?.textContent ?? null;
  toggle.addEventListener('click', () => {
    saveForm.hidden = !saveForm.hidden;
    toggle.setAttribute('aria-expanded', String(!saveForm.hidden));
    if (saveForm.hidden) return;
    outcome.replaceChildren();
    clearErrors(saveForm);
    const described = describeFilters(filtersOf(location.search), nameOf);
    document.getElementById('salva-ricerca-filtri').textContent = `Salvi la ricerca mostrata (${described}): la ritrovi in «Le mie ricerche salvate» e, se vuoi, ricevi per e-mail le nuove offerte che la soddisfano.`;
    nameInput.value = described.slice(0, 80);
    nameInput.focus();
  });
  saveForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(saveForm);
    outcome.replaceChildren();
    const name = nameInput.value.trim();
    if (!name) {
      showErrors(saveForm, { message: '', fields: [{ field: 'name', message: 'Scrivi il nome della ricerca.' }] });
      return;
    }
    send.disabled = true;
    try {
      const saved = await sendJSON('POST', '/api/saved-searches', { name, filters: filtersOf(location.search), frequency: frequency.value }, session.csrf_token);
      saveForm.hidden = true;
      toggle.setAttribute('aria-expanded', 'false');
      outcome.replaceChildren(el('div', { role: 'status' }, callout('success', 'Ricerca salvata',
        el('p', { class: 'mb-0' }, `Hai salvato la ricerca «${saved.name}». La trovi in `, el('a', { href: '/cittadino/ricerche/' }, 'Le mie ricerche salvate'), '.'))));
      outcome.focus();
    } catch (e) {
      if (e.fields?.length) {
        showErrors(saveForm, e);
      } else {
        outcome.replaceChildren(el('div', { role: 'alert' }, callout('danger', 'Ricerca non salvata', e.message,
          e.code === 'too_many_searches' ? el('p', { class: 'mb-0' }, el('a', { href: '/cittadino/ricerche/' }, 'Le mie ricerche salvate')) : null)));
        outcome.focus();
      }
    } finally {
      send.disabled = false;
    }
  });
  section.hidden = false;
}

export async function init() {
  saveSearch();
  const results = document.getElementById('risultati');
  const notices = document.getElementById('avvisi-filtri');
  const groups = filterGroups();
  let page = 1;
  let shown = null; // the search on screen, as searchOf() writes it

  /** Runs the search `params` (page included); resolves to 'ok', 'unknown_filter' (when `quiet`) or 'error'. */
  async function search(params, { push = false, quiet = false } = {}) {
    const query = params.toString();
    if (push) history.pushState(null, '', `?${query}`);
    shown = searchOf(query).toString();
    showLoading(results, 'Ricerca in corso…');
    let data;
    try {
      data = await getJSON(`/api/offers?${query}`);
    } catch (e) {
      if (quiet && e.code === 'unknown_filter') return 'unknown_filter';
      showError(results, e.message, e.status >= 500 || e.status === 0 ? () => search(params) : null);
      return 'error';
    }
    done(results);
    sessionStorage.setItem(LAST_SEARCH_KEY, query ? `?${query}` : '');
    if (data.total === 0) {
      results.replaceChildren(el('p', { class: 'alert alert-info', role: 'status' }, 'Nessuna offerta soddisfa i criteri di ricerca.'));
      return 'ok';
    }
    const feed = new URLSearchParams(params);
    for (const k of ['page', 'page_size', 'sort']) feed.delete(k);
    results.replaceChildren(resultsTable(data), pager({
      page, pageSize: data.page_size, total: data.total, label: 'Pagine dei risultati',
      onChange: async (p) => {
        page = p;
        await search(withPage(paramsFromForm()), { push: true });
        document.getElementById('risultati-titolo')?.scrollIntoView();
      },
    }), el('p', { class: 'mt-3' }, el('a', { href: `/feeds/offers.rss${feed.size ? `?${feed}` : ''}` }, 'Feed RSS delle nuove offerte di questa ricerca')));
    return 'ok';
  }
  const withPage = (params) => { if (page > 1) params.set('page', String(page)); return params; };

  /**
   * Shows the search of the address in the form: the lists are filled (provinces and
   * comuni of the address's region and province too, all at once); resolves to the
   * filters of the address that none of the lists has.
   */
  async function formFrom(query) {
    const url = searchOf(query);
    for (const name of ['q', 'code', ...OPTIONS]) field(name).value = url.get(name) ?? DEFAULTS[name] ?? '';
    const lists = [...form().querySelectorAll('select[data-ref]')].map((s) => {
      const area = url.get('area');
      const path = s.dataset.ref === 'cpis' && area ? `/api/ref/cpis?area=${encodeURIComponent(area)}` : `/api/ref/${s.dataset.ref}`;
      return [s, path];
    });
    clearSelect(field('province'));
    clearSelect(field('comune'));
    // the provinces of the region (all of them for a province without a region), the
    // comuni of the province (of the comune's own province, by its ISTAT code, without one)
    const region = url.get('region');
    const province = url.get('province') ?? url.get('comune')?.slice(0, 3);
    if (region || url.get('province')) lists.push([field('province'), region ? `/api/ref/provinces?region=${encodeURIComponent(region)}` : '/api/ref/provinces']);
    if (province) lists.push([field('comune'), `/api/ref/comuni?province=${encodeURIComponent(province)}`]);
    const outcomes = await Promise.allSettled(lists.map(([s, path]) => fillSelect(s, path, url.get(s.name) ?? '')));
    const failed = outcomes.find((o) => o.status === 'rejected');
    if (failed) notices.replaceChildren(el('div', { class: 'alert alert-warning', role: 'alert' }, `Non è stato possibile caricare tutti i filtri. ${failed.reason.message}`));
    groups.open();
    return lists
      .filter(([s], i) => outcomes[i].status === 'fulfilled' && !outcomes[i].value && url.get(s.name))
      .map(([s]) => `${labelOf(s)} (${url.get(s.name)})`);
  }

  /** The address's search: the form and the results, asked for together. */
  async function show(query) {
    page = Math.max(1, Number.parseInt(new URLSearchParams(query).get('page') ?? '1', 10) || 1);
    notices.replaceChildren();
    // the results first: they are what the person waits for
    const searching = search(searchOf(query), { quiet: true });
    const [unknown, outcome] = await Promise.all([formFrom(query), searching]);
    if (unknown.length || outcome === 'unknown_filter') {
      notices.replaceChildren(el('div', { class: 'alert alert-warning', role: 'alert' },
        unknown.length
          ? `${unknown.length === 1 ? 'Questo filtro dell\'indirizzo non esiste e non è stato applicato' : 'Questi filtri dell\'indirizzo non esistono e non sono stati applicati'}: ${unknown.join(', ')}.`
          : 'Un filtro dell\'indirizzo non esiste e non è stato applicato.'));
      page = 1;
      const params = paramsFromForm();
      history.replaceState(null, '', `?${params}`);
      await search(params);
    }
  }

  form().addEventListener('submit', (event) => {
    event.preventDefault();
    page = 1;
    notices.replaceChildren();
    remember(paramsFromForm());
    search(paramsFromForm(), { push: true });
  });
  form().addEventListener('reset', () => {
    // after the browser has reset the fields
    setTimeout(() => {
      clearSelect(field('province'));
      clearSelect(field('comune'));
      groups.update();
      page = 1;
      notices.replaceChildren();
      search(paramsFromForm(), { push: true });
    });
  });

  field('region').addEventListener('change', async () => {
    clearSelect(field('province'));
    clearSelect(field('comune'));
    if (field('region').value) await fillSelect(field('province'), `/api/ref/provinces?region=${encodeURIComponent(field('region').value)}`);
  });
  field('province').addEventListener('change', async () => {
    clearSelect(field('comune'));
    if (field('province').value) await fillSelect(field('comune'), `/api/ref/comuni?province=${encodeURIComponent(field('province').value)}`);
  });
  field('area').addEventListener('change', async () => {
    const area = field('area').value;
    await fillSelect(field('cpi'), area ? `/api/ref/cpis?area=${encodeURIComponent(area)}` : '/api/ref/cpis');
  });
  document.getElementById('ultime-ricerche-apri').addEventListener('click', (event) => {
    const box = document.getElementById('ultime-ricerche');
    box.hidden = !box.hidden;
    event.currentTarget.setAttribute('aria-expanded', String(!box.hidden));
    if (!box.hidden) showRecent();
  });
  // Back and forward between searches; a change of the fragment alone (the skip link) is not one.
  window.addEventListener('popstate', () => {
    if (searchOf(location.search).toString() !== shown) show(location.search);
  });
  await show(location.search);
}
