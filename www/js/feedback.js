// Shared feedback patterns, so every page waits, succeeds and fails alike:
//   say(text)                      the polite live region (screen readers)
//   runBusy(button, label, fn, {region})
//                                  the button shows a spinner and label ("Saving…")
//                                  and refuses clicks while fn() runs
//   doneLine(id)                   a visible "Saved"-style line (role=status)
//   retryBox(text, retry)          an error with a Try again button; also retried
//                                  by itself when the browser comes back online

import { h } from './dom.js';
import { t } from './i18n.js';

/** The one polite live region, outside the redrawn parts of the page. */
function liveRegion() {
  let region = document.getElementById('announcer');
  if (!region) {
    region = h('div', { id: 'announcer', class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
    document.body.append(region);
  }
  return region;
}

/** Says text in the polite live region. */
export function say(text) {
  const region = liveRegion();
  region.textContent = '';
  // A fresh text node after clearing makes screen readers repeat equal messages.
  setTimeout(() => { region.textContent = text; }, 50);
}

/** True while button is in its busy state (clicks are to be ignored). */
export const isBusy = (button) => button?.classList.contains('is-busy') ?? false;

/**
 * Runs fn() with button in its busy state: a spinner and label instead of its
 * text, aria-disabled (it keeps focus, unlike disabled), aria-busy on region,
 * label said in the live region. Resolves or rejects as fn does; a second call
 * while busy resolves undefined at once without calling fn.
 */
export async function runBusy(button, label, fn, { region = null } = {}) {
  if (isBusy(button)) return undefined;
  const original = [...button.childNodes];
  const hadAriaDisabled = button.getAttribute('aria-disabled');
  button.classList.add('is-busy');
  button.setAttribute('aria-disabled', 'true');
  button.replaceChildren(h('span', { class: 'spinner', 'aria-hidden': 'true' }), h('span', {}, label));
  region?.setAttribute('aria-busy', 'true');
  say(label);
  try {
    return await fn();
  } finally {
    button.classList.remove('is-busy');
    if (hadAriaDisabled === null) button.removeAttribute('aria-disabled');
    else button.setAttribute('aria-disabled', hadAriaDisabled);
    button.replaceChildren(...original);
    region?.removeAttribute('aria-busy');
  }
}

/** A visible success line; show(text) fills it (screen readers read it: role=status). */
export function doneLine(id) {
  const line = h('p', { id, class: 'done-line', role: 'status', tabindex: '-1' });
  return {
    element: line,
    show(text) {
      line.textContent = '';
      line.append(h('span', { class: 'done-mark', 'aria-hidden': 'true' }, '✓'), ' ', text);
    },
    clear() {
      line.textContent = '';
    },
  };
}

// Retries of sections that failed, run again when the browser comes back online.
const waitingForNetwork = new Set();
window.addEventListener('online', () => {
  const retries = [...waitingForNetwork];
  waitingForNetwork.clear();
  for (const retry of retries) retry();
});

/**
 * An error box for a section that failed to load: text and a Try again button.
 * retry() is called on the click, or by itself when the browser goes online;
 * the box removes itself first. Returns the element to put where the section was.
 */
export function retryBox(text, retry) {
  const run = () => {
    waitingForNetwork.delete(run);
    if (!box.isConnected) return;
    const hadFocus = box.contains(document.activeElement);
    box.remove();
    retry({ hadFocus });
  };
  const button = h('button', { type: 'button', class: 'button button-small retry-button', onClick: run }, t('common.retry'));
  const box = h('div', { class: 'retry-box', role: 'alert' }, h('p', {}, text), button);
  waitingForNetwork.add(run);
  return box;
}

/** Forgets every pending online retry (the page they belong to is gone). */
export function forgetRetries() {
  waitingForNetwork.clear();
}
