// The records' shared parts (issue 19): the citizen's paged lists (C7 activities
// 150/RDC and Garanzia Giovani, C8 regional courses) and the prints (C9 SAP, C11
// Libretto formativo) drawn from the parts the API gives, which are also the PDF's.

import { getJSON } from './api.mjs';
import { activeSession } from './cv.mjs';
import { done, el, formatDate, pager, showError, showLoading } from './ui.mjs';

/** dd/mm/yyyy of an ISO day, '' for none. */
export function day(iso) {
  return iso ? formatDate(iso.slice(0, 10)) : '';
}

/** "14/06/2021 09:30" of an ISO day and time. */
export function dayTime(iso) {
  if (!iso) return '';
  const t = iso.slice(11, 16);
  return t ? `${day(iso)} ${t}` : day(iso);
}

/**
 * A paged list page: `prefix` names its elements (<prefix>-stato, -app, -risultati),
 * `api` the endpoint, `columns` [header, (item, previous item) => cell], `empty` the
 * manual's text, `rowHeader` the column that names a row.
 */
export async function listPage({ prefix, api, what, caption, columns, empty, pageSize = 10, rowHeader = 0 }) {
  const status = document.getElementById(`${prefix}-stato`);
  showLoading(status);
  const session = await activeSession(status, what, { comeBack: true });
  if (!session) return;
  done(status);
  status.replaceChildren();
  document.getElementById(`${prefix}-app`).hidden = false;
  const results = document.getElementById(`${prefix}-risultati`);
  let page = 1;
  async function load() {
    showLoading(results);
    let data;
    try {
      data = await getJSON(`${api}?page=${page}&page_size=${pageSize}`);
    } catch (e) {
      showError(results, e.message, load);
      return;
    }
    done(results);
    const rows = data.items.length
      ? data.items.map((item, n) => el('tr', {}, columns.map(([h, cell], i) => (i === rowHeader
        ? el('th', { scope: 'row', 'data-label': h }, cell(item, data.items[n - 1]))
        : el('td', { 'data-label': h }, cell(item, data.items[n - 1]))))))
      : [el('tr', {}, el('td', { colspan: columns.length, class: 'text-center' }, empty))];
    results.replaceChildren(
      el('div', { class: 'table-responsive' }, el('table', { class: 'table table-stack', id: `${prefix}-tabella` },
        el('caption', {}, caption),
        el('thead', {}, el('tr', {}, columns.map(([h]) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, rows))),
      el('p', { class: 'small', role: 'status' }, `Pagina ${data.page} di ${Math.max(1, Math.ceil(data.total / pageSize))} · ${data.total === 1 ? '1 elemento' : `${data.total} elementi`}`),
      data.total > pageSize ? pager({ page, pageSize, total: data.total, onChange: (p) => { page = p; return load(); } }) : '',
    );
  }
  await load();
}

/** The parts of a print (SAP, Libretto) as HTML. */
export function printParts(parts) {
  return parts.map((p) => {
    switch (p.type) {
      case 'heading': {
        const tag = p.level === 1 ? 'h2' : p.level === 2 ? 'h3' : 'h4';
        return el(tag, { class: p.level === 1 ? 'h3' : p.level === 2 ? 'h4 mt-4 print-section' : 'h6 mt-3' }, p.text);
      }
      case 'fields':
        return el('dl', { class: 'print-fields' }, p.items.map(([label, value]) => el('div', {}, el('dt', {}, label), el('dd', {}, value || '\u00a0'))));
      case 'table':
        // stacked cards on a phone (table-stack), so the page never scrolls sideways
        return el('div', { class: 'table-responsive' }, el('table', { class: 'table table-sm table-stack print-table' },
          el('thead', {}, el('tr', {}, p.header.map((h) => el('th', { scope: 'col' }, h)))),
          el('tbody', {}, p.rows.map((r) => el('tr', {}, r.map((c, i) => el('td', { 'data-label': p.header[i] }, c)))))));
      case 'empty':
        return el('p', { class: 'print-empty fst-italic' }, p.text);
      default:
        return el('p', {}, p.text);
    }
  });
}

/** A print page: the parts of `api`, "Stampa" and the PDF link. */
export async function printPage({ prefix, api, pdf, what }) {
  const status = document.getElementById(`${prefix}-stato`);
  showLoading(status);
  const session = await activeSession(status, what, { comeBack: true });
  if (!session) return;
  let data;
  try {
    data = await getJSON(api);
  } catch (e) {
    showError(status, e.message, () => location.reload());
    return;
  }
  done(status);
  status.replaceChildren();
  document.getElementById(`${prefix}-app`).hidden = false;
  document.getElementById(`${prefix}-pdf`).setAttribute('href', pdf);
  document.getElementById(`${prefix}-stampa`).addEventListener('click', () => window.print());
  document.getElementById(`${prefix}-documento`).replaceChildren(...printParts(data.parts));
}
