// /cittadino/offerte/: offer search (P2). The filters live in the address, so a search
// can be bookmarked and shared; the last searches are kept in this browser only.

import { getJSON } from '../api.mjs';
import { done, el, formatDate, pager, showError, showLoading } from '../ui.mjs';

const FILTERS = ['q', 'offer_type', 'contract_type', 'region', 'province', 'comune', 'area', 'cpi', 'code'];
const RECENT_KEY = 'tl_ultime_ricerche';
const RECENT_MAX = 5;

const form = () => document.getElementById('ricerca-offerte');
const field = (name) => form().elements.namedItem(name);

async function fillSelect(select, path, keep) {
  const first = select.options[0];
  const data = await getJSON(path);
  select.replaceChildren(first, ...data.items.map((i) => el('option', { value: i.code }, i.name)));
  select.disabled = false;
  if (keep && [...select.options].some((o) => o.value === keep)) select.value = keep;
}

function clearSelect(select) {
  select.replaceChildren(select.options[0]);
  select.value = '';
  select.disabled = true;
}

/** The search as URL parameters (only what is set). */
function paramsFromForm() {
  const p = new URLSearchParams();
  for (const name of FILTERS) {
    const v = field(name).value.trim();
    if (v) p.set(name, v);
  }
  if (field('sort').value !== 'deadline') p.set('sort', field('sort').value);
  if (field('page_size').value !== '10') p.set('page_size', field('page_size').value);
  return p;
}

/** A readable summary of a search, for "Ultime ricerche". */
function describe(params) {
  const parts = [];
  for (const name of FILTERS) {
    if (!params.get(name)) continue;
    const f = field(name);
    const label = document.querySelector(`label[for="${f.id}"]`).textContent;
    const shown = f.tagName === 'SELECT' ? (f.selectedOptions[0]?.textContent ?? params.get(name)) : params.get(name);
    parts.push(`${label}: ${shown}`);
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

function resultsTable(data) {
  const head = ['Provenienza', 'Codice offerta', 'Tipo offerta', 'Tipo contratto', 'Qualifica - Descrizione qualifica', 'Sede di lavoro', 'Scadenza', 'Dettaglio'];
  return el('div', { class: 'table-responsive' },
    el('table', { class: 'table table-striped' },
      el('caption', {}, `Offerte trovate: ${data.total}`),
      el('thead', {}, el('tr', {}, head.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, data.items.map((o) => el('tr', {},
        el('td', {}, o.cpi.name),
        el('td', {}, o.code),
        el('td', {}, o.offer_type.name),
        el('td', {}, o.contract_type.name),
        el('td', {}, el('strong', {}, o.occupation), ' – ', o.description),
        el('td', {}, o.locations.join(', ')),
        el('td', {}, el('time', { datetime: o.deadline }, formatDate(o.deadline))),
        el('td', {}, el('a', { href: `/offerte/${encodeURIComponent(o.code)}`, 'aria-label': `Dettaglio dell'offerta ${o.code}` }, 'Dettaglio')))))));
}

export async function init() {
  const results = document.getElementById('risultati');
  const url = new URLSearchParams(location.search);

  // reference lists, then the form as the address describes it
  await Promise.all([...form().querySelectorAll('select[data-ref]')].map((s) => {
    const area = url.get('area');
    const path = s.dataset.ref === 'cpis' && area ? `/api/ref/cpis?area=${encodeURIComponent(area)}` : `/api/ref/${s.dataset.ref}`;
    return fillSelect(s, path, url.get(s.name));
  })).catch((e) => showError(results, e.message));
  for (const name of ['q', 'code', 'sort', 'page_size']) if (url.get(name)) field(name).value = url.get(name);
  if (url.get('region')) await fillSelect(field('province'), `/api/ref/provinces?region=${encodeURIComponent(url.get('region'))}`, url.get('province')).catch(() => {});
  if (url.get('province')) await fillSelect(field('comune'), `/api/ref/comuni?province=${encodeURIComponent(url.get('province'))}`, url.get('comune')).catch(() => {});

  field('region').addEventListener('change', async () => {
    clearSelect(field('province'));
    clearSelect(field('comune'));
    if (field('region').value) await fillSelect(field('province'), `/api/ref/provinces?region=${field('region').value}`);
  });
  field('province').addEventListener('change', async () => {
    clearSelect(field('comune'));
    if (field('province').value) await fillSelect(field('comune'), `/api/ref/comuni?province=${field('province').value}`);
  });
  field('area').addEventListener('change', async () => {
    const area = field('area').value;
    await fillSelect(field('cpi'), area ? `/api/ref/cpis?area=${area}` : '/api/ref/cpis');
  });

  let page = Math.max(1, Number.parseInt(url.get('page') ?? '1', 10) || 1);

  async function search({ push } = { push: false }) {
    const params = paramsFromForm();
    if (page > 1) params.set('page', String(page));
    if (push) history.pushState(null, '', `?${params}`);
    showLoading(results, 'Ricerca in corso…');
    try {
      const data = await getJSON(`/api/offers?${params}`);
      done(results);
      if (data.total === 0) {
        results.replaceChildren(el('p', { class: 'alert alert-info', role: 'status' }, 'Nessuna offerta soddisfa i criteri di ricerca.'));
        return;
      }
      const feed = new URLSearchParams(params);
      feed.delete('page');
      feed.delete('page_size');
      feed.delete('sort');
      results.replaceChildren(resultsTable(data), pager({
        page, pageSize: data.page_size, total: data.total, label: 'Pagine dei risultati',
        onChange: (p) => { page = p; search({ push: true }).then(() => results.querySelector('caption')?.scrollIntoView()); },
      }), el('p', { class: 'mt-3' }, el('a', { href: `/feeds/offers.rss${feed.size ? `?${feed}` : ''}` }, 'Feed RSS delle nuove offerte di questa ricerca')));
    } catch (e) {
      showError(results, e.message, e.status >= 500 || e.status === 0 ? () => search() : null);
    }
  }

  form().addEventListener('submit', (event) => {
    event.preventDefault();
    page = 1;
    remember(paramsFromForm());
    search({ push: true });
  });
  form().addEventListener('reset', () => {
    // after the browser has reset the fields
    setTimeout(() => {
      clearSelect(field('province'));
      clearSelect(field('comune'));
      page = 1;
      search({ push: true });
    });
  });
  document.getElementById('ultime-ricerche-apri').addEventListener('click', (event) => {
    const box = document.getElementById('ultime-ricerche');
    box.hidden = !box.hidden;
    event.currentTarget.setAttribute('aria-expanded', String(!box.hidden));
    if (!box.hidden) showRecent();
  });
  window.addEventListener('popstate', () => location.reload());
  await search();
}
