// The screens reached without signing in: "Forgot password?" (Rocket.Chat's
// POST users.forgotPassword), and the two pages the mailed links open:
// #/reset-password/<token> (ours: POST users.resetPassword) and
// #/verify-email/<token> (ours: POST users.verifyEmail). app.js takes the
// token out of the address bar before these run, so it stays in no history.

import * as api from './api.js';
import { h, replaceChildren } from './dom.js';
import { describeError } from './errors.js';
import { runBusy } from './feedback.js';
import { t } from './i18n.js';
import { passwordMeter, passwordRefusal } from './pwmeter.js';

// A plain address check, as the server's (one @, no spaces); the server decides.
const looksLikeAddress = (s) => /^[^\s@]+@[^\s@]+$/.test(s);

function card(title, ...children) {
  return h('main', { class: 'signin', id: 'main' },
    h('div', { class: 'signin-card' },
      h('h1', { class: 'signin-title' }, t('app.name')),
      h('h2', { class: 'form-title', id: 'recovery-title', tabindex: '-1' }, title),
      ...children));
}

function field(id, label, input) {
  return h('div', { class: 'field' }, h('label', { for: id }, label), input);
}

/** "Forgot password?": asks for the address; the answer never says whether it is known. */
export function renderForgot(root, { onBack }) {
  let busy = false;
  const error = h('p', { class: 'form-error', role: 'alert', 'aria-live': 'assertive' });
  const status = h('p', { class: 'form-notice', role: 'status' });
  const emailInput = h('input', {
    id: 'forgot-email', name: 'email', type: 'email', autocomplete: 'email',
    autocapitalize: 'none', spellcheck: 'false', required: true, maxlength: '254',
  });
  const sendButton = h('button', { id: 'forgot-submit', type: 'submit', class: 'button button-primary' }, t('recovery.send'));
  const form = h('form', { class: 'form', novalidate: true, onSubmit: submit },
    h('p', { class: 'hint' }, t('recovery.forgotLead')),
    field('forgot-email', t('recovery.email'), emailInput),
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', id: 'forgot-back', class: 'button', onClick: onBack }, t('recovery.backToSignIn')),
      sendButton));
  replaceChildren(root, card(t('recovery.forgotTitle'), status, error, form));
  document.title = t('recovery.forgotDocumentTitle');
  emailInput.focus();

  async function submit(event) {
    event.preventDefault();
    if (busy) return;
    const email = emailInput.value.trim();
    error.textContent = '';
    if (!email) return showError(t('recovery.emailMissing'));
    if (!looksLikeAddress(email)) return showError(t('recovery.emailInvalid'));
    busy = true;
    try {
      await runBusy(sendButton, t('recovery.sending'), () => api.post('users.forgotPassword', { email }, { handle401: false }), { region: form });
      status.textContent = t('recovery.sent');
    } catch (err) {
      showError(describeError(err));
    } finally {
      busy = false;
    }
  }

  function showError(text) {
    error.textContent = text;
    status.textContent = '';
    emailInput.focus();
  }
}

/** The page a reset link opens: a new password twice, with the meter; onDone(notice) after success. */
export function renderResetPassword(root, token, { onDone, onForgot }) {
  let busy = false;
  const controller = new AbortController();
  const error = h('p', { class: 'form-error', role: 'alert', 'aria-live': 'assertive' });
  const rules = h('ul', { class: 'pwmeter-needs' });
  const newInput = h('input', { id: 'reset-password', name: 'new-password', type: 'password', autocomplete: 'new-password', required: true, maxlength: '1024' });
  const repeatInput = h('input', { id: 'reset-repeat', name: 'repeat-password', type: 'password', autocomplete: 'new-password', required: true, maxlength: '1024' });
  const saveButton = h('button', { id: 'reset-submit', type: 'submit', class: 'button button-primary' }, t('recovery.save'));
  const askAgain = h('button', { type: 'button', id: 'reset-ask-again', class: 'button-link', hidden: true, onClick: () => { controller.abort(); onForgot(); } }, t('recovery.askAgain'));
  const form = h('form', { class: 'form', novalidate: true, onSubmit: submit },
    field('reset-password', t('recovery.newPassword'), newInput),
    passwordMeter(newInput, { token, signal: controller.signal }),
    field('reset-repeat', t('recovery.repeatPassword'), repeatInput),
    h('div', { class: 'form-actions' }, saveButton));
  replaceChildren(root, card(t('recovery.resetTitle'), error, rules, h('p', { class: 'form-links' }, askAgain), form));
  document.title = t('recovery.resetDocumentTitle');
  newInput.focus();

  async function submit(event) {
    event.preventDefault();
    if (busy) return;
    error.textContent = '';
    replaceChildren(rules);
    if (!newInput.value) return showError(t('recovery.passwordMissing'), newInput);
    if (newInput.value !== repeatInput.value) return showError(t('recovery.mismatch'), repeatInput);
    busy = true;
    try {
      await runBusy(saveButton, t('recovery.saving'),
        () => api.post('users.resetPassword', { token, newPassword: newInput.value }, { handle401: false }), { region: form });
    } catch (err) {
      busy = false;
      const refused = passwordRefusal(err);
      if (refused) {
        replaceChildren(rules, refused.rules);
        return showError(refused.text, newInput);
      }
      if (err instanceof api.ApiError && err.errorType === 'error-invalid-token') {
        form.hidden = true;
        askAgain.hidden = false;
        return showError(t('recovery.linkInvalid'), askAgain);
      }
      return showError(describeError(err));
    }
    controller.abort();
    newInput.value = '';
    repeatInput.value = '';
    onDone(t('recovery.resetDone'));
  }

  function showError(text, focusTarget) {
    error.textContent = text;
    focusTarget?.focus();
  }
}

// One verification per token and page load, so a redraw (a language change)
// shows the same outcome instead of using the link a second time.
const verifications = new Map();

/** The page a verification link opens; onDone() continues (to the account or to sign-in). */
export async function renderVerifyEmail(root, token, { onDone, signedIn }) {
  const status = h('p', { class: 'form-notice', role: 'status' }, t('recovery.verifying'));
  const error = h('p', { class: 'form-error', role: 'alert', 'aria-live': 'assertive' });
  const next = h('button', { type: 'button', id: 'verify-continue', class: 'button button-primary', hidden: true, onClick: onDone },
    signedIn ? t('recovery.continue') : t('recovery.backToSignIn'));
  replaceChildren(root, card(t('recovery.verifyTitle'), status, error, h('div', { class: 'form-actions' }, next)));
  document.title = t('recovery.verifyDocumentTitle');
  if (!verifications.has(token)) verifications.set(token, api.post('users.verifyEmail', { token }, { handle401: false }));
  try {
    await verifications.get(token);
    status.textContent = t('recovery.verified');
  } catch (err) {
    status.textContent = '';
    error.textContent = err instanceof api.ApiError && err.errorType === 'error-invalid-token' ? t('recovery.verifyInvalid') : describeError(err);
  }
  next.hidden = false;
  next.focus();
}
