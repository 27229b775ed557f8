// /cittadino/formazione/ "Elenco corsi di formazione regionale" (C8). API: GET /api/records/courses.

import { day, listPage } from '../records.mjs';

export function init() {
  return listPage({
    prefix: 'for',
    api: '/api/records/courses',
    what: 'vedere la tua formazione regionale',
    caption: 'Elenco corsi di formazione regionale',
    columns: [
      ['Titolo', (c) => c.title],
      ['Descrizione', (c) => c.description],
      ['Formatore', (c) => c.trainer],
      ['Data inizio', (c) => day(c.start_date)],
      ['Data Fine', (c) => day(c.end_date)],
    ],
    empty: 'Non sono presenti corsi di formazione regionali',
  });
}
