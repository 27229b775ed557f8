// /cittadino/candidature/ "Elenco Candidature" (C4): the person's applications with the
// manual's filters (Data candidatura da / a, Esito, Includi storico) and columns
// (Codice offerta, Centro Impiego, Data Candidatura, Profilo Professionale, Esito CPI,
// Visualizza), stacked cards on a phone; "Visualizza" shows the application as sent
// (declarations, the CV, the timeline) and, while it is Inserita, "Ritira candidatura"
// after a confirmation. API: GET /api/applications, GET /api/applications/<id>,
// POST /api/applications/<id>/withdraw.

import { getJSON, sendJSON } from '../api.mjs';
import { applicationView, esitoBadge } from '../applications.mjs';
import { activeSession, dateRange, query } from '../cv.mjs';
import { callout } from '../forms.mjs';
import { bindDateInput, confirmDialog, done, el, formatDate, pager, showError, showLoading } from '../ui.mjs';

const PAGE_SIZE = 10;

/** The query of GET /api/applications for the filters' state. */
export function listQuery(state) {
  return query({ from: state.from, to: state.to, status: state.status, history: state.history ? 'true' : '', page: state.page, page_size: PAGE_SIZE });
}

export async function init() {
  const status = document.getElementById('candidature-stato');
  showLoading(status);
  const session = await activeSession(status, 'vedere le tue candidature', { comeBack: true });
  if (!session) return;
  done(status);
  status.replaceChildren();
  document.getElementById('candidature-app').hidden = false;

  const list = document.getElementById('candidature-elenco');
  const detail = document.getElementById('candidatura-dettaglio');
  const show = (which) => { list.hidden = which !== 'list'; detail.hidden = which !== 'detail'; };
  const fromInput = document.getElementById('candidature-da');
  const toInput = document.getElementById('candidature-a');
  const checks = [bindDateInput(fromInput), bindDateInput(toInput)];
  const results = document.getElementById('candidature-risultati');
  const notice = document.getElementById('candidature-esito-azione');
  let state = { page: 1, from: '', to: '', status: '', history: false };
  let opener = null;

  const row = (a) => el('tr', {},
    el('th', { scope: 'row' }, el('a', { href: a.offer.url }, a.offer.code)),
    el('td', { 'data-label': 'Centro Impiego' }, a.offer.cpi.name),
    el('td', { 'data-label': 'Data Candidatura' }, formatDate(a.date)),
    el('td', { 'data-label': 'Profilo Professionale' }, a.offer.occupation),
    el('td', { 'data-label': 'Esito CPI' }, esitoBadge(a.status, a.status_label)),
    el('td', {}, el('button', {
      type: 'button', class: 'btn btn-outline-primary btn-xs', 'aria-label': `Visualizza la candidatura all'offerta ${a.offer.code}`,
      onclick: (event) => { opener = event.currentTarget; open(a.id); },
    }, 'Visualizza')));

  async function load() {
    showLoading(results);
    let data;
    try {
      data = await getJSON(`/api/applications?${listQuery(state)}`);
    } catch (e) {
      showError(results, e.message, load);
      return;
    }
    done(results);
    if (!data.items.length) {
      const filtered = state.from || state.to || state.status;
      results.replaceChildren(el('p', { class: 'mt-2' }, filtered
        ? 'Nessuna candidatura corrisponde ai criteri di ricerca.'
        : state.history
          ? 'Non hai ancora inviato candidature. Cerca tra le offerte di lavoro e usa «Compila candidatura».'
          : 'Nessuna candidatura a offerte ancora aperte. Per vedere anche quelle alle offerte scadute o chiuse scegli «Includi storico».'),
      filtered ? '' : el('p', {}, el('a', { href: '/cittadino/offerte/' }, 'Cerca tra le offerte di lavoro')));
      return;
    }
    results.replaceChildren(
      el('p', { class: 'small', role: 'status' }, data.total === 1 ? '1 candidatura' : `${data.total} candidature`),
      el('div', { class: 'table-responsive' }, el('table', { class: 'table table-stack', id: 'candidature-tabella' },
        el('caption', { class: 'visually-hidden' }, 'Le tue candidature'),
        el('thead', {}, el('tr', {}, ['Codice offerta', 'Centro Impiego', 'Data Candidatura', 'Profilo Professionale', 'Esito CPI', 'Azioni'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, data.items.map(row)))),
      data.total > PAGE_SIZE ? pager({ page: state.page, pageSize: PAGE_SIZE, total: data.total, onChange: (p) => { state.page = p; return load(); } }) : '',
    );
  }

  document.getElementById('candidature-filtri').addEventListener('submit', (event) => {
    event.preventDefault();
    checks.forEach((c) => c());
    const range = dateRange(fromInput, toInput);
    if (!range) { (fromInput.getAttribute('aria-invalid') ? fromInput : toInput).focus(); return; }
    state = { page: 1, ...range, status: document.getElementById('candidature-esito').value, history: document.getElementById('candidature-storico').checked };
    notice.replaceChildren();
    load();
  });

  // ---- Visualizza ------------------------------------------------------------------
  const heading = document.getElementById('candidatura-titolo');
  const content = document.getElementById('candidatura-contenuto');
  const withdraw = document.getElementById('candidatura-ritira');
  let current = null;

  function render(a, message) {
    current = a;
    heading.textContent = `Candidatura all'offerta ${a.offer.code} (${a.offer.occupation})`;
    content.replaceChildren(...(message ? [message] : []), ...applicationView(a));
    withdraw.hidden = !a.withdrawable;
  }

  async function open(id) {
    notice.replaceChildren();
    show('detail');
    heading.textContent = 'Candidatura';
    withdraw.hidden = true;
    showLoading(content);
    heading.focus();
    try {
      render(await getJSON(`/api/applications/${id}`));
      done(content);
    } catch (e) {
      showError(content, e.message, () => open(id));
    }
  }

  withdraw.addEventListener('click', async () => {
    const a = current;
    const yes = await confirmDialog({
      title: 'Ritira candidatura',
      text: `Vuoi ritirare la candidatura all'offerta ${a.offer.code} (${a.offer.occupation})? Il Centro per l'impiego non la valuterà più.`,
      confirm: 'Ritira candidatura',
    });
    if (!yes) return;
    withdraw.disabled = true;
    try {
      const after = await sendJSON('POST', `/api/applications/${a.id}/withdraw`, {}, session.csrf_token);
      render(after, el('div', { role: 'status' }, callout('success', 'Candidatura ritirata', `Hai ritirato la candidatura all'offerta ${a.offer.code}.`)));
      heading.focus();
    } catch (e) {
      render(a, el('div', { role: 'alert' }, callout('danger', 'Candidatura non ritirata', e.message)));
      heading.focus();
    } finally {
      withdraw.disabled = false;
    }
  });

  document.getElementById('candidatura-chiudi').addEventListener('click', async () => {
    show('list');
    await load();
    // the same row's button, else the list's first control
    const again = opener?.getAttribute('aria-label');
    (again && results.querySelector(`button[aria-label="${CSS.escape(again)}"]`) || results.querySelector('button, a') || document.getElementById('candidature-da')).focus();
  });

  show('list');
  load();
}
