// /cittadino/appuntamenti/ "Prenotazione appuntamento CPI" (issue 16, manual
// "Prenotazione appuntamento CPI"): the person's appointments, the next ones and the
// past ones (state, date and time, CPI, sportello, type; "Scarica il documento",
// "Aggiungi al calendario" and, while it may still be cancelled, "Annulla" after a
// confirmation), their messages to the CPIs with the answers, and "Richiedi nuovo
// appuntamento": the manual's form (Area geografica, Centro impiego, Tipo Evento, Data
// da, Data a, "Cerca Disponibilità"), the free slots in the manual's columns with
// "Prenota", then "Riepilogo prenotazione" with "Scarica il documento". Nothing free:
// the manual's sentence and "Contatta il CPI", a short message to that CPI. The view
// is in the address (?nuovo=1&area=&cpi=&tipo=&da=&a=, ?riepilogo=<id>), so Back and
// reloading show the same thing. API: /api/appointments (README, "Appointments").

import { ApiError, getJSON, sendJSON } from '../api.mjs';
import {
  availabilityQuery, durationText, readState, statusBadge, summaryItems, writeState,
} from '../appointments.mjs';
import { activeSession, dateRange } from '../cv.mjs';
import { callout, clearErrors, clearOnEdit, showErrors } from '../forms.mjs';
import { bindDateInput, confirmDialog, done, el, pager, showError, showLoading } from '../ui.mjs';

const LIST_SIZE = 10;
const SLOT_SIZE = 20;
const NO_SLOTS = 'Nessuna disponibilità con i parametri inseriti. Utilizza il tasto «Contatta il CPI» per richiedere ulteriori informazioni al CPI.';


export async function init() {
  const status = document.getElementById('app-stato');
  showLoading(status);
  const session = await activeSession(status, 'prenotare un appuntamento con un Centro per l\'impiego', { comeBack: true });
  if (!session) return;
  const csrf = session.csrf_token;
  let kinds;
  let areas;
  try {
    [kinds, areas] = await Promise.all([getJSON('/api/appointments/kinds'), getJSON('/api/ref/areas')]);
  } catch (e) {
    showError(status, e.message, () => location.reload());
    return;
  }
  done(status);
  status.replaceChildren();
  document.getElementById('app-app').hidden = false;

  const views = {
    list: document.getElementById('app-elenco'),
    form: document.getElementById('app-nuovo'),
    summary: document.getElementById('app-riepilogo'),
    contact: document.getElementById('app-contatta'),
  };
  const headings = {
    list: document.getElementById('app-nuovo-apri'),
    form: document.getElementById('app-nuovo-titolo'),
    summary: document.getElementById('app-riepilogo-titolo'),
    contact: document.getElementById('app-contatta-titolo'),
  };
  const showView = (name, focus) => {
    for (const [k, v] of Object.entries(views)) v.hidden = k !== name;
    if (focus) headings[name].focus();
  };
  const notice = document.getElementById('app-esito');
  const tell = (box, kind, title, ...text) => {
    box.replaceChildren(el('div', { role: kind === 'danger' ? 'alert' : 'status' }, callout(kind, title, ...text)));
    box.focus();
  };

  // ---- the form's lists ----------------------------------------------------------
  const form = document.getElementById('app-ricerca');
  const areaSelect = document.getElementById('app-area');
  const cpiSelect = document.getElementById('app-cpi');
  const kindSelect = document.getElementById('app-tipo');
  const fromInput = document.getElementById('app-da');
  const toInput = document.getElementById('app-a');
  const checks = [bindDateInput(fromInput), bindDateInput(toInput)];
  clearOnEdit(form);
  areaSelect.append(...areas.items.map((a) => el('option', { value: a.code }, a.name)));
  kindSelect.append(...kinds.items.map((k) => el('option', { value: k.code }, `${k.name} (${k.minutes} minuti)`)));
  const kindName = new Map(kinds.items.map((k) => [k.code, k.name]));
  let cpisOf = null;
  let cpiNames = new Map();
  /** The CPIs of `area` (all of them without one) in the select, `chosen` selected. */
  async function fillCpis(area, chosen = '') {
    if (cpisOf === area) { cpiSelect.value = chosen; return; }
    cpiSelect.disabled = true;
    try {
      const data = await getJSON(area ? `/api/ref/cpis?area=${encodeURIComponent(area)}` : '/api/ref/cpis');
      cpisOf = area;
      cpiNames = new Map(data.items.map((c) => [c.code, c.name]));
      cpiSelect.replaceChildren(el('option', { value: '' }, 'Scegli il Centro per l\'impiego'), ...data.items.map((c) => el('option', { value: c.code }, c.name)));
      cpiSelect.value = chosen;
    } finally {
      cpiSelect.disabled = false;
    }
  }
  areaSelect.addEventListener('change', () => {
    fillCpis(areaSelect.value).catch((e) => showErrors(form, new ApiError(0, 'network', e.message, { fields: [{ field: 'cpi', message: e.message }] })));
  });

  // ---- navigation: the view is in the address ------------------------------------
  let state = readState(location.search);
  const go = (next, focus = true) => {
    state = { ...readState(''), ...next };
    const search = writeState(state);
    if (search !== location.search) history.pushState(null, '', location.pathname + search);
    return render(focus);
  };
  window.addEventListener('popstate', () => {
    state = readState(location.search);
    render(true);
  });
  document.getElementById('app-nuovo-apri').addEventListener('click', () => {
    notice.replaceChildren();
    go({ nuovo: true });
  });
  for (const b of document.querySelectorAll('[data-elenco]')) b.addEventListener('click', () => go({}));

  async function render(focus) {
    if (state.riepilogo) return openSummary(state.riepilogo, null, focus);
    if (state.nuovo) return openForm(focus);
    showView('list', focus);
    await Promise.all([loadList('future'), loadList('past'), loadMessages()]);
    return null;
  }

  // ---- the list ------------------------------------------------------------------
  const lists = {
    future: { box: document.getElementById('app-futuri'), page: 1, label: 'Paginazione dei prossimi appuntamenti', caption: 'I tuoi prossimi appuntamenti', none: 'Non hai appuntamenti in programma. Usa «Richiedi nuovo appuntamento» per prenotarne uno.' },
    past: { box: document.getElementById('app-passati'), page: 1, label: 'Paginazione degli appuntamenti passati', caption: 'I tuoi appuntamenti passati', none: 'Nessun appuntamento passato.' },
  };

  const actions = (a) => el('div', { class: 'cv-actions' },
    el('a', { class: 'btn btn-outline-primary btn-xs', href: a.receipt, download: `appuntamento-${a.id}.pdf`, 'aria-label': `Scarica il documento dell'appuntamento del ${a.start_local}` }, 'Scarica il documento'),
    el('a', { class: 'btn btn-outline-primary btn-xs', href: a.calendar, download: `appuntamento-${a.id}.ics`, 'aria-label': `Aggiungi al calendario l'appuntamento del ${a.start_local}` }, 'Aggiungi al calendario'),
    a.cancellable ? el('button', { type: 'button', class: 'btn btn-outline-danger btn-xs', 'aria-label': `Annulla l'appuntamento del ${a.start_local}`, onclick: () => cancel(a) }, 'Annulla') : null);

  const row = (a) => el('tr', { 'data-appointment': a.id },
    el('th', { scope: 'row' }, a.start_local),
    el('td', { 'data-label': 'Tipo' }, a.kind.name),
    el('td', { 'data-label': 'Centro impiego' }, a.cpi.name),
    el('td', { 'data-label': 'Sportello' }, a.desk.name, a.desk.address ? el('span', { class: 'd-block small' }, a.desk.address) : null),
    el('td', { 'data-label': 'Stato' }, statusBadge(a), a.cancel_reason ? el('span', { class: 'd-block small' }, `Motivo: ${a.cancel_reason}`) : null),
    el('td', {}, actions(a)));

  async function loadList(when) {
    const l = lists[when];
    showLoading(l.box);
    let data;
    try {
      data = await getJSON(`/api/appointments?when=${when}&page=${l.page}&page_size=${LIST_SIZE}`);
    } catch (e) {
      // a page that no longer exists (the list got shorter): the first one
      if (l.page > 1 && [404, 422].includes(e.status)) { l.page = 1; await loadList(when); return; }
      showError(l.box, e.message, () => loadList(when));
      return;
    }
    done(l.box);
    if (!data.items.length && l.page > 1) { l.page = 1; await loadList(when); return; }
    if (!data.items.length) {
      l.box.replaceChildren(el('p', {}, l.none));
      return;
    }
    const total = data.total ?? data.items.length;
    l.box.replaceChildren(
      el('div', { class: 'table-responsive' }, el('table', { class: 'table table-stack', id: `app-tabella-${when === 'future' ? 'futuri' : 'passati'}` },
        el('caption', { class: 'visually-hidden' }, l.caption),
        el('thead', {}, el('tr', {}, ['Data e ora', 'Tipo', 'Centro impiego', 'Sportello', 'Stato', 'Azioni'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, data.items.map(row)))),
      total > LIST_SIZE ? pager({ page: l.page, pageSize: LIST_SIZE, total, label: l.label, onChange: (p) => { l.page = p; return loadList(when); } }) : '',
    );
  }

  async function cancel(a) {
    const yes = await confirmDialog({
      title: 'Annulla l\'appuntamento',
      text: `Vuoi annullare l'appuntamento del ${a.start_local} (${a.kind.name}) al Centro per l'impiego di ${a.cpi.name}? L'orario tornerà disponibile per altre persone.`,
      confirm: 'Annulla l\'appuntamento',
      cancel: 'Mantieni l\'appuntamento',
    });
    if (!yes) return;
    try {
      const after = await sendJSON('POST', `/api/appointments/${encodeURIComponent(a.id)}/cancel`, {}, csrf);
      await Promise.all([loadList('future'), loadList('past')]);
      tell(notice, 'success', 'Appuntamento annullato', `Hai annullato l'appuntamento del ${after.start_local ?? a.start_local} al Centro per l'impiego di ${a.cpi.name}.`);
    } catch (e) {
      await loadList('future');
      tell(notice, 'danger', 'Appuntamento non annullato', e.message);
    }
  }

  // ---- messages ------------------------------------------------------------------
  const messagesBox = document.getElementById('app-messaggi');
  async function loadMessages() {
    showLoading(messagesBox);
    let data;
    try {
      data = await getJSON('/api/appointments/messages');
    } catch (e) {
      showError(messagesBox, e.message, loadMessages);
      return;
    }
    done(messagesBox);
    if (!data.items.length) {
      messagesBox.replaceChildren(el('p', {}, 'Non hai scritto ai Centri per l\'impiego. Se non trovi disponibilità per un appuntamento, usa «Contatta il CPI».'));
      return;
    }
    messagesBox.replaceChildren(el('ul', { class: 'list-unstyled', id: 'app-messaggi-elenco' }, data.items.map((m) => el('li', { class: 'border rounded p-3 mb-3', 'data-message': m.id },
      el('p', { class: 'fw-semibold mb-1' }, `Al Centro per l'impiego di ${m.cpi.name}, il ${m.sent_at_local}`),
      m.kind ? el('p', { class: 'small mb-1' }, `Tipo Evento: ${m.kind.name}`) : null,
      el('p', { class: 'message-text mb-2' }, m.text),
      m.answer
        ? el('div', { class: 'message-answer p-2' },
          el('p', { class: 'fw-semibold mb-1' }, `Risposta del Centro per l'impiego${m.answered_at_local ? `, il ${m.answered_at_local}` : ''}`),
          el('p', { class: 'message-text mb-0' }, m.answer))
        : el('p', { class: 'small mb-0' }, el('span', { class: 'badge bg-warning text-dark' }, 'In attesa di risposta'))))));
  }

  // ---- Nuovo appuntamento --------------------------------------------------------
  const results = document.getElementById('app-risultati');
  const searchNotice = document.getElementById('app-ricerca-esito');
  let slots = [];
  let slotPage = 1;
  let searched = null;

  async function openForm(focus) {
    showView('form', focus);
    clearErrors(form);
    areaSelect.value = state.area;
    kindSelect.value = state.tipo;
    fromInput.value = state.da ? state.da.split('-').reverse().join('/') : '';
    toInput.value = state.a ? state.a.split('-').reverse().join('/') : '';
    checks.forEach((c) => c());
    try {
      await fillCpis(state.area, state.cpi);
    } catch (e) {
      showError(results, e.message, () => openForm(false));
      return;
    }
    if (state.cpi && state.tipo) {
      await search();
    } else {
      searchNotice.replaceChildren();
      results.replaceChildren(el('p', {}, 'Scegli il Centro per l\'impiego e il tipo di evento, poi premi «Cerca Disponibilità».'));
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors(form);
    checks.forEach((c) => c());
    const problems = [];
    if (!cpiSelect.value) problems.push({ field: 'cpi', message: 'Scegli il Centro per l\'impiego.' });
    if (!kindSelect.value) problems.push({ field: 'kind', message: 'Scegli il tipo di evento.' });
    const range = dateRange(fromInput, toInput);
    if (!range) problems.push({ field: fromInput.getAttribute('aria-invalid') ? 'from' : 'to', message: 'Inserisci una data valida nel formato gg/mm/aaaa.' });
    else if (range.from && range.to && range.to < range.from) problems.push({ field: 'to', message: 'La data finale non può precedere quella iniziale.' });
    if (problems.length) {
      showErrors(form, new ApiError(422, 'invalid_fields', '', { fields: problems }));
      return;
    }
    go({ nuovo: true, area: areaSelect.value, cpi: cpiSelect.value, tipo: kindSelect.value, da: range.from, a: range.to }, false)
      // the outcome (how many, or none and «Contatta il CPI») is where the focus goes
      .then(() => results.querySelector('[tabindex="-1"]')?.focus());
  });

  const slotRow = (s) => el('tr', { 'data-slot': s.slot },
    el('td', { 'data-label': 'Data inserimento' }, s.inserted_at_local),
    el('td', { 'data-label': 'Centro impiego' }, s.cpi.name),
    el('th', { scope: 'row', class: 'fw-normal' }, s.place),
    el('td', { 'data-label': 'Durata' }, durationText(s.minutes)),
    el('td', {}, el('button', { type: 'button', class: 'btn btn-primary btn-xs', 'aria-label': `Prenota l'appuntamento del ${s.start_local} allo sportello ${s.desk.name}`, onclick: (event) => book(s, event.currentTarget) }, 'Prenota')));

  function drawSlots(data) {
    const pages = Math.max(1, Math.ceil(slots.length / SLOT_SIZE));
    slotPage = Math.min(slotPage, pages);
    const shown = slots.slice((slotPage - 1) * SLOT_SIZE, slotPage * SLOT_SIZE);
    results.replaceChildren(
      el('p', { class: 'small', role: 'status', tabindex: '-1' }, `${slots.length === 1 ? '1 disponibilità' : `${slots.length} disponibilità`} per «${data.kind?.name ?? kindName.get(state.tipo)}» al Centro per l'impiego di ${data.cpi?.name ?? cpiNames.get(state.cpi) ?? ''}.`),
      data.truncated ? el('p', { class: 'small' }, 'Sono mostrate solo le prime disponibilità: restringi il periodo per vederne altre.') : '',
      el('div', { class: 'table-responsive' }, el('table', { class: 'table table-stack', id: 'app-disponibilita' },
        el('caption', { class: 'visually-hidden' }, 'Disponibilità per l\'appuntamento'),
        el('thead', {}, el('tr', {}, ['Data inserimento', 'Centro impiego', 'Data e luogo appuntamento', 'Durata', 'Azioni'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, shown.map(slotRow)))),
      slots.length > SLOT_SIZE ? pager({ page: slotPage, pageSize: SLOT_SIZE, total: slots.length, label: 'Paginazione delle disponibilità', onChange: (p) => { slotPage = p; drawSlots(data); } }) : '',
    );
  }

  async function search() {
    showLoading(results, 'Ricerca delle disponibilità in corso…');
    let data;
    try {
      data = await getJSON(`/api/appointments/availability?${availabilityQuery(state)}`);
    } catch (e) {
      done(results);
      results.replaceChildren();
      if (e.fields?.length) showErrors(form, e);
      else showError(results, e.message, search);
      return;
    }
    done(results);
    searched = { cpi: data.cpi ?? { code: state.cpi, name: cpiNames.get(state.cpi) ?? state.cpi }, kind: data.kind ?? { code: state.tipo, name: kindName.get(state.tipo) } };
    slots = data.items;
    slotPage = 1;
    if (!slots.length) {
      results.replaceChildren(el('div', { role: 'status', tabindex: '-1', id: 'app-nessuna' },
        callout('note', 'Nessuna disponibilità', data.message || NO_SLOTS,
          el('p', { class: 'mb-0' }, el('button', { type: 'button', class: 'btn btn-primary', id: 'app-contatta-apri', onclick: openContact }, 'Contatta il CPI')))));
      return;
    }
    drawSlots(data);
  }

  async function book(s, button) {
    searchNotice.replaceChildren();
    for (const b of results.querySelectorAll('button')) b.disabled = true;
    let booked;
    try {
      booked = await sendJSON('POST', '/api/appointments', { slot: s.slot }, csrf);
    } catch (e) {
      if (e.code === 'slot_taken') {
        await search();
        tell(searchNotice, 'danger', 'Orario non più disponibile', e.message);
      } else {
        for (const b of results.querySelectorAll('button')) b.disabled = false;
        tell(searchNotice, 'danger', 'Prenotazione non effettuata', e.message);
        if (!button.isConnected) searchNotice.focus();
      }
      return;
    }
    state = { ...readState(''), riepilogo: String(booked.id) };
    history.pushState(null, '', location.pathname + writeState(state));
    await openSummary(booked.id, booked, true);
  }

  // ---- Riepilogo prenotazione ----------------------------------------------------
  const summaryBox = document.getElementById('app-riepilogo-contenuto');
  const summaryActions = document.getElementById('app-riepilogo-azioni');
  async function openSummary(id, just, focus) {
    showView('summary', focus);
    summaryActions.replaceChildren();
    let a = just;
    if (!a) {
      showLoading(summaryBox);
      try {
        a = await getJSON(`/api/appointments/${encodeURIComponent(id)}`);
      } catch (e) {
        showError(summaryBox, e.message, () => openSummary(id, null, false));
        summaryActions.replaceChildren(el('button', { type: 'button', class: 'btn btn-outline-primary', onclick: () => go({}) }, 'Torna all\'elenco'));
        return;
      }
      done(summaryBox);
    }
    summaryBox.replaceChildren(
      just ? el('div', { role: 'status' }, callout('success', 'Prenotazione effettuata',
        `Il tuo appuntamento al Centro per l'impiego di ${a.cpi.name} è prenotato per il ${a.start_local}. Scarica il documento: riporta come si svolgerà il colloquio.`)) : '',
      el('p', { class: 'mt-3' }, a.place),
      el('dl', { class: 'row', id: 'app-riepilogo-dati' }, summaryItems(a)));
    summaryActions.replaceChildren(
      el('a', { class: 'btn btn-primary', href: a.receipt, download: `appuntamento-${a.id}.pdf`, id: 'app-ricevuta' }, 'Scarica il documento'),
      el('a', { class: 'btn btn-outline-primary', href: a.calendar, download: `appuntamento-${a.id}.ics` }, 'Aggiungi al calendario'),
      el('button', { type: 'button', class: 'btn btn-outline-primary', onclick: () => go({}) }, 'Torna all\'elenco'));
  }

  // ---- Contatta il CPI -----------------------------------------------------------
  const contactForm = document.getElementById('app-contatta-modulo');
  const contactNotice = document.getElementById('app-contatta-esito');
  const messageInput = document.getElementById('app-messaggio');
  const sendButton = document.getElementById('app-contatta-invia');
  clearOnEdit(contactForm);
  function openContact() {
    clearErrors(contactForm);
    contactNotice.replaceChildren();
    contactForm.hidden = false;
    messageInput.value = '';
    document.getElementById('app-contatta-cpi').textContent = `Il messaggio arriverà al Centro per l'impiego di ${searched.cpi.name}${searched.kind?.name ? `, per «${searched.kind.name}»` : ''}: riceverai la risposta per e-mail e la troverai in questa pagina.`;
    showView('contact', true);
  }
  document.getElementById('app-contatta-indietro').addEventListener('click', () => showView('form', true));
  contactForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(contactForm);
    const text = messageInput.value.trim();
    if (text.length < 10) {
      showErrors(contactForm, new ApiError(422, 'invalid_fields', '', { fields: [{ field: 'text', message: 'Scrivi il messaggio: almeno 10 caratteri.' }] }));
      return;
    }
    sendButton.disabled = true;
    try {
      await sendJSON('POST', '/api/appointments/messages', { cpi: searched.cpi.code, kind: searched.kind?.code ?? null, text }, csrf);
      contactForm.hidden = true;
      tell(contactNotice, 'success', 'Messaggio inviato', `Il tuo messaggio è stato inviato al Centro per l'impiego di ${searched.cpi.name}. Riceverai la risposta per e-mail e la troverai nell'elenco dei tuoi messaggi.`);
    } catch (e) {
      showErrors(contactForm, e);
    } finally {
      sendButton.disabled = false;
    }
  });

  await render(false);
}
