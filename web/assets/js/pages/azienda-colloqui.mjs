// /azienda/colloqui/ "Colloqui online" (B4), for a person acting for a company, an agency
// or a professional firm: the invitation form (a candidate among the applications the
// CPIs sent, date, time, length, description), the interviews with their state, a new
// date after the candidate's "Richiedi modifica", "Annulla", and "Vai al colloquio" from 15
// minutes before the start. API: GET /api/company/applications, GET|POST
// /api/company/interviews, POST /api/company/interviews/<id>/reschedule|cancel.

import { getJSON, sendJSON } from '../api.mjs';
import { activeSession, query } from '../cv.mjs';
import { callout, clearErrors, clearOnEdit, showErrors } from '../forms.mjs';
import { inviteBody, roomHref } from '../interviews.mjs';
import { bindDateInput, confirmDialog, done, el, pager, showError, showLoading } from '../ui.mjs';

const PAGE_SIZE = 20;

export async function init() {
  const status = document.getElementById('ic-stato');
  showLoading(status);
  const session = await activeSession(status, 'gestire i colloqui online', { comeBack: true });
  if (!session) return;
  done(status);
  if (!session.acting_as) {
    status.replaceChildren(callout('note', 'Scegli per quale azienda operi',
      'I colloqui online sono riservati a chi opera per conto di un\'azienda, di un\'agenzia per il lavoro o di uno studio professionale.',
      'Apri il menu con il tuo nome in alto a destra e scegli l\'azienda sotto «Opera come». Se non hai ancora un incarico, puoi prenderlo dal tuo profilo.',
      el('p', { class: 'mb-0' }, el('a', { href: '/cittadino/profilo/#aziende' }, 'Vai agli incarichi del tuo profilo'))));
    return;
  }
  status.replaceChildren();
  const csrf = session.csrf_token;
  document.getElementById('ic-app').hidden = false;
  document.getElementById('ic-azienda').replaceChildren('Stai operando per ', el('strong', {}, session.acting_as.name), /[.!?]$/.test(session.acting_as.name) ? '' : '.');
  const notice = document.getElementById('ic-esito');
  const tell = (kind, title, text) => {
    notice.replaceChildren(callout(kind, title, text));
    notice.focus();
  };

  // ---- the invitation ---------------------------------------------------------------
  const form = document.getElementById('ic-invito');
  const select = document.getElementById('ic-candidatura');
  const date = document.getElementById('ic-data');
  const checkDate = bindDateInput(date);
  clearOnEdit(form);
  async function loadCandidates() {
    let data;
    try {
      data = await getJSON('/api/company/applications?page_size=100');
    } catch (e) {
      tell('danger', 'Candidati non disponibili', e.message);
      return;
    }
    select.replaceChildren(el('option', { value: '' }, data.items.length ? 'Scegli il candidato' : 'Nessuna candidatura ricevuta'),
      ...data.items.map((a) => el('option', { value: String(a.id) }, `${a.candidate.name} ${a.candidate.family_name} – ${a.offer.code} ${a.offer.occupation}`)));
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    checkDate();
    const body = inviteBody({
      application: select.value, date: date.value.trim() ? (date.dataset.iso ?? 'x') : '', time: document.getElementById('ic-ora').value,
      minutes: document.getElementById('ic-durata').value, description: document.getElementById('ic-descrizione').value,
    });
    try {
      const made = await sendJSON('POST', '/api/company/interviews', body, csrf);
      form.reset();
      await load();
      tell('success', 'Invito inviato', `${made.candidate} riceve l'invito al colloquio del ${made.start_local} per e-mail.`);
    } catch (e) {
      showErrors(form, e);
    }
  });

  // ---- a new date after "Richiedi modifica" -------------------------------------------
  const moveBox = document.getElementById('ic-nuova-data');
  const moveForm = document.getElementById('ic-nuova-data-modulo');
  const moveDay = document.getElementById('ic-nuova-data-giorno');
  const moveTime = document.getElementById('ic-nuova-data-ora');
  const checkMoveDay = bindDateInput(moveDay);
  clearOnEdit(moveForm);
  let moving = null;
  const closeMove = () => { moveBox.hidden = true; moving = null; };
  document.getElementById('ic-nuova-data-chiudi').addEventListener('click', () => { closeMove(); document.getElementById('ic-elenco-titolo').focus(); });
  function openMove(i) {
    moving = i;
    moveForm.reset();
    clearErrors(moveForm);
    document.getElementById('ic-nuova-data-testo').textContent = `${i.candidate} ha chiesto di modificare il colloquio del ${i.start_local}. Le sue disponibilità: ${i.change_note ?? ''}`;
    moveBox.hidden = false;
    document.getElementById('ic-nuova-data-titolo').focus();
  }
  moveForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!moving) return;
    clearErrors(moveForm);
    checkMoveDay();
    const body = { date: moveDay.value.trim() ? (moveDay.dataset.iso ?? 'x') : null, time: moveTime.value || null };
    try {
      const after = await sendJSON('POST', `/api/company/interviews/${encodeURIComponent(moving.id)}/reschedule`, body, csrf);
      closeMove();
      await load();
      tell('success', 'Nuova data proposta', `${after.candidate} riceve la nuova data (${after.start_local}) per e-mail.`);
    } catch (e) {
      showErrors(moveForm, e);
    }
  });

  // ---- the list ---------------------------------------------------------------------
  const box = document.getElementById('ic-elenco');
  let page = 1;
  async function cancel(i) {
    const yes = await confirmDialog({
      title: 'Annulla il colloquio',
      text: `Vuoi annullare il colloquio del ${i.start_local} con ${i.candidate}? Il candidato riceve un'e-mail.`,
      confirm: 'Annulla il colloquio',
      cancel: 'Mantieni il colloquio',
    });
    if (!yes) return;
    try {
      await sendJSON('POST', `/api/company/interviews/${encodeURIComponent(i.id)}/cancel`, {}, csrf);
      await load();
      tell('success', 'Colloquio annullato', `Il colloquio del ${i.start_local} con ${i.candidate} è annullato.`);
    } catch (e) {
      await load();
      tell('danger', 'Colloquio non annullato', e.message);
    }
  }
  const actions = (i) => el('div', { class: 'd-flex flex-wrap gap-1' },
    i.actions.room ? el('a', { class: 'btn btn-primary btn-xs', href: roomHref(i.id, true) }, 'Vai al colloquio') : null,
    i.actions.reschedule ? el('button', { type: 'button', class: 'btn btn-primary btn-xs', onclick: () => openMove(i), 'aria-label': `Proponi una nuova data a ${i.candidate}` }, 'Proponi nuova data') : null,
    i.actions.cancel ? el('button', { type: 'button', class: 'btn btn-outline-danger btn-xs', onclick: () => cancel(i), 'aria-label': `Annulla il colloquio del ${i.start_local} con ${i.candidate}` }, 'Annulla') : null);
  async function load() {
    showLoading(box);
    let data;
    try {
      data = await getJSON(`/api/company/interviews?${query({ page, page_size: PAGE_SIZE })}`);
    } catch (e) {
      if (page > 1 && [404, 422].includes(e.status)) { page = 1; await load(); return; }
      showError(box, e.message, load);
      return;
    }
    done(box);
    if (!data.items.length) {
      box.replaceChildren(el('p', {}, 'Non hai ancora invitato candidati a un colloquio online.'));
      return;
    }
    box.replaceChildren(
      el('div', { class: 'table-responsive' }, el('table', { class: 'table table-stack', id: 'ic-tabella' },
        el('caption', { class: 'visually-hidden' }, 'I colloqui'),
        el('thead', {}, el('tr', {}, ['Candidato', 'Offerta', 'Data/Ora Inizio Colloquio', 'Durata', 'Stato', 'Descrizione', 'Azioni'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, data.items.map((i) => el('tr', { 'data-interview': i.id },
          el('th', { scope: 'row' }, i.candidate),
          el('td', { 'data-label': 'Offerta' }, `${i.offer} – ${i.occupation}`),
          el('td', { 'data-label': 'Data/Ora Inizio Colloquio' }, i.start_local),
          el('td', { 'data-label': 'Durata' }, `${i.minutes} minuti`),
          el('td', { 'data-label': 'Stato' }, i.status_label),
          el('td', { 'data-label': 'Descrizione' }, i.description,
            i.change_note && i.status === 'modifica_richiesta' ? el('span', { class: 'd-block small' }, `Disponibilità del candidato: ${i.change_note}`) : null),
          el('td', { 'data-label': 'Azioni' }, actions(i))))))),
      data.total > PAGE_SIZE ? pager({ page, pageSize: PAGE_SIZE, total: data.total, label: 'Paginazione dei colloqui', onChange: (p) => { page = p; return load(); } }) : '',
    );
  }

  await Promise.all([loadCandidates(), load()]);
}
