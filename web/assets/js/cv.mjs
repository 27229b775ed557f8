// Parts the CV pages share (C2, C3, B3): the signed-in check with its Italian
// explanations, the file check done before an upload, and the upload itself, an
// XMLHttpRequest whose `upload` progress events drive a <progress> bar (the file is
// the request body, the form's fields the percent-encoded JSON header `X-CV-Meta`).

import { ApiError } from './api.mjs';
import { callout } from './forms.mjs';
import { currentSession } from './session.mjs';
import { done, el } from './ui.mjs';

/** The Accedi page that brings the person back to `next` (a path of this site) after login. */
export function loginHref(next) {
  return next ? `/accedi/?next=${encodeURIComponent(next)}` : '/accedi/';
}

/**
 * The session when the person has an active account; otherwise shows in `status`
 * why the page cannot be used (`what`: "gestire i tuoi curriculum") and resolves to null.
 * With `comeBack`, login returns to this page (its path and query).
 */
export async function activeSession(status, what, { comeBack = false } = {}) {
  const session = await currentSession();
  const say = (title, ...text) => { done(status); status.replaceChildren(callout('note', title, ...text)); return null; };
  if (!session.authenticated) {
    return say('Accedi per continuare', `Per ${what} accedi con SPID, CIE o CNS.`,
      el('p', { class: 'mb-0' }, el('a', { href: loginHref(comeBack ? location.pathname + location.search : null), class: 'btn btn-primary', 'data-primary': '' }, 'Accedi')));
  }
  if (session.account === 'unregistered') {
    return say('Non sei ancora registrato', el('p', { class: 'mb-0' }, `Per ${what} completa la `, el('a', { href: '/registrati/cittadino/' }, 'registrazione'), '.'));
  }
  if (session.account === 'pending') {
    return say('Il tuo profilo non è ancora attivo', el('p', { class: 'mb-0' }, 'Apri il collegamento di attivazione che ti abbiamo inviato per e-mail, oppure ', el('a', { href: '/accedi/non-attivo/' }, 'chiedine uno nuovo'), '.'));
  }
  return session;
}

/** "1,2 MB" */
export function sizeText(bytes) {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toLocaleString('it-IT', { maximumFractionDigits: 1 })} MB`;
}

/**
 * The client-side check of a chosen file (the server checks again, by content):
 * null when fine, else the Italian message. `rules` is /api/cv/form's `file`.
 */
export function fileProblem(file, rules) {
  if (!file) return 'Scegli il file del curriculum.';
  const ext = (/\.([^.]+)$/.exec(file.name)?.[1] ?? '').toLowerCase();
  const allowed = rules?.extensions ?? ['pdf', 'doc', 'docx', 'odt'];
  if (!allowed.includes(ext)) return `Il file deve essere in formato ${allowed.map((e) => e.toUpperCase()).join(', ')}.`;
  const max = rules?.max_bytes ?? 5 * 1024 * 1024;
  if (file.size > max) return `Il file è troppo grande (${sizeText(file.size)}): la dimensione massima è ${sizeText(max)}.`;
  if (file.size === 0) return 'Il file è vuoto.';
  return null;
}

/**
 * Sends `file` with `method` to `path` (POST /api/cv, PUT /api/cv/<id>) with `meta`
 * in X-CV-Meta; `onProgress(percent)` follows the upload. Resolves to the CV,
 * rejects with an ApiError (422 fields, 413 as a `file` field problem).
 */
export function uploadFile(method, path, file, meta, csrf, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, path);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.setRequestHeader('x-csrf-token', csrf);
    xhr.setRequestHeader('x-cv-meta', encodeURIComponent(JSON.stringify(meta)));
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(Math.floor((event.loaded / event.total) * 100));
    });
    xhr.upload.addEventListener('load', () => onProgress(100));
    xhr.addEventListener('error', () => reject(new ApiError(0, 'network', 'Impossibile contattare il servizio. Verifica la connessione e riprova.')));
    xhr.addEventListener('timeout', () => reject(new ApiError(0, 'network', 'Il caricamento ha richiesto troppo tempo. Riprova.')));
    xhr.timeout = 300000;
    xhr.addEventListener('load', () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch { data = null; }
      if (xhr.status >= 200 && xhr.status < 300 && data) { resolve(data); return; }
      const e = data?.error;
      const message = e?.message ?? (xhr.status === 413
        ? 'Il file è troppo grande: la dimensione massima è 5 MB.'
        : 'Il servizio non è al momento disponibile. Riprova tra qualche minuto.');
      let fields = Array.isArray(e?.fields) ? e.fields.filter((f) => typeof f?.field === 'string' && typeof f?.message === 'string') : [];
      if (!fields.length && [413, 415].includes(xhr.status)) fields = [{ field: 'file', code: e?.code ?? 'file', message }];
      reject(new ApiError(xhr.status, e?.code ?? `http_${xhr.status}`, message, { fields }));
    });
    xhr.send(file);
  });
}

/** Query string of the non-empty entries. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v != null) q.set(k, v);
  return q.toString();
}

/** The ISO values of two dd/mm/yyyy inputs bound with bindDateInput, or null when one is invalid. */
export function dateRange(fromInput, toInput) {
  const read = (input) => {
    if (input.value.trim() === '') return '';
    return input.dataset.iso ?? null;
  };
  const from = read(fromInput);
  const to = read(toInput);
  return from === null || to === null ? null : { from, to };
}
