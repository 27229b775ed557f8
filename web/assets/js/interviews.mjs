// Shared parts of the online interviews (C6 B4): the candidate's list, the company's page
// and the room. Pure functions, unit-tested by tests/browser/interviews.test.mjs.

/** The room's address for interview `id`, as the candidate or (company) as the company. */
export function roomHref(id, company = false) {
  return `/colloquio/?id=${encodeURIComponent(id)}${company ? '&come=azienda' : ''}`;
}

/** The room page's address read back: {id, company}, or null for an address not of a room. */
export function readRoom(search) {
  const q = new URLSearchParams(search);
  const id = q.get('id') ?? '';
  if (!/^[1-9]\d{0,15}$/.test(id)) return null;
  return { id, company: q.get('come') === 'azienda' };
}

/** The API prefix of a party's interview. */
export function apiOf(room) {
  return `${room.company ? '/api/company/interviews' : '/api/interviews'}/${room.id}`;
}

/** "dd/mm/yyyy HH:MM" → {date, time}, as the manual's dialogs write them. */
export function splitLocal(local) {
  const [date = '', time = ''] = (local ?? '').split(' ');
  return { date, time };
}

/** The manual's confirmation and refusal texts for interview `i` (the candidate's view). */
export function dialogTexts(i) {
  const { date, time } = splitLocal(i.start_local);
  return {
    accept: `Confermi l'appuntamento del ${date} alle ore ${time} con l'azienda/agenzia ${i.company} ?`,
    refuse: `Vuoi rifiutare l'appuntamento del ${date} alle ore ${time} con l'azienda/agenzia ${i.company} ?`,
  };
}

/** The body of an invitation from the form's values (ISO date, HH:MM, minutes, text). */
export function inviteBody({ application, date, time, minutes, description }) {
  const body = { application: application ? Number(application) : null, date: date || null, time: time || null, minutes: Number(minutes) || 30 };
  const d = (description ?? '').trim();
  if (d) body.description = d;
  return body;
}

/**
 * The Italian message for an error of getUserMedia: permission denied, no device, a
 * device busy, or anything else.
 */
export function mediaError(e) {
  switch (e?.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Non hai concesso al portale l\'accesso alla fotocamera e al microfono. Consentilo dalle impostazioni del browser (l\'icona accanto all\'indirizzo della pagina), poi ricarica la pagina.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'Non è stata trovata nessuna fotocamera o nessun microfono. Collegane uno (o scegline un altro), poi ricarica la pagina.';
    case 'NotReadableError':
      return 'La fotocamera o il microfono sono già in uso da un\'altra applicazione. Chiudila, poi ricarica la pagina.';
    default:
      return 'Non è stato possibile avviare la fotocamera e il microfono. Ricarica la pagina o prova con un altro browser.';
  }
}
