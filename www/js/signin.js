// The sign-in screen: username or email + password, then the 2FA step when the
// server asks for it (POST /api/v1/login answers 401 "totp-required").
// A user with several methods (the challenge's details.availableMethods)
// chooses among them: the authenticator app, a backup code (the totp method
// with an 8-character code), or a code by email; choosing email asks the
// server for an email challenge (x-2fa-method: email), which mails the code.
//
// The password is kept only while the 2FA step is open, and only in this
// closure, as the value sent to the server (its SHA-256 digest, see
// api.loginPassword); it is never written to storage. Leaving the 2FA step
// forgets it. While a request runs its button shows a spinner and a label.

import * as api from './api.js';
import { h, replaceChildren } from './dom.js';
import { describeError } from './errors.js';
import { runBusy } from './feedback.js';
import { t } from './i18n.js';
import { loginWithPasskey, passkeySignInButton } from './signin-passkey.js';

/** The ways to pass the 2FA step, and the server method each one uses. */
const CHOICES = [
  { id: 'app', method: 'totp', labelKey: 'signin.methodApp' },
  { id: 'backup', method: 'totp', labelKey: 'signin.methodBackup' },
  { id: 'email', method: 'email', labelKey: 'signin.methodEmail' },
];

/**
 * Draws the sign-in screen into root. onSignedIn() runs after a successful login
 * (the session cookie is then set). notice is an optional sentence shown above
 * the form, e.g. "You have signed out." onForgot() opens "Forgot password?"
 * (not offered when the admin switched password changes off, or without it).
 */
export function renderSignIn(root, { onSignedIn, notice = '', onForgot = null }) {
  let pending = null; // {user, password} while the 2FA step is open
  let method = ''; // the second factor asked for: 'totp' or 'email'
  let choice = ''; // what the user chose: 'app', 'backup' or 'email' (CHOICES)
  let busy = false;

  const error = h('p', { class: 'form-error', role: 'alert', 'aria-live': 'assertive' });
  const status = h('p', { class: 'form-notice', role: 'status' }, notice);

  // Step 1: who you are.
  const userInput = h('input', {
    id: 'signin-user', name: 'username', type: 'text', autocomplete: 'username',
    autocapitalize: 'none', spellcheck: 'false', required: true,
  });
  const passwordInput = h('input', {
    id: 'signin-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true,
  });
  const submitButton = h('button', { id: 'signin-submit', type: 'submit', class: 'button button-primary button-block' }, t('signin.submit'));
  const verifyButton = h('button', { id: 'signin-verify', type: 'submit', class: 'button button-primary' }, t('signin.verify'));
  const forgotButton = onForgot && h('button', { id: 'signin-forgot', type: 'button', class: 'button-link', onClick: onForgot }, t('signin.forgot'));
  const credentialsForm = h('form', { class: 'form', novalidate: true, onSubmit: submitCredentials },
    field('signin-user', t('signin.user'), userInput),
    field('signin-password', t('signin.password'), passwordInput),
    submitButton,
    passkeySignInButton({ onSignedIn, showError: (text) => showError(text) }),
    forgotButton && h('p', { class: 'form-links' }, forgotButton));

  // Step 2: the second factor.
  const codeInput = h('input', {
    id: 'signin-code', name: 'code', type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code',
    autocapitalize: 'none', spellcheck: 'false', maxlength: '16', required: true,
  });
  const codeLabel = h('label', { for: 'signin-code' }, t('signin.code'));
  const methodText = h('p', { id: 'signin-code-help', class: 'hint' });
  codeInput.setAttribute('aria-describedby', 'signin-code-help');
  const resendButton = h('button', { type: 'button', class: 'button-link', onClick: resendCode }, t('signin.resendCode'));
  const choiceRadios = {};
  const choiceGroup = h('fieldset', { class: 'signin-methods', hidden: true },
    h('legend', {}, t('signin.methodChoice')),
    CHOICES.map(({ id, labelKey }) => {
      choiceRadios[id] = h('input', { type: 'radio', name: 'signin-method', id: `signin-method-${id}`, value: id, onChange: () => choose(id) });
      return h('div', { class: 'radio-row', 'data-choice': id }, choiceRadios[id], h('label', { for: `signin-method-${id}` }, t(labelKey)));
    }));
  const codeForm = h('form', { class: 'form', novalidate: true, hidden: true, onSubmit: submitCode },
    h('h2', { class: 'form-title', id: 'signin-2fa-title', tabindex: '-1' }, t('signin.twoFactorTitle')),
    choiceGroup,
    methodText,
    h('div', { class: 'field' }, codeLabel, codeInput),
    h('p', { class: 'form-links' }, resendButton),
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', class: 'button', onClick: backToCredentials }, t('common.back')),
      verifyButton));

  replaceChildren(root,
    h('main', { class: 'signin', id: 'main' },
      h('div', { class: 'signin-card' },
        h('h1', { class: 'signin-title' }, t('app.name')),
        h('p', { class: 'signin-lead' }, t('signin.lead')),
        status,
        error,
        credentialsForm,
        codeForm)));
  document.title = t('signin.documentTitle');
  userInput.focus();

  function field(id, label, input) {
    return h('div', { class: 'field' }, h('label', { for: id }, label), input);
  }

  function showError(text, focusTarget) {
    error.textContent = text;
    status.textContent = '';
    if (focusTarget) focusTarget.focus();
  }

  /** Runs one login attempt; the busy flag ignores double submits (buttons stay focusable). */
  async function attempt(credentials, code) {
    if (busy) return;
    busy = true;
    const button = pending ? verifyButton : submitButton;
    const label = !pending ? t('signin.signingIn') : code ? t('signin.verifying') : t('signin.sending');
    try {
      await runBusy(button, label, () => send(credentials, code), { region: button.form });
    } finally {
      busy = false;
    }
  }

  async function send(credentials, code) {
    try {
      await api.login({ ...credentials, code, method: pending ? method : '' });
    } catch (err) {
      // A passkey as the second step: the browser's prompt, not a code field.
      if (!(err instanceof api.ApiError && err.error === 'totp-required' && err.details?.method === 'webauthn')) {
        handleFailure(err, credentials);
        return;
      }
      if (!(await loginWithPasskey(credentials, err.details, showError))) return;
    }
    pending = null;
    try {
      await onSignedIn();
    } catch (err) {
      // Logged in, but the next request was not: the cookie was not kept.
      const rejected = err instanceof api.ApiError && err.status === 401;
      showError(rejected ? t('signin.cookieRejected') : describeError(err));
    }
  }

  function handleFailure(err, credentials) {
    if (err instanceof api.ApiError && err.status === 401) {
      switch (err.error) {
        case 'totp-required':
          if (pending) showMethodAnswer(err.details || {});
          else showCodeStep(credentials, err.details || {});
          return;
        case 'totp-invalid':
          codeInput.value = '';
          showError(t('signin.codeInvalid'), codeInput);
          return;
        case 'totp-max-attempts':
          backToCredentials();
          // What to do next depends on the method: a new code is mailed, an app shows one anyway.
          showError(method === 'email' ? t('signin.codeMaxAttemptsEmail') : t('signin.codeMaxAttempts'), passwordInput);
          return;
        default:
          if (pending) backToCredentials();
          passwordInput.value = '';
          showError(t('signin.wrongCredentials'), passwordInput);
          return;
      }
    }
    showError(describeError(err), pending ? codeInput : null);
  }

  async function submitCredentials(event) {
    event.preventDefault();
    if (busy) return;
    const user = userInput.value.trim();
    if (!user) return showError(t('signin.userMissing'), userInput);
    if (!passwordInput.value) return showError(t('signin.passwordMissing'), passwordInput);
    error.textContent = '';
    const password = await api.loginPassword(passwordInput.value);
    await attempt({ user, password });
  }

  function showCodeStep(credentials, details) {
    pending = credentials;
    passwordInput.value = '';
    const offered = Array.isArray(details.availableMethods) ? details.availableMethods : [];
    const byEmail = details.method === 'email';
    for (const { id, method: needs } of CHOICES) {
      const row = choiceRadios[id].parentElement;
      row.hidden = !(offered.includes(needs) || (byEmail ? needs === 'email' : needs === 'totp'));
    }
    // A choice only when there is one: the app always comes with backup codes.
    choiceGroup.hidden = CHOICES.filter(({ id }) => !choiceRadios[id].parentElement.hidden).length < 2;
    codeInput.value = '';
    error.textContent = '';
    credentialsForm.hidden = true;
    codeForm.hidden = false;
    showChoice(byEmail ? 'email' : 'app');
    codeInput.focus();
  }

  /** Shows the field and hints for choice ('app', 'backup' or 'email'). */
  function showChoice(id) {
    choice = id;
    method = CHOICES.find((c) => c.id === id).method;
    choiceRadios[id].checked = true;
    methodText.textContent = t(id === 'email' ? 'signin.codeByEmail' : id === 'backup' ? 'signin.codeByBackup' : 'signin.codeByApp');
    codeLabel.textContent = t(id === 'backup' ? 'signin.backupCode' : 'signin.code');
    // Backup codes hold letters: let phones show a full keyboard.
    codeInput.setAttribute('inputmode', id === 'backup' ? 'text' : 'numeric');
    resendButton.hidden = id !== 'email';
  }

  /**
   * The user picked another method. Email needs a code sent first: a login
   * without a code but with x-2fa-method: email makes the server mail one
   * (its answer, totp-required for email, goes to showMethodAnswer).
   */
  async function choose(id) {
    if (!pending) return;
    const wasEmail = method === 'email';
    showChoice(id);
    error.textContent = '';
    status.textContent = '';
    codeInput.value = '';
    if (id === 'email' && !wasEmail) {
      await attempt(pending, '');
    }
  }

  /** The server's answer to a login without a code, while the code step is open. */
  function showMethodAnswer(details) {
    if (details.method === 'email' && choice === 'email') {
      status.textContent = t('signin.codeSent');
    } else if (details.method !== method) {
      showChoice(details.method === 'email' ? 'email' : 'app');
    }
  }

  async function submitCode(event) {
    event.preventDefault();
    const code = codeInput.value.replace(/\s+/g, '');
    if (!code) return showError(t('signin.codeMissing'), codeInput);
    if (!pending) return backToCredentials();
    error.textContent = '';
    await attempt(pending, code);
  }

  /** Asks the server to e-mail a fresh code (Rocket.Chat's users.2fa.sendEmailCode). */
  async function resendCode() {
    if (!pending || busy) return;
    busy = true;
    try {
      await runBusy(resendButton, t('signin.sending'), () => api.sendEmailCode(pending.user));
      error.textContent = '';
      status.textContent = t('signin.codeResent');
    } catch (err) {
      showError(describeError(err));
    } finally {
      busy = false;
    }
    codeInput.focus();
  }

  function backToCredentials() {
    pending = null;
    codeInput.value = '';
    codeForm.hidden = true;
    credentialsForm.hidden = false;
    error.textContent = '';
    passwordInput.focus();
  }
}
