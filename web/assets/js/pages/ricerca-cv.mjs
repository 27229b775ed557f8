// /azienda/ricerca-cv/ "Ricerca curriculum" (B3, the company's side of C3), for a
// person acting for a company (the header's "Opera come"): search the anonymised
// CVs whose owners consented by territorio, parole chiave and occupazione; ask to
// see one in full for a position («Richiedi visione del CV»); the company's requests
// with their state and, once authorised, the candidate's name and the CV to download.
// API: GET /api/cv/form (territories), GET /api/cv-search, GET|POST /api/cv-requests.

import { getJSON, sendJSON } from '../api.mjs';
import { activeSession, query } from '../cv.mjs';
import { callout, clearErrors, loadInStatus, showFieldError } from '../forms.mjs';
import { done, el, formatDate, pager, showError, showLoading } from '../ui.mjs';

const PAGE_SIZE = 10;
let seq = 0;

export async function init() {
  const status = document.getElementById('rc-stato');
  showLoading(status);
  const session = await activeSession(status, 'cercare i curriculum');
  if (!session) return;
  if (!session.acting_as) {
    done(status);
    status.replaceChildren(callout('note', 'Scegli per quale azienda operi',
      'La ricerca dei curriculum è riservata a chi opera per conto di un\'azienda, di un\'agenzia per il lavoro o di uno studio professionale.',
      'Apri il menu con il tuo nome in alto a destra e scegli l\'azienda sotto «Opera come». Se non hai ancora un incarico, puoi prenderlo dal tuo profilo.',
      el('p', { class: 'mb-0' }, el('a', { href: '/cittadino/profilo/#aziende' }, 'Vai agli incarichi del tuo profilo'))));
    return;
  }
  const meta = await loadInStatus(status, '/api/cv/form');
  if (!meta) return;
  status.replaceChildren();
  document.getElementById('rc-app').hidden = false;
  document.getElementById('rc-azienda').replaceChildren('Stai cercando per conto di ', el('strong', {}, session.acting_as.name),
    `${/[.!?]$/.test(session.acting_as.name) ? '' : '.'} I curriculum sono mostrati in forma anonima: per vedere il nome del candidato e scaricare il curriculum chiedine la visione; il candidato deciderà se autorizzarla.`);
  const select = document.getElementById('rc-territorio');
  for (const t of meta.territories) select.append(el('option', { value: t.code }, t.name));

  const results = document.getElementById('rc-risultati');
  const notice = document.getElementById('rc-esito');
  let state = { page: 1, territory: '', q: '', occupation: '' };

  function requestForm(item, box, statusLine) {
    seq += 1;
    const id = `rc-posizione-${seq}`;
    const input = el('input', { id, type: 'text', class: 'form-control', maxlength: '100', autocomplete: 'off', 'aria-required': 'true', 'data-field': 'position' });
    const form = el('form', { class: 'mt-2', novalidate: true },
      el('div', { class: 'mb-3' },
        el('label', { for: id, class: 'form-label' }, 'Posizione lavorativa per cui chiedi il curriculum ', el('span', { class: 'required-mark', 'aria-hidden': 'true' }, '*')),
        input),
      el('div', { class: 'd-flex flex-wrap gap-2' },
        el('button', { type: 'submit', class: 'btn btn-primary btn-sm' }, 'Invia la richiesta'),
        el('button', { type: 'button', class: 'btn btn-outline-primary btn-sm', onclick: () => { form.remove(); box.hidden = false; box.focus(); } }, 'Annulla')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearErrors(form);
      const position = input.value.trim();
      if (!position) { showFieldError(input, 'Indica la posizione lavorativa.'); input.focus(); return; }
      const submit = form.querySelector('button[type="submit"]');
      submit.disabled = true;
      try {
        const r = await sendJSON('POST', '/api/cv-requests', { cv: item.cv, position }, session.csrf_token);
        form.replaceWith(el('div', { role: 'status' }, callout('success', 'Richiesta inviata',
          `Abbiamo chiesto al candidato di autorizzare la visione del curriculum per la posizione ${r.position}. Lo stato della richiesta è nell'elenco qui sotto.`)));
        statusLine.replaceChildren(`Stato della richiesta: ${r.status}`);
        loadRequests();
      } catch (e) {
        submit.disabled = false;
        const f = e.fields?.find((x) => x.field === 'position');
        showFieldError(input, f?.message ?? e.message);
        input.focus();
      }
    });
    return { form, input };
  }

  const card = (item, n) => {
    const statusLine = el('p', { class: 'small mb-2' }, item.request_status ? `Stato della richiesta: ${item.request_status}` : '');
    const headingId = `rc-cv-${state.page}-${n}`;
    const article = el('article', { class: 'card card-bg mb-3 rc-card', 'aria-labelledby': headingId },
      el('div', { class: 'card-body' },
        el('h3', { class: 'h5 card-title', id: headingId }, `Curriculum ${(state.page - 1) * PAGE_SIZE + n + 1}`),
        el('p', { class: 'small mb-2' }, `Aggiornato il ${formatDate(item.updated_on)}`,
          item.territories?.length ? ` · Territori: ${item.territories.map((t) => t.name).join(', ')}` : ''),
        // the anonymised text, as text (never parsed as HTML)
        el('div', { class: 'cv-text mb-2', tabindex: '0', role: 'region', 'aria-label': `Testo anonimo del curriculum ${(state.page - 1) * PAGE_SIZE + n + 1}` }, item.text),
        item.text_truncated ? el('p', { class: 'small' }, 'Il testo è stato abbreviato.') : null,
        statusLine));
    const body = article.querySelector('.card-body');
    if (item.request_status !== 'RICHIESTA') {
      const button = el('button', { type: 'button', class: 'btn btn-outline-primary btn-sm' }, 'Richiedi visione del CV');
      button.addEventListener('click', () => {
        const { form, input } = requestForm(item, button, statusLine);
        button.hidden = true;
        body.append(form);
        input.focus();
      });
      body.append(button);
    }
    return article;
  };

  async function search() {
    showLoading(results);
    let data;
    try {
      data = await getJSON(`/api/cv-search?${query({ territory: state.territory, q: state.q, occupation: state.occupation, page: state.page, page_size: PAGE_SIZE })}`);
    } catch (e) {
      showError(results, e.message, search);
      return;
    }
    done(results);
    results.replaceChildren(
      el('p', { role: 'status' }, data.total === 0 ? 'Nessun curriculum corrisponde ai criteri di ricerca.'
        : data.total === 1 ? 'Trovato 1 curriculum.' : `Trovati ${data.total} curriculum.`),
      ...data.items.map(card),
      data.total > PAGE_SIZE ? pager({ page: state.page, pageSize: PAGE_SIZE, total: data.total, onChange: (p) => { state.page = p; return search(); }, label: 'Paginazione dei curriculum' }) : '',
    );
  }

  document.getElementById('rc-filtri').addEventListener('submit', (event) => {
    event.preventDefault();
    state = {
      page: 1,
      territory: select.value,
      q: document.getElementById('rc-parole').value.trim(),
      occupation: document.getElementById('rc-occupazione').value.trim(),
    };
    notice.replaceChildren();
    search();
  });

  // ---- the company's requests ------------------------------------------------------------
  const requests = document.getElementById('rc-richieste');
  let requestsPage = 1;
  async function loadRequests() {
    showLoading(requests);
    let data;
    try {
      data = await getJSON(`/api/cv-requests?${query({ page: requestsPage, page_size: PAGE_SIZE })}`);
    } catch (e) {
      showError(requests, e.message, loadRequests);
      return;
    }
    done(requests);
    if (!data.items.length) {
      requests.replaceChildren(el('p', {}, 'Non hai ancora inviato richieste di visione.'));
      return;
    }
    requests.replaceChildren(
      el('div', { class: 'table-responsive' }, el('table', { class: 'table table-stack', id: 'rc-richieste-tabella' },
        el('caption', { class: 'visually-hidden' }, 'Richieste di visione inviate'),
        el('thead', {}, el('tr', {}, ['Data', 'Posizione lavorativa', 'Stato', 'Candidato', 'Curriculum'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, data.items.map((r) => el('tr', {},
          el('td', { 'data-label': 'Data' }, formatDate(r.date)),
          el('th', { scope: 'row' }, r.position),
          el('td', { 'data-label': 'Stato' }, el('span', { class: `badge ${{ accepted: 'bg-success', refused: 'bg-danger' }[r.status_code] ?? 'bg-secondary'}` }, r.status)),
          el('td', { 'data-label': 'Candidato' }, r.candidate ? `${r.candidate.name} ${r.candidate.family_name}` : '—'),
          el('td', { 'data-label': 'Curriculum' }, r.candidate?.download
            ? el('a', { href: r.candidate.download }, 'Download', el('span', { class: 'visually-hidden' }, ` del curriculum di ${r.candidate.name} ${r.candidate.family_name}`))
            : '—')))))),
      data.total > PAGE_SIZE ? pager({ page: requestsPage, pageSize: PAGE_SIZE, total: data.total, onChange: (p) => { requestsPage = p; return loadRequests(); }, label: 'Paginazione delle richieste' }) : '',
    );
  }

  search();
  loadRequests();
}
