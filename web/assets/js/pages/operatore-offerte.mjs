// /operatore/offerte/ (O1): the offers of the CPI the operator works for. The list with
// filters (Stato, qualifica or code) and, for each offer, "Modifica", "Chiudi" (after a
// confirmation) and its public page; the CPI's drafts; the offer form with every field
// of the public offer, the work locations from the comuni autocomplete, the company
// from the registry, the deadline, how applications are made and the requirements a
// candidate declares; "Pubblica l'offerta" (at once, or a draft), "Salva come bozza".
// API: /api/operator/offers, /api/operator/drafts, /api/operator/companies (README).

import { getJSON, sendJSON } from '../api.mjs';
import { query } from '../cv.mjs';
import { callout, clearErrors, clearOnEdit, comuneAutocomplete, fieldInput, setComune, showErrors, showFieldError } from '../forms.mjs';
import { staffContext, workingCpiLine } from '../staff.mjs';
import { bindDateInput, confirmDialog, done, el, formatDate, formatDateTime, pager, parseDate, showError, showLoading } from '../ui.mjs';

const PAGE_SIZE = 20;
const MAX_LOCATIONS = 10;
const MAX_REQUIREMENTS = 20;

/** The form's values as the API's OfferIn (`null` for what is not filled in). */
export function offerBody(v) {
  const textOrNull = (t) => (t == null || String(t).trim() === '' ? null : String(t).trim());
  const int = (t) => (textOrNull(t) === null ? null : Number.parseInt(t, 10));
  return {
    offer_type: textOrNull(v.offer_type),
    contract_type: textOrNull(v.contract_type),
    occupation: textOrNull(v.occupation),
    occupation_istat: textOrNull(v.occupation_istat),
    description: textOrNull(v.description),
    experience_required: Boolean(v.experience_required),
    experience_description: v.experience_required ? textOrNull(v.experience_description) : null,
    experience_months: v.experience_required ? int(v.experience_months) : null,
    places: int(v.places),
    work_mode: textOrNull(v.work_mode),
    how_to_apply: textOrNull(v.how_to_apply),
    vat_number_required: Boolean(v.vat_number_required),
    own_transport_required: Boolean(v.own_transport_required),
    travel_availability: Boolean(v.travel_availability),
    targeted_placement: Boolean(v.targeted_placement),
    locations: [...(v.locations ?? [])],
    deadline: textOrNull(v.deadline),
    company_id: v.company_id ?? null,
    application_mode: textOrNull(v.application_mode),
    requirements: (v.requirements ?? []).map((r) => r.trim()).filter(Boolean),
  };
}

/** The application mode an offer type has unless the operator says otherwise (as the API). */
export const defaultMode = (offerType) => (offerType === 'pubbliche-amministrazioni' ? 'text' : 'online');

/** The comuni of ISTAT `codes` with names and provinces ({istat, name, province}), from the reference lists. */
async function comuniOf(codes) {
  if (!codes.length) return [];
  const provinces = new Map((await getJSON('/api/ref/provinces')).items.map((p) => [p.code, p.sigla]));
  const byProvince = [...new Set(codes.map((c) => c.slice(0, 3)))];
  const names = new Map();
  await Promise.all(byProvince.map(async (p) => {
    for (const c of (await getJSON(`/api/ref/comuni?province=${encodeURIComponent(p)}`)).items) names.set(c.code, c.name);
  }));
  return codes.map((istat) => ({ istat, name: names.get(istat) ?? istat, province: provinces.get(istat.slice(0, 3)) ?? '' }));
}

const comuneLabel = (c) => (c.province ? `${c.name} (${c.province})` : c.name);

// The companies chosen in this tab, by id: a draft keeps only the company's id.
const COMPANIES_KEY = 'tl_operatore_aziende';
const rememberCompany = (c) => {
  try {
    const all = JSON.parse(sessionStorage.getItem(COMPANIES_KEY) ?? '{}');
    all[c.id] = { id: c.id, name: c.name, fiscal_code: c.fiscal_code, seat_comune: c.seat_comune ?? null };
    sessionStorage.setItem(COMPANIES_KEY, JSON.stringify(all));
  } catch { /* storage full or off: the name is only a convenience */ }
};
const rememberedCompany = (id) => {
  try { return JSON.parse(sessionStorage.getItem(COMPANIES_KEY) ?? '{}')[id] ?? null; } catch { return null; }
};

export async function init() {
  const status = document.getElementById('oo-stato');
  showLoading(status);
  const ctx = await staffContext(status, 'operator', 'gestire le offerte del tuo Centro per l\'impiego');
  if (!ctx) return;
  const { session, me } = ctx;
  const csrf = session.csrf_token;
  let refs;
  try {
    const [types, contracts] = await Promise.all([getJSON('/api/ref/offer-types'), getJSON('/api/ref/contract-types')]);
    refs = { types: types.items, contracts: contracts.items };
  } catch (e) {
    showError(status, e.message, () => location.reload());
    return;
  }
  done(status);
  status.replaceChildren();
  document.getElementById('oo-app').hidden = false;
  document.getElementById('oo-cpi').replaceWith(workingCpiLine(me));
  const typeName = new Map(refs.types.map((t) => [t.code, t.name]));

  const sections = { list: document.getElementById('oo-elenco'), form: document.getElementById('oo-modulo-sezione') };
  const show = (name) => { for (const [k, s] of Object.entries(sections)) s.hidden = k !== name; };
  const notice = document.getElementById('oo-esito');
  const tell = (kind, title, ...text) => {
    notice.replaceChildren(el('div', { role: kind === 'danger' ? 'alert' : 'status' }, callout(kind, title, ...text)));
    notice.focus();
  };

  // ---- the list ----------------------------------------------------------------------
  const results = document.getElementById('oo-risultati');
  let state = { page: 1, status: '', q: '' };

  const actions = (o) => el('div', { class: 'cv-actions' },
    o.status !== 'closed' ? el('button', { type: 'button', class: 'btn btn-outline-primary btn-xs', 'aria-label': `Modifica l'offerta ${o.code}`, onclick: () => openOffer(o.code, o.company) }, 'Modifica') : null,
    o.status === 'published' ? el('button', { type: 'button', class: 'btn btn-outline-danger btn-xs', 'aria-label': `Chiudi l'offerta ${o.code}`, onclick: () => closeOffer(o) }, 'Chiudi') : null,
    el('a', { class: 'btn btn-outline-primary btn-xs', href: `/offerte/${encodeURIComponent(o.code)}`, 'aria-label': `Pagina pubblica dell'offerta ${o.code}` }, 'Pagina pubblica'));

  const row = (o) => el('tr', { 'data-code': o.code },
    el('th', { scope: 'row' }, o.code),
    el('td', { 'data-label': 'Qualifica' }, o.occupation, o.company ? el('span', { class: 'd-block small' }, `Azienda: ${o.company}`) : null),
    el('td', { 'data-label': 'Tipo offerta' }, o.offer_type,
      el('span', { class: 'd-block small' }, o.application_mode === 'online' ? 'Candidatura online' : 'Candidatura come da testo')),
    el('td', { 'data-label': 'Pubblicata il' }, formatDate(o.published_at)),
    el('td', { 'data-label': 'Scadenza' }, formatDate(o.deadline)),
    el('td', { 'data-label': 'Stato' }, el('span', { class: `badge ${{ published: 'bg-success', closed: 'bg-secondary', expired: 'bg-warning text-dark' }[o.status] ?? 'bg-secondary'}` }, o.status_label)),
    el('td', { 'data-label': 'Candidature' }, o.applications > 0
      ? el('a', { href: `/operatore/candidature/?offerta=${encodeURIComponent(o.code)}`, 'aria-label': `Candidature all'offerta ${o.code}: ${o.applications}` }, String(o.applications))
      : '0'),
    el('td', {}, actions(o)));

  async function load() {
    showLoading(results);
    let data;
    try {
      data = await getJSON(`/api/operator/offers?${query({ status: state.status, q: state.q, page: state.page, page_size: PAGE_SIZE })}`);
    } catch (e) {
      showError(results, e.message, load);
      return;
    }
    done(results);
    if (!data.items.length) {
      results.replaceChildren(el('p', {}, state.status || state.q
        ? 'Nessuna offerta corrisponde ai criteri di ricerca.'
        : 'Il tuo Centro per l\'impiego non ha ancora pubblicato offerte. Usa «Nuova offerta» per pubblicarne una.'));
      return;
    }
    results.replaceChildren(
      el('p', { class: 'small', role: 'status' }, data.total === 1 ? '1 offerta' : `${data.total} offerte`),
      el('div', { class: 'table-responsive' }, el('table', { class: 'table table-stack', id: 'oo-tabella' },
        el('caption', { class: 'visually-hidden' }, 'Le offerte del Centro per l\'impiego'),
        el('thead', {}, el('tr', {}, ['Codice offerta', 'Qualifica', 'Tipo offerta', 'Pubblicata il', 'Scadenza', 'Stato', 'Candidature', 'Azioni'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, data.items.map(row)))),
      data.total > PAGE_SIZE ? pager({ page: state.page, pageSize: PAGE_SIZE, total: data.total, onChange: (p) => { state.page = p; return load(); } }) : '',
    );
  }

  document.getElementById('oo-filtri').addEventListener('submit', (event) => {
    event.preventDefault();
    state = { page: 1, status: document.getElementById('oo-filtro-stato').value, q: document.getElementById('oo-filtro-testo').value.trim() };
    notice.replaceChildren();
    load();
  });

  // ---- drafts ----------------------------------------------------------------------
  const draftsBox = document.getElementById('oo-bozze');
  let draftsPage = 1;
  async function loadDrafts(page = draftsPage) {
    draftsPage = page;
    showLoading(draftsBox);
    let data;
    try {
      data = await getJSON(`/api/operator/drafts?page=${page}&page_size=${PAGE_SIZE}`);
    } catch (e) {
      showError(draftsBox, e.message, () => loadDrafts(page));
      return;
    }
    done(draftsBox);
    if (!data.items.length) {
      draftsBox.replaceChildren(el('p', {}, 'Nessuna bozza.'));
      return;
    }
    const label = (d) => d.offer.occupation?.trim() || '(senza qualifica)';
    draftsBox.replaceChildren(
      el('div', { class: 'table-responsive' }, el('table', { class: 'table table-stack', id: 'oo-bozze-tabella' },
        el('caption', { class: 'visually-hidden' }, 'Le bozze del Centro per l\'impiego'),
        el('thead', {}, el('tr', {}, ['Qualifica', 'Tipo offerta', 'Ultima modifica', 'Azioni'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, data.items.map((d) => el('tr', {},
          el('th', { scope: 'row' }, label(d)),
          el('td', { 'data-label': 'Tipo offerta' }, typeName.get(d.offer.offer_type) ?? ''),
          el('td', { 'data-label': 'Ultima modifica' }, formatDateTime(d.updated_at)),
          el('td', {}, el('div', { class: 'cv-actions' },
            el('button', { type: 'button', class: 'btn btn-outline-primary btn-xs', 'aria-label': `Modifica la bozza ${label(d)}`, onclick: () => openDraft(d) }, 'Modifica'),
            el('button', { type: 'button', class: 'btn btn-outline-danger btn-xs', 'aria-label': `Elimina la bozza ${label(d)}`, onclick: () => deleteDraft(d) }, 'Elimina')))))))),
      data.total > PAGE_SIZE ? pager({ page, pageSize: PAGE_SIZE, total: data.total, onChange: loadDrafts, label: 'Paginazione delle bozze' }) : '',
    );
  }

  async function deleteDraft(d) {
    const name = d.offer.occupation?.trim() || 'senza qualifica';
    if (!(await confirmDialog({ title: 'Elimina la bozza', text: `Vuoi eliminare la bozza «${name}»? Non potrai recuperarla.`, confirm: 'Elimina' }))) return;
    try {
      await sendJSON('DELETE', `/api/operator/drafts/${d.id}`, {}, csrf);
      await loadDrafts(1);
      tell('success', 'Bozza eliminata', `La bozza «${name}» è stata eliminata.`);
    } catch (e) {
      tell('danger', 'Bozza non eliminata', e.message);
    }
  }

  async function closeOffer(o) {
    const yes = await confirmDialog({
      title: 'Chiudi l\'offerta',
      text: `Vuoi chiudere l'offerta ${o.code} (${o.occupation})? Resterà visibile sul portale come chiusa e non accetterà più candidature.`,
      confirm: 'Chiudi l\'offerta',
    });
    if (!yes) return;
    try {
      await sendJSON('POST', `/api/operator/offers/${encodeURIComponent(o.code)}/close`, {}, csrf);
      await load();
      tell('success', 'Offerta chiusa', `L'offerta ${o.code} è chiusa: non accetta più candidature.`);
    } catch (e) {
      tell('danger', 'Offerta non chiusa', e.message);
    }
  }

  // ---- the form ----------------------------------------------------------------------
  const form = document.getElementById('oo-modulo');
  const formTitle = document.getElementById('oo-modulo-titolo');
  const formNote = document.getElementById('oo-modulo-nota');
  const formNotice = document.getElementById('oo-modulo-esito');
  const publishButton = document.getElementById('oo-pubblica');
  const draftButton = document.getElementById('oo-bozza');
  const input = (field) => fieldInput(form, field);
  const typeSelect = input('offer_type');
  const contractSelect = input('contract_type');
  typeSelect.append(...refs.types.map((t) => el('option', { value: t.code }, t.name)));
  contractSelect.append(...refs.contracts.map((t) => el('option', { value: t.code }, t.name)));
  const deadline = input('deadline');
  const checkDeadline = bindDateInput(deadline);
  const experienceYes = document.getElementById('oo-esperienza-si');
  const experienceDetails = document.getElementById('oo-esperienza-dettagli');
  const syncExperience = () => { experienceDetails.hidden = !experienceYes.checked; };
  form.addEventListener('change', (event) => { if (event.target.name === 'esperienza') syncExperience(); });
  // the mode follows the offer type until the operator chooses one
  let modeChosen = false;
  const setMode = (mode) => { document.getElementById(mode === 'text' ? 'oo-modalita-testo' : 'oo-modalita-online').checked = true; };
  for (const r of form.querySelectorAll('input[name="modalita"]')) r.addEventListener('change', () => { modeChosen = true; });
  typeSelect.addEventListener('change', () => { if (!modeChosen) setMode(defaultMode(typeSelect.value)); });
  // implicit submission (Enter in a field) publishes nothing: the buttons do
  form.addEventListener('submit', (event) => event.preventDefault());
  clearOnEdit(form);

  // work locations: chosen comuni as a list, the autocomplete adds one
  const locationsList = document.getElementById('oo-sedi-elenco');
  const locationInput = input('locations');
  let locations = [];
  comuneAutocomplete(locationInput);
  const drawLocations = () => {
    locationsList.replaceChildren(...locations.map((c) => el('li', { class: 'chip-location border rounded px-2 py-1 d-flex align-items-center gap-2' },
      el('span', {}, comuneLabel(c)),
      el('button', {
        type: 'button', class: 'btn btn-link btn-sm p-0', 'aria-label': `Rimuovi la sede ${comuneLabel(c)}`,
        onclick: () => { locations = locations.filter((x) => x.istat !== c.istat); drawLocations(); locationInput.focus(); },
      }, 'Rimuovi'))));
    locationInput.disabled = locations.length >= MAX_LOCATIONS;
  };
  locationInput.addEventListener('comune', (event) => {
    const c = event.detail;
    if (!locations.some((x) => x.istat === c.code) && locations.length < MAX_LOCATIONS) {
      locations.push({ istat: c.code, name: c.name, province: c.sigla ?? '' });
      drawLocations();
    }
    setComune(locationInput, null);
  });

  // the company, from the registry
  const companyBox = document.getElementById('oo-azienda-scelta');
  const companyInput = input('company_id');
  const companyResults = document.getElementById('oo-azienda-risultati');
  let company = null;
  const drawCompany = () => {
    companyBox.replaceChildren(company
      ? el('div', { class: 'company-found border rounded p-3 d-flex flex-wrap justify-content-between align-items-center gap-2' },
        el('div', {}, el('p', { class: 'fw-semibold mb-0' }, company.name),
          company.fiscal_code ? el('p', { class: 'small mb-0' }, [`codice fiscale ${company.fiscal_code}`, company.seat_comune ? `sede a ${company.seat_comune}` : null].filter(Boolean).join(' · ')) : null),
        el('button', { type: 'button', class: 'btn btn-outline-primary btn-sm', 'aria-label': `Togli l'azienda ${company.name}`, onclick: () => { company = null; drawCompany(); companyInput.focus(); } }, 'Togli'))
      : el('p', { class: 'mb-0' }, 'Nessuna azienda scelta.'));
  };
  async function searchCompanies() {
    clearErrors(companyInput.closest('.row'));
    const q = companyInput.value.trim();
    if (q.length < 3) { showFieldError(companyInput, 'Scrivi almeno 3 caratteri del nome, del codice fiscale o della partita IVA.'); companyInput.focus(); return; }
    showLoading(companyResults, 'Ricerca nel registro…');
    let data;
    try {
      data = await getJSON(`/api/operator/companies?q=${encodeURIComponent(q)}`);
    } catch (e) {
      done(companyResults);
      companyResults.replaceChildren();
      showFieldError(companyInput, e.message);
      return;
    }
    done(companyResults);
    if (!data.items.length) { companyResults.replaceChildren(el('p', {}, 'Nessuna azienda del registro corrisponde alla ricerca.')); return; }
    companyResults.replaceChildren(el('ul', { class: 'list-unstyled mb-0', 'aria-label': 'Aziende trovate' }, data.items.map((c) => el('li', { class: 'd-flex flex-wrap align-items-center gap-2 border-bottom py-2' },
      el('span', { class: 'flex-grow-1' }, el('strong', {}, c.name), ` · codice fiscale ${c.fiscal_code}${c.seat_comune ? ` · sede a ${c.seat_comune}` : ''}`),
      el('button', {
        type: 'button', class: 'btn btn-outline-primary btn-xs', 'aria-label': `Scegli ${c.name}`,
        onclick: () => { company = c; rememberCompany(c); drawCompany(); companyResults.replaceChildren(); companyInput.value = ''; companyBox.querySelector('button')?.focus(); },
      }, 'Scegli')))));
  }
  document.getElementById('oo-azienda-cerca').addEventListener('click', searchCompanies);
  companyInput.addEventListener('keydown', (event) => { if (event.key === 'Enter') { event.preventDefault(); searchCompanies(); } });

  // requirements the candidate declares
  const reqList = document.getElementById('oo-requisiti-elenco');
  const addReq = document.getElementById('oo-requisito-aggiungi');
  let reqSeq = 0;
  const renumber = () => {
    [...reqList.children].forEach((li, i) => {
      const field = li.querySelector('input');
      field.dataset.field = `requirements.${i}`;
      li.querySelector('label').textContent = `Requisito ${i + 1}`;
      li.querySelector('button').setAttribute('aria-label', `Rimuovi il requisito ${i + 1}`);
    });
    addReq.disabled = reqList.children.length >= MAX_REQUIREMENTS;
  };
  const addRequirement = (value = '', focus = false) => {
    reqSeq += 1;
    const id = `oo-requisito-${reqSeq}`;
    const field = el('input', { id, type: 'text', class: 'form-control', maxlength: '300', autocomplete: 'off', value });
    field.addEventListener('keydown', (event) => { if (event.key === 'Enter') event.preventDefault(); });
    const li = el('li', { class: 'mb-2' }, el('div', { class: 'mb-3 d-flex flex-wrap align-items-end gap-2' },
      el('div', { class: 'flex-grow-1' }, el('label', { for: id, class: 'form-label' }, 'Requisito'), field),
      el('button', { type: 'button', class: 'btn btn-outline-danger btn-sm', onclick: () => { li.remove(); renumber(); addReq.focus(); } }, 'Rimuovi')));
    reqList.append(li);
    renumber();
    if (focus) field.focus();
  };
  addReq.addEventListener('click', () => addRequirement('', true));

  const values = () => ({
    offer_type: typeSelect.value,
    contract_type: contractSelect.value,
    occupation: input('occupation').value,
    occupation_istat: input('occupation_istat').value,
    description: input('description').value,
    experience_required: experienceYes.checked,
    experience_description: input('experience_description').value,
    experience_months: input('experience_months').value,
    places: input('places').value,
    work_mode: input('work_mode').value,
    how_to_apply: input('how_to_apply').value,
    vat_number_required: input('vat_number_required').checked,
    own_transport_required: input('own_transport_required').checked,
    travel_availability: input('travel_availability').checked,
    targeted_placement: input('targeted_placement').checked,
    locations: locations.map((c) => c.istat),
    deadline: deadline.dataset.iso ?? deadline.value,
    company_id: company?.id ?? null,
    application_mode: form.querySelector('input[name="modalita"]:checked')?.value ?? '',
    requirements: [...reqList.querySelectorAll('input')].map((i) => i.value),
  });

  /** Fills the form from an OfferIn (a draft's or a published offer's), `companyOut` when the API gives it. */
  async function fill(o, companyOut) {
    form.reset();
    clearErrors(form);
    typeSelect.value = o.offer_type ?? '';
    contractSelect.value = o.contract_type ?? '';
    input('occupation').value = o.occupation ?? '';
    input('occupation_istat').value = o.occupation_istat ?? '';
    input('description').value = o.description ?? '';
    document.getElementById(o.experience_required ? 'oo-esperienza-si' : 'oo-esperienza-no').checked = true;
    input('experience_description').value = o.experience_description ?? '';
    input('experience_months').value = o.experience_months ?? '';
    input('places').value = o.places ?? '';
    input('work_mode').value = (o.work_mode ?? '').toUpperCase();
    input('how_to_apply').value = o.how_to_apply ?? '';
    for (const f of ['vat_number_required', 'own_transport_required', 'travel_availability', 'targeted_placement']) input(f).checked = Boolean(o[f]);
    const iso = o.deadline && parseDate(formatDate(o.deadline)) ? o.deadline : null;
    deadline.value = iso ? formatDate(iso) : (o.deadline ?? '');
    checkDeadline();
    modeChosen = Boolean(o.application_mode);
    setMode(o.application_mode || defaultMode(o.offer_type));
    reqList.replaceChildren();
    for (const r of o.requirements ?? []) addRequirement(r);
    renumber();
    company = o.company_id ? (companyOut ?? rememberedCompany(o.company_id) ?? { id: o.company_id, name: `Azienda del registro n. ${o.company_id}` }) : null;
    if (companyOut?.name) rememberCompany(companyOut);
    drawCompany();
    locations = [];
    drawLocations();
    syncExperience();
    if (o.locations?.length) {
      try {
        locations = await comuniOf(o.locations);
      } catch {
        locations = o.locations.map((istat) => ({ istat, name: istat, province: '' }));
      }
      drawLocations();
    }
  }

  // what the form is editing: {kind: 'new'} | {kind: 'draft', id} | {kind: 'offer', code}
  let editing = { kind: 'new' };
  function openForm(kind, heading, note) {
    editing = kind;
    formTitle.textContent = heading;
    formNote.textContent = note;
    formNotice.replaceChildren();
    publishButton.textContent = kind.kind === 'offer' ? 'Salva le modifiche' : 'Pubblica l\'offerta';
    draftButton.hidden = kind.kind === 'offer';
    draftButton.textContent = kind.kind === 'draft' ? 'Salva la bozza' : 'Salva come bozza';
    notice.replaceChildren();
    show('form');
    formTitle.focus();
  }

  document.getElementById('oo-nuova').addEventListener('click', async () => {
    await fill({});
    openForm({ kind: 'new' }, 'Nuova offerta', `L'offerta sarà pubblicata per il Centro per l'impiego di ${me.working_cpi.name} con un nuovo codice.`);
  });

  async function openDraft(d) {
    await fill(d.offer, d.company);
    openForm({ kind: 'draft', id: d.id }, 'Bozza di offerta', `Bozza salvata il ${formatDateTime(d.updated_at)}: completala e pubblicala, oppure salvala di nuovo.`);
  }

  /** `companyName`: the list's name of the offer's company (the offer itself gives its id). */
  async function openOffer(code, companyName) {
    notice.replaceChildren();
    let o;
    try {
      o = await getJSON(`/api/operator/offers/${encodeURIComponent(code)}`);
    } catch (e) {
      tell('danger', 'Offerta non disponibile', e.message);
      return;
    }
    await fill(o.offer, o.company ?? (o.offer.company_id && companyName ? { id: o.offer.company_id, name: companyName } : null));
    openForm({ kind: 'offer', code }, `Modifica l'offerta ${code}`, `Pubblicata il ${formatDate(o.published_at)} (${o.status_label}). Le modifiche sono visibili sul portale appena le salvi.`);
  }

  document.getElementById('oo-annulla').addEventListener('click', () => {
    show('list');
    document.getElementById('oo-nuova').focus();
  });

  /** Client-side checks that would only make the API's answer worse (a date that is not one). */
  function dateProblem() {
    checkDeadline();
    return deadline.value.trim() !== '' && !deadline.dataset.iso;
  }
  const aliases = Object.fromEntries([...Array(MAX_LOCATIONS).keys()].map((i) => [`locations.${i}`, 'locations']));

  async function run(button, action) {
    // blank requirements are dropped, so that the API's requirements.N are the inputs' N
    for (const li of [...reqList.children]) if (!li.querySelector('input').value.trim()) li.remove();
    renumber();
    clearErrors(form);
    formNotice.replaceChildren();
    if (dateProblem()) {
      showErrors(form, { message: '', fields: [{ field: 'deadline', message: 'Inserisci una data valida nel formato gg/mm/aaaa.' }] });
      return;
    }
    button.disabled = true;
    try {
      await action(offerBody(values()));
    } catch (e) {
      showErrors(form, e, aliases);
    } finally {
      button.disabled = false;
    }
  }

  const published = async (o, title) => {
    show('list');
    state.page = 1;
    await Promise.all([load(), loadDrafts(1)]);
    tell('success', title, el('p', { class: 'mb-0' }, `L'offerta ${o.code} (${o.offer.occupation}) è ${title === 'Offerta pubblicata' ? 'pubblicata' : 'aggiornata'} sul portale: `,
      el('a', { href: o.public_url }, `vedi la pagina pubblica dell'offerta ${o.code}`), '.'));
  };

  publishButton.addEventListener('click', () => run(publishButton, async (body) => {
    if (editing.kind === 'offer') {
      await published(await sendJSON('PUT', `/api/operator/offers/${encodeURIComponent(editing.code)}`, body, csrf), 'Offerta modificata');
    } else if (editing.kind === 'draft') {
      // the draft as it is now, then published (the API checks the saved draft)
      await sendJSON('PUT', `/api/operator/drafts/${editing.id}`, body, csrf);
      await published(await sendJSON('POST', `/api/operator/drafts/${editing.id}/publish`, {}, csrf), 'Offerta pubblicata');
    } else {
      await published(await sendJSON('POST', '/api/operator/offers', body, csrf), 'Offerta pubblicata');
    }
  }));

  draftButton.addEventListener('click', () => run(draftButton, async (body) => {
    const d = editing.kind === 'draft'
      ? await sendJSON('PUT', `/api/operator/drafts/${editing.id}`, body, csrf)
      : await sendJSON('POST', '/api/operator/drafts', body, csrf);
    editing = { kind: 'draft', id: d.id };
    formTitle.textContent = 'Bozza di offerta';
    draftButton.textContent = 'Salva la bozza';
    formNote.textContent = `Bozza salvata il ${formatDateTime(d.updated_at)}: completala e pubblicala, oppure salvala di nuovo.`;
    formNotice.replaceChildren(el('div', { role: 'status' }, callout('success', 'Bozza salvata', 'La trovi anche nell\'elenco delle bozze del tuo Centro per l\'impiego.')));
    formNotice.focus();
    loadDrafts(1);
  }));

  show('list');
  load();
  loadDrafts(1);
}
