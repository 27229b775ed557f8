// /cittadino/ricerche/ "Le mie ricerche salvate" (issue 22, X1): the person's saved
// offer searches (name, the filters in words, alert frequency, last alert), each with
// "Apri la ricerca" (the offers page with its filters), "Rinomina", the frequency
// (Nessun avviso / Giornaliero / Settimanale, saved on change) and "Elimina" after a
// confirmation. Searches are saved from the offers page ("Salva questa ricerca").
// API: /api/saved-searches (README, "Saved searches and alerts").

import { getJSON, sendJSON } from '../api.mjs';
import { activeSession } from '../cv.mjs';
import { callout } from '../forms.mjs';
import { describeFilters, FREQUENCIES, frequencyText, lastAlertText, openHref } from '../saved-searches.mjs';
import { confirmDialog, done, el, showError, showLoading, textDialog } from '../ui.mjs';

/** The reference lists that name the filters' codes (provinces and comuni only when used). */
async function referenceNames(items) {
  const lists = { offer_type: '/api/ref/offer-types', contract_type: '/api/ref/contract-types', region: '/api/ref/regions', area: '/api/ref/areas', cpi: '/api/ref/cpis' };
  const wanted = Object.entries(lists).filter(([name]) => items.some((i) => i.filters[name]));
  if (items.some((i) => i.filters.province)) wanted.push(['province', '/api/ref/provinces']);
  for (const p of new Set(items.map((i) => i.filters.comune?.slice(0, 3)).filter(Boolean))) wanted.push(['comune', `/api/ref/comuni?province=${encodeURIComponent(p)}`]);
  const names = new Map();
  // a list that cannot be read leaves its codes as they are
  const outcomes = await Promise.allSettled(wanted.map(([, path]) => getJSON(path)));
  outcomes.forEach((o, i) => {
    if (o.status !== 'fulfilled') return;
    for (const item of o.value.items) names.set(`${wanted[i][0]}:${item.code}`, item.name);
  });
  return (name, code) => names.get(`${name}:${code}`) ?? null;
}

export async function init() {
  const status = document.getElementById('ric-stato');
  showLoading(status);
  const session = await activeSession(status, 'vedere le tue ricerche salvate', { comeBack: true });
  if (!session) return;
  const csrf = session.csrf_token;
  done(status);
  status.replaceChildren();
  document.getElementById('ric-app').hidden = false;
  const box = document.getElementById('ric-elenco');
  const notice = document.getElementById('ric-esito');
  const tell = (kind, title, ...text) => {
    notice.replaceChildren(el('div', { role: kind === 'danger' ? 'alert' : 'status' }, callout(kind, title, ...text)));
    notice.focus();
  };

  const item = (s, nameOf) => {
    const select = el('select', { id: `ric-frequenza-${s.id}`, class: 'form-select form-select-sm', 'data-frequency': '' },
      FREQUENCIES.map(([value, text]) => el('option', { value, selected: value === s.frequency ? '' : null }, text)));
    select.value = s.frequency;
    select.addEventListener('change', () => changeFrequency(s, select));
    return el('li', { class: 'border rounded p-3 mb-3', 'data-search': s.id },
      el('h3', { class: 'h5' }, s.name),
      el('dl', { class: 'row mb-2' },
        el('dt', { class: 'col-sm-4' }, 'Filtri'), el('dd', { class: 'col-sm-8' }, describeFilters(s.filters, nameOf)),
        el('dt', { class: 'col-sm-4' }, 'Avvisi per e-mail'), el('dd', { class: 'col-sm-8', 'data-frequency-text': '' }, frequencyText(s.frequency)),
        el('dt', { class: 'col-sm-4' }, 'Ultimo avviso'), el('dd', { class: 'col-sm-8' }, lastAlertText(s.last_alert_at))),
      el('div', { class: 'row' }, el('div', { class: 'col-md-6 col-lg-4 mb-3' },
        el('label', { for: select.id, class: 'form-label' }, `Frequenza degli avvisi di «${s.name}»`), select)),
      el('div', { class: 'd-flex flex-wrap gap-2' },
        el('a', { class: 'btn btn-primary btn-sm', href: openHref(s), 'aria-label': `Apri la ricerca «${s.name}»` }, 'Apri la ricerca'),
        el('button', { type: 'button', class: 'btn btn-outline-primary btn-sm', 'aria-label': `Rinomina la ricerca «${s.name}»`, onclick: () => rename(s) }, 'Rinomina'),
        el('button', { type: 'button', class: 'btn btn-outline-danger btn-sm', 'aria-label': `Elimina la ricerca «${s.name}»`, onclick: () => remove(s) }, 'Elimina')));
  };

  async function load() {
    showLoading(box);
    let data;
    try {
      data = await getJSON('/api/saved-searches');
    } catch (e) {
      showError(box, e.message, load);
      return;
    }
    const nameOf = await referenceNames(data.items);
    done(box);
    if (!data.items.length) {
      box.replaceChildren(el('p', { id: 'ric-vuoto' }, 'Non hai ricerche salvate. Cerca le offerte di lavoro e premi «Salva questa ricerca» per ritrovarla qui e ricevere per e-mail le nuove offerte.'));
      return;
    }
    box.replaceChildren(
      el('p', { class: 'small' }, `${data.items.length === 1 ? '1 ricerca salvata' : `${data.items.length} ricerche salvate`} (al massimo ${data.limit}).`),
      el('ul', { class: 'list-unstyled', id: 'ric-lista' }, data.items.map((s) => item(s, nameOf))));
  }

  async function rename(s) {
    const name = await textDialog({ title: 'Rinomina la ricerca', text: `Il nuovo nome della ricerca «${s.name}».`, label: 'Nome della ricerca', confirm: 'Rinomina', maxLength: 80, danger: false, required: 'Scrivi il nome della ricerca.' });
    if (name == null) return;
    try {
      const after = await sendJSON('PATCH', `/api/saved-searches/${encodeURIComponent(s.id)}`, { name }, csrf);
      await load();
      tell('success', 'Ricerca rinominata', `La ricerca «${s.name}» ora si chiama «${after.name}».`);
    } catch (e) {
      tell('danger', 'Ricerca non rinominata', e.fields?.map((f) => f.message).join(' ') || e.message);
    }
  }

  async function changeFrequency(s, select) {
    select.disabled = true;
    try {
      const after = await sendJSON('PATCH', `/api/saved-searches/${encodeURIComponent(s.id)}`, { frequency: select.value }, csrf);
      s.frequency = after.frequency;
      select.closest('li').querySelector('[data-frequency-text]').textContent = frequencyText(after.frequency);
      tell('success', 'Avvisi aggiornati', after.frequency === 'none'
        ? `Non riceverai più avvisi per la ricerca «${after.name}».`
        : `Riceverai le nuove offerte della ricerca «${after.name}» per e-mail: ${frequencyText(after.frequency).toLowerCase()}.`);
    } catch (e) {
      select.value = s.frequency;
      tell('danger', 'Avvisi non aggiornati', e.fields?.map((f) => f.message).join(' ') || e.message);
    } finally {
      select.disabled = false;
    }
  }

  async function remove(s) {
    const yes = await confirmDialog({
      title: 'Elimina la ricerca',
      text: `Vuoi eliminare la ricerca «${s.name}»? Non riceverai più i suoi avvisi.`,
      confirm: 'Elimina la ricerca',
    });
    if (!yes) return;
    try {
      await sendJSON('DELETE', `/api/saved-searches/${encodeURIComponent(s.id)}`, undefined, csrf);
      await load();
      tell('success', 'Ricerca eliminata', `Hai eliminato la ricerca «${s.name}».`);
    } catch (e) {
      await load();
      tell('danger', 'Ricerca non eliminata', e.message);
    }
  }

  await load();
}
