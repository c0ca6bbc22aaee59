// Username availability as you type: a short pause after the last key, then
// GET users.checkUsernameAvailability?username= ({result: bool}); when taken,
// GET users.getUsernameSuggestion offers a free one to take with one click.
// Only the answer for what the field still holds is shown; older ones are
// aborted or dropped.

import * as api from '../../api.js';
import { h } from '../../dom.js';
import { t } from '../../i18n.js';

const DELAY_MS = 400;

/**
 * Watches input (the username field) against current (the saved username).
 * status is the element that says what the server answered. onPick(value)
 * runs after the suggestion was taken. Returns {element, clear()}.
 */
export function watchUsername({ input, current, signal, onPick }) {
  const text = h('span', { class: 'profile-username-text' });
  const suggestion = h('button', { type: 'button', id: 'profile-username-suggestion', class: 'button-link', hidden: true });
  const element = h('p', { id: 'profile-username-status', class: 'profile-username-status', role: 'status' }, text, ' ', suggestion);
  let timer = null;
  let pending = null;

  function show(state, message) {
    element.dataset.state = state;
    text.textContent = message;
  }

  function clear() {
    clearTimeout(timer);
    pending?.abort();
    pending = null;
    delete element.dataset.state;
    text.textContent = '';
    suggestion.hidden = true;
  }

  async function offerSuggestion(controller) {
    try {
      const { result } = await api.get('users.getUsernameSuggestion', { signal: controller.signal });
      if (controller.signal.aborted || typeof result !== 'string' || !result) return;
      suggestion.textContent = t('profile.username.useSuggestion', { username: result });
      suggestion.dataset.value = result;
      suggestion.hidden = false;
    } catch {
      // No suggestion: the "taken" line stands alone.
    }
  }

  async function check(value) {
    const controller = new AbortController();
    pending = controller;
    signal.addEventListener('abort', () => controller.abort(), { once: true });
    show('checking', t('profile.username.checking'));
    try {
      const { result } = await api.get(`users.checkUsernameAvailability?username=${encodeURIComponent(value)}`,
        { signal: controller.signal });
      if (controller.signal.aborted || input.value.trim() !== value) return;
      if (result === true) {
        show('available', t('profile.username.available', { username: value }));
      } else {
        show('taken', t('profile.username.taken', { username: value }));
        await offerSuggestion(controller);
      }
    } catch (err) {
      if (controller.signal.aborted || err?.name === 'AbortError') return;
      // A name the server will not even look up (bad characters) answers 400.
      show('invalid', err instanceof api.ApiError && err.status === 400 ? t('profile.error.usernameInvalid') : t('profile.username.checkFailed'));
    }
  }

  input.addEventListener('input', () => {
    clear();
    const value = input.value.trim();
    if (!value || value === current) return;
    timer = setTimeout(() => check(value), DELAY_MS);
  });
  suggestion.addEventListener('click', () => {
    const value = suggestion.dataset.value;
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    onPick?.(value);
    input.focus();
  });
  signal.addEventListener('abort', clear);

  return { element, clear };
}
