// /cittadino/candidatura/?offerta=<code> "Dettaglio Candidatura - Offerta (…)" (C1), the
// page "Compila candidatura" opens: the offer's summary, each requirement with
// "Dichiaro di essere in possesso del requisito", the choice of one of the person's
// CVs ("Scarica file" for each; none: the manual's sentence and the way to Gestione
// Curriculum Vitae) and "Invia candidatura"; field errors next to the inputs; then the
// confirmation and the way to "Visualizza candidature". An offer already applied to,
// closed or without online applications says so. Without a session, "Accedi" comes
// back here. API: GET /api/applications/form?offer=, POST /api/applications.

import { ApiError, getJSON, sendJSON } from '../api.mjs';
import { activeSession, fileProblem, sizeText, uploadFile } from '../cv.mjs';
import { callout, clearErrors, clearOnEdit, showErrors, showFieldError } from '../forms.mjs';
import { done, el, formatDate, showError, showLoading } from '../ui.mjs';
import { LAST_SEARCH_KEY } from './offers.mjs';

const LIST = '/cittadino/candidature/';

/** The offer's code from the address (?offerta=), upper case, or '' when missing or malformed. */
export function offerCode(search) {
  const code = (new URLSearchParams(search).get('offerta') ?? '').trim().toUpperCase();
  return /^[A-Z]{2}-\d{1,12}$/.test(code) ? code : '';
}

/** The body of POST /api/applications from the form's state. */
export function applicationBody(offer, declared, cvId) {
  return { offer, cv_id: cvId ?? null, declarations: declared.map(Boolean) };
}

function item(label, value) {
  return [el('dt', { class: 'col-sm-4' }, label), el('dd', { class: 'col-sm-8' }, value)];
}

const listLink = (text = 'Visualizza candidature') => el('a', { href: LIST }, text);

/**
 * "Carica un nuovo curriculum" (a <details> in the form): a file and its description,
 * uploaded as a CV that is not searchable (Gestione Curriculum Vitae changes that), with
 * the upload's progress; `added(choice)` gets it as the form lists CVs.
 */
function cvUpload(session, form, added) {
  const box = document.getElementById('cand-carica');
  const open = () => { box.open = true; };
  if (!form.cvs.length) open();
  const file = document.getElementById('cand-cv-file');
  const description = document.getElementById('cand-cv-descrizione');
  const button = document.getElementById('cand-cv-carica');
  const progress = document.getElementById('cand-cv-progress');
  const note = document.getElementById('cand-cv-esito');
  file.addEventListener('change', () => {
    clearErrors(box);
    const problem = file.files[0] ? fileProblem(file.files[0]) : null;
    if (problem) showFieldError(file, problem);
  });
  button.addEventListener('click', async () => {
    clearErrors(box);
    note.replaceChildren();
    const chosen = file.files[0];
    const problem = fileProblem(chosen);
    if (problem) { showFieldError(file, problem); file.focus(); return; }
    button.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    try {
      const cv = await uploadFile('POST', '/api/cv', chosen,
        { description: description.value.trim(), search_consent: false, territories: [], file_name: chosen.name },
        session.csrf_token, (p) => { progress.value = p; });
      added({ id: cv.id, description: cv.description ?? '', file_name: cv.file.name, download: cv.file.download });
      file.value = '';
      description.value = '';
      box.open = false;
      note.replaceChildren(el('div', { role: 'status' }, callout('success', 'Curriculum caricato',
        `Il curriculum «${cv.description || cv.file.name}» (${sizeText(cv.file.size)}) è stato caricato ed è selezionato per questa candidatura.`)));
    } catch (e) {
      const input = e.fields?.some((f) => f.field === 'description') ? description : file;
      showFieldError(input, e.fields?.[0]?.message ?? e.message);
      input.focus();
    } finally {
      button.disabled = false;
      progress.hidden = true;
    }
  });
}

export async function init() {
  // "Torna all'elenco": the offer search of this tab, as on the offer's page
  const search = sessionStorage.getItem(LAST_SEARCH_KEY);
  if (search && /^\?[^#]*$/.test(search)) {
    for (const a of document.querySelectorAll('[data-back]')) a.setAttribute('href', `/cittadino/offerte/${search}`);
  }
  const status = document.getElementById('cand-stato');
  const title = document.getElementById('cand-titolo');
  const app = document.getElementById('cand-app');
  showLoading(status);
  const code = offerCode(location.search);
  const say = (kind, heading, ...text) => {
    done(status);
    status.replaceChildren(el('div', { role: kind === 'danger' ? 'alert' : 'status' }, callout(kind, heading, ...text)));
  };
  if (!code) {
    say('note', 'Nessuna offerta indicata', el('p', { class: 'mb-0' }, 'Scegli l\'offerta a cui candidarti tra le ', el('a', { href: '/cittadino/offerte/' }, 'offerte di lavoro'), ' e usa «Compila candidatura».'));
    return;
  }
  const session = await activeSession(status, 'candidarti a un\'offerta di lavoro', { comeBack: true });
  if (!session) return;

  let form;
  try {
    form = await getJSON(`/api/applications/form?offer=${encodeURIComponent(code)}`);
  } catch (e) {
    if (e.status === 404 || e.status === 409) {
      say('note', e.code === 'offer_not_online' ? 'Candidatura non online' : e.status === 404 ? 'Offerta non trovata' : 'Offerta non più disponibile',
        e.message,
        el('p', { class: 'mb-0' }, e.status === 404 ? el('a', { href: '/cittadino/offerte/' }, 'Cerca tra le offerte di lavoro') : el('a', { href: `/offerte/${code}` }, `Vedi l'offerta ${code}`)));
    } else {
      showError(status, e.message, () => location.reload());
    }
    return;
  }
  done(status);
  const offer = form.offer;
  title.textContent = `Dettaglio Candidatura - Offerta (${offer.occupation})`;
  document.title = `${title.textContent} – Toscana Lavoro`;
  document.getElementById('cand-offerta').replaceChildren(
    ...item('Codice offerta', el('a', { href: offer.url }, offer.code)),
    ...item('Scadenza', formatDate(offer.deadline)),
    ...item('Centro Impiego', offer.cpi.name),
  );
  if (form.applied) {
    status.replaceChildren(el('div', { role: 'status' }, callout('note', 'Ti sei già candidato a questa offerta',
      `Esito CPI della tua candidatura: ${form.applied.status_label}.`,
      el('p', { class: 'mb-0' }, 'La trovi in ', listLink(), '.'))));
    app.hidden = false;
    document.getElementById('cand-modulo').hidden = true;
    return;
  }
  status.replaceChildren();
  app.hidden = false;

  // requirements, each with its declaration
  const declarations = form.requirements.map((r, i) => el('input', {
    class: 'form-check-input', type: 'checkbox', id: `cand-dichiaro-${i}`, 'data-field': `declarations.${i}`, 'aria-describedby': `cand-requisito-${i}`,
  }));
  document.getElementById('cand-requisiti').replaceChildren(...form.requirements.map((r, i) => el('li', { class: 'mb-3 border-bottom pb-2' },
    el('p', { class: 'mb-1 fw-semibold', id: `cand-requisito-${i}` }, r),
    el('div', { class: 'form-check' }, declarations[i],
      el('label', { class: 'form-check-label', for: `cand-dichiaro-${i}` }, form.declaration)))));

  // the CVs, one to choose; the manual's sentence links Gestione Curriculum Vitae
  const cvList = document.getElementById('cand-cv-elenco');
  const [before, after] = form.cv_text.split('«Gestione Curriculum Vitae»');
  document.getElementById('cand-cv-testo').replaceChildren(before, el('a', { href: '/cittadino/curriculum/' }, 'Gestione Curriculum Vitae'), after ?? '.');
  const cvChoice = (cv, checked) => el('div', { class: 'form-check d-flex flex-wrap align-items-center gap-2 mb-2' },
    el('input', { class: 'form-check-input', type: 'radio', name: 'cv', id: `cand-cv-${cv.id}`, value: String(cv.id), checked }),
    el('label', { class: 'form-check-label', for: `cand-cv-${cv.id}` }, cv.description ? `${cv.description} – ${cv.file_name}` : cv.file_name),
    el('a', { href: cv.download, download: cv.file_name, class: 'small', 'aria-label': `Scarica file ${cv.file_name}` }, 'Scarica file'));
  const showCvs = (cvs, chosen) => {
    cvList.replaceChildren(...(cvs.length
      ? cvs.map((cv) => cvChoice(cv, cv.id === chosen || cvs.length === 1))
      : [el('p', { class: 'mb-0' }, 'Non hai ancora caricato un curriculum: caricane uno qui sotto.')]));
    // the API's field: the first radio
    cvList.querySelector('input[name="cv"]')?.setAttribute('data-field', 'cv_id');
  };
  showCvs(form.cvs, null);
  cvUpload(session, form, (cv) => {
    form.cvs.unshift(cv);
    showCvs(form.cvs, cv.id);
  });

  const formEl = document.getElementById('cand-modulo');
  const submit = document.getElementById('cand-invia');
  clearOnEdit(formEl);
  formEl.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(formEl);
    const chosen = formEl.querySelector('input[name="cv"]:checked');
    // the checks the API makes too, at once
    const problems = declarations.flatMap((d, i) => (d.checked ? [] : [{ field: `declarations.${i}`, message: 'Per candidarti devi dichiarare di essere in possesso del requisito.' }]));
    if (!chosen) problems.push({ field: form.cvs.length ? 'cv_id' : 'file', message: form.cvs.length ? 'Seleziona il tuo Curriculum Vitae.' : 'Carica un curriculum prima di inviare la candidatura.' });
    if (problems.length) {
      showErrors(formEl, new ApiError(422, 'invalid_fields', '', { fields: problems }));
      return;
    }
    submit.disabled = true;
    try {
      const sent = await sendJSON('POST', '/api/applications', applicationBody(offer.code, declarations.map((d) => d.checked), Number(chosen.value)), session.csrf_token);
      formEl.hidden = true;
      status.replaceChildren(el('div', { role: 'status' }, callout('success', 'Candidatura inviata',
        `La tua candidatura all'offerta ${sent.offer.code} (${sent.offer.occupation}) è stata inviata al Centro per l'impiego di ${sent.offer.cpi.name} il ${formatDate(sent.date)}. Ti abbiamo inviato un'e-mail di conferma.`,
        el('p', { class: 'mb-0' }, 'Puoi seguirne l\'esito in ', listLink(), '.'))));
      status.focus();
    } catch (e) {
      if (e.code === 'already_applied') {
        formEl.hidden = true;
        status.replaceChildren(el('div', { role: 'alert' }, callout('note', 'Ti sei già candidato a questa offerta', e.message, el('p', { class: 'mb-0' }, listLink()))));
        status.focus();
      } else {
        showErrors(formEl, e);
      }
    } finally {
      submit.disabled = false;
    }
  });
}
