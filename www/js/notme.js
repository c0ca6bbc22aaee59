// "This was not me": the page a new-sign-in notice links to
// (#/not-me/<token>). Nothing happens on opening it (mail scanners open
// links too); the button ends every session of the account and removes the
// tokens made since that sign-in (POST /api/v1/signin.notMe, ours), then
// the user signs in again and chooses a new password.

import * as api from './api.js';
import { h, replaceChildren } from './dom.js';
import { describeError } from './errors.js';
import { runBusy } from './feedback.js';
import { t } from './i18n.js';

/** The token of a #/not-me/<token> address, or null. */
export function notMeToken(hash = location.hash) {
  const match = /^#\/not-me\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(hash);
  return match ? match[1] : null;
}

/** Draws the page into root; done() leaves it (to the sign-in screen). */
export function renderNotMe(root, token, { done }) {
  const error = h('p', { class: 'form-error', role: 'alert' });
  const heading = h('h1', { class: 'signin-title', tabindex: '-1' }, t('notme.title'));
  const body = h('div', {});
  const confirm = h('button', { id: 'notme-confirm', type: 'button', class: 'button button-danger button-block', onClick: disown },
    t('notme.confirm'));
  const leave = h('button', { type: 'button', class: 'button button-block', onClick: () => done('') }, t('notme.cancel'));

  async function disown() {
    error.textContent = '';
    try {
      await runBusy(confirm, t('notme.working'), () => api.post('signin.notMe', { token }, { handle401: false }));
    } catch (err) {
      error.textContent = err.errorType === 'error-not-me-link-invalid' ? t('notme.invalid') : describeError(err);
      return;
    }
    replaceChildren(body,
      h('p', { role: 'status' }, t('notme.done')),
      h('p', {}, t('notme.next')),
      h('button', { id: 'notme-signin', type: 'button', class: 'button button-primary button-block', onClick: () => done(t('notme.done')) },
        t('notme.toSignIn')));
    heading.focus();
  }

  replaceChildren(body, h('p', {}, t('notme.explain')), error, h('div', { class: 'form-actions' }, confirm, leave));
  replaceChildren(root,
    h('main', { class: 'signin', id: 'main' },
      h('div', { class: 'signin-card' }, heading, body)));
  heading.focus();
}
