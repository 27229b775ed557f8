// /sviluppatori/api/: the operations of /api/openapi.json, grouped by tag, readable
// without any third-party viewer.

import { getJSON } from '../api.mjs';
import { el, showError, showLoading, done } from '../ui.mjs';

const WHO = { session: 'Con accesso', jobs: 'Job (Bearer)' };

/** The operations of an OpenAPI document as [{tag, ops: [{method, path, summary, who, statuses}]}]. */
export function operationsByTag(doc) {
  const groups = new Map((doc.tags ?? []).map((t) => [t.name, []]));
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      const tag = op.tags?.[0] ?? 'altro';
      if (!groups.has(tag)) groups.set(tag, []);
      const security = op.security ?? doc.security ?? [];
      const scheme = security.flatMap((s) => Object.keys(s))[0];
      groups.get(tag).push({
        method: method.toUpperCase(),
        path,
        summary: op.summary ?? '',
        who: scheme ? (WHO[scheme] ?? scheme) : 'Pubblica',
        statuses: Object.keys(op.responses ?? {}),
      });
    }
  }
  return [...groups].filter(([, ops]) => ops.length > 0).map(([tag, ops]) => ({ tag, ops }));
}

function row(o) {
  return el('tr', {},
    el('td', {}, el('code', {}, o.method)),
    el('td', {}, el('code', {}, o.path)),
    el('td', {}, o.summary),
    el('td', {}, o.who),
    el('td', { class: 'small' }, o.statuses.join(' ')));
}

function section({ tag, ops }) {
  const head = el('tr', {}, ...['Metodo', 'Indirizzo', 'Descrizione', 'Accesso', 'Risposte'].map((h) => el('th', { scope: 'col' }, h)));
  const table = el('table', { class: 'table table-sm' },
    el('caption', { class: 'visually-hidden' }, `Operazioni: ${tag}`),
    el('thead', {}, head),
    el('tbody', {}, ops.map(row)));
  return el('section', { class: 'mb-4' }, el('h3', { class: 'h5 text-capitalize' }, tag), el('div', { class: 'table-responsive' }, table));
}

export function init() {
  const status = document.getElementById('api-stato');
  const list = document.getElementById('api-elenco');
  async function load() {
    showLoading(status);
    try {
      const doc = await getJSON('/api/openapi.json');
      done(status);
      status.replaceChildren(el('p', {}, `${doc.info.title}, versione ${doc.info.version}: ${Object.values(doc.paths).reduce((n, p) => n + Object.keys(p).length, 0)} operazioni.`));
      list.replaceChildren(...operationsByTag(doc).map(section));
    } catch (e) {
      showError(status, e.message, load);
    }
  }
  load();
}
