// /operatore/curriculum/ "Curriculum dei cittadini" (C2's rule for CPI operators): a
// citizen of the operator's CPI found by codice fiscale, their CVs (each download is
// logged as a CPI operator's read) and an upload for them ("Caricato CPI" = SI, not
// searchable until the citizen says so). API: GET|POST /api/operator/cv?person=,
// GET /api/operator/cv/<id>/file.

import { getJSON } from '../api.mjs';
import { fileProblem, sizeText, uploadFile } from '../cv.mjs';
import { callout, clearErrors, clearOnEdit, showErrors, showFieldError } from '../forms.mjs';
import { staffContext, workingCpiLine } from '../staff.mjs';
import { done, el, formatDate, showLoading } from '../ui.mjs';

export async function init() {
  const status = document.getElementById('ocv-stato');
  showLoading(status);
  const ctx = await staffContext(status, 'operator', 'leggere i curriculum dei cittadini del tuo Centro per l\'impiego');
  if (!ctx) return;
  const { session, me } = ctx;
  status.replaceChildren();
  document.getElementById('ocv-app').hidden = false;
  document.getElementById('ocv-cpi').replaceWith(workingCpiLine(me));

  const search = document.getElementById('ocv-cerca');
  const cf = document.getElementById('ocv-cf');
  const notice = document.getElementById('ocv-esito');
  const section = document.getElementById('ocv-cittadino');
  const heading = document.getElementById('ocv-cittadino-titolo');
  const list = document.getElementById('ocv-elenco');
  const upload = document.getElementById('ocv-carica');
  const file = document.getElementById('ocv-file');
  const description = document.getElementById('ocv-descrizione');
  const progress = document.getElementById('ocv-progress');
  clearOnEdit(search);
  clearOnEdit(upload);
  let person = null;

  const show = (data) => {
    person = data.person;
    heading.textContent = `Curriculum di ${data.person.name} ${data.person.family_name} (${data.person.fiscal_code})`;
    list.replaceChildren(data.items.length
      ? el('div', { class: 'table-responsive' }, el('table', { class: 'table table-stack', id: 'ocv-tabella' },
        el('caption', { class: 'visually-hidden' }, 'I curriculum del cittadino'),
        el('thead', {}, el('tr', {}, ['Data inserimento', 'Descrizione', 'Download', 'Consenti ricerca', 'Caricato CPI'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, data.items.map((cv) => el('tr', {},
          el('td', { 'data-label': 'Data inserimento' }, formatDate(cv.created_at)),
          el('th', { scope: 'row' }, cv.description || el('span', { class: 'text-muted' }, '(senza descrizione)')),
          el('td', { 'data-label': 'Download' }, el('a', { href: cv.file.download, download: cv.file.name }, cv.file.name, el('span', { class: 'visually-hidden' }, ` (${sizeText(cv.file.size)})`))),
          el('td', { 'data-label': 'Consenti ricerca' }, cv.search_consent_label),
          el('td', { 'data-label': 'Caricato CPI' }, cv.uploaded_by_cpi_label))))))
      : el('p', {}, 'Il cittadino non ha curriculum sul portale.'));
    section.hidden = false;
  };

  async function load(code) {
    const data = await getJSON(`/api/operator/cv?person=${encodeURIComponent(code)}`);
    show(data);
    return data;
  }

  search.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(search);
    notice.replaceChildren();
    const code = cf.value.trim().toUpperCase();
    if (!code) { showFieldError(cf, 'Indica il codice fiscale del cittadino.'); cf.focus(); return; }
    section.hidden = true;
    showLoading(notice, 'Ricerca del cittadino…');
    try {
      await load(code);
      done(notice);
      notice.replaceChildren();
      heading.focus();
    } catch (e) {
      done(notice);
      notice.replaceChildren();
      if (e.fields?.length || e.status === 404 || e.status === 403) showErrors(search, e.fields?.length ? e : { message: '', fields: [{ field: 'person', message: e.message }] });
      else notice.replaceChildren(el('div', { role: 'alert' }, callout('danger', 'Ricerca non riuscita', e.message)));
    }
  });

  file.addEventListener('change', () => {
    clearErrors(upload);
    const problem = file.files[0] ? fileProblem(file.files[0]) : null;
    if (problem) showFieldError(file, problem);
  });
  upload.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(upload);
    const chosen = file.files[0];
    const problem = fileProblem(chosen);
    if (problem) { showErrors(upload, { message: '', fields: [{ field: 'file', message: problem }] }); return; }
    const button = upload.querySelector('button[type="submit"]');
    button.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    try {
      const cv = await uploadFile('POST', `/api/operator/cv?person=${encodeURIComponent(person.fiscal_code)}`, chosen,
        { description: description.value.trim(), search_consent: false, territories: [], file_name: chosen.name },
        session.csrf_token, (p) => { progress.value = p; });
      upload.reset();
      await load(person.fiscal_code);
      notice.replaceChildren(el('div', { role: 'status' }, callout('success', 'Curriculum caricato',
        `Il curriculum «${cv.description || cv.file.name}» è stato caricato per ${person.name} ${person.family_name}.`)));
      notice.focus();
    } catch (e) {
      showErrors(upload, e);
    } finally {
      button.disabled = false;
      progress.hidden = true;
    }
  });
}
