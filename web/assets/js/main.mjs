// Loaded by every page: Bootstrap Italia's components we use, the cookie notice,
// the user menu in the header (GET /api/session) and the page's own module
// (body[data-page]).

import { initConsent } from './consent.mjs';
import { initUserMenu } from './session.mjs';

const VENDOR = document.querySelector('link[href*="/vendor/bootstrap-italia-"]')
  .getAttribute('href').replace(/\/css\/.*$/, '');

initConsent();
// Not awaited: the page does not wait for the session; failures mean "not signed in".
initUserMenu().catch(() => {});

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
