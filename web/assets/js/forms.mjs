// Form parts shared by the registration and profile pages:
// - the API's field errors (422 `fields`) shown next to each input, with a summary
//   at the top of the form that links to them;
// - the comune autocomplete (GET /api/ref/comuni?q=), a WAI-ARIA 1.2 combobox;
// - addresses (residence, domicile "uguale alla residenza") read and filled; choosing a
//   comune fills its CAP;
// - a button that waits out the one-time-code resend delay with a countdown;
// - short status messages (callouts), and a page's first load shown in its status box.
//
// An input belongs to an API field by `data-field` (the JSON path, `residence.cap`).

import { getJSON } from './api.mjs';
import { done, el, showError } from './ui.mjs';

/** The input of API field `name` in `root`. */
export function fieldInput(root, name) {
  return root.querySelector(`[data-field="${CSS.escape(name)}"]`);
}

function describedBy(input, id, add) {
  const ids = new Set((input.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean));
  if (add) ids.add(id); else ids.delete(id);
  if (ids.size) input.setAttribute('aria-describedby', [...ids].join(' '));
  else input.removeAttribute('aria-describedby');
}

/** Removes the messages and marks of an earlier attempt. */
export function clearErrors(root) {
  for (const input of root.querySelectorAll('[aria-invalid="true"]')) {
    input.removeAttribute('aria-invalid');
    input.classList.remove('is-invalid');
    describedBy(input, `${input.id}-errore`, false);
  }
  for (const node of root.querySelectorAll('.field-error, [data-error-summary]')) node.remove();
}

/** Shows `message` under `input` (aria-invalid, aria-describedby). */
export function showFieldError(input, message) {
  const id = `${input.id}-errore`;
  document.getElementById(id)?.remove();
  input.setAttribute('aria-invalid', 'true');
  input.classList.add('is-invalid');
  describedBy(input, id, true);
  const wrapper = input.closest('.form-check, .mb-3') ?? input.parentElement;
  wrapper.append(el('div', { id, class: 'invalid-feedback d-block field-error' }, message));
}

/**
 * Once a field with an error is edited, its error goes (the summary stays until the
 * form is sent again): the marks do not outlive what they are about.
 */
export function clearOnEdit(form) {
  const clear = (event) => {
    const input = event.target;
    if (!(input instanceof Element) || input.getAttribute('aria-invalid') !== 'true' || !input.id) return;
    input.removeAttribute('aria-invalid');
    input.classList.remove('is-invalid');
    describedBy(input, `${input.id}-errore`, false);
    document.getElementById(`${input.id}-errore`)?.remove();
  };
  form.addEventListener('input', clear);
  form.addEventListener('change', clear);
}

/**
 * Shows an API error on `form`: each problem of a 422 next to its input (fields
 * named in `aliases` go to another input, e.g. privacy_version → privacy_accepted),
 * and at the top a summary (role=alert) that links to the inputs; other errors as
 * their message. The summary gets the focus.
 */
export function showErrors(form, error, aliases = {}) {
  clearErrors(form);
  const items = [];
  for (const f of error.fields ?? []) {
    const input = fieldInput(form, aliases[f.field] ?? f.field);
    if (input && !input.closest('[hidden]')) {
      if (!input.classList.contains('is-invalid')) showFieldError(input, f.message);
      items.push(el('li', {}, el('a', { href: `#${input.id}`, onclick: (event) => { event.preventDefault(); input.focus(); } }, f.message)));
    } else {
      items.push(el('li', {}, f.message));
    }
  }
  const summary = el('div', { class: 'alert alert-danger', role: 'alert', tabindex: '-1', 'data-error-summary': true },
    items.length
      ? [el('p', { class: 'fw-semibold mb-2' }, items.length === 1 ? 'Controlla questo dato:' : `Controlla questi ${items.length} dati:`), el('ul', { class: 'mb-0' }, items)]
      : el('p', { class: 'mb-0' }, error.message));
  form.prepend(summary);
  summary.focus();
}

/** A callout: kind is success, danger, warning or note (Bootstrap Italia). */
export function callout(kind, title, ...text) {
  return el('div', { class: `callout ${kind}` },
    el('div', { class: 'callout-title' }, title),
    text.filter((t) => t != null).map((t) => (t instanceof Node ? t : el('p', {}, t))));
}

// --- comuni autocomplete -------------------------------------------------------------

let comboCount = 0;

/**
 * Turns a text input into a combobox listing comuni as the person types (2+
 * letters). The chosen comune's ISTAT code is in `input.dataset.istat` (removed when
 * the text changes); `setComune(input, {istat, name, province})` fills it.
 */
export function comuneAutocomplete(input) {
  comboCount += 1;
  const listId = `${input.id}-elenco`;
  const list = el('ul', { id: listId, role: 'listbox', class: 'combo-list shadow', hidden: true, 'aria-label': 'Comuni trovati' });
  const live = el('div', { class: 'visually-hidden', 'aria-live': 'polite' });
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', listId);
  input.setAttribute('autocomplete', 'off');
  input.parentElement.classList.add('combo');
  input.after(list, live);

  let items = [];
  let active = -1;
  let timer = null;
  let seq = 0;

  const options = () => [...list.children];
  const open = (yes) => {
    list.hidden = !yes;
    input.setAttribute('aria-expanded', String(yes));
    if (!yes) { active = -1; input.removeAttribute('aria-activedescendant'); }
  };
  const highlight = (i) => {
    active = i;
    options().forEach((o, n) => o.setAttribute('aria-selected', String(n === i)));
    if (i >= 0) {
      input.setAttribute('aria-activedescendant', options()[i].id);
      options()[i].scrollIntoView({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  };
  const choose = (i) => {
    const c = items[i];
    if (!c) return;
    setComune(input, { istat: c.code, name: c.name, province: c.sigla });
    open(false);
    input.dispatchEvent(new CustomEvent('comune', { detail: c }));
  };

  async function search(text) {
    const mine = ++seq;
    let data;
    try {
      data = await getJSON(`/api/ref/comuni?q=${encodeURIComponent(text)}`);
    } catch {
      if (mine === seq) { open(false); live.textContent = 'Impossibile cercare i comuni in questo momento.'; }
      return;
    }
    if (mine !== seq) return;
    items = Array.isArray(data.items) ? data.items : [];
    list.replaceChildren(...items.map((c, i) => el('li', {
      id: `combo${comboCount}-${i}`, role: 'option', 'aria-selected': 'false', class: 'combo-option',
      onmousedown: (event) => event.preventDefault(), onclick: () => choose(i),
    }, `${c.name} (${c.sigla ?? ''})`)));
    open(items.length > 0);
    live.textContent = items.length ? `${items.length} comuni trovati: usa le frecce per sceglierne uno.` : 'Nessun comune trovato.';
  }

  input.addEventListener('input', () => {
    delete input.dataset.istat;
    clearTimeout(timer);
    const text = input.value.trim();
    if (text.length < 2) { seq += 1; open(false); return; }
    timer = setTimeout(() => search(text.slice(0, 40)), 200);
  });
  input.addEventListener('keydown', (event) => {
    const n = options().length;
    if (event.key === 'ArrowDown' && n) {
      event.preventDefault();
      open(true);
      highlight((active + 1) % n);
    } else if (event.key === 'ArrowUp' && n && !list.hidden) {
      event.preventDefault();
      highlight(active <= 0 ? n - 1 : active - 1);
    } else if (event.key === 'Enter' && !list.hidden && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === 'Escape' && !list.hidden) {
      event.preventDefault();
      open(false);
    }
  });
  input.addEventListener('blur', () => {
    // typed in full without choosing: take the one comune of that name
    if (!input.dataset.istat) {
      const typed = input.value.trim().toLocaleLowerCase('it-IT');
      const same = items.filter((c) => c.name.toLocaleLowerCase('it-IT') === typed);
      if (same.length === 1) choose(items.indexOf(same[0]));
    }
    open(false);
  });
}

/** Shows a chosen comune in an autocomplete input. */
export function setComune(input, comune) {
  if (!comune?.istat) {
    input.value = '';
    delete input.dataset.istat;
    return;
  }
  input.value = comune.province ? `${comune.name} (${comune.province})` : (comune.name ?? comune.istat);
  input.dataset.istat = comune.istat;
}

// --- addresses -----------------------------------------------------------------------

/** {comune: ISTAT code, cap, address} of the inputs `prefix.*` (residence, domicile). */
export function readAddress(root, prefix) {
  const get = (k) => fieldInput(root, `${prefix}.${k}`);
  return { comune: get('comune').dataset.istat ?? '', cap: get('cap').value.trim(), address: get('address').value.trim() };
}

/** Fills the inputs `prefix.*` from the API's {comune: {istat, name, province}, cap, address}. */
export function fillAddress(root, prefix, a) {
  setComune(fieldInput(root, `${prefix}.comune`), a?.comune);
  fieldInput(root, `${prefix}.cap`).value = a?.cap ?? '';
  fieldInput(root, `${prefix}.address`).value = a?.address ?? '';
}

const capLists = new Map();

/** The CAPs of the comuni of a province ({istat: [cap…]}, /data/cap/<sigla>.json, made by the build). */
function capsOf(sigla) {
  if (!capLists.has(sigla)) {
    capLists.set(sigla, fetch(`/data/cap/${encodeURIComponent(sigla)}.json`)
      .then((r) => (r.ok ? r.json() : {}))
      .catch(() => ({})));
  }
  return capLists.get(sigla);
}

/**
 * After a comune is chosen: its CAP in the CAP input when it has one (the input
 * is filled unless it already holds one of the comune's CAPs); when it has several,
 * a hint under the input with their range.
 */
export async function fillCap(input, comune) {
  if (!comune?.sigla || !/^[A-Z]{2}$/.test(comune.sigla)) return;
  const typed = input.value;
  const caps = (await capsOf(comune.sigla))[comune.code] ?? [];
  if (input.value !== typed) return; // typed in the meantime: theirs wins
  const hintId = `${input.id}-aiuto`;
  document.getElementById(hintId)?.remove();
  describedBy(input, hintId, false);
  if (caps.length === 1) {
    if (input.value.trim() !== caps[0]) input.value = caps[0];
  } else if (caps.length > 1 && !caps.includes(input.value.trim())) {
    input.value = '';
    input.after(el('small', { id: hintId, class: 'form-text' }, `${comune.name} ha più CAP, da ${caps[0]} a ${caps.at(-1)}: scrivi quello del tuo indirizzo.`));
    describedBy(input, hintId, true);
  }
}

/**
 * Wires the address inputs of `root`: comune autocompletes, and "Uguale alla
 * residenza" hides the domicile. Returns () => the addresses as the API takes them.
 */
export function addressFields(root) {
  for (const prefix of ['residence', 'domicile']) {
    const comune = fieldInput(root, `${prefix}.comune`);
    comuneAutocomplete(comune);
    const cap = fieldInput(root, `${prefix}.cap`);
    comune.addEventListener('comune', (event) => fillCap(cap, event.detail));
  }
  const same = fieldInput(root, 'domicile_same');
  const fields = document.getElementById(same.getAttribute('aria-controls'));
  const sync = () => { fields.hidden = same.checked; };
  same.addEventListener('change', sync);
  sync();
  return {
    sync,
    read: () => ({
      residence: readAddress(root, 'residence'),
      domicile_same: same.checked,
      ...(same.checked ? {} : { domicile: readAddress(root, 'domicile') }),
    }),
  };
}

// --- one-time codes ------------------------------------------------------------------

/**
 * Disables `button` for `seconds`, its text counting down ("Richiedi un nuovo codice
 * (59 s)"), then shows `label` again.
 */
export function countdown(button, seconds, label = button.dataset.label ?? button.textContent) {
  button.dataset.label = label;
  clearInterval(Number(button.dataset.timer));
  let left = Math.max(1, Math.ceil(seconds));
  const tick = () => {
    if (left <= 0) {
      clearInterval(Number(button.dataset.timer));
      button.disabled = false;
      button.textContent = label;
      return;
    }
    button.disabled = true;
    button.textContent = `${label} (${left} s)`;
    left -= 1;
  };
  tick();
  button.dataset.timer = String(setInterval(tick, 1000));
}

/**
 * The message of a 429 that says how long to wait ("… tra 15 secondi"), with that
 * number counting down to the `Retry-After` (the rest of the text is announced once;
 * the ticking number is not); at zero it says `ready`. Other errors: their message.
 */
export function waitNotice(error, ready = 'Ora puoi chiederne uno nuovo.') {
  const m = /(\d+) secondi/.exec(error.message);
  const box = el('div', { class: 'alert alert-danger mb-0' });
  if (!error.retryAfter || !m) {
    box.textContent = error.message;
    return box;
  }
  let left = error.retryAfter;
  const count = el('span', { 'aria-live': 'off' }, String(left));
  box.append(error.message.slice(0, m.index), count, error.message.slice(m.index + m[1].length));
  const timer = setInterval(() => {
    left -= 1;
    if (!box.isConnected) { clearInterval(timer); return; }
    if (left > 0) { count.textContent = String(left); return; }
    clearInterval(timer);
    box.className = 'alert alert-info mb-0';
    box.textContent = ready;
  }, 1000);
  return box;
}

// --- companies -----------------------------------------------------------------------

/** What a company lookup found (GET /api/companies/lookup): name and codes. */
export function companySummary(c) {
  const details = [c.kind_label, `codice fiscale ${c.fiscal_code}`];
  if (c.vat_number && c.vat_number !== c.fiscal_code) details.push(`partita IVA ${c.vat_number}`);
  if (c.seat_comune) details.push(`sede a ${c.seat_comune}`);
  return el('div', { class: 'company-found border rounded p-3' },
    el('p', { class: 'fw-semibold mb-1' }, c.name),
    el('p', { class: 'small mb-0' }, details.filter(Boolean).join(' · ')),
    c.ceased_on ? el('p', { class: 'small mb-0 fw-semibold' }, `Risulta cessata dal ${c.ceased_on}.`) : null);
}

/**
 * A page's first GET: `path` read while `status` shows its loading message. Resolves
 * to the data (the loading message cleared), or to null after showing the error in
 * `status` with a retry that reloads the page.
 */
export async function loadInStatus(status, path) {
  let data;
  try {
    data = await getJSON(path);
  } catch (e) {
    showError(status, e.message, () => location.reload());
    return null;
  }
  done(status);
  return data;
}
