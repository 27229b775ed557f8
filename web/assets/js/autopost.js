// Submits the first form[data-autopost] as soon as the document is parsed. Used by
// the pages of SAML's HTTP-POST binding that other components serve (the request to
// the identity provider, the response back to the portal): the site's Content
// Security Policy (default-src 'self') forbids inline scripts, so they load this file:
//   <script src="/assets/js/autopost.js" defer></script>
// Those pages keep a visible submit button for browsers without JavaScript.
// A plain script, not a module, so that it also runs where modules are not loaded.
(function () {
  'use strict';
  var submitted = false;
  function submit() {
    if (submitted) return;
    var form = document.querySelector('form[data-autopost]');
    if (!form) return;
    submitted = true;
    // The prototype's method: a field named "submit" would shadow form.submit.
    HTMLFormElement.prototype.submit.call(form);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', submit);
  else submit();
})();
