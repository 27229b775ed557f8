// /cittadino/garanzia-giovani/ "Elenco attività Garanzia Giovani" (C7). API: GET /api/records/gg.

import { day, dayTime, listPage } from '../records.mjs';

export function init() {
  return listPage({
    prefix: 'gg',
    api: '/api/records/gg',
    what: 'vedere le tue attività Garanzia Giovani',
    caption: 'Elenco attività Garanzia Giovani',
    columns: [
      ['Azione', (a) => a.action],
      ['Data proposta', (a) => day(a.proposed_on)],
      ['Data appuntamento', (a) => dayTime(a.appointment_at)],
      ['Soggetto erogatore', (a) => a.provider ?? ''],
    ],
    empty: 'Non sono presenti attività Garanzia Giovani',
  });
}
