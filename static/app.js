// The one first-party script. Everything works without it; it adds the NHS components and htmx.
import { initAll } from '/static/nhsuk/nhsuk-frontend.min.js';
import '/static/htmx/htmx.esm.min.js';

document.body.classList.add('nhsuk-frontend-supported', 'js-enabled');
initAll();

// "Print this page" on the public pages: a button only where there is JavaScript to press it
// (without it, the browser's own print command prints the same sheet).
for (const button of document.querySelectorAll('[data-print]')) {
  button.hidden = false;
  button.addEventListener('click', () => window.print());
}

// ---------- Session time-out warning (WCAG 2.2.1 Timing adjustable) ----------
// Signed-in pages carry the idle time-out on <body data-idle-minutes>. At least 2 minutes before
// it ends, a dialog offers to stay signed in: one button, which asks the server to keep the
// session (any signed-in request does) without leaving the page, so nothing typed is lost.
// Without JavaScript there is no warning; the accessibility statement says so.
// The server writes a session's idle expiry at most every minute (a thirtieth of the time-out if
// shorter: touchSlackMs in src/accounts/queries.ts), so the session may end that much sooner than a
// full time-out after this page: count from the earliest.
const idleMinutes = Number(document.body.dataset.idleMinutes);
if (idleMinutes > 0) startTimeoutWarning(idleMinutes * 60_000 - Math.min(60_000, (idleMinutes * 60_000) / 30));

function startTimeoutWarning(idleMs) {
  const warnAfterMs = idleMs > 120_000 ? idleMs - 120_000 : idleMs / 2;
  let lastActive = Date.now();
  let warnTimer;
  let endTimer;
  let countdown;
  let returnFocusTo = null;

  const dialog = document.createElement('dialog');
  dialog.className = 'nhsuk-u-padding-5 tasters-timeout';
  dialog.setAttribute('aria-labelledby', 'timeout-title');
  dialog.setAttribute('aria-describedby', 'timeout-message');
  dialog.innerHTML = `
    <h2 class="nhsuk-heading-m" id="timeout-title"></h2>
    <p class="nhsuk-body" id="timeout-message"></p>
    <div class="tasters-actions" id="timeout-actions"></div>`;
  document.body.append(dialog);
  const title = dialog.querySelector('#timeout-title');
  const message = dialog.querySelector('#timeout-message');
  const actions = dialog.querySelector('#timeout-actions');

  function button(text, className, onClick) {
    const element = document.createElement('button');
    element.type = 'button';
    element.className = className;
    element.textContent = text;
    element.addEventListener('click', onClick);
    return element;
  }

  function minutesLeft() {
    const left = Math.max(0, idleMs - (Date.now() - lastActive));
    const minutes = Math.ceil(left / 60_000);
    return minutes <= 1 ? (left > 30_000 ? '1 minute' : 'less than a minute') : `${minutes} minutes`;
  }

  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    clearInterval(countdown);
    warnTimer = setTimeout(warn, Math.max(0, warnAfterMs - (Date.now() - lastActive)));
    endTimer = setTimeout(signedOut, Math.max(0, idleMs - (Date.now() - lastActive)));
  }

  function open() {
    if (!dialog.open) {
      returnFocusTo = document.activeElement;
      dialog.showModal();
    }
  }

  function close() {
    clearInterval(countdown);
    if (dialog.open) dialog.close();
    if (returnFocusTo && typeof returnFocusTo.focus === 'function') returnFocusTo.focus();
  }

  function warn() {
    title.textContent = 'You will be signed out soon';
    message.innerHTML =
      'For your security, you will be signed out in <strong aria-live="polite" id="timeout-left"></strong> if you do not do anything. Anything you have typed will stay on this page.';
    const left = message.querySelector('#timeout-left');
    left.textContent = minutesLeft();
    countdown = setInterval(() => {
      const text = minutesLeft();
      if (left.textContent !== text) left.textContent = text;
    }, 5_000);
    const stay = button('Stay signed in', 'nhsuk-button', stayActive);
    actions.replaceChildren(stay, button('Sign out', 'nhsuk-button nhsuk-button--secondary', signOut));
    open();
    stay.focus();
  }

  function signedOut() {
    clearInterval(countdown);
    title.textContent = 'You have been signed out';
    message.textContent = `You were signed out because you did not use Tasters for ${idleMs / 60_000} minutes. Anything you typed is still on this page: copy what you need, then sign in again.`;
    const back = button('Close this message', 'nhsuk-button', close);
    const signIn = document.createElement('a');
    signIn.className = 'nhsuk-button nhsuk-button--secondary';
    signIn.setAttribute('role', 'button');
    signIn.href = `/sign-in?returnTo=${encodeURIComponent(location.pathname + location.search)}`;
    signIn.textContent = 'Sign in again';
    actions.replaceChildren(back, signIn);
    open();
    back.focus();
  }

  async function stayActive() {
    const token = JSON.parse(document.body.getAttribute('data-hx-headers:inherited') || '{}')['x-csrf-token'] || '';
    try {
      const response = await fetch('/session/keep-alive', { method: 'POST', headers: { 'x-csrf-token': token }, credentials: 'same-origin' });
      if (response.status === 204) {
        activity();
        close();
        return;
      }
      if (response.status === 401) {
        signedOut();
        return;
      }
    } catch {
      // Fall through: the service could not be reached.
    }
    message.textContent = 'The service could not be reached to keep you signed in. Check your connection and try again.';
  }

  function signOut() {
    const form = document.querySelector('form[action="/sign-out"]');
    if (form) form.requestSubmit();
  }

  function activity() {
    lastActive = Date.now();
    schedule();
  }

  // Escape keeps the person signed in, as closing a warning should not lose their work.
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    if (title.textContent === 'You will be signed out soon') void stayActive();
    else close();
  });
  // Every request htmx sends to the server keeps the session alive too.
  document.addEventListener('htmx:after:request', activity);
  schedule();
}

// ---------- Confirmation dialogs ----------
// A link marked data-opens-dialog="id" leads to a confirmation page, which is how it works without
// JavaScript. With it, the same confirmation, already in the page as <dialog id="id">, opens as a
// modal instead: Escape or "No" closes it (a form with method="dialog") and focus returns to the link.
document.addEventListener('click', (event) => {
  const opener = event.target instanceof Element ? event.target.closest('[data-opens-dialog]') : null;
  if (!opener) return;
  const dialog = document.getElementById(opener.getAttribute('data-opens-dialog'));
  if (!(dialog instanceof HTMLDialogElement) || typeof dialog.showModal !== 'function') return;
  event.preventDefault();
  dialog.showModal();
  dialog.addEventListener('close', () => opener.isConnected && opener.focus(), { once: true });
});
