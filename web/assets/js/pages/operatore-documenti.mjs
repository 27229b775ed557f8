// /operatore/documenti/ "Documenti da firmare" (O1, C10): the operator creates a
// document of one of the four kinds for a citizen of the CPI (sent to sign), lists the
// CPI's documents by state and codice fiscale, counter-signs («Firma operatore») after
// the citizen, and cancels with a reason. API: GET|POST /api/operator/documents,
// GET …/<id>/pdf, POST …/<id>/countersign, POST …/<id>/cancel {reason}.

import { getJSON, sendJSON } from '../api.mjs';
import { statusBadge, timeline } from '../documents.mjs';
import { callout, clearErrors, clearOnEdit, showErrors } from '../forms.mjs';
import { staffContext, workingCpiLine } from '../staff.mjs';
import { confirmDialog, done, el, showError, showLoading, textDialog } from '../ui.mjs';

export async function init() {
  const status = document.getElementById('od-stato');
  showLoading(status);
  const ctx = await staffContext(status, 'operator', 'gestire i documenti da firmare del tuo Centro per l\'impiego');
  if (!ctx) return;
  const { session, me } = ctx;
  status.replaceChildren();
  document.getElementById('od-app').hidden = false;
  document.getElementById('od-cpi').replaceWith(workingCpiLine(me));

  const form = document.getElementById('od-nuovo');
  const kind = document.getElementById('od-tipo');
  const results = document.getElementById('od-risultati');
  const notice = document.getElementById('od-esito');
  clearOnEdit(form);
  let filter = { state: '', fiscal_code: '' };
  let kindsShown = false;

  const say = (k, title, text) => {
    notice.replaceChildren(el('div', { role: k === 'danger' ? 'alert' : 'status' }, callout(k, title, text)));
    notice.focus();
  };

  async function act(d, path, body, done) {
    try {
      await sendJSON('POST', `/api/operator/documents/${d.id}/${path}`, body, session.csrf_token);
      await load();
      say('success', done, `${d.kind_name} di ${d.person.name}.`);
    } catch (e) {
      say('danger', 'Operazione non riuscita', e.message);
      await load();
    }
  }

  async function countersign(d) {
    const ok = await confirmDialog({ title: 'Firma operatore', text: `Firmi il documento «${d.kind_name}» di ${d.person.name}? La firma digitale si aggiunge a quella del cittadino e conclude il processo.`, confirm: 'Firma il documento', danger: false });
    if (ok) await act(d, 'countersign', {}, 'Documento firmato');
  }

  async function cancel(d) {
    const reason = await textDialog({ title: 'Annulla documento', text: `Annulli il documento «${d.kind_name}» di ${d.person.name}? Il cittadino vedrà il motivo.`, label: 'Motivo dell\'annullamento', confirm: 'Annulla il documento', cancel: 'Indietro', maxLength: 300 });
    if (reason) await act(d, 'cancel', { reason }, 'Documento annullato');
  }

  const row = (d) => el('tr', { 'data-document': String(d.id) },
    el('td', { 'data-label': 'Data' }, d.date),
    el('td', { 'data-label': 'Stato' }, statusBadge(d)),
    el('th', { scope: 'row' }, d.kind_name, el('div', { class: 'small fw-normal' }, `Codice ${d.code}`)),
    el('td', { 'data-label': 'Cittadino' }, d.person.name, el('div', { class: 'small' }, d.person.fiscal_code)),
    el('td', { 'data-label': 'Azioni' }, timeline(d), el('div', { class: 'd-flex flex-wrap gap-2' },
      el('a', { class: 'btn btn-outline-primary btn-xs', href: `/api/operator/documents/${d.id}/pdf`, download: '', 'aria-label': `Scarica Documento: ${d.kind_name} di ${d.person.name}` }, 'Scarica Documento'),
      d.can_countersign ? el('button', { type: 'button', class: 'btn btn-primary btn-xs', 'aria-label': `Firma operatore: ${d.kind_name} di ${d.person.name}`, onclick: () => countersign(d) }, 'Firma operatore') : '',
      d.can_cancel ? el('button', { type: 'button', class: 'btn btn-outline-danger btn-xs', 'aria-label': `Annulla: ${d.kind_name} di ${d.person.name}`, onclick: () => cancel(d) }, 'Annulla') : '')));

  async function load() {
    showLoading(results);
    let data;
    try {
      const q = new URLSearchParams(Object.entries(filter).filter(([, v]) => v));
      data = await getJSON(`/api/operator/documents${q.size ? `?${q}` : ''}`);
    } catch (e) {
      showError(results, e.message, load);
      return;
    }
    done(results);
    if (!kindsShown) {
      kindsShown = true;
      for (const k of data.kinds) kind.append(el('option', { value: k.code }, k.name));
    }
    results.replaceChildren(data.items.length
      ? el('div', { class: 'table-responsive' }, el('table', { class: 'table table-stack', id: 'od-tabella' },
        el('caption', { class: 'visually-hidden' }, 'Documenti da firmare del Centro per l\'impiego'),
        el('thead', {}, el('tr', {}, ['Data', 'Stato', 'Tipo documento', 'Cittadino', 'Azioni'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, data.items.map(row))))
      : el('p', {}, 'Nessun documento.'));
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const value = (id) => document.getElementById(id).value.trim();
    try {
      const d = await sendJSON('POST', '/api/operator/documents', { fiscal_code: value('od-cf'), kind: kind.value, text: document.getElementById('od-testo').value, reference: value('od-riferimento') }, session.csrf_token);
      form.reset();
      await load();
      say('success', 'Documento inviato in firma', `${d.kind_name} per ${d.person.name}, codice ${d.code}.`);
    } catch (e) {
      showErrors(form, e);
    }
  });
  document.getElementById('od-filtri').addEventListener('submit', (event) => {
    event.preventDefault();
    filter = { state: document.getElementById('od-stato-filtro').value, fiscal_code: document.getElementById('od-cf-filtro').value.trim() };
    notice.replaceChildren();
    load();
  });
  load();
}
