// /operatore/sportelli/ "Sportelli e orari" (issue 16): the sportelli of the CPI the
// operator works for, each with its weekly hours for the appointments (tipo evento,
// giorno della settimana or "dal lunedì al venerdì", dalle, alle, valido dal/al) and its
// exceptions (a closure, of the whole desk or of one tipo, or an extraordinary opening,
// also on a national holiday, which is otherwise closed), with add and delete; "Nuovo
// sportello" and "Modifica" (nome, indirizzo, e-mail, telefono). API: /api/operator/desks
// (README, "Appointments").

import { ApiError, getJSON, sendJSON } from '../api.mjs';
import { dmy, WEEKDAYS } from '../appointments.mjs';
import { callout, clearErrors, clearOnEdit, showErrors } from '../forms.mjs';
import { staffContext, workingCpiLine } from '../staff.mjs';
import { bindDateInput, confirmDialog, done, el, parseDate, showError, showLoading } from '../ui.mjs';

/** "Dal lunedì al venerdì": one weekly hour per working day. */
export const WORKING_DAYS = 'lun-ven';

/** The bodies of POST /api/operator/desks/<id>/hours for the form's values (several for WORKING_DAYS). */
export function hoursBodies(v) {
  const days = v.weekday === WORKING_DAYS ? [1, 2, 3, 4, 5] : [Number.parseInt(v.weekday, 10) || null];
  return days.map((weekday) => ({
    kind: v.kind || null,
    weekday,
    start: v.start || null,
    end: v.end || null,
    valid_from: v.valid_from || null,
    valid_to: v.valid_to || null,
  }));
}

/** The body of POST /api/operator/desks/<id>/exceptions for the form's values. */
export function exceptionBody(v) {
  return {
    day: v.day || null,
    open: Boolean(v.open),
    kind: v.kind || null,
    start: v.start || null,
    end: v.end || null,
    note: (v.note ?? '').trim(),
  };
}

export async function init() {
  const status = document.getElementById('os-stato');
  showLoading(status);
  const ctx = await staffContext(status, 'operator', 'gestire gli sportelli del tuo Centro per l\'impiego');
  if (!ctx) return;
  const { session, me } = ctx;
  const csrf = session.csrf_token;
  let kinds;
  let desks;
  try {
    [kinds, desks] = await Promise.all([getJSON('/api/appointments/kinds'), getJSON('/api/operator/desks')]);
  } catch (e) {
    showError(status, e.message, () => location.reload());
    return;
  }
  done(status);
  status.replaceChildren();
  document.getElementById('os-app').hidden = false;
  document.getElementById('os-cpi').replaceWith(workingCpiLine(me));
  const kindName = new Map(kinds.items.map((k) => [k.code, k.name]));
  const kindOptions = (first) => [el('option', { value: '' }, first), ...kinds.items.map((k) => el('option', { value: k.code }, k.name))];

  const sections = { list: document.getElementById('os-elenco'), form: document.getElementById('os-modulo-sezione') };
  const show = (name) => { for (const [k, s] of Object.entries(sections)) s.hidden = k !== name; };
  const notice = document.getElementById('os-esito');
  const box = document.getElementById('os-sportelli');
  const list = desks.items.map((d) => ({ hours: [], exceptions: [], ...d }));

  // ---- the desks -------------------------------------------------------------------
  function drawAll() {
    if (!list.length) {
      box.replaceChildren(el('p', {}, 'Il tuo Centro per l\'impiego non ha ancora sportelli: aggiungine uno con «Nuovo sportello», poi i suoi orari.'));
      return;
    }
    box.replaceChildren(...list.map((d) => deskSection(d)));
  }

  const deskNotice = (d) => document.getElementById(`os-${d.id}-esito`);
  const tellDesk = (d, kind, title, text) => {
    const n = deskNotice(d);
    n.replaceChildren(el('div', { role: kind === 'danger' ? 'alert' : 'status' }, callout(kind, title, text)));
    n.focus();
  };
  /** Draws desk `d` again in place; `open`: the add form to keep open ('hours', 'exceptions'). */
  function redraw(d, open) {
    const old = document.querySelector(`[data-desk="${CSS.escape(String(d.id))}"]`);
    const fresh = deskSection(d, open);
    if (old) old.replaceWith(fresh); else drawAll();
    return fresh;
  }

  function deskSection(d, open = '') {
    const p = `os-${d.id}`;
    const hoursRows = [...d.hours].sort((a, b) => a.weekday - b.weekday || a.start.localeCompare(b.start)).map((h) => el('tr', { 'data-hours': h.id },
      el('th', { scope: 'row' }, h.weekday_label ?? WEEKDAYS[h.weekday - 1]),
      el('td', { 'data-label': 'Tipo evento' }, kindName.get(h.kind) ?? h.kind),
      el('td', { 'data-label': 'Dalle' }, h.start),
      el('td', { 'data-label': 'Alle' }, h.end),
      el('td', { 'data-label': 'Valido dal' }, h.valid_from ? dmy(h.valid_from) : '—'),
      el('td', { 'data-label': 'Valido al' }, h.valid_to ? dmy(h.valid_to) : '—'),
      el('td', {}, el('button', { type: 'button', class: 'btn btn-outline-danger btn-xs', 'aria-label': `Elimina l'orario del ${h.weekday_label ?? WEEKDAYS[h.weekday - 1]} dalle ${h.start} alle ${h.end} (${kindName.get(h.kind) ?? h.kind}) dello sportello ${d.name}`, onclick: () => deleteHours(d, h) }, 'Elimina'))));
    const exceptionRows = [...d.exceptions].sort((a, b) => a.day.localeCompare(b.day)).map((x) => el('tr', { 'data-exception': x.id },
      el('th', { scope: 'row' }, dmy(x.day)),
      el('td', { 'data-label': 'Eccezione' }, x.open ? 'Apertura straordinaria' : 'Chiusura'),
      el('td', { 'data-label': 'Tipo evento' }, x.kind ? (kindName.get(x.kind) ?? x.kind) : 'Tutti'),
      el('td', { 'data-label': 'Orario' }, x.start && x.end ? `dalle ${x.start} alle ${x.end}` : 'Tutto il giorno'),
      el('td', { 'data-label': 'Nota' }, x.note ?? ''),
      el('td', {}, el('button', { type: 'button', class: 'btn btn-outline-danger btn-xs', 'aria-label': `Elimina l'eccezione del ${dmy(x.day)} dello sportello ${d.name}`, onclick: () => deleteException(d, x) }, 'Elimina'))));
    const contacts = [d.address, d.email, d.phone].filter(Boolean).join(' – ');
    return el('section', { class: 'border rounded p-3 mb-4', 'data-desk': d.id, 'aria-labelledby': `${p}-titolo` },
      el('div', { class: 'd-flex flex-wrap justify-content-between align-items-baseline gap-2' },
        el('h3', { class: 'h5 mb-1', id: `${p}-titolo` }, d.name),
        el('button', { type: 'button', class: 'btn btn-outline-primary btn-xs', 'aria-label': `Modifica lo sportello ${d.name}`, onclick: () => openForm(d) }, 'Modifica')),
      el('p', { class: 'small text-break' }, contacts),
      el('div', { id: `${p}-esito`, tabindex: '-1' }),
      el('h4', { class: 'h6 mt-3' }, 'Orari settimanali'),
      hoursRows.length
        ? el('div', { class: 'table-responsive' }, el('table', { class: 'table table-stack table-sm', id: `${p}-orari` },
          el('caption', { class: 'visually-hidden' }, `Orari settimanali dello sportello ${d.name}`),
          el('thead', {}, el('tr', {}, ['Giorno', 'Tipo evento', 'Dalle', 'Alle', 'Valido dal', 'Valido al', 'Azioni'].map((h) => el('th', { scope: 'col' }, h)))),
          el('tbody', {}, hoursRows)))
        : el('p', {}, 'Nessun orario: i cittadini non possono ancora prenotare a questo sportello.'),
      hoursForm(d, open === 'hours'),
      el('h4', { class: 'h6 mt-4' }, 'Eccezioni: chiusure e aperture straordinarie'),
      exceptionRows.length
        ? el('div', { class: 'table-responsive' }, el('table', { class: 'table table-stack table-sm', id: `${p}-eccezioni` },
          el('caption', { class: 'visually-hidden' }, `Eccezioni dello sportello ${d.name}`),
          el('thead', {}, el('tr', {}, ['Giorno', 'Eccezione', 'Tipo evento', 'Orario', 'Nota', 'Azioni'].map((h) => el('th', { scope: 'col' }, h)))),
          el('tbody', {}, exceptionRows)))
        : el('p', {}, 'Nessuna eccezione.'),
      exceptionForm(d, open === 'exceptions'));
  }

  const field = (id, label, input, { required = false, cols = 'col-sm-6 col-md-4', help = null } = {}) => el('div', { class: `${cols} mb-3` },
    el('label', { for: id, class: 'form-label' }, label, required ? [' ', el('span', { class: 'required-mark', 'aria-hidden': 'true' }, '*')] : null),
    input,
    help ? el('small', { class: 'form-text', id: `${id}-aiuto` }, help) : null);

  /** A dd/mm/yyyy input bound to bindDateInput; its ISO value is read with isoOf. */
  const dateInput = (id, name) => {
    const input = el('input', { id, type: 'text', class: 'form-control', autocomplete: 'off', 'data-field': name });
    bindDateInput(input);
    return input;
  };
  const isoOf = (input) => (input.value.trim() === '' ? '' : parseDate(input.value));

  function hoursForm(d, open) {
    const p = `os-${d.id}-orario`;
    const kind = el('select', { id: `${p}-tipo`, class: 'form-select', 'data-field': 'kind', 'aria-required': 'true' }, kindOptions('Scegli il tipo di evento'));
    const weekday = el('select', { id: `${p}-giorno`, class: 'form-select', 'data-field': 'weekday', 'aria-required': 'true' },
      el('option', { value: '' }, 'Scegli il giorno'),
      el('option', { value: WORKING_DAYS }, 'Dal lunedì al venerdì'),
      WEEKDAYS.map((w, i) => el('option', { value: String(i + 1) }, w)));
    const start = el('input', { id: `${p}-dalle`, type: 'time', class: 'form-control', 'data-field': 'start', 'aria-required': 'true' });
    const end = el('input', { id: `${p}-alle`, type: 'time', class: 'form-control', 'data-field': 'end', 'aria-required': 'true' });
    const from = dateInput(`${p}-dal`, 'valid_from');
    const to = dateInput(`${p}-al`, 'valid_to');
    const submit = el('button', { type: 'submit', class: 'btn btn-primary btn-sm' }, 'Aggiungi l\'orario');
    const form = el('form', { novalidate: true, class: 'mt-2' },
      el('div', { class: 'row' },
        field(kind.id, 'Tipo evento', kind, { required: true, cols: 'col-md-8' }),
        field(weekday.id, 'Giorno della settimana', weekday, { required: true }),
        field(start.id, 'Dalle', start, { required: true, cols: 'col-6 col-md-3' }),
        field(end.id, 'Alle', end, { required: true, cols: 'col-6 col-md-3' }),
        field(from.id, 'Valido dal', from, { cols: 'col-6 col-md-3' }),
        field(to.id, 'Valido al', to, { cols: 'col-6 col-md-3' })),
      el('p', { class: 'small' }, 'Senza date l\'orario vale da oggi in poi.'),
      submit);
    clearOnEdit(form);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearErrors(form);
      const problems = [];
      if (!kind.value) problems.push({ field: 'kind', message: 'Scegli il tipo di evento.' });
      if (!weekday.value) problems.push({ field: 'weekday', message: 'Scegli il giorno della settimana.' });
      if (!start.value) problems.push({ field: 'start', message: 'Indica l\'ora di inizio.' });
      if (!end.value) problems.push({ field: 'end', message: 'Indica l\'ora di fine.' });
      else if (start.value && end.value <= start.value) problems.push({ field: 'end', message: 'L\'ora di fine deve seguire quella di inizio.' });
      const [validFrom, validTo] = [isoOf(from), isoOf(to)];
      if (validFrom === null) problems.push({ field: 'valid_from', message: 'Inserisci una data valida nel formato gg/mm/aaaa.' });
      if (validTo === null) problems.push({ field: 'valid_to', message: 'Inserisci una data valida nel formato gg/mm/aaaa.' });
      if (problems.length) { showErrors(form, new ApiError(422, 'invalid_fields', '', { fields: problems })); return; }
      submit.disabled = true;
      const added = [];
      try {
        for (const body of hoursBodies({ kind: kind.value, weekday: weekday.value, start: start.value, end: end.value, valid_from: validFrom, valid_to: validTo })) {
          added.push(await sendJSON('POST', `/api/operator/desks/${encodeURIComponent(d.id)}/hours`, body, csrf));
        }
      } catch (e) {
        d.hours.push(...added);
        if (added.length) {
          redraw(d, 'hours');
          tellDesk(d, 'danger', 'Orari aggiunti in parte', `${added.length === 1 ? 'È stato aggiunto 1 orario' : `Sono stati aggiunti ${added.length} orari`}, poi: ${e.message}`);
        } else {
          showErrors(form, e);
        }
        submit.disabled = false;
        return;
      }
      d.hours.push(...added);
      redraw(d, 'hours');
      const what = `${kindName.get(kind.value)}, ${weekday.value === WORKING_DAYS ? 'dal lunedì al venerdì' : WEEKDAYS[Number(weekday.value) - 1]} dalle ${start.value} alle ${end.value}`;
      tellDesk(d, 'success', added.length === 1 ? 'Orario aggiunto' : 'Orari aggiunti', `Allo sportello ${d.name}: ${what}.`);
    });
    return el('details', { class: 'mt-2', open, id: `${p}-aggiungi` }, el('summary', { class: 'fw-semibold' }, 'Aggiungi un orario'), form);
  }

  function exceptionForm(d, open) {
    const p = `os-${d.id}-eccezione`;
    const day = dateInput(`${p}-giorno`, 'day');
    const closed = el('input', { class: 'form-check-input', type: 'radio', name: `${p}-tipo`, id: `${p}-chiusura`, value: 'closed', checked: true, 'data-field': 'open' });
    const opened = el('input', { class: 'form-check-input', type: 'radio', name: `${p}-tipo`, id: `${p}-apertura`, value: 'open' });
    const kind = el('select', { id: `${p}-evento`, class: 'form-select', 'data-field': 'kind' }, kindOptions('Tutti i tipi di evento'));
    const start = el('input', { id: `${p}-dalle`, type: 'time', class: 'form-control', 'data-field': 'start' });
    const end = el('input', { id: `${p}-alle`, type: 'time', class: 'form-control', 'data-field': 'end' });
    const note = el('input', { id: `${p}-nota`, type: 'text', class: 'form-control', maxlength: '200', 'data-field': 'note', autocomplete: 'off' });
    const help = el('p', { class: 'small', id: `${p}-aiuto` });
    const sync = () => {
      help.textContent = opened.checked
        ? 'Apertura straordinaria: indica il tipo di evento e l\'orario; vale anche in un giorno di festa nazionale.'
        : 'Chiusura: senza tipo di evento chiude tutto lo sportello; senza orario chiude tutto il giorno.';
      kind.firstChild.textContent = opened.checked ? 'Scegli il tipo di evento' : 'Tutti i tipi di evento';
    };
    closed.addEventListener('change', sync);
    opened.addEventListener('change', sync);
    sync();
    const submit = el('button', { type: 'submit', class: 'btn btn-primary btn-sm' }, 'Aggiungi l\'eccezione');
    const form = el('form', { novalidate: true, class: 'mt-2' },
      el('div', { class: 'row' },
        field(day.id, 'Giorno', day, { required: true }),
        el('fieldset', { class: 'col-sm-6 col-md-8 mb-3' },
          el('legend', { class: 'form-label fs-6 fw-semibold' }, 'Eccezione'),
          el('div', { class: 'form-check form-check-inline' }, closed, el('label', { class: 'form-check-label', for: closed.id }, 'Chiusura')),
          el('div', { class: 'form-check form-check-inline' }, opened, el('label', { class: 'form-check-label', for: opened.id }, 'Apertura straordinaria'))),
        field(kind.id, 'Tipo evento', kind, { cols: 'col-md-6' }),
        field(start.id, 'Dalle', start, { cols: 'col-6 col-md-3' }),
        field(end.id, 'Alle', end, { cols: 'col-6 col-md-3' }),
        field(note.id, 'Nota', note, { cols: 'col-12' })),
      help,
      submit);
    clearOnEdit(form);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearErrors(form);
      const iso = isoOf(day);
      const problems = [];
      if (!iso) problems.push({ field: 'day', message: iso === null ? 'Inserisci una data valida nel formato gg/mm/aaaa.' : 'Indica il giorno.' });
      if (opened.checked) {
        if (!kind.value) problems.push({ field: 'kind', message: 'Per un\'apertura straordinaria scegli il tipo di evento.' });
        if (!start.value) problems.push({ field: 'start', message: 'Indica l\'ora di inizio.' });
        if (!end.value) problems.push({ field: 'end', message: 'Indica l\'ora di fine.' });
      }
      if (start.value && end.value && end.value <= start.value) problems.push({ field: 'end', message: 'L\'ora di fine deve seguire quella di inizio.' });
      if (Boolean(start.value) !== Boolean(end.value) && !opened.checked) problems.push({ field: start.value ? 'end' : 'start', message: 'Indica entrambe le ore, oppure nessuna per tutto il giorno.' });
      if (problems.length) { showErrors(form, new ApiError(422, 'invalid_fields', '', { fields: problems })); return; }
      submit.disabled = true;
      try {
        const x = await sendJSON('POST', `/api/operator/desks/${encodeURIComponent(d.id)}/exceptions`,
          exceptionBody({ day: iso, open: opened.checked, kind: kind.value, start: start.value, end: end.value, note: note.value }), csrf);
        d.exceptions.push(x);
        redraw(d, 'exceptions');
        tellDesk(d, 'success', 'Eccezione aggiunta', `${x.open ? 'Apertura straordinaria' : 'Chiusura'} dello sportello ${d.name} il ${dmy(x.day)}.`);
      } catch (e) {
        showErrors(form, e);
        submit.disabled = false;
      }
    });
    return el('details', { class: 'mt-2', open, id: `${p}-aggiungi` }, el('summary', { class: 'fw-semibold' }, 'Aggiungi un\'eccezione'), form);
  }

  async function deleteHours(d, h) {
    const label = `${h.weekday_label ?? WEEKDAYS[h.weekday - 1]} dalle ${h.start} alle ${h.end} (${kindName.get(h.kind) ?? h.kind})`;
    if (!(await confirmDialog({ title: 'Elimina l\'orario', text: `Vuoi eliminare l'orario del ${label} dello sportello ${d.name}? I cittadini non potranno più prenotare in quell'orario.`, confirm: 'Elimina' }))) return;
    try {
      await sendJSON('POST', `/api/operator/desks/${encodeURIComponent(d.id)}/hours/${encodeURIComponent(h.id)}/delete`, {}, csrf);
      d.hours = d.hours.filter((x) => x.id !== h.id);
      redraw(d);
      tellDesk(d, 'success', 'Orario eliminato', `Hai eliminato l'orario del ${label}.`);
    } catch (e) {
      tellDesk(d, 'danger', 'Orario non eliminato', e.message);
    }
  }

  async function deleteException(d, x) {
    if (!(await confirmDialog({ title: 'Elimina l\'eccezione', text: `Vuoi eliminare ${x.open ? 'l\'apertura straordinaria' : 'la chiusura'} del ${dmy(x.day)} dello sportello ${d.name}?`, confirm: 'Elimina' }))) return;
    try {
      await sendJSON('POST', `/api/operator/desks/${encodeURIComponent(d.id)}/exceptions/${encodeURIComponent(x.id)}/delete`, {}, csrf);
      d.exceptions = d.exceptions.filter((y) => y.id !== x.id);
      redraw(d);
      tellDesk(d, 'success', 'Eccezione eliminata', `Hai eliminato ${x.open ? 'l\'apertura straordinaria' : 'la chiusura'} del ${dmy(x.day)}.`);
    } catch (e) {
      tellDesk(d, 'danger', 'Eccezione non eliminata', e.message);
    }
  }

  // ---- Nuovo sportello / Modifica ------------------------------------------------------
  const form = document.getElementById('os-modulo');
  const heading = document.getElementById('os-modulo-titolo');
  const inputs = { name: 'os-nome', address: 'os-indirizzo', email: 'os-email', phone: 'os-telefono' };
  const save = document.getElementById('os-salva');
  let editing = null;
  let opener = null;
  clearOnEdit(form);
  function openForm(d) {
    opener = document.activeElement;
    editing = d;
    clearErrors(form);
    heading.textContent = d ? `Modifica lo sportello ${d.name}` : 'Nuovo sportello';
    for (const [k, id] of Object.entries(inputs)) document.getElementById(id).value = d?.[k] ?? '';
    notice.replaceChildren();
    show('form');
    heading.focus();
  }
  document.getElementById('os-nuovo').addEventListener('click', () => openForm(null));
  document.getElementById('os-annulla').addEventListener('click', () => {
    show('list');
    (opener?.isConnected ? opener : document.getElementById('os-nuovo')).focus();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const body = Object.fromEntries(Object.entries(inputs).map(([k, id]) => [k, document.getElementById(id).value.trim()]));
    const problems = [];
    if (!body.name) problems.push({ field: 'name', message: 'Scrivi il nome dello sportello.' });
    if (!body.address) problems.push({ field: 'address', message: 'Scrivi l\'indirizzo dello sportello.' });
    if (problems.length) { showErrors(form, new ApiError(422, 'invalid_fields', '', { fields: problems })); return; }
    save.disabled = true;
    try {
      const saved = await sendJSON('POST', editing ? `/api/operator/desks/${encodeURIComponent(editing.id)}` : '/api/operator/desks', body, csrf);
      if (editing) {
        // the answer may leave out the hours and exceptions: the ones shown stay
        const { hours, exceptions } = editing;
        Object.assign(editing, saved);
        editing.hours = saved.hours ?? hours;
        editing.exceptions = saved.exceptions ?? exceptions;
      } else {
        list.push({ hours: [], exceptions: [], ...saved });
      }
      drawAll();
      show('list');
      notice.replaceChildren(el('div', { role: 'status' }, callout('success', editing ? 'Sportello aggiornato' : 'Sportello aggiunto',
        editing ? `Lo sportello ${saved.name} è aggiornato.` : `Lo sportello ${saved.name} è aggiunto: ora aggiungi i suoi orari settimanali.`)));
      notice.focus();
    } catch (e) {
      showErrors(form, e);
    } finally {
      save.disabled = false;
    }
  });

  show('list');
  drawAll();
}
