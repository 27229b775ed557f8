// /cittadino/sap/ (C9 Scheda anagrafico-professionale) and /cittadino/libretto/ (C11
// Libretto formativo): the print as a page (print CSS, A4) and its PDF.
// API: GET /api/records/sap|libretto and …/pdf.

import { printPage } from '../records.mjs';

export function init() {
  const kind = document.getElementById('stampa-app').dataset.kind;
  return printPage({
    prefix: 'stampa',
    api: `/api/records/${kind}`,
    pdf: `/api/records/${kind}/pdf`,
    what: kind === 'sap' ? 'vedere la tua scheda anagrafica professionale' : 'vedere il tuo libretto formativo',
  });
}
