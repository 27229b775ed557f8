// Site data shared by every page: sections and their menus, the personal areas and
// their menus, useful links, footer, help line and accessibility feedback.
// A menu item without `href` is a service that is not available yet: it is shown
// as "In arrivo" (not as a dead link, never described as available) until the issue
// that builds it sets `href`.

export const site = {
  name: 'Toscana Lavoro',
  tagline: 'La rete per il lavoro in Toscana',
  region: { name: 'Regione Toscana', href: 'https://www.regione.toscana.it' },
  agency: { name: 'ARTI – Agenzia Regionale Toscana per l\'Impiego', href: 'https://arti.toscana.it' },
  // Assistance (manual p. 38), set per deployment in web/site.local.json, which
  // overrides these values: {"helpLine": {"number": "800 …", "hours": "…"},
  // "contacts": {"support": "…", "accessibility": "…"}}.
  // The toll-free number: only the deployment knows it (none is invented here); until
  // it is set, the pages give the support e-mail address instead.
  helpLine: {
    number: '',
    hours: 'dal lunedì al venerdì dalle 9:30 alle 13:00 e dalle 15:00 alle 17:30',
  },
  // Where people write: technical support, and the accessibility statement's feedback
  // mechanism (law 4/2004, AgID guidelines). Default: ARTI's certified e-mail address,
  // the one the privacy notice publishes.
  contacts: {
    support: 'arti@postacert.toscana.it',
    accessibility: 'arti@postacert.toscana.it',
  },
};

/** The site's settings with the deployment's web/site.local.json (`local`, parsed) over them. */
export function configure(local = {}) {
  return {
    helpLine: { ...site.helpLine, ...(local.helpLine ?? {}) },
    contacts: { ...site.contacts, ...(local.contacts ?? {}) },
  };
}

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
    text: 'Offerte di lavoro dei Centri per l\'impiego, curriculum e richieste delle aziende di vederlo, il tuo profilo.',
    icon: 'it-user',
    menu: [
      { title: 'La mia area', text: 'Dopo l\'accesso: i servizi che puoi usare e quelli in arrivo.', href: '/cittadino/area/' },
      { title: 'Offerte di lavoro', text: 'Consulta le offerte di lavoro e cerca quelle che rispondono alle tue esigenze.', href: '/cittadino/offerte/' },
      { title: 'Il mio profilo', text: 'I tuoi dati, i recapiti e gli incarichi per aziende, agenzie e studi professionali.', href: '/cittadino/profilo/' },
      { title: 'Gestione Curriculum Vitae', text: 'Carica i tuoi curriculum, scegli se renderli consultabili in forma anonima dalle aziende e vedi lo storico degli utilizzi.', href: '/cittadino/curriculum/' },
      { title: 'Richieste curriculum vitae', text: 'Le richieste delle aziende di vedere il tuo curriculum: autorizzale o rifiutale.', href: '/cittadino/richieste-cv/' },
      { title: 'Visualizza candidature', text: 'Le candidature che hai inviato alle offerte di lavoro e l\'esito del Centro per l\'impiego.', href: '/cittadino/candidature/' },
      { title: 'Prenotazione appuntamento CPI', text: 'Prenota un appuntamento in un Centro per l\'impiego, scarica la ricevuta o annullalo; scrivi al Centro per l\'impiego.', href: '/cittadino/appuntamenti/' },
      { title: 'Gestisci colloqui online', text: 'Rispondi agli inviti delle aziende a un colloquio online e partecipa al colloquio sul portale.', href: '/cittadino/colloqui/' },
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
    text: 'Registrazione dell\'azienda, le sue offerte e le candidature inviate dai Centri per l\'impiego, ricerca di curriculum, colloqui online, le Comunicazioni Obbligatorie.',
    icon: 'it-pa',
    menu: [
      { title: 'Registra la tua azienda', text: 'Registra l\'azienda con SPID, CIE o CNS e prendi l\'incarico per operare per suo conto.', href: '/registrati/azienda/' },
      { title: 'Area azienda', text: 'Per chi opera per un\'azienda: i servizi che puoi usare e quelli in arrivo.', href: '/azienda/area/' },
      { title: 'Offerte e candidature', text: 'Le offerte pubblicate per l\'azienda dai Centri per l\'impiego e le candidature che ti hanno inviato.', href: '/azienda/candidature/' },
      { title: 'Comunicazioni Obbligatorie', text: 'Accedi ai siti provinciali delle Comunicazioni Obbligatorie Online già autenticato.', href: '/azienda/comunicazioni-obbligatorie/' },
      { title: 'Ricerca curriculum', text: 'Cerca i curriculum anonimi dei candidati e chiedi di visualizzarli.', href: '/azienda/ricerca-cv/' },
      { title: 'Colloqui online', text: 'Invita i candidati a un colloquio online.', href: '/azienda/colloqui/' },
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
      { title: 'Area agenzia', text: 'Per chi opera per un\'agenzia per il lavoro: i servizi che puoi usare e quelli in arrivo.', href: '/agenzia/area/' },
      { title: 'Offerte e candidature', text: 'Le offerte pubblicate per l\'agenzia dai Centri per l\'impiego e le candidature che ti hanno inviato.', href: '/azienda/candidature/' },
      { title: 'Ricerca curriculum', text: 'Cerca i curriculum anonimi dei candidati e chiedi di visualizzarli.', href: '/azienda/ricerca-cv/' },
      { title: 'Colloqui online', text: 'Invita i candidati a un colloquio online.', href: '/azienda/colloqui/' },
      { title: 'Comunicazioni Obbligatorie', text: 'Accedi ai siti provinciali delle Comunicazioni Obbligatorie Online.', href: '/azienda/comunicazioni-obbligatorie/' },
      external('cliclavoro'),
    ],
  },
  professionista: {
    title: 'Professionista',
    href: '/professionista/',
    text: 'Servizi per consulenti del lavoro e professionisti che operano per le aziende clienti.',
    icon: 'it-card',
    menu: [
      { title: 'Area professionista', text: 'Per chi opera per uno studio professionale: i servizi che puoi usare e quelli in arrivo.', href: '/professionista/area/' },
      { title: 'Incarichi per le aziende', text: 'Prendi l\'incarico per operare per conto delle aziende clienti.', href: '/cittadino/profilo/#professionista' },
      { title: 'Offerte e candidature', text: 'Le offerte pubblicate per lo studio dai Centri per l\'impiego e le candidature che ti hanno inviato.', href: '/azienda/candidature/' },
      { title: 'Colloqui online', text: 'Invita i candidati a un colloquio online.', href: '/azienda/colloqui/' },
      { title: 'Comunicazioni Obbligatorie', text: 'Accedi ai siti provinciali delle Comunicazioni Obbligatorie Online.', href: '/azienda/comunicazioni-obbligatorie/' },
      external('cliclavoro'),
    ],
  },
};

// The personal areas (after login): the citizen's, and one per kind of company
// (companies.kind) for whom acts for one. Their landing pages list `menu`: what the
// person can do now (with `href`) and, as "In arrivo", what is coming.
const offersAndApplications = { title: 'Offerte e candidature', text: 'Le offerte che i Centri per l\'impiego hanno pubblicato per conto dell\'azienda e le candidature che ti hanno inviato, con il curriculum.', href: '/azienda/candidature/' };
const cvSearch = { title: 'Ricerca curriculum', text: 'Cerca i curriculum anonimi dei candidati, chiedi di vederli per intero e segui le richieste inviate.', href: '/azienda/ricerca-cv/' };
const interviews = { title: 'Colloqui online', text: 'Invita i candidati a un colloquio online sul portale, rispondi alle richieste di modifica ed entra nella stanza del colloquio.', href: '/azienda/colloqui/' };
const co = { title: 'Comunicazioni Obbligatorie', text: 'Raggiungi il sito delle Comunicazioni Obbligatorie Online della provincia scelta, con l\'accesso già effettuato.', href: '/azienda/comunicazioni-obbligatorie/' };
export const areas = {
  'area-cittadino': {
    title: 'La mia area',
    kind: 'citizen',
    href: '/cittadino/area/',
    menu: [
      { title: 'Gestione Curriculum Vitae', text: 'Carica i tuoi curriculum, scegli se renderli consultabili in forma anonima dalle aziende e vedi lo storico degli utilizzi.', href: '/cittadino/curriculum/' },
      { title: 'Richieste curriculum vitae', text: 'Autorizza o rifiuta le richieste delle aziende di vedere il tuo curriculum.', href: '/cittadino/richieste-cv/' },
      { title: 'Il mio profilo', text: 'I tuoi dati, i recapiti e gli incarichi per aziende, agenzie e studi professionali.', href: '/cittadino/profilo/' },
      { title: 'Offerte di lavoro', text: 'Cerca tra le offerte pubblicate dai Centri per l\'impiego e candidati con «Compila candidatura».', href: '/cittadino/offerte/' },
      { title: 'Le mie ricerche salvate', text: 'Le ricerche di offerte che hai salvato: aprile, rinominale e ricevi per e-mail le nuove offerte ogni giorno o ogni settimana.', href: '/cittadino/ricerche/' },
      { title: 'Visualizza candidature', text: 'Le candidature che hai inviato: segui l\'esito del Centro per l\'impiego o ritirale finché non sono prese in carico.', href: '/cittadino/candidature/' },
      { title: 'Appuntamenti', text: 'Prenota un appuntamento in un Centro per l\'impiego, scarica la ricevuta o annullalo; scrivi al Centro per l\'impiego.', href: '/cittadino/appuntamenti/' },
      { title: 'Colloqui online', text: 'Rispondi agli inviti delle aziende e partecipa ai colloqui online.', href: '/cittadino/colloqui/' },
      { title: 'Documenti da firmare', text: 'Leggi e firma i documenti preparati dal Centro per l\'impiego.', href: '/cittadino/documenti/' },
      { title: 'Scheda anagrafica professionale', text: 'Consulta e stampa la tua scheda anagrafica professionale.', href: '/cittadino/sap/' },
      { title: 'Libretto formativo', text: 'Il libretto delle tue esperienze formative e lavorative validato dal Centro per l\'impiego: consultalo e stampalo.', href: '/cittadino/libretto/' },
      { title: 'Lista attività 150/percettori RDC', text: 'Le politiche attive erogate dal Centro per l\'impiego (d.lgs. 150/2015, reddito di cittadinanza).', href: '/cittadino/attivita/' },
      { title: 'Lista attività Garanzia Giovani', text: 'Le politiche attive svolte nel percorso Garanzia Giovani.', href: '/cittadino/garanzia-giovani/' },
      { title: 'Accedi a Garanzia Giovani', text: 'Entra nel portale Garanzia Giovani con l\'accesso già effettuato.', href: '/cittadino/accedi-garanzia-giovani/' },
      { title: 'Visualizza la tua formazione regionale', text: 'I corsi di formazione regionale a cui ti sei iscritto.', href: '/cittadino/formazione/' },
      { title: 'Scarica i miei dati', text: 'Scarica in un file ZIP tutti i dati che il portale conserva su di te.', href: '/cittadino/miei-dati/' },
    ],
  },
  'area-azienda': {
    title: 'Area azienda',
    kind: 'company',
    href: '/azienda/area/',
    menu: [
      offersAndApplications,
      cvSearch,
      { title: 'Incarichi', text: 'Le aziende per cui operi: aggiungi o revoca un incarico dal tuo profilo.', href: '/cittadino/profilo/#aziende' },
      interviews,
      co,
    ],
  },
  'area-agenzia': {
    title: 'Area agenzia',
    kind: 'agency',
    href: '/agenzia/area/',
    menu: [
      offersAndApplications,
      cvSearch,
      { title: 'Incarichi', text: 'Le agenzie per cui operi: aggiungi o revoca un incarico dal tuo profilo.', href: '/cittadino/profilo/#agenzie' },
      interviews,
      co,
    ],
  },
  'area-professionista': {
    title: 'Area professionista',
    kind: 'professional_firm',
    href: '/professionista/area/',
    menu: [
      offersAndApplications,
      cvSearch,
      { title: 'Incarichi', text: 'Gli studi professionali per cui operi: aggiungi o revoca un incarico dal tuo profilo.', href: '/cittadino/profilo/#professionista' },
      interviews,
      co,
    ],
  },
  // The back office (O1): CPI operators and administrators. `staff` names the role a
  // service needs (operator, admin): the pages show a service only to who has it.
  'area-operatore': {
    title: 'Area operatore',
    kind: 'staff',
    href: '/operatore/',
    menu: [
      { title: 'Offerte di lavoro', text: 'Pubblica, modifica e chiudi le offerte del tuo Centro per l\'impiego; salva le bozze.', href: '/operatore/offerte/', staff: 'operator' },
      { title: 'Candidature', text: 'Le candidature alle offerte del tuo Centro per l\'impiego: dichiarazioni, curriculum ed esito.', href: '/operatore/candidature/', staff: 'operator' },
      { title: 'Curriculum dei cittadini', text: 'Leggi i curriculum dei cittadini del tuo Centro per l\'impiego e caricane uno per loro conto.', href: '/operatore/curriculum/', staff: 'operator' },
      { title: 'Appuntamenti', text: 'Le prenotazioni del tuo Centro per l\'impiego per giorno e per settimana, i messaggi dei cittadini e il calendario da abbonare.', href: '/operatore/appuntamenti/', staff: 'operator' },
      { title: 'Sportelli e orari', text: 'Gli sportelli del tuo Centro per l\'impiego, gli orari settimanali degli appuntamenti, le chiusure e le aperture straordinarie.', href: '/operatore/sportelli/', staff: 'operator' },
      { title: 'Schede dei cittadini', text: 'La scheda anagrafica professionale dei cittadini del tuo Centro per l\'impiego: dati amministrativi, esperienze, formazione, politiche attive e corsi regionali; SAP e libretto in PDF.', href: '/operatore/schede/', staff: 'operator' },
      { title: 'Documenti da firmare', text: 'Crea i documenti da firmare per i cittadini del tuo Centro per l\'impiego, controfirmali dopo il cittadino e annullali con un motivo.', href: '/operatore/documenti/', staff: 'operator' },
      { title: 'Amministrazione', text: 'Assegna e revoca i ruoli di operatore e di amministratore; consulta il registro delle attività.', href: '/operatore/amministrazione/', staff: 'admin' },
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
  { title: 'API e dati aperti', href: '/sviluppatori/api/' },
];
