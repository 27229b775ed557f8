// /operatore/appuntamenti/ (issue 16): the bookings of the CPI the operator works for,
// for a day or a week (Monday to Sunday; previous and next, today), by sportello and
// state, grouped by day: time, tipo, sportello, the person (name, codice fiscale,
// contacts) and the state, with "Annulla" after a dialog that asks for the reason
// (the citizen gets it by e-mail). Then "Messaggi dal cittadino" (open, answered, all;
// an answer form under each open one) and the private calendar address (created and
// shown once with "Copia l'indirizzo"; revoked). The day, view and filters are in the
// address (?vista=&giorno=&sportello=&stato=). API: /api/operator/appointments,
// /api/operator/desks (README, "Appointments").

import { getJSON, sendJSON } from '../api.mjs';
import { addDays, dayTitle, dmy, isoOfDmy, isoOrEmpty, mondayOf, splitLocal, statusBadge, todayIso } from '../appointments.mjs';
import { query } from '../cv.mjs';
import { callout, clearErrors, clearOnEdit, showErrors, showFieldError } from '../forms.mjs';
import { staffContext, workingCpiLine } from '../staff.mjs';
import { bindDateInput, confirmDialog, done, el, showError, showLoading, textDialog } from '../ui.mjs';

/** The period shown: a day, or the week (Monday–Sunday) of `day`. */
export function period(view, day) {
  if (view === 'giorno') return { from: day, to: day };
  const from = mondayOf(day);
  return { from, to: addDays(from, 6) };
}

/** The page's state from the address. */
export function readFilters(search, today) {
  const q = new URLSearchParams(search);
  return {
    view: q.get('vista') === 'giorno' ? 'giorno' : 'settimana',
    day: isoOrEmpty(q.get('giorno')) || today,
    desk: /^[A-Za-z0-9_-]{1,40}$/.test(q.get('sportello') ?? '') ? q.get('sportello') : '',
    status: /^[a-z_]{1,40}$/.test(q.get('stato') ?? '') ? q.get('stato') : '',
  };
}

const personName = (p) => p?.name ?? '';
const capitalized = (text) => text.charAt(0).toLocaleUpperCase('it-IT') + text.slice(1);

export async function init() {
  const status = document.getElementById('oa-stato');
  showLoading(status);
  const ctx = await staffContext(status, 'operator', 'vedere gli appuntamenti del tuo Centro per l\'impiego');
  if (!ctx) return;
  const { session, me } = ctx;
  const csrf = session.csrf_token;
  let desks;
  try {
    desks = await getJSON('/api/operator/desks');
  } catch (e) {
    showError(status, e.message, () => location.reload());
    return;
  }
  done(status);
  status.replaceChildren();
  document.getElementById('oa-app').hidden = false;
  document.getElementById('oa-cpi').replaceWith(workingCpiLine(me));

  // ---- bookings --------------------------------------------------------------------
  const form = document.getElementById('oa-filtri');
  const viewSelect = document.getElementById('oa-vista');
  const dayInput = document.getElementById('oa-giorno');
  const deskSelect = document.getElementById('oa-sportello');
  const statusSelect = document.getElementById('oa-filtro-stato');
  const prev = document.getElementById('oa-precedente');
  const next = document.getElementById('oa-successiva');
  const results = document.getElementById('oa-risultati');
  const notice = document.getElementById('oa-esito');
  const checkDay = bindDateInput(dayInput);
  clearOnEdit(form);
  deskSelect.append(...desks.items.map((d) => el('option', { value: String(d.id) }, d.name)));
  if (!desks.items.length) {
    notice.replaceChildren(callout('note', 'Nessuno sportello', el('p', { class: 'mb-0' }, 'Il tuo Centro per l\'impiego non ha ancora sportelli con orari: i cittadini potranno prenotare quando li aggiungerai in ', el('a', { href: '/operatore/sportelli/' }, 'Sportelli e orari'), '.')));
  }

  let filters = readFilters(location.search, todayIso());
  const labels = () => {
    const day = viewSelect.value === 'giorno';
    prev.textContent = day ? '‹ Giorno precedente' : '‹ Settimana precedente';
    next.textContent = day ? 'Giorno successivo ›' : 'Settimana successiva ›';
  };
  const fillForm = () => {
    viewSelect.value = filters.view;
    dayInput.value = dmy(filters.day);
    checkDay();
    deskSelect.value = filters.desk;
    if (deskSelect.value !== filters.desk) filters.desk = '';
    statusSelect.value = filters.status;
    labels();
  };
  const toAddress = () => {
    const q = query({ vista: filters.view === 'giorno' ? 'giorno' : '', giorno: filters.day === todayIso() ? '' : filters.day, sportello: filters.desk, stato: filters.status });
    const search = q ? `?${q}` : '';
    if (search !== location.search) history.pushState(null, '', location.pathname + search);
  };
  viewSelect.addEventListener('change', labels);

  const row = (a) => {
    const [, startTime] = splitLocal(a.start_local);
    const [, endTime] = splitLocal(a.end_local);
    const who = personName(a.person);
    return el('tr', { 'data-appointment': a.id },
      el('th', { scope: 'row' }, endTime ? `${startTime}–${endTime}` : startTime),
      el('td', { 'data-label': 'Tipo' }, a.kind.name),
      el('td', { 'data-label': 'Sportello' }, a.desk.name),
      el('td', { 'data-label': 'Persona' }, who, el('span', { class: 'd-block small' }, a.person?.fiscal_code ?? ''),
        a.person?.email || a.person?.mobile ? el('span', { class: 'd-block small text-break' }, [a.person.email, a.person.mobile].filter(Boolean).join(' – ')) : null),
      el('td', { 'data-label': 'Stato' }, statusBadge(a, { operator: true }), a.cancel_reason ? el('span', { class: 'd-block small' }, `Motivo: ${a.cancel_reason}`) : null),
      el('td', {}, a.status === 'prenotato' && Date.parse(a.start) > Date.now()
        ? el('button', { type: 'button', class: 'btn btn-outline-danger btn-xs', 'aria-label': `Annulla l'appuntamento di ${who} del ${a.start_local}`, onclick: () => cancel(a) }, 'Annulla')
        : null));
  };

  async function load() {
    const { from, to } = period(filters.view, filters.day);
    showLoading(results);
    let data;
    try {
      data = await getJSON(`/api/operator/appointments?${query({ from, to, desk: filters.desk, status: filters.status })}`);
    } catch (e) {
      if (e.fields?.length) { results.replaceChildren(); done(results); showErrors(form, e); return; }
      showError(results, e.message, load);
      return;
    }
    done(results);
    // the state filter, also where the API does not apply it
    if (filters.status) data.items = data.items.filter((a) => a.status === filters.status);
    const title = from === to ? dayTitle(from) : `dal ${dmy(from)} al ${dmy(to)}`;
    if (!data.items.length) {
      results.replaceChildren(el('p', { role: 'status' }, `Nessuna prenotazione ${from === to ? `per ${title}` : title}.`));
      return;
    }
    // grouped by day, in start order
    const days = new Map();
    for (const a of data.items) {
      const day = isoOfDmy(splitLocal(a.start_local)[0]) || a.start.slice(0, 10);
      if (!days.has(day)) days.set(day, []);
      days.get(day).push(a);
    }
    results.replaceChildren(
      el('p', { class: 'small', role: 'status' }, `${data.items.length === 1 ? '1 prenotazione' : `${data.items.length} prenotazioni`} ${from === to ? `per ${title}` : title}.`),
      ...[...days].map(([day, items]) => el('div', { class: 'mb-4' },
        el('h3', { class: 'h5' }, capitalized(dayTitle(day))),
        el('div', { class: 'table-responsive' }, el('table', { class: 'table table-stack oa-tabella', 'data-day': day },
          el('caption', { class: 'visually-hidden' }, `Prenotazioni di ${dayTitle(day)}`),
          el('thead', {}, el('tr', {}, ['Ora', 'Tipo', 'Sportello', 'Persona', 'Stato', 'Azioni'].map((h) => el('th', { scope: 'col' }, h)))),
          el('tbody', {}, items.map(row)))))),
    );
  }

  async function cancel(a) {
    const who = personName(a.person);
    const reason = await textDialog({
      title: 'Annulla l\'appuntamento',
      text: `Annulli l'appuntamento di ${who} (${a.person?.fiscal_code ?? ''}) del ${a.start_local}, ${a.kind.name}. Il cittadino riceverà un'e-mail con il motivo.`,
      label: 'Motivo dell\'annullamento',
      required: 'Scrivi il motivo dell\'annullamento: il cittadino lo riceverà per e-mail.',
      confirm: 'Annulla l\'appuntamento',
      cancel: 'Mantieni l\'appuntamento',
    });
    if (reason === null) return;
    try {
      await sendJSON('POST', `/api/operator/appointments/${encodeURIComponent(a.id)}/cancel`, { reason }, csrf);
      await load();
      notice.replaceChildren(el('div', { role: 'status' }, callout('success', 'Appuntamento annullato', `L'appuntamento di ${who} del ${a.start_local} è annullato; il cittadino riceve un'e-mail con il motivo.`)));
    } catch (e) {
      notice.replaceChildren(el('div', { role: 'alert' }, callout('danger', 'Appuntamento non annullato', e.message)));
    }
    notice.focus();
  }

  const show = (push = true) => {
    if (push) toAddress();
    notice.replaceChildren();
    return load();
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors(form);
    checkDay();
    const day = dayInput.value.trim() === '' ? todayIso() : dayInput.dataset.iso;
    if (!day) { showFieldError(dayInput, 'Inserisci una data valida nel formato gg/mm/aaaa.'); dayInput.focus(); return; }
    filters = { view: viewSelect.value, day, desk: deskSelect.value, status: statusSelect.value };
    fillForm();
    show();
  });
  const move = (sign) => {
    filters = { ...filters, view: viewSelect.value, day: addDays(filters.day, sign * (viewSelect.value === 'giorno' ? 1 : 7)) };
    fillForm();
    show();
  };
  prev.addEventListener('click', () => move(-1));
  next.addEventListener('click', () => move(1));
  document.getElementById('oa-oggi').addEventListener('click', () => {
    filters = { ...filters, view: viewSelect.value, day: todayIso() };
    fillForm();
    show();
  });
  window.addEventListener('popstate', () => {
    filters = readFilters(location.search, todayIso());
    fillForm();
    show(false);
  });

  // ---- Messaggi dal cittadino ------------------------------------------------------
  const messagesBox = document.getElementById('oa-messaggi-elenco');
  const messagesNotice = document.getElementById('oa-messaggi-esito');
  const messagesFilter = document.getElementById('oa-messaggi-stato');

  const answerForm = (m) => {
    const id = `oa-risposta-${m.id}`;
    const input = el('textarea', { id, class: 'form-control', rows: '3', maxlength: '2000', 'data-field': 'text', 'aria-required': 'true' });
    const button = el('button', { type: 'submit', class: 'btn btn-primary btn-sm', 'aria-label': `Invia la risposta a ${m.person?.name ?? 'il cittadino'}` }, 'Invia la risposta');
    const f = el('form', { novalidate: true, class: 'mt-2' },
      el('div', { class: 'mb-2' }, el('label', { for: id, class: 'form-label' }, `Risposta a ${m.person?.name ?? 'il cittadino'}`, ' ', el('span', { class: 'required-mark', 'aria-hidden': 'true' }, '*')), input),
      button);
    clearOnEdit(f);
    f.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearErrors(f);
      const text = input.value.trim();
      if (!text) { showFieldError(input, 'Scrivi la risposta.'); input.focus(); return; }
      button.disabled = true;
      try {
        const answered = await sendJSON('POST', `/api/operator/appointments/messages/${encodeURIComponent(m.id)}/answer`, { text }, csrf);
        await loadMessages();
        messagesNotice.replaceChildren(el('div', { role: 'status' }, callout('success', 'Risposta inviata', `La risposta a ${answered.person?.name ?? m.person?.name ?? 'il cittadino'} è inviata per e-mail.`)));
        messagesNotice.focus();
      } catch (e) {
        showErrors(f, e);
      } finally {
        button.disabled = false;
      }
    });
    return f;
  };

  const message = (m) => el('li', { class: 'border rounded p-3 mb-3', 'data-message': m.id },
    el('h3', { class: 'h6 mb-1' }, `${m.person?.name ?? ''} (${m.person?.fiscal_code ?? ''})`),
    el('p', { class: 'small mb-1' }, [`Scritto il ${m.sent_at_local}`, m.kind ? `Tipo Evento: ${m.kind.name}` : null, m.person?.email ? `e-mail: ${m.person.email}` : null].filter(Boolean).join(' · ')),
    el('p', { class: 'message-text mb-2' }, m.text),
    m.answer
      ? el('div', { class: 'message-answer p-2' },
        el('p', { class: 'fw-semibold mb-1' }, `Risposta${m.answered_at_local ? ` del ${m.answered_at_local}` : ''}`),
        el('p', { class: 'message-text mb-0' }, m.answer))
      : answerForm(m));

  async function loadMessages() {
    showLoading(messagesBox);
    let data;
    try {
      data = await getJSON(`/api/operator/appointments/messages?status=${encodeURIComponent(messagesFilter.value)}`);
    } catch (e) {
      showError(messagesBox, e.message, loadMessages);
      return;
    }
    done(messagesBox);
    if (!data.items.length) {
      messagesBox.replaceChildren(el('p', {}, { open: 'Nessun messaggio da rispondere.', answered: 'Nessun messaggio con risposta.' }[messagesFilter.value] ?? 'Nessun messaggio.'));
      return;
    }
    messagesBox.replaceChildren(el('ul', { class: 'list-unstyled' }, data.items.map(message)));
  }
  document.getElementById('oa-messaggi-filtri').addEventListener('submit', (event) => {
    event.preventDefault();
    messagesNotice.replaceChildren();
    loadMessages();
  });

  // ---- Calendario privato ----------------------------------------------------------
  const feedState = document.getElementById('oa-calendario-stato');
  const feedNotice = document.getElementById('oa-calendario-esito');
  const feedActions = document.getElementById('oa-calendario-azioni');
  const create = document.getElementById('oa-calendario-crea');
  const revoke = document.getElementById('oa-calendario-revoca');
  const drawFeed = (feed) => {
    feedState.replaceChildren(el('p', {}, feed.active
      ? `Il tuo indirizzo del calendario è attivo${feed.created_at_local ? ` (creato il ${feed.created_at_local})` : ''}.`
      : 'Non hai un indirizzo del calendario attivo.'));
    create.textContent = feed.active ? 'Crea un nuovo indirizzo' : 'Crea l\'indirizzo del calendario';
    revoke.hidden = !feed.active;
    feedActions.hidden = false;
  };
  async function loadFeed() {
    showLoading(feedState);
    try {
      drawFeed(await getJSON('/api/operator/appointments/feed'));
      done(feedState);
    } catch (e) {
      showError(feedState, e.message, loadFeed);
    }
  }
  create.addEventListener('click', async () => {
    if (!revoke.hidden && !(await confirmDialog({ title: 'Crea un nuovo indirizzo', text: 'L\'indirizzo attuale smetterà di funzionare: dovrai abbonare il calendario al nuovo indirizzo.', confirm: 'Crea un nuovo indirizzo', danger: false }))) return;
    create.disabled = true;
    try {
      const { url } = await sendJSON('POST', '/api/operator/appointments/feed', {}, csrf);
      const field = el('input', { id: 'oa-calendario-url', type: 'text', class: 'form-control', readonly: true, value: url, 'aria-describedby': 'oa-calendario-url-aiuto' });
      const copied = el('span', { class: 'ms-2', role: 'status' });
      feedNotice.replaceChildren(el('div', { role: 'status' }, callout('success', 'Indirizzo del calendario creato',
        el('div', { class: 'mb-2' },
          el('label', { for: field.id, class: 'form-label' }, 'Indirizzo del calendario'),
          field,
          el('small', { class: 'form-text', id: 'oa-calendario-url-aiuto' }, 'Copialo ora e abbonalo nel tuo programma di calendario: non sarà più mostrato.')),
        el('div', {}, el('button', {
          type: 'button', class: 'btn btn-primary btn-sm', id: 'oa-calendario-copia',
          onclick: async () => {
            try {
              await navigator.clipboard.writeText(url);
              copied.textContent = 'Indirizzo copiato.';
            } catch {
              field.select();
              copied.textContent = 'Copia non riuscita: l\'indirizzo è selezionato, copialo con Ctrl+C.';
            }
          },
        }, 'Copia l\'indirizzo'), copied))));
      feedNotice.focus();
      await loadFeed();
    } catch (e) {
      feedNotice.replaceChildren(el('div', { role: 'alert' }, callout('danger', 'Indirizzo non creato', e.message)));
      feedNotice.focus();
    } finally {
      create.disabled = false;
    }
  });
  revoke.addEventListener('click', async () => {
    if (!(await confirmDialog({ title: 'Revoca l\'indirizzo del calendario', text: 'Il calendario abbonato a questo indirizzo smetterà di aggiornarsi.', confirm: 'Revoca l\'indirizzo' }))) return;
    try {
      await sendJSON('POST', '/api/operator/appointments/feed/revoke', {}, csrf);
      feedNotice.replaceChildren(el('div', { role: 'status' }, callout('success', 'Indirizzo revocato', 'L\'indirizzo del calendario non funziona più.')));
      await loadFeed();
    } catch (e) {
      feedNotice.replaceChildren(el('div', { role: 'alert' }, callout('danger', 'Indirizzo non revocato', e.message)));
    }
    feedNotice.focus();
  });

  fillForm();
  await Promise.all([load(), loadMessages(), loadFeed()]);
}
