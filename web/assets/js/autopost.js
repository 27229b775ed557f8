// Submits the first form[data-autopost] as soon as the document is parsed. Used by
// the pages of SAML's HTTP-POST binding that other components serve (the request to
// the identity provider, the response back to the portal): the site's Content
// Security Policy (default-src 'self') forbids inline scripts, so they load this file:
//   <script src="/assets/js/autopost.js" defer></script>
// Those pages keep a visible submit button for browsers without JavaScript.
// It also follows the first a[data-autofollow] link at once: the logout page uses it
// to go on to the identity provider's single logout (a redirect answering the logout
// form would be blocked by the CSP's form-action, the IdP being another origin).
// A plain script, not a module, so that it also runs where modules are not loaded.
(function () {
  'use strict';
  var submitted = false;
  function submit() {
    if (submitted) return;
    var form = document.querySelector('form[data-autopost]');
    if (form) {
      submitted = true;
      // The prototype's method: a field named "submit" would shadow form.submit.
      HTMLFormElement.prototype.submit.call(form);
      return;
    }
    var link = document.querySelector('a[data-autofollow]');
    if (link && /^https?:/.test(link.href)) {
      submitted = true;
      window.location.replace(link.href);
    }
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', submit);
  else submit();
})();
