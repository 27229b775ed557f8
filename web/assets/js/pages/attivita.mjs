// /cittadino/attivita/ "Elenco attività 150/percettori/RDC" (C7): the active-policy
// activities of the CPI, with the colloquio they were agreed in. API: GET /api/records/activities.

import { day, listPage } from '../records.mjs';
import { el } from '../ui.mjs';

const same = (a, b) => JSON.stringify(a?.interview ?? null) === JSON.stringify(b?.interview ?? null);

/** The colloquio, as the manual shows it: once, on the first of its activities. */
const interview = (a, previous) => (a.interview && !same(a, previous)
  ? el('span', {}, `Date: ${day(a.interview.date)}`, el('br'), `Tipo: ${a.interview.kind ?? ''}`, el('br'), `Responsabile: ${a.interview.responsible ?? ''}`)
  : '');

export function init() {
  return listPage({
    prefix: 'att',
    api: '/api/records/activities',
    what: 'vedere le tue attività',
    caption: 'Elenco attività 150/percettori/RDC',
    rowHeader: 1,
    columns: [
      ['Colloquio', interview],
      ['Tipo attività', (a) => a.label],
      ['Data proposta', (a) => day(a.proposed_on)],
      ['Data appuntamento', (a) => day(a.appointment_on)],
      ['Data fine', (a) => day(a.ended_on)],
    ],
    empty: 'Non sono presenti attività',
  });
}
