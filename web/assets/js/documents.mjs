// Shared parts of the documents-to-sign pages (issue 18): the state badge of the
// manual's three-state legend and the "Azioni" timeline.

import { el } from './ui.mjs';

const BADGES = {
  in_corso: ['bg-warning text-dark', 'In corso'],
  annullato: ['bg-danger', 'Annullato'],
  concluso: ['bg-success', 'Concluso'],
};

/** The state badge, with the legend's sentence for screen readers. */
export function statusBadge(d) {
  const [cls, label] = BADGES[d.status] ?? BADGES.in_corso;
  return el('span', { class: `badge ${cls}`, title: d.status_label }, label, el('span', { class: 'visually-hidden' }, `: ${d.status_label}`));
}

/** "Documento Inserito il … Preso In Carico il …", one line each. */
export function timeline(d) {
  return el('ul', { class: 'list-unstyled mb-2 small' }, d.timeline.map((s) => el('li', {}, s.text)));
}
