// Loaded by every page, before the page's own module (body[data-page], a separate
// entry of the bundle that runs its init() itself): Bootstrap Italia's phone menu,
// the cookie notice, and the user menu in the header (GET /api/session).

// Bootstrap Italia's phone menu: the module wires its data API (data-bs-toggle) on load;
// named, since the package marks its modules free of side effects for bundlers.
import NavBarCollapsible from 'bootstrap-italia/dist/plugins/navbar-collapsible.js';

import { initConsent } from './consent.mjs';
import { initUserMenu } from './session.mjs';

// The identity provider's logout answer arrives as /auth/<spid|cie>/slo?SAMLResponse=…,
// a long signed message the SSO has already checked: the address becomes the portal's
// own /uscita/ (the same message), so it is neither bookmarked nor shared.
if (/^\/auth\/(spid|cie)\/slo$/.test(location.pathname) && new URLSearchParams(location.search).has('SAMLResponse')) {
  history.replaceState(null, '', '/uscita/');
}

initConsent();
export { NavBarCollapsible };
// Not awaited: the page does not wait for the session; failures mean "not signed in".
initUserMenu().catch(() => {});
