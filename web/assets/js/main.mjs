// Loaded by every page: Bootstrap Italia's components we use, the cookie notice,
// and the page's own module (body[data-page]).

import { initConsent } from './consent.mjs';

const VENDOR = document.querySelector('link[href*="/vendor/bootstrap-italia-"]')
  .getAttribute('href').replace(/\/css\/.*$/, '');

initConsent();

// Mobile menu and collapsibles (ES modules of Bootstrap Italia, no bundle needed).
await Promise.all([
  import(`${VENDOR}/plugins/navbar-collapsible.js`),
  import(`${VENDOR}/plugins/collapse.js`),
]);

const name = document.body.dataset.page;
if (name) {
  const module = await import(`./pages/${name}.mjs`);
  module.init();
}
