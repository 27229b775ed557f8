// The personal areas' landing pages (/cittadino/area/ "La mia area", /azienda/area/,
// /agenzia/area/, /professionista/area/): the cards list what the person can do now and
// what is coming (web/site.mjs `areas`); this module says who is signed in and for
// whom they act, or what to do first: sign in, register, activate the profile, choose
// the company from "Opera come".

import { callout } from '../forms.mjs';
import { AREA_LABEL, areaOf, currentSession, displayName } from '../session.mjs';
import { done, el, showLoading } from '../ui.mjs';

/** The full stop after a name, unless the name ends with one ("ACME S.R.L."). */
const stop = (name) => (/[.!?]$/.test(name) ? '' : '.');

const KIND_LABEL = { company: 'un\'azienda', agency: 'un\'agenzia per il lavoro', professional_firm: 'uno studio professionale' };

export async function init() {
  const status = document.getElementById('area-stato');
  const kind = status.dataset.kind;
  showLoading(status);
  const session = await currentSession();
  done(status);
  const say = (type, title, ...text) => status.replaceChildren(callout(type, title, ...text));
  if (!session.authenticated) {
    return say('note', 'Accedi per usare i servizi', 'I servizi di quest\'area sono riservati: accedi con SPID, CIE o CNS.',
      el('p', { class: 'mb-0' }, el('a', { href: '/accedi/', class: 'btn btn-primary', 'data-primary': '' }, 'Accedi')));
  }
  if (session.account === 'unregistered') {
    return say('note', 'Non sei ancora registrato', el('p', { class: 'mb-0' }, 'Per usare i servizi completa la ',
      el('a', { href: kind === 'citizen' ? '/registrati/cittadino/' : '/registrati/azienda/' }, 'registrazione'), '.'));
  }
  if (session.account === 'pending') {
    return say('note', 'Il tuo profilo non è ancora attivo', el('p', { class: 'mb-0' }, 'Apri il collegamento di attivazione che ti abbiamo inviato per e-mail, oppure ',
      el('a', { href: '/accedi/non-attivo/' }, 'chiedine uno nuovo'), '.'));
  }
  const name = [session.person.name, session.person.family_name].filter(Boolean).join(' ') || displayName(session.person);
  const acting = session.acting_as;
  if (kind === 'citizen') {
    if (acting) {
      return say('note', `Stai operando per ${acting.name}`,
        el('p', { class: 'mb-0' }, 'Questi sono i tuoi servizi di cittadino. Per usarli come cittadino scegli «Cittadino» dal menu con il tuo nome in alto; i servizi per l\'azienda sono nell\'',
          el('a', { href: areaOf(acting.kind) }, AREA_LABEL[acting.kind] ?? 'Area azienda'), '.'));
    }
    return status.replaceChildren(el('p', { class: 'lead' }, `${name}, qui trovi i servizi che puoi usare ora e quelli in arrivo.`));
  }
  if (!acting) {
    return say('note', 'Scegli per chi operi',
      `I servizi di quest'area sono per chi opera per conto di ${KIND_LABEL[kind]}.`,
      'Apri il menu con il tuo nome in alto a destra e scegli l\'azienda sotto «Opera come». Se non hai ancora un incarico, puoi prenderlo dal tuo profilo.',
      el('p', { class: 'mb-0' }, el('a', { href: '/cittadino/profilo/#aziende' }, 'Vai agli incarichi del tuo profilo')));
  }
  if (acting.kind !== kind) {
    return say('note', `Stai operando per ${acting.name}`,
      el('p', { class: 'mb-0' }, `${acting.name} è ${KIND_LABEL[acting.kind] ?? 'un\'azienda'}: i suoi servizi sono nell'`,
        el('a', { href: areaOf(acting.kind) }, AREA_LABEL[acting.kind] ?? 'Area azienda'), '.'));
  }
  return status.replaceChildren(el('p', { class: 'lead' }, 'Stai operando per ', el('strong', {}, acting.name),
    `${stop(acting.name)} Qui trovi i servizi che puoi usare ora per suo conto e quelli in arrivo.`));
}
