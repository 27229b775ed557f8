// /cittadino/richieste-cv/ "Elenco richieste curriculum vitae" (C3): the companies'
// requests to see the person's CVs, with a date filter; open requests can be
// authorised («Autorizza») or refused («Rifiuta») here as from the e-mail link.
// API: GET /api/cv-requests, POST /api/cv-requests {id, decision}.

import { getJSON, sendJSON } from '../api.mjs';
import { activeSession, dateRange, query } from '../cv.mjs';
import { callout } from '../forms.mjs';
import { bindDateInput, done, el, formatDate, pager, showError, showLoading } from '../ui.mjs';

const PAGE_SIZE = 10;

export async function init() {
  const status = document.getElementById('rcv-stato');
  showLoading(status);
  const session = await activeSession(status, 'vedere le richieste dei tuoi curriculum');
  if (!session) return;
  done(status);
  status.replaceChildren();
  document.getElementById('rcv-app').hidden = false;

  const fromInput = document.getElementById('rcv-da');
  const toInput = document.getElementById('rcv-a');
  const checks = [bindDateInput(fromInput), bindDateInput(toInput)];
  const results = document.getElementById('rcv-risultati');
  const notice = document.getElementById('rcv-esito');
  let state = { page: 1, from: '', to: '' };

  async function decide(r, decision) {
    try {
      await sendJSON('POST', '/api/cv-requests', { id: r.id, decision }, session.csrf_token);
      notice.replaceChildren(el('div', { role: 'status' }, callout('success', decision === 'accept' ? 'Richiesta autorizzata' : 'Richiesta rifiutata',
        decision === 'accept'
          ? `${r.company.name} potrà vedere il tuo nome e scaricare il curriculum.`
          : `${r.company.name} non riceverà i tuoi dati personali.`)));
    } catch (e) {
      notice.replaceChildren(el('div', { role: 'alert' }, callout('danger', 'Operazione non riuscita', e.message)));
    }
    await load();
    notice.focus();
  }

  const row = (r) => el('tr', {},
    el('td', { 'data-label': 'Data' }, formatDate(r.date)),
    el('th', { scope: 'row' }, r.company?.name ?? ''),
    el('td', { 'data-label': 'Posizione lavorativa' }, r.position),
    el('td', { 'data-label': 'Curriculum' }, r.cv?.id
      ? el('a', { href: r.cv.download, 'aria-label': `Scarica il curriculum ${r.cv.description || ''}`.trim() }, r.cv.description || 'Scarica')
      : el('span', { class: 'text-muted' }, 'Curriculum eliminato')),
    el('td', { 'data-label': 'Stato' }, el('span', { class: `badge ${{ accepted: 'bg-success', refused: 'bg-danger' }[r.status_code] ?? 'bg-secondary'}` }, r.status)),
    el('td', {}, r.can_decide ? el('div', { class: 'cv-actions' },
      el('button', { type: 'button', class: 'btn btn-success btn-xs', 'aria-label': `Autorizza ${r.company.name}, ${r.position}`, onclick: () => decide(r, 'accept') }, 'Autorizza'),
      el('button', { type: 'button', class: 'btn btn-outline-danger btn-xs', 'aria-label': `Rifiuta ${r.company.name}, ${r.position}`, onclick: () => decide(r, 'refuse') }, 'Rifiuta'))
      : (r.decided_at ? `Decisa il ${formatDate(r.decided_at)}` : '')));

  async function load() {
    showLoading(results);
    let data;
    try {
      data = await getJSON(`/api/cv-requests?${query({ from: state.from, to: state.to, page: state.page, page_size: PAGE_SIZE })}`);
    } catch (e) {
      showError(results, e.message, load);
      return;
    }
    done(results);
    if (!data.items.length) {
      results.replaceChildren(el('p', {}, state.from || state.to ? 'Nessuna richiesta nel periodo indicato.' : 'Non hai ricevuto richieste di visione dei tuoi curriculum.'));
      return;
    }
    results.replaceChildren(
      el('div', { class: 'table-responsive' }, el('table', { class: 'table table-stack', id: 'rcv-tabella' },
        el('caption', { class: 'visually-hidden' }, 'Richieste di visione dei tuoi curriculum'),
        el('thead', {}, el('tr', {}, ['Data', 'Azienda', 'Posizione lavorativa', 'Curriculum', 'Stato', 'Azioni'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, data.items.map(row)))),
      data.total > PAGE_SIZE ? pager({ page: state.page, pageSize: PAGE_SIZE, total: data.total, onChange: (p) => { state.page = p; return load(); } }) : '',
    );
  }

  document.getElementById('rcv-filtri').addEventListener('submit', (event) => {
    event.preventDefault();
    checks.forEach((c) => c());
    const range = dateRange(fromInput, toInput);
    if (!range) { (fromInput.getAttribute('aria-invalid') ? fromInput : toInput).focus(); return; }
    state = { page: 1, ...range };
    notice.replaceChildren();
    load();
  });
  load();
}
