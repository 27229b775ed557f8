// /operatore/schede/ "Schede dei cittadini" (O1 records, issue 19): a citizen of the
// operator's CPI found by codice fiscale; their administrative state and every section
// of the record (experiences, education, training, languages, IT skills, albi,
// patenti, liste speciali, activities 150/RDC, Garanzia Giovani, regional courses),
// each with its rows, "Modifica", "Elimina" and a form to add one; the SAP and the
// Libretto in PDF; the regional course catalogue. The forms are built from the
// fields the API declares (GET /api/operator/records/reference).
// API: GET /api/operator/records?person=, POST …/records/admin|<section>[/<id>[/delete]]?person=,
// GET|POST /api/operator/courses.

import { getJSON, sendJSON } from '../api.mjs';
import { callout, clearErrors, clearOnEdit, showErrors } from '../forms.mjs';
import { day, dayTime } from '../records.mjs';
import { staffContext, workingCpiLine } from '../staff.mjs';
import { confirmDialog, done, el, showError, showLoading } from '../ui.mjs';

let formCount = 0;

/** The inputs of `fields` (as GET /api/operator/records/reference declares them). */
function inputs(fields, ref) {
  formCount += 1;
  return fields.map((f) => {
    const id = `sch-${formCount}-${f.name}`;
    const mark = f.required ? el('span', { class: 'required-mark', 'aria-hidden': 'true' }, ' *') : '';
    const common = { id, 'data-field': f.name, class: 'form-control', 'aria-required': f.required ? 'true' : null };
    let input;
    if (f.kind === 'flag') {
      return el('div', { class: 'form-check mb-3 col-md-6' },
        el('input', { type: 'checkbox', id, 'data-field': f.name, class: 'form-check-input' }),
        el('label', { for: id, class: 'form-check-label' }, f.label));
    }
    if (f.kind === 'ref' || f.kind === 'course') {
      const options = f.kind === 'ref'
        ? ref.lists[f.list].map((o) => el('option', { value: o.code }, `${o.code} - ${o.name}`))
        : ref.courses.map((c) => el('option', { value: String(c.id) }, `${c.title} (${day(c.start_date)} - ${day(c.end_date)})`));
      input = el('select', { ...common, class: 'form-select' }, el('option', { value: '' }, 'Scegli…'), options);
    } else if (f.kind === 'longtext') {
      input = el('textarea', { ...common, rows: 3 });
    } else {
      const type = { date: 'date', datetime: 'datetime-local', int: 'number' }[f.kind] ?? 'text';
      input = el('input', { ...common, type, autocomplete: 'off' });
    }
    return el('div', { class: 'mb-3 col-md-6' }, el('label', { for: id, class: 'form-label' }, f.label, mark), input);
  });
}

/** The JSON body of a form built by inputs(). */
function read(form, fields) {
  const body = {};
  for (const f of fields) {
    const input = form.querySelector(`[data-field="${f.name}"]`);
    if (f.kind === 'flag') body[f.name] = input.checked;
    else if (f.kind === 'int' || f.kind === 'course') body[f.name] = input.value === '' ? null : Number(input.value);
    else body[f.name] = input.value.trim() === '' ? null : input.value.trim();
  }
  return body;
}

function fill(form, fields, row) {
  for (const f of fields) {
    const input = form.querySelector(`[data-field="${f.name}"]`);
    const v = row?.[f.name];
    if (f.kind === 'flag') input.checked = v === true;
    else input.value = v == null ? '' : String(v);
  }
}

/** A cell's text: codes by their names, dates as dd/mm/yyyy. */
function shown(f, v, ref) {
  if (v == null || v === '') return '';
  if (f.kind === 'flag') return v ? 'Sì' : 'No';
  if (f.kind === 'date') return day(v);
  if (f.kind === 'datetime') return dayTime(v);
  if (f.kind === 'ref') return ref.lists[f.list].find((o) => o.code === v)?.name ?? v;
  if (f.kind === 'course') return ref.courses.find((c) => c.id === v)?.title ?? String(v);
  return String(v);
}

export async function init() {
  const status = document.getElementById('sch-stato');
  showLoading(status);
  const ctx = await staffContext(status, 'operator', 'tenere le schede dei cittadini del tuo Centro per l\'impiego');
  if (!ctx) return;
  const { session, me } = ctx;
  const csrf = session.csrf_token;
  let ref;
  try {
    ref = await getJSON('/api/operator/records/reference');
  } catch (e) {
    showError(status, e.message, () => location.reload());
    return;
  }
  status.replaceChildren();
  document.getElementById('sch-app').hidden = false;
  document.getElementById('sch-cpi').replaceWith(workingCpiLine(me));
  const search = document.getElementById('sch-cerca');
  const cf = document.getElementById('sch-cf');
  const notice = document.getElementById('sch-esito');
  const section = document.getElementById('sch-cittadino');
  const heading = document.getElementById('sch-cittadino-titolo');
  const body = document.getElementById('sch-scheda');
  clearOnEdit(search);
  let person = null;

  const url = (path) => `/api/operator/records${path}?person=${encodeURIComponent(person.fiscal_code)}`;

  const adminForm = (admin) => {
    const form = el('form', { novalidate: true, id: 'sch-admin' },
      el('div', { class: 'row' }, inputs(ref.admin, ref)),
      el('button', { type: 'submit', class: 'btn btn-primary' }, 'Salva i dati amministrativi'));
    fill(form, ref.admin, admin);
    clearOnEdit(form);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearErrors(form);
      try {
        await sendJSON('POST', url('/admin'), read(form, ref.admin), csrf);
        notice.replaceChildren(callout('success', 'Dati salvati', 'I dati amministrativi sono stati aggiornati.'));
      } catch (e) {
        showErrors(form, e);
      }
    });
    return el('section', { 'aria-labelledby': 'sch-admin-titolo', class: 'mb-4' },
      el('h3', { class: 'h5', id: 'sch-admin-titolo' }, 'Dati amministrativi e notizie sui cittadini stranieri'), form);
  };

  const sectionView = (s, rows) => {
    const titleId = `sch-${s.key}-titolo`;
    const form = el('form', { novalidate: true, class: 'border rounded p-3', id: `sch-${s.key}-modulo` },
      el('p', { class: 'fw-semibold', 'data-mode': true }, 'Aggiungi'),
      el('div', { class: 'row' }, inputs(s.fields, ref)),
      el('div', { class: 'd-flex gap-2' },
        el('button', { type: 'submit', class: 'btn btn-primary btn-sm' }, 'Salva'),
        el('button', { type: 'reset', class: 'btn btn-outline-secondary btn-sm' }, 'Annulla')));
    clearOnEdit(form);
    let editing = null;
    const mode = form.querySelector('[data-mode]');
    form.addEventListener('reset', () => { editing = null; mode.textContent = 'Aggiungi'; clearErrors(form); });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearErrors(form);
      try {
        await sendJSON('POST', url(editing ? `/${s.key}/${editing}` : `/${s.key}`), read(form, s.fields), csrf);
        await load(person.fiscal_code, `Voce salvata in «${s.title}».`);
        document.getElementById(titleId)?.focus();
      } catch (e) {
        showErrors(form, e);
      }
    });
    const table = rows.length
      ? el('div', { class: 'table-responsive' }, el('table', { class: 'table table-sm table-stack' },
        el('caption', { class: 'visually-hidden' }, s.title),
        el('thead', {}, el('tr', {}, s.fields.map((f) => el('th', { scope: 'col' }, f.label)), el('th', { scope: 'col' }, 'Azioni'))),
        el('tbody', {}, rows.map((r) => el('tr', {},
          s.fields.map((f) => el('td', { 'data-label': f.label }, shown(f, r[f.name], ref))),
          el('td', {},
            el('button', { type: 'button', class: 'btn btn-outline-primary btn-xs me-1', 'aria-label': `Modifica la voce ${r.id} di ${s.title}`,
              onclick: () => { editing = r.id; mode.textContent = 'Modifica'; fill(form, s.fields, r); form.querySelector('input, select, textarea')?.focus(); } }, 'Modifica'),
            el('button', { type: 'button', class: 'btn btn-outline-danger btn-xs', 'aria-label': `Elimina la voce ${r.id} di ${s.title}`,
              onclick: async () => {
                if (!await confirmDialog({ title: 'Elimina la voce', text: `Vuoi eliminare questa voce di «${s.title}»?`, confirm: 'Elimina' })) return;
                try {
                  await sendJSON('POST', url(`/${s.key}/${r.id}/delete`), {}, csrf);
                  await load(person.fiscal_code, `Voce eliminata da «${s.title}».`);
                } catch (e) {
                  notice.replaceChildren(callout('danger', 'Non è stato possibile eliminare la voce', e.message));
                }
              } }, 'Elimina')))))))
      : el('p', { class: 'fst-italic' }, 'Nessuna voce.');
    return el('section', { 'aria-labelledby': titleId, class: 'mb-4' },
      el('h3', { class: 'h5', id: titleId, tabindex: '-1' }, s.title), table, form);
  };

  async function load(code, message) {
    const data = await getJSON(`/api/operator/records?person=${encodeURIComponent(code)}`);
    person = data.person;
    heading.textContent = `Scheda di ${person.name} ${person.family_name} (${person.fiscal_code})`;
    const pdf = (which, text) => el('a', { class: 'btn btn-outline-primary btn-sm', href: `/api/operator/records/${which}?person=${encodeURIComponent(person.fiscal_code)}`, download: true }, text);
    body.replaceChildren(
      el('div', { class: 'd-flex flex-wrap gap-2 mb-3' }, pdf('sap', 'Scheda anagrafica professionale (PDF)'), pdf('libretto', 'Libretto formativo (PDF)')),
      adminForm(data.record.admin),
      ...ref.sections.map((s) => sectionView(s, data.record.sections[s.key])));
    notice.replaceChildren(message ? callout('success', 'Fatto', message) : '');
    section.hidden = false;
  }

  search.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(search);
    try {
      await load(cf.value.trim().toUpperCase());
      heading.focus();
    } catch (e) {
      section.hidden = true;
      showErrors(search, e);
    }
  });

  // the regional course catalogue
  const courseForm = document.getElementById('sch-corso');
  const courseFields = [
    { name: 'title', label: 'Titolo', kind: 'text', required: true },
    { name: 'description', label: 'Descrizione', kind: 'longtext', required: true },
    { name: 'trainer', label: 'Formatore', kind: 'text', required: true },
    { name: 'start_date', label: 'Data inizio', kind: 'date', required: true },
    { name: 'end_date', label: 'Data fine', kind: 'date', required: true },
  ];
  courseForm.prepend(el('div', { class: 'row' }, inputs(courseFields, ref)));
  clearOnEdit(courseForm);
  const courses = document.getElementById('sch-corsi');
  async function loadCourses() {
    const data = await getJSON('/api/operator/courses?page_size=100');
    ref.courses = data.items;
    courses.replaceChildren(data.items.length
      ? el('ul', {}, data.items.map((c) => el('li', {}, `${c.title} — ${c.trainer} (${day(c.start_date)} - ${day(c.end_date)})`)))
      : el('p', {}, 'Non sono presenti corsi di formazione regionali'));
    done(courses);
  }
  courseForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(courseForm);
    try {
      await sendJSON('POST', '/api/operator/courses', read(courseForm, courseFields), csrf);
      courseForm.reset();
      await loadCourses();
      if (person) await load(person.fiscal_code, 'Corso aggiunto al catalogo.');
    } catch (e) {
      showErrors(courseForm, e);
    }
  });
  await loadCourses();
}
