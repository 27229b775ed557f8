// /cittadino/documenti/ "Elenco documenti in firma" (C10, manual "Gestione documenti da
// firmare"): the documents the CPIs sent to the person, filtered by Centro impiego; each
// with Data, Stato (the three-state legend), Tipo documento and Azioni (the timeline,
// «Scarica Documento», «Prendi in carico», «Firma documento» with the code sent by SMS).
// API: GET /api/documents?cpi=, GET /api/documents/<id>/pdf, POST …/<id>/take,
// POST …/<id>/sign/code, POST …/<id>/sign {code}.

import { getJSON, sendJSON } from '../api.mjs';
import { activeSession } from '../cv.mjs';
import { statusBadge, timeline } from '../documents.mjs';
import { callout, clearErrors, clearOnEdit, showErrors } from '../forms.mjs';
import { done, el, showError, showLoading } from '../ui.mjs';

export async function init() {
  const status = document.getElementById('doc-stato');
  showLoading(status);
  const session = await activeSession(status, 'vedere e firmare i documenti del Centro per l\'impiego', { comeBack: true });
  if (!session) return;
  done(status);
  status.replaceChildren();
  document.getElementById('doc-app').hidden = false;

  const cpiSelect = document.getElementById('doc-cpi');
  const results = document.getElementById('doc-risultati');
  const notice = document.getElementById('doc-esito');
  const signing = document.getElementById('doc-firma');
  const signForm = document.getElementById('doc-firma-form');
  const codeInput = document.getElementById('doc-codice');
  clearOnEdit(signForm);
  let cpi = '';
  let current = null;
  let cpisShown = false;

  const say = (kind, title, text) => {
    notice.replaceChildren(el('div', { role: kind === 'danger' ? 'alert' : 'status' }, callout(kind, title, text)));
    notice.focus();
  };

  async function take(d) {
    try {
      await sendJSON('POST', `/api/documents/${d.id}/take`, {}, session.csrf_token);
      await load();
      say('success', 'Documento preso in carico', `Hai preso in carico il documento «${d.kind_name}»: ora puoi firmarlo.`);
    } catch (e) {
      say('danger', 'Operazione non riuscita', e.message);
      await load();
    }
  }

  async function askCode(d) {
    try {
      const sent = await sendJSON('POST', `/api/documents/${d.id}/sign/code`, {}, session.csrf_token);
      current = d;
      notice.replaceChildren();
      clearErrors(signForm);
      codeInput.value = '';
      document.getElementById('doc-firma-titolo').textContent = `Firma documento: ${d.kind_name}`;
      document.getElementById('doc-firma-testo').textContent = `Ti abbiamo inviato un codice (${sent.channel === 'sms' ? 'SMS' : 'e-mail'}) al ${sent.sent_to}: scrivilo qui per firmare il documento. Il codice scade tra ${sent.minutes} minuti.`;
      signing.hidden = false;
      codeInput.focus();
    } catch (e) {
      say('danger', 'Codice non inviato', e.message);
    }
  }

  signForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!current) return;
    try {
      await sendJSON('POST', `/api/documents/${current.id}/sign`, { code: codeInput.value.trim() }, session.csrf_token);
      const signed = current;
      current = null;
      signing.hidden = true;
      await load();
      say('success', 'Documento firmato', signed.needs_operator
        ? `Hai firmato il documento «${signed.kind_name}»: il processo si concluderà con la firma dell'operatore del Centro per l'impiego.`
        : `Hai firmato il documento «${signed.kind_name}»: il processo di firma è concluso.`);
    } catch (e) {
      showErrors(signForm, e);
    }
  });
  document.getElementById('doc-firma-annulla').addEventListener('click', () => {
    current = null;
    signing.hidden = true;
  });

  const actions = (d) => el('td', { 'data-label': 'Azioni' },
    timeline(d),
    el('div', { class: 'd-flex flex-wrap gap-2' },
      el('a', { class: 'btn btn-outline-primary btn-xs', href: `/api/documents/${d.id}/pdf`, download: '', 'aria-label': `Scarica Documento: ${d.kind_name} del ${d.date}` }, 'Scarica Documento'),
      d.can_take ? el('button', { type: 'button', class: 'btn btn-primary btn-xs', 'aria-label': `Prendi in carico: ${d.kind_name} del ${d.date}`, onclick: () => take(d) }, 'Prendi in carico') : '',
      d.can_sign ? el('button', { type: 'button', class: 'btn btn-primary btn-xs', 'aria-label': `Firma documento: ${d.kind_name} del ${d.date}`, onclick: () => askCode(d) }, 'Firma documento') : ''));

  async function load() {
    showLoading(results);
    let data;
    try {
      data = await getJSON(`/api/documents${cpi ? `?cpi=${encodeURIComponent(cpi)}` : ''}`);
    } catch (e) {
      showError(results, e.message, load);
      return;
    }
    done(results);
    if (!cpisShown) {
      cpisShown = true;
      for (const c of data.cpis) cpiSelect.append(el('option', { value: c.code }, `CPI di ${c.name}`));
    }
    if (!data.items.length) {
      results.replaceChildren(el('p', {}, cpi ? 'Nessun documento di questo Centro per l\'impiego.' : 'Non hai documenti da firmare: compariranno qui quando il Centro per l\'impiego te li invierà.'));
      return;
    }
    results.replaceChildren(el('div', { class: 'table-responsive' }, el('table', { class: 'table table-stack', id: 'doc-tabella' },
      el('caption', { class: 'visually-hidden' }, 'Elenco documenti in firma'),
      el('thead', {}, el('tr', {}, ['Data', 'Stato', 'Tipo documento', 'Azioni'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, data.items.map((d) => el('tr', { 'data-document': String(d.id) },
        el('td', { 'data-label': 'Data' }, d.date),
        el('td', { 'data-label': 'Stato' }, statusBadge(d)),
        el('th', { scope: 'row' }, d.kind_name, el('div', { class: 'small fw-normal' }, `CPI di ${d.cpi.name}`)),
        actions(d)))))));
  }

  document.getElementById('doc-filtri').addEventListener('submit', (event) => {
    event.preventDefault();
    cpi = cpiSelect.value;
    notice.replaceChildren();
    load();
  });
  load();
}
