// Parts the appointment pages share (issue 16: the citizen's "Prenotazione appuntamento
// CPI", the operator's Appuntamenti and Sportelli e orari): days as ISO dates in the
// Europe/Rome calendar, the days of the week, durations, the states' badges and an
// appointment's summary. API: /api/appointments, /api/operator/appointments,
// /api/operator/desks (README, "Appointments").

import { el } from './ui.mjs';

/** The days of the week as the API numbers them (1 = lunedì … 7 = domenica). */
export const WEEKDAYS = ['lunedì', 'martedì', 'mercoledì', 'giovedì', 'venerdì', 'sabato', 'domenica'];

const romeDay = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Rome', year: 'numeric', month: '2-digit', day: '2-digit' });

/** Today in Europe/Rome as yyyy-mm-dd (`now`: a Date, for tests). */
export function todayIso(now = new Date()) {
  return romeDay.format(now);
}

const utc = (iso) => {
  const [y, m, d] = iso.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d));
};
const isoOf = (date) => date.toISOString().slice(0, 10);

/** `iso` (yyyy-mm-dd) plus `n` days. */
export function addDays(iso, n) {
  const d = utc(iso);
  d.setUTCDate(d.getUTCDate() + n);
  return isoOf(d);
}

/** The day of the week of `iso`, 1 = lunedì … 7 = domenica. */
export function weekdayOf(iso) {
  return ((utc(iso).getUTCDay() + 6) % 7) + 1;
}

/** The Monday of the week of `iso`. */
export function mondayOf(iso) {
  return addDays(iso, 1 - weekdayOf(iso));
}

/** yyyy-mm-dd → dd/mm/yyyy. */
export function dmy(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso ?? '');
  return m ? `${m[3]}/${m[2]}/${m[1]}` : '';
}

/** "lunedì 07/12/2026" */
export function dayTitle(iso) {
  return `${WEEKDAYS[weekdayOf(iso) - 1]} ${dmy(iso)}`;
}

/** A valid yyyy-mm-dd or '' (for values read from the address). */
export function isoOrEmpty(text) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text ?? '')) return '';
  return isoOf(utc(text)) === text ? text : '';
}

/** "45 (Minuti)", as the manual's Durata column. */
export function durationText(minutes) {
  return `${minutes} (Minuti)`;
}

/** "03/12/2026 09:00" (the API's start_local) → ["03/12/2026", "09:00"]. */
export function splitLocal(local) {
  const [day = '', time = ''] = String(local ?? '').split(' ');
  return [day, time];
}

/** dd/mm/yyyy → yyyy-mm-dd (for grouping by day). */
export function isoOfDmy(day) {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(day ?? '');
  return m ? `${m[3]}-${m[2]}-${m[1]}` : '';
}

const BADGES = { prenotato: 'bg-success', svolto: 'bg-primary', annullato_cittadino: 'bg-secondary', annullato_cpi: 'bg-danger' };

// The API's labels speak to the citizen ("Annullato da te"); the operator reads these.
const OPERATOR_LABELS = { prenotato: 'Prenotato', svolto: 'Svolto', annullato_cittadino: 'Annullato dal cittadino', annullato_cpi: 'Annullato dal CPI' };

/** The state of an appointment as a badge (the API's label; the operator's words with `operator`). */
export function statusBadge(a, { operator = false } = {}) {
  const label = (operator && OPERATOR_LABELS[a.status]) || a.status_label || a.status;
  return el('span', { class: `badge ${BADGES[a.status] ?? 'bg-secondary'}` }, label);
}

/**
 * The citizen's page state in the address: the list (nothing), the form
 * (`nuovo=1` with `area`, `cpi`, `tipo`, `da`, `a`: a search when cpi and tipo are
 * there) or a booking's summary (`riepilogo=<id>`).
 */
export function readState(search) {
  const q = new URLSearchParams(search);
  const slug = (name) => (/^[a-z0-9-]{1,60}$/.test(q.get(name) ?? '') ? q.get(name) : '');
  const id = q.get('riepilogo') ?? '';
  return {
    nuovo: q.get('nuovo') === '1',
    area: slug('area'),
    cpi: slug('cpi'),
    tipo: slug('tipo'),
    da: isoOrEmpty(q.get('da')),
    a: isoOrEmpty(q.get('a')),
    riepilogo: /^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : '',
  };
}

/** The address's query of a state (readState's inverse): '' for the list. */
export function writeState(state) {
  const q = new URLSearchParams();
  if (state.riepilogo) {
    q.set('riepilogo', state.riepilogo);
  } else if (state.nuovo) {
    q.set('nuovo', '1');
    for (const name of ['area', 'cpi', 'tipo', 'da', 'a']) if (state[name]) q.set(name, state[name]);
  }
  const text = q.toString();
  return text ? `?${text}` : '';
}

/** The query of GET /api/appointments/availability for a search. */
export function availabilityQuery({ cpi, tipo, da, a }) {
  const q = new URLSearchParams({ cpi, kind: tipo });
  if (da) q.set('from', da);
  if (a) q.set('to', a);
  return q.toString();
}

/** The rows of a booking's summary (Riepilogo prenotazione) as dt/dd pairs. */
export function summaryItems(a) {
  const item = (label, value) => [el('dt', { class: 'col-sm-4' }, label), el('dd', { class: 'col-sm-8' }, value)];
  const contacts = [a.desk?.email, a.desk?.phone].filter(Boolean).join(' – ');
  return [
    ...item('Tipo di appuntamento', a.kind?.name ?? ''),
    ...item('Data e ora', `${a.start_local}${a.kind?.minutes ? `, ${durationText(a.kind.minutes)}` : ''}`),
    ...item('Centro per l\'impiego', a.cpi?.name ?? ''),
    ...item('Sportello', [a.desk?.name, a.desk?.address].filter(Boolean).join(', ')),
    ...(contacts ? item('Contatti dello sportello', contacts) : []),
    ...item('Stato', statusBadge(a)),
    ...(a.cancel_reason ? item('Motivo dell\'annullamento', a.cancel_reason) : []),
    ...(a.how ? item('Come si svolge', a.how) : []),
    ...(a.booked_at_local ? item('Prenotato il', a.booked_at_local) : []),
  ];
}
