// /cittadino/colloqui/ "Gestisci colloqui online" (C6): the manual's "Elenco Colloqui"
// with "Data da / a", the columns Data Richiesta, Data/Ora Inizio Colloquio, Stato,
// Descrizione; Accetta, Rifiuta and Richiedi modifica with the manual's dialogs; "Vai al
// colloquio" from 15 minutes before the start of a confirmed interview until its end.
// API: GET /api/interviews?from=&to=&page=, POST /api/interviews/<id>/accept|refuse|change.

import { getJSON, sendJSON } from '../api.mjs';
import { activeSession, dateRange, query } from '../cv.mjs';
import { callout } from '../forms.mjs';
import { roomHref, dialogTexts } from '../interviews.mjs';
import { bindDateInput, confirmDialog, done, el, pager, showError, showLoading, textDialog } from '../ui.mjs';

const PAGE_SIZE = 10;

export async function init() {
  const status = document.getElementById('co-stato');
  showLoading(status);
  const session = await activeSession(status, 'vedere i colloqui online', { comeBack: true });
  if (!session) return;
  done(status);
  status.replaceChildren();
  const csrf = session.csrf_token;
  document.getElementById('co-app').hidden = false;
  const box = document.getElementById('co-elenco');
  const notice = document.getElementById('co-esito');
  const form = document.getElementById('co-filtri');
  const from = document.getElementById('co-da');
  const to = document.getElementById('co-a');
  const checks = [bindDateInput(from), bindDateInput(to)];
  let filters = { from: '', to: '' };
  let page = 1;

  const tell = (kind, title, text) => {
    notice.replaceChildren(callout(kind === 'success' ? 'success' : 'danger', title, text));
    notice.focus();
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    for (const check of checks) check();
    const range = dateRange(from, to);
    if (!range) return;
    filters = range;
    page = 1;
    load();
  });

  async function act(i, action) {
    const texts = dialogTexts(i);
    let body = {};
    if (action === 'accept') {
      if (!await confirmDialog({ title: 'Conferma Appuntamento', text: texts.accept, confirm: '✅ Conferma', danger: false })) return;
    } else if (action === 'refuse') {
      if (!await confirmDialog({ title: 'Rifiuta Appuntamento', text: texts.refuse, confirm: '❌ Rifiuta' })) return;
    } else {
      const message = await textDialog({
        title: 'Richiedi modifica appuntamento',
        text: 'Indica di seguito le tue disponibilità per ricevere un nuovo appuntamento',
        label: 'Le tue disponibilità',
        confirm: 'Invia la richiesta',
        required: 'Indica le tue disponibilità.',
        danger: false,
      });
      if (message === null) return;
      body = { message };
    }
    try {
      const after = await sendJSON('POST', `/api/interviews/${encodeURIComponent(i.id)}/${action}`, body, csrf);
      await load();
      const said = { accept: 'Hai confermato il colloquio', refuse: 'Hai rifiutato il colloquio', change: 'Richiesta di modifica inviata' }[action];
      tell('success', said, `Colloquio del ${after.start_local} con ${after.company}: stato ${after.status_label}. L'azienda riceve la tua risposta per e-mail.`);
    } catch (e) {
      await load();
      tell('danger', 'Risposta non inviata', e.message);
    }
  }

  const actions = (i) => {
    const out = [];
    if (i.actions.accept) out.push(el('button', { type: 'button', class: 'btn btn-success btn-xs', onclick: () => act(i, 'accept'), 'aria-label': `Accetta il colloquio del ${i.start_local}` }, 'Accetta'));
    if (i.actions.refuse) out.push(el('button', { type: 'button', class: 'btn btn-danger btn-xs', onclick: () => act(i, 'refuse'), 'aria-label': `Rifiuta il colloquio del ${i.start_local}` }, 'Rifiuta'));
    if (i.actions.change) out.push(el('button', { type: 'button', class: 'btn btn-outline-primary btn-xs', onclick: () => act(i, 'change'), 'aria-label': `Richiedi modifica del colloquio del ${i.start_local}` }, 'Richiedi modifica'));
    if (i.actions.room) out.push(el('a', { class: 'btn btn-primary btn-xs', href: roomHref(i.id) }, 'Vai al colloquio'));
    if (i.status === 'confermato' && !i.actions.room && i.status_label === 'CONFERMATO') {
      out.push(el('span', { class: 'd-block small' }, `«Vai al colloquio» dalle ${i.room_opens_local.split(' ')[1]} del ${i.room_opens_local.split(' ')[0]}`));
    }
    if (['richiesto', 'confermato', 'modifica_richiesta'].includes(i.status)) {
      out.push(el('a', { class: 'd-block small', href: `/api/interviews/${encodeURIComponent(i.id)}/calendar`, download: `colloquio-${i.id}.ics` }, 'Aggiungi al calendario'));
    }
    return el('div', { class: 'd-flex flex-wrap gap-1 align-items-center' }, out);
  };

  async function load() {
    showLoading(box);
    let data;
    try {
      data = await getJSON(`/api/interviews?${query({ from: filters.from, to: filters.to, page, page_size: PAGE_SIZE })}`);
    } catch (e) {
      if (page > 1 && [404, 422].includes(e.status)) { page = 1; await load(); return; }
      showError(box, e.message, load);
      return;
    }
    done(box);
    if (!data.items.length) {
      box.replaceChildren(el('p', {}, filters.from || filters.to ? 'Nessun colloquio nelle date indicate.' : 'Non hai ancora ricevuto inviti a colloqui online.'));
      return;
    }
    box.replaceChildren(
      el('div', { class: 'table-responsive' }, el('table', { class: 'table table-stack', id: 'co-tabella' },
        el('caption', { class: 'visually-hidden' }, 'Elenco Colloqui'),
        el('thead', {}, el('tr', {}, ['Data Richiesta', 'Data/Ora Inizio Colloquio', 'Stato', 'Descrizione', 'Azioni'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, data.items.map((i) => el('tr', { 'data-interview': i.id },
          el('td', { 'data-label': 'Data Richiesta' }, i.requested_on),
          el('th', { scope: 'row', 'data-label': 'Data/Ora Inizio Colloquio' }, i.start_local.replace(':', '.')),
          el('td', { 'data-label': 'Stato' }, i.status_label),
          el('td', { 'data-label': 'Descrizione' }, i.description,
            i.change_note && i.status === 'modifica_richiesta' ? el('span', { class: 'd-block small' }, `Le tue disponibilità: ${i.change_note}`) : null),
          el('td', { 'data-label': 'Azioni' }, actions(i))))))),
      data.total > PAGE_SIZE ? pager({ page, pageSize: PAGE_SIZE, total: data.total, label: 'Paginazione dei colloqui', onChange: (p) => { page = p; return load(); } }) : '',
    );
  }

  await load();
}
