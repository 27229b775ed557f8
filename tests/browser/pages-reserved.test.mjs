// Every page of the reserved area and of the way in and out (pages.mjs), as a person
// without a session meets them: the areas, the CV and profile pages, login,
// registration, activation, logout; applications (citizen, company), appointments and the back office.

import { everyPage } from './pages.mjs';
import { session } from './support.mjs';

const s = session();

everyPage(s, [
  ['/cittadino/area/', 'area-cittadino', true],
  ['/azienda/area/', null, true],
  ['/agenzia/area/', null, true],
  ['/professionista/area/', null, true],
  ['/cittadino/curriculum/', null, true],
  ['/cittadino/richieste-cv/', null, true],
  ['/cittadino/profilo/', null, true],
  ['/azienda/ricerca-cv/', null, true],
  ['/azienda/candidature/', null, true],
  ['/cittadino/candidatura/?offerta=FI-1', null, true],
  ['/cittadino/candidatura/', null, false],
  ['/cittadino/candidature/', null, true],
  ['/cittadino/appuntamenti/', null, true],
  ['/cittadino/appuntamenti/?nuovo=1&cpi=firenze&tipo=ricerca', null, true],
  ['/cittadino/colloqui/', null, true],
  ['/azienda/colloqui/', null, true],
  ['/colloquio/?id=1', null, true],
  ['/operatore/', 'operatore-senza-accesso', true],
  ['/operatore/offerte/', null, true],
  ['/operatore/candidature/', null, true],
  ['/operatore/amministrazione/', null, true],
  ['/operatore/curriculum/', null, true],
  ['/operatore/appuntamenti/', null, true],
  ['/operatore/sportelli/', null, true],
  ['/cittadino/attivita/', null, true],
  ['/cittadino/garanzia-giovani/', null, true],
  ['/cittadino/formazione/', null, true],
  ['/cittadino/sap/', null, true],
  ['/cittadino/libretto/', null, true],
  ['/cittadino/miei-dati/', null, true],
  ['/cittadino/ricerche/', null, true],
  ['/operatore/schede/', null, true],
  ['/cittadino/documenti/', null, true],
  ['/operatore/documenti/', null, true],
  ['/azienda/comunicazioni-obbligatorie/', null, true],
  ['/cittadino/accedi-garanzia-giovani/', null, true],
  ['/accedi/', null, true],
  ['/accedi/non-attivo/', null, true],
  ['/registrati/', null, true],
  // a token that does not exist: the page asks the API (404) and says so
  ['/registrati/attiva/?token=prova', null, true, [404]],
  ['/registrati/attivato/', null, true],
  ['/uscita/', null, true],
]);
