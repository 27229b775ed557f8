// Parts the application pages share (C4 "Visualizza candidature", the operator's
// evaluation): an esito's badge, and an application as sent (the offer, the
// declarations, the CV to download, the timeline).

import { el, formatDate, formatDateTime } from './ui.mjs';

/** A badge for an esito (its label, coloured by its meaning). */
export function esitoBadge(status, label) {
  const colour = { inviata: 'bg-success', non_inviata: 'bg-danger', presa_in_carico: 'bg-primary', ritirata: 'bg-secondary' }[status] ?? 'bg-secondary';
  return el('span', { class: `badge ${colour}`, 'data-status': status }, label);
}

function dl(rows) {
  return el('dl', { class: 'row mb-3' }, rows.filter(Boolean).flatMap(([label, value]) => [
    el('dt', { class: 'col-sm-4' }, label),
    el('dd', { class: 'col-sm-8' }, value),
  ]));
}

/**
 * An application as sent: `a` is the API's application (offer, date, status, note,
 * declarations, cv, timeline); `extra` rows go after the summary's first ones.
 */
export function applicationView(a, { headingLevel = 3, extra = [] } = {}) {
  const h = (text) => el(`h${headingLevel}`, { class: 'h5 mt-4' }, text);
  return [
    dl([
      ['Codice offerta', el('a', { href: a.offer.url }, a.offer.code)],
      ['Profilo Professionale', a.offer.occupation],
      ['Centro Impiego', a.offer.cpi.name],
      ['Data Candidatura', formatDate(a.date)],
      ...extra,
      ['Esito CPI', esitoBadge(a.status, a.status_label)],
      a.note ? ['Nota del Centro per l\'impiego', a.note] : null,
    ]),
    h('Requisiti dichiarati'),
    a.declarations.length
      ? el('ul', { class: 'declarations' }, a.declarations.map((d) => el('li', {},
        el('span', {}, d.requirement), ' – ',
        el('strong', {}, d.declared ? 'Dichiaro di essere in possesso del requisito' : 'Non dichiarato'))))
      : el('p', {}, 'L\'offerta non chiedeva di dichiarare requisiti.'),
    h('Curriculum Vitae inviato'),
    el('p', {}, a.cv.description ? `${a.cv.description}: ` : '',
      el('a', { href: a.cv.download, download: a.cv.file_name, 'aria-label': `Scarica file ${a.cv.file_name}` }, a.cv.file_name),
      el('span', { class: 'small' }, ' (il file come è stato inviato con la candidatura)')),
    h('Storico'),
    el('ol', { class: 'timeline-list' }, a.timeline.map((t) => el('li', {},
      el('span', { class: 'fw-semibold' }, formatDateTime(t.at)), ': ', t.status_label,
      t.note ? el('span', { class: 'd-block small' }, `Nota: ${t.note}`) : null))),
  ];
}
