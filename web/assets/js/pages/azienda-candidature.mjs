// /azienda/candidature/ "Offerte e candidature" (O1, the company's side), for a person
// acting for a company (the header's "Opera come"): the offers the CPIs published for
// it, with how many applications each sent, and the applications sent to the company
// (candidate, contacts, dates, the CV to download), all or one offer's. API:
// GET /api/company/offers, GET /api/company/applications?offer=,
// GET /api/company/applications/<id>/cv.

import { getJSON } from '../api.mjs';
import { activeSession, query } from '../cv.mjs';
import { callout } from '../forms.mjs';
import { done, el, formatDate, pager, showError, showLoading } from '../ui.mjs';

const PAGE_SIZE = 20;

export async function init() {
  const status = document.getElementById('ac-stato');
  showLoading(status);
  const session = await activeSession(status, 'vedere le offerte e le candidature dell\'azienda', { comeBack: true });
  if (!session) return;
  done(status);
  if (!session.acting_as) {
    status.replaceChildren(callout('note', 'Scegli per quale azienda operi',
      'Le offerte e le candidature sono riservate a chi opera per conto di un\'azienda, di un\'agenzia per il lavoro o di uno studio professionale.',
      'Apri il menu con il tuo nome in alto a destra e scegli l\'azienda sotto «Opera come». Se non hai ancora un incarico, puoi prenderlo dal tuo profilo.',
      el('p', { class: 'mb-0' }, el('a', { href: '/cittadino/profilo/#aziende' }, 'Vai agli incarichi del tuo profilo'))));
    return;
  }
  status.replaceChildren();
  document.getElementById('ac-app').hidden = false;
  document.getElementById('ac-azienda').replaceChildren('Stai operando per ', el('strong', {}, session.acting_as.name), /[.!?]$/.test(session.acting_as.name) ? '' : '.');

  const offersBox = document.getElementById('ac-offerte');
  const appsBox = document.getElementById('ac-candidature');
  const filterLine = document.getElementById('ac-candidature-filtro');
  const appsHeading = document.getElementById('ac-candidature-titolo');
  let offersPage = 1;
  let apps = { page: 1, offer: '' };

  async function loadOffers(page = offersPage) {
    offersPage = page;
    showLoading(offersBox);
    let data;
    try {
      data = await getJSON(`/api/company/offers?page=${page}&page_size=${PAGE_SIZE}`);
    } catch (e) {
      showError(offersBox, e.message, () => loadOffers(page));
      return;
    }
    done(offersBox);
    if (!data.items.length) {
      offersBox.replaceChildren(el('p', {}, 'I Centri per l\'impiego non hanno ancora pubblicato offerte per l\'azienda.'));
      return;
    }
    offersBox.replaceChildren(
      el('div', { class: 'table-responsive' }, el('table', { class: 'table table-stack', id: 'ac-offerte-tabella' },
        el('caption', { class: 'visually-hidden' }, 'Le offerte dell\'azienda'),
        el('thead', {}, el('tr', {}, ['Codice offerta', 'Profilo Professionale', 'Centro Impiego', 'Pubblicata il', 'Scadenza', 'Candidature inviate', 'Azioni'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, data.items.map((o) => el('tr', {},
          el('th', { scope: 'row' }, el('a', { href: o.offer.url }, o.offer.code)),
          el('td', { 'data-label': 'Profilo Professionale' }, o.offer.occupation),
          el('td', { 'data-label': 'Centro Impiego' }, o.offer.cpi.name),
          el('td', { 'data-label': 'Pubblicata il' }, formatDate(o.published_at)),
          el('td', { 'data-label': 'Scadenza' }, formatDate(o.offer.deadline), o.open ? '' : el('span', { class: 'd-block small' }, 'Non più aperta')),
          el('td', { 'data-label': 'Candidature inviate' }, String(o.sent)),
          el('td', {}, o.sent > 0 ? el('button', {
            type: 'button', class: 'btn btn-outline-primary btn-xs', 'aria-label': `Vedi candidature dell'offerta ${o.offer.code}`,
            onclick: () => { apps = { page: 1, offer: o.offer.code }; loadApps().then(() => appsHeading.focus()); },
          }, 'Vedi candidature') : '')))))),
      data.total > PAGE_SIZE ? pager({ page, pageSize: PAGE_SIZE, total: data.total, onChange: loadOffers, label: 'Paginazione delle offerte' }) : '',
    );
  }

  async function loadApps() {
    filterLine.replaceChildren(...(apps.offer
      ? [`Candidature dell'offerta ${apps.offer}. `, el('button', { type: 'button', class: 'btn btn-link p-0 align-baseline', onclick: () => { apps = { page: 1, offer: '' }; loadApps().then(() => appsHeading.focus()); } }, 'Vedi tutte le candidature')]
      : ['Le candidature che i Centri per l\'impiego hanno inviato all\'azienda, le più recenti prima.']));
    showLoading(appsBox);
    let data;
    try {
      data = await getJSON(`/api/company/applications?${query({ offer: apps.offer, page: apps.page, page_size: PAGE_SIZE })}`);
    } catch (e) {
      showError(appsBox, e.message, loadApps);
      return;
    }
    done(appsBox);
    if (!data.items.length) {
      appsBox.replaceChildren(el('p', {}, 'Nessuna candidatura ricevuta.'));
      return;
    }
    const name = (c) => `${c.name} ${c.family_name}`;
    appsBox.replaceChildren(
      el('div', { class: 'table-responsive' }, el('table', { class: 'table table-stack', id: 'ac-candidature-tabella' },
        el('caption', { class: 'visually-hidden' }, 'Candidature ricevute'),
        el('thead', {}, el('tr', {}, ['Candidato', 'Contatti', 'Offerta', 'Data candidatura', 'Inviata il', 'Curriculum'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, data.items.map((a) => el('tr', {},
          el('th', { scope: 'row' }, name(a.candidate)),
          el('td', { 'data-label': 'Contatti' },
            a.candidate.email ? el('a', { href: `mailto:${a.candidate.email}`, class: 'd-block' }, a.candidate.email) : null,
            a.candidate.mobile ? el('a', { href: `tel:${a.candidate.mobile.replace(/[^\d+]/g, '')}`, class: 'd-block' }, a.candidate.mobile) : null),
          el('td', { 'data-label': 'Offerta' }, `${a.offer.code} – ${a.offer.occupation}`),
          el('td', { 'data-label': 'Data candidatura' }, formatDate(a.date)),
          el('td', { 'data-label': 'Inviata il' }, formatDate(a.sent_at)),
          el('td', { 'data-label': 'Curriculum' }, el('a', { href: a.cv.download, download: a.cv.file_name }, a.cv.file_name, el('span', { class: 'visually-hidden' }, ` (curriculum di ${name(a.candidate)})`)))))))),
      data.total > PAGE_SIZE ? pager({ page: apps.page, pageSize: PAGE_SIZE, total: data.total, onChange: (p) => { apps.page = p; return loadApps(); }, label: 'Paginazione delle candidature' }) : '',
    );
  }

  loadOffers(1);
  loadApps();
}
