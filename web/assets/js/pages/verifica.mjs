// /verifica/ "Verifica documento" (X5): anyone types a document code or uploads the PDF
// and reads whether Toscana Lavoro issued it, whether each signature is intact, and the
// document's kind, CPI and state (also cancelled), without personal data.
// API: GET /api/verify?code=, POST /api/verify (the PDF as the body).

import { ApiError, getJSON } from '../api.mjs';
import { callout, clearErrors, clearOnEdit, showErrors } from '../forms.mjs';
import { el } from '../ui.mjs';

const MAX_BYTES = 5 * 1024 * 1024;
const VERDICTS = {
  valid: ['success', 'Documento autentico'],
  previous: ['warning', 'Versione precedente del documento'],
  altered: ['danger', 'Documento modificato'],
  unknown: ['danger', 'Documento non riconosciuto'],
};

async function postFile(file) {
  let response;
  try {
    response = await fetch('/api/verify', { method: 'POST', headers: { 'content-type': 'application/pdf', accept: 'application/json' }, body: file });
  } catch {
    throw new ApiError(0, 'network', 'Impossibile contattare il servizio. Verifica la connessione e riprova.');
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiError(response.status, data?.error?.code ?? 'error', data?.error?.message ?? 'Il servizio non è al momento disponibile. Riprova tra qualche minuto.', { fields: data?.error?.fields ?? [] });
  }
  return data;
}

function result(v) {
  const [kind, title] = VERDICTS[v.verdict] ?? VERDICTS.unknown;
  const facts = [];
  const fact = (label, value) => { if (value) facts.push(el('dt', {}, label), el('dd', {}, value)); };
  fact('Codice documento', v.code);
  fact('Tipo documento', v.kind_name);
  fact('Centro per l\'impiego', v.cpi);
  fact('Inserito il', v.created_at_local);
  fact('Stato', v.status_label);
  fact('Annullato il', v.cancelled_at_local);
  const signatures = v.signatures.length
    ? el('ul', {}, v.signatures.map((s) => el('li', {}, `${s.label}${s.signed_at_local ? `, il ${s.signed_at_local}` : ''}`,
      s.intact === true ? ' — firma integra' : s.intact === false ? ' — firma NON integra' : '')))
    : el('p', {}, 'Nessuna firma.');
  return el('div', { id: 'ver-risultato', 'data-verdict': v.verdict },
    callout(kind, title, v.message),
    facts.length ? el('dl', { class: 'row-cols-2' }, facts) : '',
    v.issued || v.signatures.length ? [el('h2', { class: 'h5' }, 'Firme'), signatures] : '');
}

export function init() {
  document.getElementById('ver-app').hidden = false;
  const notice = document.getElementById('ver-esito');
  const codeForm = document.getElementById('ver-codice-form');
  const fileForm = document.getElementById('ver-file-form');
  clearOnEdit(codeForm);
  clearOnEdit(fileForm);
  const show = (v) => { notice.replaceChildren(result(v)); notice.focus(); };

  codeForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(codeForm);
    const code = document.getElementById('ver-codice').value.trim();
    try {
      show(await getJSON(`/api/verify?code=${encodeURIComponent(code)}`));
    } catch (e) {
      notice.replaceChildren();
      showErrors(codeForm, e);
    }
  });
  fileForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(fileForm);
    const file = document.getElementById('ver-file').files[0];
    const problem = !file ? 'Scegli il file PDF da verificare.' : file.size > MAX_BYTES ? 'Il file supera la dimensione massima di 5 MB.' : null;
    if (problem) {
      showErrors(fileForm, new ApiError(422, 'invalid_fields', problem, { fields: [{ field: 'file', message: problem }] }));
      return;
    }
    try {
      show(await postFile(file));
    } catch (e) {
      notice.replaceChildren();
      showErrors(fileForm, e);
    }
  });
}
