// A section of "Il mio profilo" with incarichi (A2): Professionista, Aziende or
// Agenzie. Lists the person's current incarichi (GET /api/profile/<section>), revokes
// one (DELETE, after a confirmation), and adds one: search by codice fiscale or
// partita IVA ("Cerca" → the name, GET /api/companies/lookup), "Inserisci incarico",
// role and declaration of responsibility, "Aggiungi incarico" (POST).

import { getJSON, sendJSON } from './api.mjs';
import { callout, clearErrors, companySummary, showErrors, showFieldError } from './forms.mjs';
import { refreshUserMenu } from './session.mjs';
import { el, formatDate, sentence, showError, showLoading, done } from './ui.mjs';

/** companies.kind of each section, and where each kind belongs. */
const KIND = { companies: 'company', agencies: 'agency', professional: 'professional_firm' };
const PLACE = { company: ['#aziende', 'Aziende'], agency: ['#agenzie', 'Agenzie'], professional_firm: ['#professionista', 'Professionista'] };

function table(items, onRevoke) {
  return el('div', { class: 'table-responsive' },
    el('table', { class: 'table caption-top table-stack' },
      el('caption', {}, `Incarichi attuali: ${items.length}`),
      el('thead', {}, el('tr', {}, ['Denominazione', 'Codice fiscale', 'Partita IVA', 'Ruolo', 'Dal', 'Azioni'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, items.map((i) => {
        const actions = el('td', {});
        const revoke = () => {
          const yes = el('button', { type: 'button', class: 'btn btn-danger btn-xs me-2', onclick: () => onRevoke(i) }, 'Sì, revoca');
          const no = el('button', { type: 'button', class: 'btn btn-outline-secondary btn-xs', onclick: () => { actions.replaceChildren(start()); actions.querySelector('button').focus(); } }, 'Annulla');
          actions.replaceChildren(el('span', { class: 'd-block small mb-1' }, `Revocare l'incarico per ${i.company.name}?`), yes, no);
          yes.focus();
        };
        const start = () => el('button', { type: 'button', class: 'btn btn-outline-primary btn-xs', 'aria-label': `Revoca l'incarico per ${i.company.name}`, onclick: revoke }, 'Revoca');
        actions.append(start());
        return el('tr', {},
          el('th', { scope: 'row' }, i.company.name),
          el('td', { 'data-label': 'Codice fiscale' }, i.company.fiscal_code),
          el('td', { 'data-label': 'Partita IVA' }, i.company.vat_number ?? ''),
          el('td', { 'data-label': 'Ruolo' }, i.role_label),
          el('td', { 'data-label': 'Dal' }, formatDate(i.created_at)),
          actions);
      }))));
}

export function incarichiSection(panel, session) {
  const section = panel.dataset.section;
  const api = `/api/profile/${section}`;
  const id = (name) => `${panel.id}-${name}`;
  let declaration = null;

  const list = el('div', { id: id('elenco') });
  const result = el('div', { role: 'status', class: 'mb-3' });
  const code = el('input', { id: id('codice'), type: 'text', class: 'form-control', 'data-field': 'code', maxlength: '20', autocomplete: 'off', 'aria-required': 'true' });
  const search = el('button', { type: 'button', class: 'btn btn-primary' }, 'Cerca');
  const found = el('div', { class: 'mb-3', 'aria-live': 'polite' });
  const insert = el('button', { type: 'button', class: 'btn btn-outline-primary mb-3', hidden: true }, 'Inserisci incarico');
  const role = el('select', { id: id('ruolo'), class: 'form-select', 'data-field': 'role', 'aria-required': 'true' },
    el('option', { value: '' }, 'Scegli il ruolo'));
  const text = el('p', { class: 'mb-0', id: id('dichiarazione-testo') });
  const accept = el('input', { id: id('dichiarazione'), type: 'checkbox', 'data-field': 'declaration_accepted', 'aria-required': 'true' });
  const details = el('fieldset', { hidden: true },
    el('legend', { class: 'h6' }, "Dati dell'incarico"),
    el('div', { class: 'row' }, el('div', { class: 'col-md-6 mb-3' },
      el('label', { for: role.id, class: 'form-label' }, 'Ruolo ', el('span', { class: 'required-mark', 'aria-hidden': 'true' }, '*')), role)),
    el('p', { class: 'fw-semibold mb-1', id: id('dichiarazione-titolo') }, 'Dichiarazione di responsabilità'),
    el('div', { class: 'informativa border rounded p-3 mb-2', role: 'region', 'aria-labelledby': id('dichiarazione-titolo'), tabindex: '0' }, text),
    el('div', { class: 'form-check mb-3' }, accept,
      el('label', { for: accept.id }, 'Ho letto la dichiarazione di responsabilità e la confermo ', el('span', { class: 'required-mark', 'aria-hidden': 'true' }, '*'))),
    el('button', { type: 'submit', class: 'btn btn-primary me-2' }, 'Aggiungi incarico'),
    el('button', { type: 'button', class: 'btn btn-outline-secondary', onclick: () => reset() }, 'Annulla'));
  const form = el('form', { novalidate: true },
    el('div', { class: 'row' }, el('div', { class: 'col-md-8 mb-3' },
      el('label', { for: code.id, class: 'form-label' }, 'Codice fiscale o partita IVA'),
      el('div', { class: 'd-flex gap-2' }, code, search))),
    found, insert, details);

  panel.append(
    el('h2', { class: 'h4' }, panel.dataset.title),
    el('p', {}, panel.dataset.intro),
    list, result,
    el('h3', { class: 'h5' }, 'Aggiungi un incarico'),
    el('p', {}, 'Cerca per codice fiscale o partita IVA, poi inserisci l\'incarico indicando il tuo ruolo.'),
    form);

  function hideIncarico() {
    clearErrors(form);
    found.replaceChildren();
    insert.hidden = true;
    details.hidden = true;
  }

  function reset() {
    form.reset();
    hideIncarico();
  }

  async function load() {
    showLoading(list);
    try {
      const data = await getJSON(api);
      done(list);
      declaration = data.declaration;
      text.textContent = declaration?.text ?? '';
      role.replaceChildren(role.options[0], ...(data.roles ?? []).map((r) => el('option', { value: r.code }, r.label)));
      list.replaceChildren(data.items.length ? table(data.items, revoke) : el('p', {}, panel.dataset.empty));
    } catch (e) {
      showError(list, e.message, load);
    }
  }

  async function revoke(item) {
    result.replaceChildren();
    try {
      await sendJSON('DELETE', `${api}/${item.id}`, {}, session.csrf_token);
      result.replaceChildren(callout('success', 'Incarico revocato', sentence(`Hai revocato l'incarico per ${item.company.name}`)));
      await load();
      // the row and its buttons are gone: the focus goes to the outcome
      result.querySelector('.callout').tabIndex = -1;
      result.querySelector('.callout').focus();
      refreshUserMenu();
    } catch (e) {
      result.replaceChildren(el('div', { class: 'alert alert-danger', tabindex: '-1' }, e.message));
      result.firstChild.focus();
    }
  }

  search.addEventListener('click', async () => {
    hideIncarico();
    const value = code.value.trim();
    if (!value) return showFieldError(code, "Inserisci il codice fiscale o la partita IVA.");
    try {
      const r = await getJSON(`/api/companies/lookup?code=${encodeURIComponent(value)}`);
      const c = r.company;
      const parts = [companySummary(c)];
      const [href, label] = PLACE[c.kind] ?? [];
      if (c.kind !== KIND[section] && href) {
        parts.push(el('p', { class: 'mt-2 mb-0' }, `${c.name} è registrata come ${c.kind_label.toLocaleLowerCase('it-IT')}: aggiungila dalla sezione `, el('a', { href }, label), '.'));
      } else if (r.incarico) {
        parts.push(el('p', { class: 'mt-2 mb-0' }, sentence(`Hai già un incarico per ${c.name}`)));
      } else if (!c.ceased_on) {
        insert.hidden = false;
      }
      found.replaceChildren(...parts);
    } catch (e) {
      showFieldError(code, e.fields[0]?.message ?? e.message);
    }
  });
  code.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') { event.preventDefault(); search.click(); }
  });
  code.addEventListener('input', hideIncarico);
  insert.addEventListener('click', () => {
    insert.hidden = true;
    details.hidden = false;
    role.focus();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const submit = details.querySelector('button[type="submit"]');
    submit.disabled = true;
    try {
      const r = await sendJSON('POST', api, {
        code: code.value.trim(), role: role.value, declaration_accepted: accept.checked, declaration_version: declaration?.version,
      }, session.csrf_token);
      reset();
      result.replaceChildren(callout('success', 'Incarico aggiunto',
        `Hai aggiunto l'incarico per ${r.company.name} (${r.role_label}). Per operare per suo conto sceglila dal menu con il tuo nome in alto.`));
      await load();
      result.querySelector('.callout').tabIndex = -1;
      result.querySelector('.callout').focus();
    } catch (e) {
      showErrors(form, e, { declaration_version: 'declaration_accepted' });
    } finally {
      submit.disabled = false;
    }
  });

  load();
}
