// /operatore/amministrazione/ (O1, administrators): the roles (assign operatore CPI for a
// CPI, or amministratore; revoke after a confirmation) and the audit log with filters
// (who, action, CPI, object, dates), each entry with its values before and after.
// API: GET|POST /api/admin/roles, DELETE /api/admin/roles/<id>, GET /api/admin/audit.

import { getJSON, sendJSON } from '../api.mjs';
import { dateRange, query } from '../cv.mjs';
import { callout, clearErrors, showErrors } from '../forms.mjs';
import { staffContext } from '../staff.mjs';
import { bindDateInput, confirmDialog, done, el, formatDate, formatDateTime, pager, showError, showLoading } from '../ui.mjs';

const PAGE_SIZE = 20;

/** The audit log's actions in Italian; a key ending with "." is a group (the API matches the prefix). */
export const ACTIONS = {
  'role.': 'Ruoli: tutte le azioni',
  'role.grant': 'Ruolo assegnato',
  'role.revoke': 'Ruolo revocato',
  'offer.': 'Offerte: tutte le azioni',
  'offer.publish': 'Offerta pubblicata',
  'offer.edit': 'Offerta modificata',
  'offer.close': 'Offerta chiusa',
  'draft.': 'Bozze: tutte le azioni',
  'draft.create': 'Bozza creata',
  'draft.edit': 'Bozza modificata',
  'draft.delete': 'Bozza eliminata',
  'application.status': 'Esito di una candidatura',
  'cv.upload': 'Curriculum caricato per un cittadino',
};

const ENTITIES = { staff_role: 'Ruolo', offer: 'Offerta', offer_draft: 'Bozza', application: 'Candidatura', cv: 'Curriculum' };

/** A value of the audit log as a short text (objects and lists as JSON). */
export function valueText(v) {
  if (v == null) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/**
 * What an action changed: [field, before, after] for each field of the two values
 * (objects) that differs, every field when one side is missing; a value that is not an
 * object is one row named ''.
 */
export function changes(before, after) {
  const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isObject(before ?? {}) || !isObject(after ?? {})) return [['', valueText(before), valueText(after)]];
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  return keys
    .map((k) => [k, valueText(before?.[k]), valueText(after?.[k])])
    .filter(([, b, a]) => before == null || after == null || b !== a);
}

export async function init() {
  const status = document.getElementById('adm-stato');
  showLoading(status);
  const ctx = await staffContext(status, 'admin', 'amministrare i ruoli');
  if (!ctx) return;
  const csrf = ctx.session.csrf_token;
  let cpis;
  try {
    cpis = (await getJSON('/api/ref/cpis')).items;
  } catch (e) {
    showError(status, e.message, () => location.reload());
    return;
  }
  done(status);
  status.replaceChildren();
  document.getElementById('adm-app').hidden = false;
  const cpiName = new Map(cpis.map((c) => [c.code, c.name]));

  // ---- roles -----------------------------------------------------------------------
  const grant = document.getElementById('adm-assegna');
  const cf = document.getElementById('adm-cf');
  const role = document.getElementById('adm-ruolo');
  const cpi = document.getElementById('adm-cpi');
  const cpiField = document.getElementById('adm-cpi-campo');
  cpi.append(...cpis.map((c) => el('option', { value: c.code }, c.name)));
  const syncRole = () => { cpiField.hidden = role.value !== 'operator'; };
  role.addEventListener('change', syncRole);
  syncRole();
  const rolesBox = document.getElementById('adm-ruoli-elenco');
  const rolesNotice = document.getElementById('adm-ruoli-esito');
  let rolesState = { page: 1, fiscal_code: '' };
  const tell = (box, kind, title, text) => {
    box.replaceChildren(el('div', { role: kind === 'danger' ? 'alert' : 'status' }, callout(kind, title, text)));
    box.focus();
  };

  const who = (r) => (r.name ? `${r.name} (${r.fiscal_code})` : r.fiscal_code);
  async function loadRoles() {
    showLoading(rolesBox);
    let data;
    try {
      data = await getJSON(`/api/admin/roles?${query({ fiscal_code: rolesState.fiscal_code, page: rolesState.page, page_size: PAGE_SIZE })}`);
    } catch (e) {
      showError(rolesBox, e.message, loadRoles);
      return;
    }
    done(rolesBox);
    if (!data.items.length) {
      rolesBox.replaceChildren(el('p', {}, rolesState.fiscal_code ? 'Nessun ruolo per questo codice fiscale.' : 'Nessun ruolo assegnato: gli amministratori iniziali sono indicati nella configurazione del portale.'));
      return;
    }
    rolesBox.replaceChildren(
      el('div', { class: 'table-responsive' }, el('table', { class: 'table table-stack', id: 'adm-ruoli-tabella' },
        el('caption', { class: 'visually-hidden' }, 'Ruoli assegnati'),
        el('thead', {}, el('tr', {}, ['Persona', 'Ruolo', 'Centro per l\'impiego', 'Assegnato', 'Azioni'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, data.items.map((r) => el('tr', {},
          el('th', { scope: 'row' }, who(r)),
          el('td', { 'data-label': 'Ruolo' }, r.role_label),
          el('td', { 'data-label': 'Centro per l\'impiego' }, r.cpi?.name ?? '—'),
          el('td', { 'data-label': 'Assegnato' }, `il ${formatDate(r.granted_at)} da ${r.granted_by}`),
          el('td', {}, el('button', {
            type: 'button', class: 'btn btn-outline-danger btn-xs', 'aria-label': `Revoca il ruolo ${r.role_label}${r.cpi ? ` ${r.cpi.name}` : ''} a ${who(r)}`,
            onclick: () => revoke(r),
          }, 'Revoca'))))))),
      data.total > PAGE_SIZE ? pager({ page: rolesState.page, pageSize: PAGE_SIZE, total: data.total, onChange: (p) => { rolesState.page = p; return loadRoles(); }, label: 'Paginazione dei ruoli' }) : '',
    );
  }

  async function revoke(r) {
    const what = `${r.role_label}${r.cpi ? ` del Centro per l'impiego di ${r.cpi.name}` : ''}`;
    if (!(await confirmDialog({ title: 'Revoca il ruolo', text: `Vuoi revocare il ruolo ${what} a ${who(r)}? Da subito non potrà più usare i servizi di quel ruolo.`, confirm: 'Revoca' }))) return;
    try {
      await sendJSON('DELETE', `/api/admin/roles/${r.id}`, {}, csrf);
      await Promise.all([loadRoles(), loadAudit()]);
      tell(rolesNotice, 'success', 'Ruolo revocato', `Il ruolo ${what} di ${who(r)} è stato revocato.`);
    } catch (e) {
      tell(rolesNotice, 'danger', 'Ruolo non revocato', e.message);
    }
  }

  grant.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(grant);
    rolesNotice.replaceChildren();
    const body = { fiscal_code: cf.value.trim().toUpperCase(), role: role.value };
    if (role.value === 'operator') body.cpi = cpi.value || null;
    const submit = grant.querySelector('button[type="submit"]');
    submit.disabled = true;
    try {
      const r = await sendJSON('POST', '/api/admin/roles', body, csrf);
      cf.value = '';
      rolesState = { page: 1, fiscal_code: '' };
      await Promise.all([loadRoles(), loadAudit()]);
      tell(rolesNotice, 'success', 'Ruolo assegnato', `${r.fiscal_code} è ora ${r.role_label}${r.cpi ? ` del Centro per l'impiego di ${r.cpi.name}` : ''}.`);
    } catch (e) {
      showErrors(grant, e);
    } finally {
      submit.disabled = false;
    }
  });

  document.getElementById('adm-ruoli-filtri').addEventListener('submit', (event) => {
    event.preventDefault();
    rolesState = { page: 1, fiscal_code: document.getElementById('adm-ruoli-cf').value.trim().toUpperCase() };
    loadRoles();
  });

  // ---- audit log -------------------------------------------------------------------
  const auditBox = document.getElementById('adm-registro-elenco');
  const actionSelect = document.getElementById('adm-reg-azione');
  actionSelect.append(...Object.entries(ACTIONS).map(([code, label]) => el('option', { value: code }, label)));
  document.getElementById('adm-reg-cpi').append(...cpis.map((c) => el('option', { value: c.code }, c.name)));
  const fromInput = document.getElementById('adm-reg-da');
  const toInput = document.getElementById('adm-reg-a');
  const checks = [bindDateInput(fromInput), bindDateInput(toInput)];
  let auditState = { page: 1 };

  const values = (e) => {
    if (e.before == null && e.after == null) return '';
    const rows = changes(e.before, e.after);
    return el('details', { class: 'audit-values' },
      el('summary', {}, rows.length === 1 ? 'Valori (1 campo)' : `Valori (${rows.length} campi)`),
      el('table', { class: 'table table-sm audit-table mt-2 mb-0' },
        el('caption', { class: 'visually-hidden' }, `Valori prima e dopo: ${ACTIONS[e.action] ?? e.action} ${e.entity_id}`),
        el('thead', {}, el('tr', {}, ['Campo', 'Prima', 'Dopo'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, rows.map(([k, b, a]) => el('tr', {},
          el('th', { scope: 'row' }, k || '—'),
          el('td', {}, b || '—'),
          el('td', {}, a || '—'))))));
  };

  async function loadAudit() {
    showLoading(auditBox);
    let data;
    try {
      data = await getJSON(`/api/admin/audit?${query({ ...auditState, page_size: PAGE_SIZE })}`);
    } catch (e) {
      showError(auditBox, e.message, loadAudit);
      return;
    }
    done(auditBox);
    if (!data.items.length) {
      const filtered = Object.entries(auditState).some(([k, v]) => k !== 'page' && v);
      auditBox.replaceChildren(el('p', {}, filtered ? 'Nessuna attività corrisponde ai criteri di ricerca.' : 'Nessuna attività registrata.'));
      return;
    }
    auditBox.replaceChildren(
      el('p', { class: 'small', role: 'status' }, data.total === 1 ? '1 attività' : `${data.total} attività`),
      el('div', { class: 'table-responsive' }, el('table', { class: 'table table-stack', id: 'adm-registro-tabella' },
        el('caption', { class: 'visually-hidden' }, 'Registro delle attività'),
        el('thead', {}, el('tr', {}, ['Data e ora', 'Chi', 'Centro per l\'impiego', 'Azione', 'Oggetto', 'Valori'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, data.items.map((e) => el('tr', {},
          el('th', { scope: 'row' }, formatDateTime(e.at)),
          el('td', { 'data-label': 'Chi' }, `${e.actor.name} (${e.actor.fiscal_code})`, el('span', { class: 'd-block small' }, e.role === 'admin' ? 'Amministratore' : 'Operatore CPI')),
          el('td', { 'data-label': 'Centro per l\'impiego' }, e.cpi ? (cpiName.get(e.cpi) ?? e.cpi) : '—'),
          el('td', { 'data-label': 'Azione' }, ACTIONS[e.action] ?? e.action),
          el('td', { 'data-label': 'Oggetto' }, `${ENTITIES[e.entity] ?? e.entity} ${e.entity_id}`),
          el('td', { 'data-label': 'Valori' }, values(e))))))),
      data.total > PAGE_SIZE ? pager({ page: auditState.page, pageSize: PAGE_SIZE, total: data.total, onChange: (p) => { auditState.page = p; return loadAudit(); }, label: 'Paginazione del registro' }) : '',
    );
  }

  document.getElementById('adm-registro-filtri').addEventListener('submit', (event) => {
    event.preventDefault();
    checks.forEach((c) => c());
    const range = dateRange(fromInput, toInput);
    if (!range) { (fromInput.getAttribute('aria-invalid') ? fromInput : toInput).focus(); return; }
    auditState = {
      page: 1,
      actor: document.getElementById('adm-reg-chi').value.trim().toUpperCase(),
      action: actionSelect.value,
      cpi: document.getElementById('adm-reg-cpi').value,
      entity_id: document.getElementById('adm-reg-oggetto').value.trim().toUpperCase(),
      ...range,
    };
    loadAudit();
  });

  loadRoles();
  loadAudit();
}
