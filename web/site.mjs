// Site data shared by every page: sections and their menus, useful links, footer.
// A menu item without `href` is a service that is not available yet: it is shown
// as "in arrivo" (not as a dead link) until the issue that builds it sets `href`.

export const site = {
  name: 'Toscana Lavoro',
  tagline: 'La rete per il lavoro in Toscana',
  region: { name: 'Regione Toscana', href: 'https://www.regione.toscana.it' },
  agency: { name: 'ARTI – Agenzia Regionale Toscana per l\'Impiego', href: 'https://arti.toscana.it' },
  // The help line (manual p. 38). The number is set per deployment in web/site.local.json
  // ({"helpLine": {"number": "800 …"}}); without it only the hours are shown.
  helpLine: {
    number: '',
    hours: 'dal lunedì al venerdì dalle 9:30 alle 13:00 e dalle 15:00 alle 17:30',
  },
};

export const links = {
  eures: { title: 'Eures', text: 'Il portale europeo della mobilità professionale, per chi cerca e offre lavoro in Europa.', href: 'https://eures.europa.eu' },
  giovanisi: { title: 'Giovanisì', text: 'Il progetto della Regione Toscana per l\'autonomia dei giovani.', href: 'https://giovanisi.it' },
  trio: { title: 'Progetto TRIO', text: 'Il sistema di web learning della Regione Toscana: prodotti e servizi formativi per tutti.', href: 'https://www.progettotrio.it' },
  catalogo: { title: 'Catalogo offerta formativa', text: 'I corsi di formazione, gratuiti e non, a cui è possibile iscriversi sul territorio regionale.', href: 'https://www.regione.toscana.it/-/catalogo-dell-offerta-formativa' },
  arti: { title: 'ARTI – Avvisi pubblici', text: 'Avvisi pubblici riservati a persone con disabilità e categorie protette (L. 68/99) e di altri enti.', href: 'https://arti.toscana.it/avvisi-pubblici' },
  cliclavoro: { title: 'cic@lavoro (ClicLavoro)', text: 'La rete nazionale dei servizi online per chi cerca e offre lavoro, del Ministero del Lavoro e delle Regioni.', href: 'https://www.cliclavoro.gov.it' },
};

const external = (key) => ({ ...links[key], external: true });

export const sections = {
  cittadino: {
    title: 'Cittadino',
    href: '/cittadino/',
    text: 'Offerte di lavoro, curriculum, candidature, appuntamenti ai Centri per l\'impiego e documenti da firmare.',
    icon: 'it-user',
    menu: [
      { title: 'Offerte di lavoro', text: 'Consulta le offerte di lavoro e cerca quelle che rispondono alle tue esigenze.', href: '/cittadino/offerte/' },
      { title: 'Il mio profilo', text: 'I tuoi dati, i recapiti e gli incarichi per aziende, agenzie e studi professionali.', href: '/cittadino/profilo/' },
      { title: 'Gestione Curriculum Vitae', text: 'Carica i tuoi curriculum, scegli se renderli consultabili in forma anonima dalle aziende e vedi lo storico degli utilizzi.', href: '/cittadino/curriculum/' },
      { title: 'Richieste curriculum vitae', text: 'Le richieste delle aziende di vedere il tuo curriculum: autorizzale o rifiutale.', href: '/cittadino/richieste-cv/' },
      external('catalogo'),
      { title: 'News ed eventi', text: 'Leggi le ultime news legate al mondo del lavoro e della formazione.', href: '/news/' },
      external('cliclavoro'),
      external('trio'),
      external('giovanisi'),
      external('eures'),
    ],
  },
  azienda: {
    title: 'Azienda',
    href: '/azienda/',
    text: 'Registrazione dell\'azienda, ricerca di curriculum, colloqui online e Comunicazioni Obbligatorie.',
    icon: 'it-pa',
    menu: [
      { title: 'Registra la tua azienda', text: 'Registra l\'azienda con SPID, CIE o CNS e prendi l\'incarico per operare per suo conto.', href: '/registrati/azienda/' },
      { title: 'Comunicazioni Obbligatorie', text: 'Accedi ai siti provinciali delle Comunicazioni Obbligatorie Online già autenticato.' },
      { title: 'Ricerca curriculum', text: 'Cerca i curriculum anonimi dei candidati e chiedi di visualizzarli.', href: '/azienda/ricerca-cv/' },
      { title: 'Colloqui online', text: 'Invita i candidati a un colloquio online.' },
      external('cliclavoro'),
      external('eures'),
    ],
  },
  agenzia: {
    title: 'Agenzia per il lavoro',
    href: '/agenzia/',
    text: 'Servizi per le agenzie per il lavoro autorizzate che operano per conto delle aziende clienti.',
    icon: 'it-folder',
    menu: [
      { title: 'Ricerca curriculum', text: 'Cerca i curriculum anonimi dei candidati e chiedi di visualizzarli.', href: '/azienda/ricerca-cv/' },
      { title: 'Colloqui online', text: 'Invita i candidati a un colloquio online.' },
      { title: 'Comunicazioni Obbligatorie', text: 'Accedi ai siti provinciali delle Comunicazioni Obbligatorie Online.' },
      external('cliclavoro'),
    ],
  },
  professionista: {
    title: 'Professionista',
    href: '/professionista/',
    text: 'Servizi per consulenti del lavoro e professionisti che operano per le aziende clienti.',
    icon: 'it-card',
    menu: [
      { title: 'Incarichi per le aziende', text: 'Prendi l\'incarico per operare per conto delle aziende clienti.', href: '/cittadino/profilo/#professionista' },
      { title: 'Comunicazioni Obbligatorie', text: 'Accedi ai siti provinciali delle Comunicazioni Obbligatorie Online.' },
      external('cliclavoro'),
    ],
  },
};

// Main navigation, in order.
export const mainNav = [
  { title: 'Home', href: '/' },
  ...Object.values(sections).map((s) => ({ title: s.title, href: s.href })),
  { title: 'News ed eventi', href: '/news/' },
];

// Links in the footer's bottom bar.
export const legalLinks = [
  { title: 'Informativa privacy e cookie', href: '/privacy/' },
  { title: 'Dichiarazione di accessibilità', href: '/accessibilita/' },
  { title: 'Note legali', href: '/note-legali/' },
];
