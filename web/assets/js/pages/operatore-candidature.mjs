// /operatore/candidature/ (O1, evaluation): the applications to the offers of the CPI
// the operator works for, with filters by offer (?offerta= from the offers' list),
// esito and date; one opened shows the candidate, the declarations, the CV as sent (its
// download is logged as a CPI operator's read) and the timeline, with the esiti it may
// move to and an optional note for the candidate. API: GET /api/operator/applications,
// GET /api/operator/applications/<id>, POST /api/operator/applications/<id>/status.

import { getJSON, sendJSON } from '../api.mjs';
import { applicationView, esitoBadge } from '../applications.mjs';
import { dateRange, query } from '../cv.mjs';
import { callout, showErrors } from '../forms.mjs';
import { staffContext, workingCpiLine } from '../staff.mjs';
import { bindDateInput, done, el, formatDate, pager, showError, showLoading } from '../ui.mjs';

const PAGE_SIZE = 20;

/** The operator's buttons for the esiti an application may move to (the API's `next`). */
export const ESITO_ACTIONS = {
  presa_in_carico: ['Prendi in carico', 'btn-primary'],
  inviata: ['Invia all\'azienda', 'btn-success'],
  non_inviata: ['Non inviare all\'azienda', 'btn-outline-danger'],
};

const fullName = (c) => `${c.name} ${c.family_name}`.trim();

export async function init() {
  const status = document.getElementById('oc-stato');
  showLoading(status);
  const ctx = await staffContext(status, 'operator', 'valutare le candidature del tuo Centro per l\'impiego');
  if (!ctx) return;
  const { session, me } = ctx;
  status.replaceChildren();
  document.getElementById('oc-app').hidden = false;
  document.getElementById('oc-cpi').replaceWith(workingCpiLine(me));

  const list = document.getElementById('oc-elenco');
  const detail = document.getElementById('oc-dettaglio');
  const show = (which) => { list.hidden = which !== 'list'; detail.hidden = which !== 'detail'; };
  const offerInput = document.getElementById('oc-offerta');
  const fromInput = document.getElementById('oc-da');
  const toInput = document.getElementById('oc-a');
  const checks = [bindDateInput(fromInput), bindDateInput(toInput)];
  const results = document.getElementById('oc-risultati');
  const initial = (new URLSearchParams(location.search).get('offerta') ?? '').trim().toUpperCase();
  offerInput.value = initial;
  let state = { page: 1, offer: initial, status: '', from: '', to: '' };
  let opener = null;

  const row = (a) => el('tr', {},
    el('th', { scope: 'row' }, `${fullName(a.candidate)}`, el('span', { class: 'd-block small' }, a.candidate.fiscal_code)),
    el('td', { 'data-label': 'Codice offerta' }, a.offer.code),
    el('td', { 'data-label': 'Profilo Professionale' }, a.offer.occupation),
    el('td', { 'data-label': 'Data Candidatura' }, formatDate(a.date)),
    el('td', { 'data-label': 'Esito CPI' }, esitoBadge(a.status, a.status_label)),
    el('td', {}, el('button', {
      type: 'button', class: 'btn btn-outline-primary btn-xs', 'aria-label': `Apri la candidatura di ${fullName(a.candidate)} all'offerta ${a.offer.code}`,
      onclick: (event) => { opener = event.currentTarget.getAttribute('aria-label'); open(a.id); },
    }, 'Apri')));

  async function load() {
    showLoading(results);
    let data;
    try {
      data = await getJSON(`/api/operator/applications?${query({ offer: state.offer, status: state.status, from: state.from, to: state.to, page: state.page, page_size: PAGE_SIZE })}`);
    } catch (e) {
      showError(results, e.message, load);
      return;
    }
    done(results);
    if (!data.items.length) {
      results.replaceChildren(el('p', {}, state.offer || state.status || state.from || state.to
        ? 'Nessuna candidatura corrisponde ai criteri di ricerca.'
        : 'Non ci sono ancora candidature alle offerte del tuo Centro per l\'impiego.'));
      return;
    }
    results.replaceChildren(
      el('p', { class: 'small', role: 'status' }, data.total === 1 ? '1 candidatura' : `${data.total} candidature`),
      el('div', { class: 'table-responsive' }, el('table', { class: 'table table-stack', id: 'oc-tabella' },
        el('caption', { class: 'visually-hidden' }, 'Le candidature alle offerte del Centro per l\'impiego'),
        el('thead', {}, el('tr', {}, ['Candidato', 'Codice offerta', 'Profilo Professionale', 'Data Candidatura', 'Esito CPI', 'Azioni'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, data.items.map(row)))),
      data.total > PAGE_SIZE ? pager({ page: state.page, pageSize: PAGE_SIZE, total: data.total, onChange: (p) => { state.page = p; return load(); } }) : '',
    );
  }

  document.getElementById('oc-filtri').addEventListener('submit', (event) => {
    event.preventDefault();
    checks.forEach((c) => c());
    const range = dateRange(fromInput, toInput);
    if (!range) { (fromInput.getAttribute('aria-invalid') ? fromInput : toInput).focus(); return; }
    state = { page: 1, offer: offerInput.value.trim().toUpperCase(), status: document.getElementById('oc-esito').value, ...range };
    load();
  });

  // ---- one application -------------------------------------------------------------
  const heading = document.getElementById('oc-dettaglio-titolo');
  const content = document.getElementById('oc-dettaglio-contenuto');
  const notice = document.getElementById('oc-dettaglio-esito');
  const evaluation = document.getElementById('oc-valutazione');
  const note = document.getElementById('oc-nota');
  const buttons = document.getElementById('oc-esiti');
  evaluation.addEventListener('submit', (event) => event.preventDefault());

  function render(a) {
    const c = a.candidate;
    heading.textContent = `Candidatura di ${fullName(c)} all'offerta ${a.offer.code}`;
    content.replaceChildren(
      el('h3', { class: 'h5' }, 'Candidato'),
      el('dl', { class: 'row mb-3' },
        el('dt', { class: 'col-sm-4' }, 'Nome e cognome'), el('dd', { class: 'col-sm-8' }, fullName(c)),
        el('dt', { class: 'col-sm-4' }, 'Codice fiscale'), el('dd', { class: 'col-sm-8' }, c.fiscal_code),
        el('dt', { class: 'col-sm-4' }, 'E-mail'), el('dd', { class: 'col-sm-8' }, c.email ? el('a', { href: `mailto:${c.email}` }, c.email) : 'Non indicata'),
        el('dt', { class: 'col-sm-4' }, 'Cellulare'), el('dd', { class: 'col-sm-8' }, c.mobile ? el('a', { href: `tel:${c.mobile.replace(/[^\d+]/g, '')}` }, c.mobile) : 'Non indicato')),
      el('h3', { class: 'h5' }, 'Candidatura'),
      ...applicationView(a));
    evaluation.hidden = !a.next?.length;
    note.value = '';
    buttons.replaceChildren(...(a.next ?? []).map((to) => {
      const [label, cls] = ESITO_ACTIONS[to] ?? [to, 'btn-outline-primary'];
      return el('button', { type: 'button', class: `btn ${cls}`, 'data-esito': to, onclick: () => setStatus(a, to, label) }, label);
    }));
  }

  async function open(id) {
    notice.replaceChildren();
    show('detail');
    heading.textContent = 'Candidatura';
    evaluation.hidden = true;
    showLoading(content);
    heading.focus();
    try {
      render(await getJSON(`/api/operator/applications/${id}`));
      done(content);
    } catch (e) {
      showError(content, e.message, () => open(id));
    }
  }

  async function setStatus(a, to, label) {
    for (const b of buttons.querySelectorAll('button')) b.disabled = true;
    notice.replaceChildren();
    try {
      const after = await sendJSON('POST', `/api/operator/applications/${a.id}/status`, { status: to, note: note.value.trim() || null }, session.csrf_token);
      render(after);
      notice.replaceChildren(el('div', { role: 'status' }, callout('success', `Esito: ${after.status_label}`,
        `La candidatura di ${fullName(after.candidate)} è ora «${after.status_label}». Il candidato riceverà un'e-mail.`)));
      heading.focus();
    } catch (e) {
      for (const b of buttons.querySelectorAll('button')) b.disabled = false;
      if (e.fields?.length) showErrors(evaluation, e);
      else {
        notice.replaceChildren(el('div', { role: 'alert' }, callout('danger', `«${label}» non riuscito`, e.message)));
        heading.focus();
      }
    }
  }

  document.getElementById('oc-chiudi').addEventListener('click', async () => {
    show('list');
    await load();
    (opener && results.querySelector(`button[aria-label="${CSS.escape(opener)}"]`) || results.querySelector('button, a') || offerInput).focus();
  });

  show('list');
  load();
}
