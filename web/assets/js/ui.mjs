// Shared UI parts for every page: DOM building, loading and error states, the
// "Pagina 1 di N" pager, and dates shown as dd/mm/yyyy (Europe/Rome).

/** Builds an element; children are nodes or text (never parsed as HTML). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v == null) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c != null) node.append(c instanceof Node ? c : String(c));
  return node;
}

/** `text` ended by a full stop, without doubling one it already ends with ("ACME S.R.L."). */
export function sentence(text) {
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}

export function showLoading(container, text = 'Caricamento in corso…') {
  container.setAttribute('aria-busy', 'true');
  container.replaceChildren(
    el('div', { class: 'd-flex align-items-center gap-2 py-3', role: 'status' },
      el('div', { class: 'progress-spinner progress-spinner-active size-sm' }, el('span', { class: 'visually-hidden' }, text)),
      el('span', {}, text)),
  );
}

export function showError(container, message, retry) {
  container.removeAttribute('aria-busy');
  const alert = el('div', { class: 'alert alert-danger', role: 'alert' }, el('p', { class: 'mb-2' }, message));
  if (retry) alert.append(el('button', { type: 'button', class: 'btn btn-outline-primary btn-sm', onclick: retry }, 'Riprova'));
  container.replaceChildren(alert);
}

export function done(container) {
  container.removeAttribute('aria-busy');
}

/** Pager model: pages are 1-based; at least one page even when empty. */
export function pageCount(total, pageSize) {
  return Math.max(1, Math.ceil(total / pageSize));
}

/**
 * "Pagina 1 di N" pager with Precedente/Successiva; calls onChange(page). When
 * onChange's promise resolves and the list has been redrawn (the pressed button gone),
 * the focus goes to the same button of the new pager (or the other one, at the first
 * or last page), unless onChange moved it itself: it never falls to the page's body.
 * `label` names the pager (unique on a page).
 */
export function pager({ page, pageSize, total, onChange, label = 'Paginazione' }) {
  const pages = pageCount(total, pageSize);
  const button = (text, target, disabled, srText, dir) =>
    el('li', { class: 'page-item' + (disabled ? ' disabled' : '') },
      el('button', {
        type: 'button', class: 'page-link', disabled, 'aria-label': srText, 'data-dir': dir,
        onclick: async () => {
          await onChange(target);
          keepPagerFocus(label, dir);
        },
      }, text));
  return el('nav', { class: 'pagination-wrapper justify-content-center mt-3', 'aria-label': label, 'data-pager': label },
    el('ul', { class: 'pagination align-items-center' },
      button('‹ Precedente', page - 1, page <= 1, 'Pagina precedente', 'prev'),
      el('li', { class: 'page-item' }, el('span', { class: 'page-link page-status', 'aria-live': 'polite', tabindex: '-1' }, `Pagina ${page} di ${pages}`)),
      button('Successiva ›', page + 1, page >= pages, 'Pagina successiva', 'next')));
}

/** After paging: the focus on the new pager's button `dir` (or the other one when disabled). */
export function keepPagerFocus(label, dir) {
  const active = document.activeElement;
  if (active && active !== document.body && active.isConnected) return;
  const nav = document.querySelector(`nav[data-pager="${CSS.escape(label)}"]`);
  if (!nav) return;
  const pick = (d) => nav.querySelector(`button[data-dir="${d}"]:not([disabled])`);
  (pick(dir) ?? pick(dir === 'next' ? 'prev' : 'next') ?? nav.querySelector('.page-status'))?.focus({ preventScroll: true });
}

const dateFormat = new Intl.DateTimeFormat('it-IT', { timeZone: 'Europe/Rome', day: '2-digit', month: '2-digit', year: 'numeric' });

/** ISO date or date-time → dd/mm/yyyy (Europe/Rome). */
export function formatDate(iso) {
  if (!iso) return '';
  const d = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(iso + 'T12:00:00Z') : new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : dateFormat.format(d);
}

const timeFormat = new Intl.DateTimeFormat('it-IT', { timeZone: 'Europe/Rome', hour: '2-digit', minute: '2-digit' });

/** ISO date-time → "dd/mm/yyyy alle hh:mm" (Europe/Rome); a plain date as formatDate. */
export function formatDateTime(iso) {
  if (!iso || /^\d{4}-\d{2}-\d{2}$/.test(iso)) return formatDate(iso);
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : `${dateFormat.format(d)} alle ${timeFormat.format(d)}`;
}

/** dd/mm/yyyy (also d/m/yyyy) → ISO yyyy-mm-dd, or null when not a real date. */
export function parseDate(text) {
  const m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(text ?? '');
  if (!m) return null;
  const [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return `${m[3]}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * Makes an <input> accept dates as dd/mm/yyyy, with an Italian message when the
 * value is not a date. The ISO value is in input.dataset.iso.
 */
export function bindDateInput(input) {
  const hintId = input.id + '-errore';
  const check = () => {
    const iso = input.value.trim() === '' ? '' : parseDate(input.value);
    document.getElementById(hintId)?.remove();
    if (iso === null) {
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', hintId);
      input.after(el('div', { id: hintId, class: 'invalid-feedback d-block' }, 'Inserisci una data valida nel formato gg/mm/aaaa.'));
      delete input.dataset.iso;
    } else {
      input.removeAttribute('aria-invalid');
      input.dataset.iso = iso;
    }
  };
  input.setAttribute('placeholder', 'gg/mm/aaaa');
  input.setAttribute('inputmode', 'numeric');
  input.addEventListener('change', check);
  return check;
}

const SVG = 'http://www.w3.org/2000/svg';

/** A Bootstrap Italia sprite icon (decorative), as layout.mjs's icon() renders it. */
export function icon(name, cls = '') {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', `icon ${cls}`.trim());
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const use = document.createElementNS(SVG, 'use');
  use.setAttribute('href', `${document.body.dataset.icons ?? ''}#${name}`);
  svg.append(use);
  return svg;
}

let dialogCount = 0;

/**
 * A modal <dialog> (built here, removed after) with `title` and `text`: `content(id,
 * finish)` gives what follows them and the element to focus first; `finish(answer)`
 * closes it, gives the focus back to the element that had it, and resolves to
 * `answer`; Escape resolves to `dismissed`.
 */
function modal({ title, text, dismissed, content }) {
  dialogCount += 1;
  const opener = document.activeElement;
  const id = `conferma-${dialogCount}`;
  return new Promise((resolve) => {
    let dialog;
    const finish = (answer) => {
      dialog.close();
      dialog.remove();
      if (opener?.isConnected) opener.focus();
      resolve(answer);
    };
    const [body, first] = content(id, finish);
    dialog = el('dialog', { class: 'cv-dialog', 'aria-labelledby': `${id}-titolo`, 'aria-describedby': `${id}-testo`, 'data-confirm': true },
      el('h2', { class: 'h5', id: `${id}-titolo` }, title),
      el('p', { id: `${id}-testo` }, text),
      body);
    dialog.addEventListener('cancel', (event) => { event.preventDefault(); finish(dismissed); });
    document.body.append(dialog);
    dialog.showModal();
    first.focus();
  });
}

/**
 * Asks for a confirmation in a modal <dialog>: `title`, `text`, the confirming button's
 * label (`confirm`, red when `danger`) and "Annulla" (or `cancel`, where the action
 * itself is an "Annulla …"), which has the focus first. Resolves to true or false;
 * Escape is "Annulla". The focus goes back to the element that had it.
 */
export function confirmDialog({ title, text, confirm, danger = true, cancel = 'Annulla' }) {
  return modal({
    title,
    text,
    dismissed: false,
    content: (_id, finish) => {
      const no = el('button', { type: 'button', class: 'btn btn-outline-primary', onclick: () => finish(false) }, cancel);
      const buttons = el('div', { class: 'd-flex flex-wrap gap-2 justify-content-end' },
        no,
        el('button', { type: 'button', class: danger ? 'btn btn-danger' : 'btn btn-primary', onclick: () => finish(true) }, confirm));
      return [buttons, no];
    },
  });
}

/**
 * Asks for a text in a modal <dialog> (a confirmation that needs a reason): `title`,
 * `text`, the textarea's `label` (required: an empty one is refused with `required`,
 * shown under it), `confirm` (red when `danger`) and `cancel`. Resolves to the text
 * (trimmed) or null; Escape is `cancel`. The focus goes to the textarea first and back
 * to the element that had it after.
 */
export function textDialog({ title, text, label, confirm, cancel = 'Annulla', required = 'Questo campo è obbligatorio.', maxLength = 1000, danger = true }) {
  return modal({
    title,
    text,
    dismissed: null,
    content: (id, finish) => {
      const input = el('textarea', { id: `${id}-campo`, class: 'form-control', rows: '3', maxlength: String(maxLength), 'aria-required': 'true' });
      const form = el('form', { method: 'dialog', novalidate: true },
        el('div', { class: 'mb-3' },
          el('label', { for: input.id, class: 'form-label' }, label, ' ', el('span', { class: 'required-mark', 'aria-hidden': 'true' }, '*')),
          input),
        el('div', { class: 'd-flex flex-wrap gap-2 justify-content-end' },
          el('button', { type: 'button', class: 'btn btn-outline-primary', onclick: () => finish(null) }, cancel),
          el('button', { type: 'submit', class: danger ? 'btn btn-danger' : 'btn btn-primary' }, confirm)));
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        const value = input.value.trim();
        if (!value) {
          document.getElementById(`${input.id}-errore`)?.remove();
          input.setAttribute('aria-invalid', 'true');
          input.setAttribute('aria-describedby', `${input.id}-errore`);
          input.after(el('div', { id: `${input.id}-errore`, class: 'invalid-feedback d-block' }, required));
          input.focus();
          return;
        }
        finish(value);
      });
      return [form, input];
    },
  });
}
