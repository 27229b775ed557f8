// Cookie notice: the portal uses technical cookies only. The choice is remembered
// in the technical cookie `tl_consent` (6 months). As on the original portal, the
// login buttons work only once the notice has been accepted.

const COOKIE = 'tl_consent';
const MAX_AGE = 60 * 60 * 24 * 182;

export const hasConsent = () => document.cookie.split('; ').some((c) => c === `${COOKIE}=1`);

function remember() {
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = `${COOKIE}=1; Max-Age=${MAX_AGE}; Path=/; SameSite=Lax${secure}`;
}

export function initConsent() {
  const bar = document.querySelector('[data-cookie-notice]');
  if (!bar) return;
  const accept = bar.querySelector('[data-consent-accept]');
  if (!hasConsent()) bar.classList.add('show');
  // the login button whose click was held back, to go back to once accepted
  let returnTo = null;

  accept.addEventListener('click', () => {
    remember();
    bar.classList.remove('show');
    document.getElementById('consenso-necessario')?.remove();
    // the notice disappears with the focus: it goes back to the held-back button, or
    // to the page's content, never to the page's body
    const target = returnTo?.isConnected ? returnTo : document.getElementById('contenuto');
    target?.focus();
  });

  for (const button of document.querySelectorAll('[data-requires-consent]')) {
    button.addEventListener('click', (event) => {
      if (hasConsent()) return;
      event.preventDefault();
      returnTo = button;
      if (!document.getElementById('consenso-necessario')) {
        bar.prepend(Object.assign(document.createElement('p'), {
          id: 'consenso-necessario',
          className: 'fw-bold',
          textContent: 'Per accedere devi prima accettare i cookie tecnici.',
        }));
        bar.querySelector('#consenso-necessario').setAttribute('role', 'alert');
      }
      accept.focus();
    });
  }
}
