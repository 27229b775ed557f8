// Every public page (pages.mjs): home, sections, offers, news, help and legal pages.

import { everyPage } from './pages.mjs';
import { session } from './support.mjs';

const s = session();

everyPage(s, [
  ['/', 'home', true],
  ['/cittadino/', 'cittadino', true],
  ['/azienda/', 'azienda', true],
  ['/agenzia/', 'agenzia', true],
  ['/professionista/', 'professionista', true],
  ['/cittadino/offerte/', null, true],
  ['/news/', 'news', false],
  ['/news/?pagina=2', null, false],
  ['/news/notizia.html?id=3', 'notizia', false],
  ['/assistenza/', 'assistenza', false],
  ['/accessibilita/', null, false],
  ['/privacy/', null, false],
  ['/note-legali/', null, false],
  ['/verifica/', 'verifica', true],
  ['/sviluppatori/api/', 'sviluppatori-api', false],
]);
