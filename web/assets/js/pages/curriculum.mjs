// /cittadino/curriculum/ "Gestione Curriculum Vitae" (C2): the list of the person's
// CVs with filters (Data inserimento da / a, Descrizione) and paging; "Nuovo" and
// "Modifica" open the form (description, consent to the search, territories, the
// file chosen or dropped, uploaded with a progress bar); "Storico utilizzi" and
// "Elimina" (after a confirmation dialog). API: /api/cv (README "CVs").

import { getJSON, sendJSON } from '../api.mjs';
import { activeSession, dateRange, fileProblem, query, sizeText, uploadFile } from '../cv.mjs';
import { callout, clearErrors, loadInStatus, showErrors, showFieldError } from '../forms.mjs';
import { bindDateInput, done, el, formatDate, pager, showError, showLoading } from '../ui.mjs';

const PAGE_SIZE = 10;

export async function init() {
  const status = document.getElementById('cv-stato');
  showLoading(status);
  const session = await activeSession(status, 'gestire i tuoi curriculum');
  if (!session) return;
  const meta = await loadInStatus(status, '/api/cv/form');
  if (!meta) return;
  status.replaceChildren(el('p', { class: 'lead' }, 'Qui puoi caricare i tuoi curriculum vitae, scegliere se renderli consultabili in forma anonima dalle aziende e vedere come sono stati utilizzati.'));
  document.getElementById('cv-app').hidden = false;
  document.getElementById('cv-conservazione').textContent = meta.retention_text ?? '';

  const sections = {
    list: document.getElementById('cv-elenco'),
    form: document.getElementById('cv-modulo-sezione'),
    history: document.getElementById('cv-storico'),
  };
  const show = (name) => { for (const [k, s] of Object.entries(sections)) s.hidden = k !== name; };

  // ---- list ------------------------------------------------------------------------
  const filters = document.getElementById('cv-filtri');
  const fromInput = document.getElementById('cv-da');
  const toInput = document.getElementById('cv-a');
  const checks = [bindDateInput(fromInput), bindDateInput(toInput)];
  const results = document.getElementById('cv-risultati');
  const notice = document.getElementById('cv-esito');
  let state = { page: 1, from: '', to: '', description: '' };

  const row = (cv) => {
    const label = cv.description || cv.file.name;
    return el('tr', {},
      el('td', { 'data-label': 'Data inserimento' }, formatDate(cv.created_at)),
      el('th', { scope: 'row' }, cv.description || el('span', { class: 'text-muted' }, '(senza descrizione)')),
      el('td', { 'data-label': 'Download' }, el('a', { href: cv.file.download, download: cv.file.name, 'aria-label': `Scarica ${cv.file.name} (${sizeText(cv.file.size)})` }, cv.file.name)),
      el('td', { 'data-label': 'Consenti ricerca' }, cv.search_consent_label),
      el('td', { 'data-label': 'Caricato CPI' }, cv.uploaded_by_cpi_label),
      el('td', {}, el('div', { class: 'cv-actions' },
        el('button', { type: 'button', class: 'btn btn-outline-primary btn-xs', 'aria-label': `Modifica ${label}`, onclick: () => openForm(cv) }, 'Modifica'),
        el('button', { type: 'button', class: 'btn btn-outline-primary btn-xs', 'aria-label': `Storico utilizzi di ${label}`, onclick: () => openHistory(cv) }, 'Storico utilizzi'),
        el('button', { type: 'button', class: 'btn btn-outline-danger btn-xs', 'aria-label': `Elimina ${label}`, onclick: () => remove(cv) }, 'Elimina'))));
  };

  async function load() {
    showLoading(results);
    let data;
    try {
      data = await getJSON(`/api/cv?${query({ from: state.from, to: state.to, description: state.description, page: state.page, page_size: PAGE_SIZE })}`);
    } catch (e) {
      showError(results, e.message, load);
      return;
    }
    done(results);
    if (!data.items.length) {
      results.replaceChildren(el('p', { class: 'mt-2' }, state.from || state.to || state.description
        ? 'Nessun curriculum corrisponde ai criteri di ricerca.'
        : 'Non hai ancora caricato curriculum. Usa «Nuovo» per caricarne uno.'));
      return;
    }
    results.replaceChildren(
      el('p', { class: 'small', role: 'status' }, data.total === 1 ? '1 curriculum' : `${data.total} curriculum`),
      el('div', { class: 'table-responsive' }, el('table', { class: 'table table-stack', id: 'cv-tabella' },
        el('caption', { class: 'visually-hidden' }, 'I tuoi curriculum vitae'),
        el('thead', {}, el('tr', {}, ['Data inserimento', 'Descrizione', 'Download', 'Consenti ricerca', 'Caricato CPI', 'Azioni'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, data.items.map(row)))),
      data.total > PAGE_SIZE ? pager({ page: state.page, pageSize: PAGE_SIZE, total: data.total, onChange: (p) => { state.page = p; return load(); } }) : '',
    );
  }

  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    checks.forEach((c) => c());
    const range = dateRange(fromInput, toInput);
    if (!range) { (fromInput.getAttribute('aria-invalid') ? fromInput : toInput).focus(); return; }
    state = { page: 1, ...range, description: document.getElementById('cv-descrizione-filtro').value.trim() };
    notice.replaceChildren();
    load();
  });

  const tell = (kind, title, text) => {
    notice.replaceChildren(el('div', { role: kind === 'danger' ? 'alert' : 'status' }, callout(kind, title, text)));
  };

  // ---- form: new or edit ---------------------------------------------------------------
  const form = document.getElementById('cv-modulo');
  const title = document.getElementById('cv-modulo-titolo');
  const fileInput = document.getElementById('cv-file');
  const drop = document.getElementById('cv-drop');
  const chosen = document.getElementById('cv-file-scelto');
  const progressBox = document.getElementById('cv-avanzamento');
  const progress = document.getElementById('cv-progress');
  const announce = document.getElementById('cv-progress-annuncio');
  const submit = document.getElementById('cv-salva');
  const all = document.getElementById('cv-territori-tutti');
  const territoryList = document.getElementById('cv-territori-elenco');
  document.getElementById('cv-consenso-testo').textContent = meta.consent_text ?? '';
  document.getElementById('cv-descrizione').maxLength = meta.description_max ?? 200;
  territoryList.replaceChildren(...meta.territories.map((t, i) => el('div', { class: 'col-sm-6 col-lg-4' },
    el('div', { class: 'form-check' },
      el('input', { class: 'form-check-input', type: 'checkbox', id: `cv-territorio-${t.code}`, value: t.code, 'data-territory': true, 'data-field': i === 0 ? 'territories' : null }),
      el('label', { class: 'form-check-label', for: `cv-territorio-${t.code}` }, t.name)))));
  const boxes = () => [...territoryList.querySelectorAll('[data-territory]')];
  const syncAll = () => {
    const on = boxes().filter((b) => b.checked).length;
    all.checked = on === boxes().length;
    all.indeterminate = on > 0 && on < boxes().length;
  };
  all.addEventListener('change', () => { for (const b of boxes()) b.checked = all.checked; syncAll(); });
  territoryList.addEventListener('change', syncAll);

  let editing = null;

  const showChosen = () => {
    const file = fileInput.files[0];
    chosen.textContent = file ? `File scelto: ${file.name} (${sizeText(file.size)})` : (editing ? `File attuale: ${editing.file.name}. Scegli un file solo se vuoi sostituirlo.` : '');
    clearErrors(drop);
    const problem = file ? fileProblem(file, meta.file) : null;
    if (problem) showFieldError(fileInput, problem);
  };
  document.getElementById('cv-file-testo').textContent = meta.file_text ?? 'Formati ammessi: PDF, DOC, DOCX, ODT; dimensione massima 5 MB.';
  fileInput.addEventListener('change', showChosen);
  for (const type of ['dragenter', 'dragover']) {
    drop.addEventListener(type, (event) => { event.preventDefault(); drop.classList.add('cv-drop-over'); });
  }
  for (const type of ['dragleave', 'drop']) drop.addEventListener(type, () => drop.classList.remove('cv-drop-over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    const files = event.dataTransfer?.files;
    if (!files?.length) return;
    const dt = new DataTransfer();
    dt.items.add(files[0]);
    fileInput.files = dt.files;
    showChosen();
  });

  function setProgress(p) {
    progress.value = p;
    progress.setAttribute('aria-valuetext', `${p}%`);
    // polite announcements at each quarter, not at every event
    const step = Math.floor(p / 25) * 25;
    if (String(step) !== announce.dataset.step) {
      announce.dataset.step = String(step);
      announce.textContent = p >= 100 ? 'File inviato, verifica in corso…' : `Caricamento al ${step}%`;
    }
  }

  function openForm(cv = null) {
    editing = cv;
    clearErrors(form);
    form.reset();
    progressBox.hidden = true;
    title.textContent = cv ? 'Modifica Curriculum Vitae' : 'Nuovo Curriculum Vitae';
    submit.textContent = cv ? 'Salva le modifiche' : 'Carica il curriculum';
    document.getElementById('cv-file-etichetta').textContent = cv ? 'Sostituisci il file (facoltativo)' : 'File del curriculum';
    fileInput.toggleAttribute('aria-required', !cv);
    if (cv) {
      document.getElementById('cv-descrizione').value = cv.description ?? '';
      document.getElementById(cv.search_consent ? 'cv-consenso-si' : 'cv-consenso-no').checked = true;
      const codes = new Set(cv.territories.map((t) => t.code));
      for (const b of boxes()) b.checked = codes.has(b.value);
    }
    syncAll();
    showChosen();
    notice.replaceChildren();
    show('form');
    title.focus();
  }

  document.getElementById('cv-nuovo').addEventListener('click', () => openForm());
  document.getElementById('cv-annulla').addEventListener('click', () => { show('list'); document.getElementById('cv-nuovo').focus(); });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const consent = form.querySelector('input[name="consenso"]:checked')?.value;
    const body = {
      description: document.getElementById('cv-descrizione').value.trim(),
      search_consent: consent === undefined ? null : consent === 'si',
      territories: boxes().filter((b) => b.checked).map((b) => b.value),
    };
    const file = fileInput.files[0];
    const problems = [];
    if (body.search_consent === null) problems.push({ field: 'search_consent', message: 'Indica se consenti la ricerca del curriculum da parte delle aziende.' });
    if (body.search_consent && !body.territories.length) problems.push({ field: 'territories', message: 'Scegli almeno un territorio di interesse.' });
    const fp = file || !editing ? fileProblem(file, meta.file) : null;
    if (fp) problems.push({ field: 'file', message: fp });
    if (problems.length) {
      showErrors(form, { message: '', fields: problems });
      return;
    }
    submit.disabled = true;
    try {
      let cv;
      if (file) {
        progressBox.hidden = false;
        announce.dataset.step = '';
        setProgress(0);
        const metaOut = { ...body, file_name: file.name };
        cv = await uploadFile(editing ? 'PUT' : 'POST', editing ? `/api/cv/${editing.id}` : '/api/cv', file, metaOut, session.csrf_token, setProgress);
        setProgress(100);
        announce.textContent = 'Curriculum caricato.';
      } else {
        cv = await sendJSON('PUT', `/api/cv/${editing.id}`, body, session.csrf_token);
      }
      const wasEditing = Boolean(editing);
      show('list');
      notice.replaceChildren();
      if (!wasEditing) state.page = 1;
      // the outcome once the list shows it
      await load();
      tell('success', wasEditing ? 'Curriculum modificato' : 'Curriculum caricato',
        wasEditing ? `Le modifiche al curriculum «${cv.description || cv.file.name}» sono state salvate.` : `Il curriculum «${cv.description || cv.file.name}» è stato caricato.`);
      notice.focus();
    } catch (e) {
      progressBox.hidden = true;
      showErrors(form, e);
    } finally {
      submit.disabled = false;
    }
  });

  // ---- history -------------------------------------------------------------------------
  const historyBox = document.getElementById('cv-storico-elenco');
  let historyOf = null;
  async function loadHistory(page = 1) {
    showLoading(historyBox);
    let data;
    try {
      data = await getJSON(`/api/cv/${historyOf.id}/history?page=${page}&page_size=${PAGE_SIZE}`);
    } catch (e) {
      showError(historyBox, e.message, () => loadHistory(page));
      return;
    }
    done(historyBox);
    historyBox.replaceChildren(
      data.items.length ? el('div', { class: 'table-responsive' }, el('table', { class: 'table table-stack', id: 'cv-storico-tabella' },
        el('caption', { class: 'visually-hidden' }, 'Storico utilizzi del curriculum'),
        el('thead', {}, el('tr', {}, ['Data', 'Tipo', 'Note'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, data.items.map((h) => el('tr', {},
          el('th', { scope: 'row' }, formatDate(h.at)),
          el('td', { 'data-label': 'Tipo' }, h.kind_label),
          el('td', { 'data-label': 'Note' }, h.note ?? '')))))) : el('p', {}, 'Nessun utilizzo registrato.'),
      data.total > PAGE_SIZE ? pager({ page, pageSize: PAGE_SIZE, total: data.total, onChange: loadHistory, label: 'Paginazione dello storico' }) : '',
    );
  }
  function openHistory(cv) {
    historyOf = cv;
    document.getElementById('cv-storico-cv').textContent = `Curriculum: ${cv.description || cv.file.name} (inserito il ${formatDate(cv.created_at)}).`;
    show('history');
    document.getElementById('cv-storico-titolo').focus();
    loadHistory();
  }
  document.getElementById('cv-storico-chiudi').addEventListener('click', () => { show('list'); document.getElementById('cv-nuovo').focus(); });

  // ---- delete --------------------------------------------------------------------------
  const dialog = document.getElementById('cv-conferma');
  document.getElementById('cv-conferma-testo').textContent = meta.delete_confirm ?? 'Sicuro di voler procedere con la rimozione del Curriculum Vitae?';
  const confirm = () => new Promise((resolve) => {
    const yes = document.getElementById('cv-conferma-si');
    const no = document.getElementById('cv-conferma-no');
    const finish = (answer) => {
      yes.removeEventListener('click', onYes);
      no.removeEventListener('click', onNo);
      dialog.removeEventListener('cancel', onNo);
      dialog.close();
      resolve(answer);
    };
    const onYes = () => finish(true);
    const onNo = () => finish(false);
    yes.addEventListener('click', onYes);
    no.addEventListener('click', onNo);
    dialog.addEventListener('cancel', onNo);
    dialog.showModal();
    no.focus();
  });
  async function remove(cv) {
    const opener = document.activeElement;
    if (!(await confirm())) { opener?.focus(); return; }
    try {
      await sendJSON('DELETE', `/api/cv/${cv.id}`, undefined, session.csrf_token);
      await load();
      tell('success', 'Curriculum eliminato', `Il curriculum «${cv.description || cv.file.name}» è stato eliminato.`);
    } catch (e) {
      tell('danger', 'Curriculum non eliminato', e.message);
    }
    notice.focus();
  }

  show('list');
  load();
}
