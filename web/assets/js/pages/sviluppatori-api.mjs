// /sviluppatori/api/: the operations of /api/openapi.json, grouped by tag, readable
// without any third-party viewer.

import { getJSON } from '../api.mjs';
import { el, showError, showLoading, done } from '../ui.mjs';

const WHO = { session: 'Con accesso', jobs: 'Job (Bearer)' };

/** The schema a `$ref` names, or the schema itself. */
function resolve(doc, schema) {
  const ref = schema?.$ref;
  if (!ref) return schema ?? {};
  const name = ref.split('/').pop();
  return doc.components?.schemas?.[name] ?? {};
}

/** A schema's type in words: `string`, `integer`, `array of X`, an enum's values, a name. */
export function typeName(doc, schema) {
  if (schema?.$ref) return schema.$ref.split('/').pop();
  const s = schema ?? {};
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  const alts = s.oneOf ?? s.anyOf;
  if (alts) return alts.map((a) => typeName(doc, a)).join(' | ');
  const types = [s.type ?? 'object'].flat().filter((t) => t !== 'null');
  const nullable = [s.type].flat().includes('null');
  const name = types.map((t) => (t === 'array' ? `array di ${typeName(doc, s.items)}` : t)).join(' | ');
  return nullable ? `${name} | null` : name;
}

/**
 * The fields of a schema as [{name, type, required, fields}], nested objects (and
 * arrays of objects) down to `depth` levels; [] for a schema without properties (a
 * generic object or a file). The schemas' descriptions are the code's comments, in
 * English: the page shows names and types only.
 */
export function fields(doc, schema, depth = 3) {
  const s = resolve(doc, schema);
  const props = s.properties ?? {};
  const required = new Set(s.required ?? []);
  return Object.entries(props).map(([name, p]) => {
    const inner = p.type === 'array' || [p.type].flat().includes('array') ? p.items : p;
    const nested = depth > 1 && (inner?.$ref || inner?.properties) ? fields(doc, inner, depth - 1) : [];
    return { name, type: typeName(doc, p), required: required.has(name), fields: nested };
  });
}

function fieldList(list) {
  return el('ul', { class: 'list-unstyled ms-3 mb-1 small' }, list.map((f) =>
    el('li', {},
      el('code', {}, f.name), ' ', el('span', { class: 'text-muted' }, f.type), f.required ? ' (obbligatorio)' : '',
      f.fields.length ? fieldList(f.fields) : null)));
}

/** The request body's and the successful answer's schemas of an operation. */
function schemas(op) {
  const body = Object.values(op.requestBody?.content ?? {})[0]?.schema;
  const okStatus = Object.keys(op.responses ?? {}).find((s) => s.startsWith('2'));
  const answer = okStatus ? Object.values(op.responses[okStatus].content ?? {})[0]?.schema : undefined;
  return { body, answer };
}

/** The operations of an OpenAPI document as [{tag, ops: [{method, path, summary, who, statuses}]}]. */
export function operationsByTag(doc) {
  const groups = new Map((doc.tags ?? []).map((t) => [t.name, []]));
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      const tag = op.tags?.[0] ?? 'altro';
      if (!groups.has(tag)) groups.set(tag, []);
      const security = op.security ?? doc.security ?? [];
      const scheme = security.flatMap((s) => Object.keys(s))[0];
      const { body, answer } = schemas(op);
      groups.get(tag).push({
        method: method.toUpperCase(),
        path,
        summary: op.summary ?? '',
        who: scheme ? (WHO[scheme] ?? scheme) : 'Pubblica',
        statuses: Object.keys(op.responses ?? {}),
        request: body ? fields(doc, body) : [],
        answer: answer ? fields(doc, answer) : [],
      });
    }
  }
  return [...groups].filter(([, ops]) => ops.length > 0).map(([tag, ops]) => ({ tag, ops }));
}

function row(o) {
  // stacked on a phone (table-stack): each cell says its column
  return el('tr', {},
    el('td', { 'data-label': 'Metodo' }, el('code', {}, o.method)),
    el('td', { 'data-label': 'Indirizzo', class: 'text-break' }, el('code', {}, o.path)),
    el('td', { 'data-label': 'Descrizione' }, o.summary, (o.request.length || o.answer.length)
      ? el('details', { class: 'mt-1' }, el('summary', { class: 'small' }, 'Dati'),
        o.request.length ? [el('p', { class: 'small fw-semibold mb-0' }, 'Richiesta'), fieldList(o.request)] : null,
        o.answer.length ? [el('p', { class: 'small fw-semibold mb-0' }, 'Risposta'), fieldList(o.answer)] : null)
      : null),
    el('td', { 'data-label': 'Accesso' }, o.who),
    el('td', { 'data-label': 'Risposte', class: 'small' }, o.statuses.join(' ')));
}

function section({ tag, ops }) {
  const head = el('tr', {}, ...['Metodo', 'Indirizzo', 'Descrizione', 'Accesso', 'Risposte'].map((h) => el('th', { scope: 'col' }, h)));
  const table = el('table', { class: 'table table-sm table-stack' },
    el('caption', { class: 'visually-hidden' }, `Operazioni: ${tag}`),
    el('thead', {}, head),
    el('tbody', {}, ops.map(row)));
  return el('section', { class: 'mb-4' }, el('h3', { class: 'h5 text-capitalize' }, tag), table);
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
