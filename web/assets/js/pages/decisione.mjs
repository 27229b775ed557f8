// /cittadino/richieste-cv/decisione/?token=…: the CV request's e-mail/SMS link as a page
// of the portal, without login (C3). GET /api/cv-requests/decision (JSON) shows the
// request; while it can be decided, «Autorizza» and «Rifiuta» POST {token, decision};
// then, or when already decided or expired, what was decided and the way on.

import { getJSON, sendJSON } from '../api.mjs';
import { callout } from '../forms.mjs';
import { done, el, formatDate, showError, showLoading } from '../ui.mjs';

const API = '/api/cv-requests/decision';

function intro(r) {
  return [
    el('p', {}, 'Gentile ', el('strong', {}, r.name)),
    el('p', {}, 'L\'azienda ', el('strong', {}, r.company), ', durante la ricerca di personale per il profilo ', el('strong', {}, r.position),
      ', ha manifestato interesse verso il tuo profilo professionale e vorrebbe prendere visione del tuo curriculum vitae.'),
  ];
}

function outcome(r) {
  if (r.status_code === 'accepted') return el('div', { role: 'status' }, callout('success', 'Richiesta autorizzata', `Hai autorizzato la visione del tuo curriculum il ${formatDate(r.decided_at)}.`));
  if (r.status_code === 'refused') return el('div', { role: 'status' }, callout('note', 'Richiesta rifiutata', `Hai rifiutato la richiesta il ${formatDate(r.decided_at)}: l'azienda non riceverà i tuoi dati personali.`));
  if (r.expired) {
    return el('div', { role: 'alert' }, callout('warning', 'Il collegamento è scaduto',
      el('p', { class: 'mb-0' }, 'Puoi ancora decidere accedendo al portale, dalla pagina ', el('a', { href: '/cittadino/richieste-cv/' }, 'Richieste curriculum vitae'), '.')));
  }
  return null;
}

export async function init() {
  const box = document.getElementById('decisione');
  const token = new URLSearchParams(location.search).get('token')?.trim() ?? '';
  const show = (r) => {
    done(box);
    const parts = [...intro(r)];
    const result = outcome(r);
    if (result) parts.push(result);
    else if (r.can_decide) {
      const decide = (decision) => async (event) => {
        for (const b of buttons.querySelectorAll('button')) b.disabled = true;
        try {
          show(await sendJSON('POST', API, { token, decision }));
        } catch (e) {
          for (const b of buttons.querySelectorAll('button')) b.disabled = false;
          buttons.after(el('div', { role: 'alert' }, callout('danger', 'Operazione non riuscita', e.message)));
          event.target.focus();
          return;
        }
        box.focus();
      };
      const buttons = el('div', { class: 'd-flex flex-wrap gap-2' },
        el('button', { type: 'button', class: 'btn btn-success', 'data-primary': '', onclick: decide('accept') }, 'Autorizza'),
        el('button', { type: 'button', class: 'btn btn-danger', onclick: decide('refuse') }, 'Rifiuta'));
      parts.push(
        el('p', {}, 'Per autorizzare l\'azienda a vedere il tuo nome e il tuo curriculum premi «Autorizza».'),
        el('p', {}, 'Con «Rifiuta» l\'azienda non vedrà il tuo curriculum e non riceverà i tuoi dati personali: non saprà chi sei.'),
        buttons);
    }
    box.replaceChildren(...parts);
  };
  if (!token) {
    box.replaceChildren(el('div', { role: 'alert' }, callout('danger', 'Il collegamento non è completo',
      el('p', { class: 'mb-0' }, 'Apri il collegamento esattamente come lo hai ricevuto, oppure accedi al portale e rispondi dalla pagina ',
        el('a', { href: '/cittadino/richieste-cv/' }, 'Richieste curriculum vitae'), '.'))));
    return;
  }
  showLoading(box);
  try {
    show(await getJSON(`${API}?token=${encodeURIComponent(token)}`));
  } catch (e) {
    showError(box, e.message, e.status >= 500 || e.status === 0 ? () => init() : null);
  }
}
