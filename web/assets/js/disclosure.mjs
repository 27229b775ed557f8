// A button that shows and hides a panel below it (the WAI-ARIA "disclosure" pattern),
// for the small menus: the SPID identity providers, the user's menu in the header.
// - aria-expanded on the button, aria-controls the panel, the panel `hidden` when closed;
// - Escape closes and gives the focus back to the button; a click or the focus
//   moving outside closes; Arrow Down/Up move between the panel's links and buttons
//   (Arrow Down on the closed button opens it, like a click);
// - a click that an earlier listener cancelled (preventDefault, e.g. the cookie notice
//   blocking login before consent) does not open the panel.

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([type="hidden"]):not([disabled])';

/**
 * Wires `button` to `panel` (which needs an id). `onOpen` runs at every opening.
 * Returns {open, close, isOpen}.
 */
export function disclosure(button, panel, { onOpen } = {}) {
  const root = button.parentElement;
  const isOpen = () => button.getAttribute('aria-expanded') === 'true';
  const set = (open) => {
    button.setAttribute('aria-expanded', String(open));
    panel.hidden = !open;
    if (open) onOpen?.();
  };
  const items = () => [...panel.querySelectorAll(FOCUSABLE)].filter((n) => n.offsetParent !== null);

  button.setAttribute('aria-controls', panel.id);
  set(false);

  button.addEventListener('click', (event) => {
    if (event.defaultPrevented) return;
    set(!isOpen());
  });

  root.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && isOpen()) {
      event.preventDefault();
      set(false);
      button.focus();
    } else if (event.key === 'ArrowDown' && event.target === button && !isOpen()) {
      event.preventDefault();
      button.click();
      if (isOpen()) items()[0]?.focus();
    } else if ((event.key === 'ArrowDown' || event.key === 'ArrowUp') && isOpen()) {
      const list = items();
      if (list.length === 0) return;
      event.preventDefault();
      const i = list.indexOf(document.activeElement);
      const next = event.key === 'ArrowDown'
        ? (i + 1) % list.length
        : (i <= 0 ? list.length - 1 : i - 1);
      list[next].focus();
    }
  });

  // composedPath(), not contains(): a click may remove its own target (e.g. "Riprova").
  document.addEventListener('click', (event) => {
    if (isOpen() && !event.composedPath().includes(root)) set(false);
  });
  root.addEventListener('focusout', (event) => {
    if (isOpen() && event.relatedTarget && !root.contains(event.relatedTarget)) set(false);
  });

  return { open: () => set(true), close: () => set(false), isOpen };
}
