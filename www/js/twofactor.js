// The second factor for protected requests (API.md "2FA challenge", Rocket.Chat's
// flow): the request is sent as it is; when the server answers 400 totp-required,
// a modal dialog asks for the password, the authenticator code (or a backup code)
// or the emailed code, and the same request is sent again with the x-2fa-method
// and x-2fa-code headers, until it passes, the user cancels, or it fails for
// another reason. After one success the server remembers the second factor on
// this session for a while, so the dialog often does not appear at all.
// When the server offers more than one method (details.availableMethods, e.g.
// authenticator and email), the dialog lets the user switch: choosing email
// asks the server for a challenge by that method, which mails a code.
//
// The typed password is read from the field only to compute its SHA-256 digest
// (what the "password" method expects) and the field is emptied right away;
// neither is kept after the request, nor written to any storage.
//
//   const answer = await withSecondFactor((headers) => api.post('x', body, { headers }));
//
// Callers treat isCancelled(err) as "nothing happened" and show describeError(err)
// for everything else.

import * as api from './api.js';
import { h, uid } from './dom.js';
import { runBusy, say } from './feedback.js';
import { describeError } from './errors.js';
import { t } from './i18n.js';
import { sha256Hex } from './sha256.js';
import { PasskeyCancelled, answerWithPasskey, passkeysSupported } from './passkey.js';

/** The user closed the dialog. Named AbortError so generic handlers stay silent. */
export class SecondFactorCancelled extends Error {
  constructor() {
    super('second factor cancelled');
    this.name = 'AbortError';
  }
}

export const isCancelled = (err) => err instanceof SecondFactorCancelled || err instanceof PasskeyCancelled;

const hasType = (err, type) => err instanceof api.ApiError && err.errorType === type;
// Rocket.Chat's methods answer a wrong code with invalid-totp, its REST checks with totp-invalid.
const isWrongCode = (err) => hasType(err, 'totp-invalid') || hasType(err, 'invalid-totp');
const offers = (details, method) => Array.isArray(details.availableMethods) && details.availableMethods.includes(method);

/**
 * Runs send(headers) (a function making one API request with the given extra
 * headers, resolving with its answer) and answers the server's second-factor
 * challenge as described above. Resolves with send's result; rejects with its
 * ApiError (e.g. totp-max-attempts, or the action's own error), or with
 * SecondFactorCancelled. signal, when given, closes the dialog on abort.
 */
export async function withSecondFactor(send, { signal } = {}) {
  try {
    // A passkey, when the user has one, is asked for before any code.
    return await send(passkeysSupported() ? { 'x-2fa-method': 'webauthn' } : {});
  } catch (err) {
    if (!hasType(err, 'totp-required')) throw err;
    if (err.details?.method === 'webauthn') return passkeyOrCode(send, err.details, signal);
    return askAndRetry(send, err.details || {}, signal);
  }
}

/** The passkey; when the user closes its prompt and has a code method too, that one. */
async function passkeyOrCode(send, details, signal) {
  const other = (details.availableMethods || []).find((m) => m !== 'webauthn');
  try {
    return await answerWithPasskey(send, details, { signal });
  } catch (err) {
    if (!(err instanceof PasskeyCancelled) || !other) throw err;
  }
  try {
    return await send({ 'x-2fa-method': other });
  } catch (err) {
    if (!hasType(err, 'totp-required')) throw err;
    return askAndRetry(send, err.details || {}, signal);
  }
}

function askAndRetry(send, firstDetails, signal) {
  const opener = document.activeElement;
  return new Promise((resolve, reject) => {
    let details = firstDetails;
    let backupCode = false; // the totp method, with one of the 8-character backup codes
    let busy = false;
    let outcome = null; // {value} or {error} once the dialog is to close

    const titleId = uid('twofactor-title');
    const inputId = uid('twofactor-code');
    const helpId = uid('twofactor-help');
    const help = h('p', { id: helpId, class: 'hint' });
    const label = h('label', { for: inputId });
    const input = h('input', {
      id: inputId, name: 'code', required: true, autocapitalize: 'none', spellcheck: 'false',
      'aria-describedby': helpId,
    });
    const error = h('p', { class: 'form-error', role: 'alert', 'aria-live': 'assertive' });
    const status = h('p', { class: 'form-notice', role: 'status' });
    const backupButton = h('button', { type: 'button', class: 'button-link', onClick: useBackupCode }, t('signin.useBackupCode'));
    const resendButton = h('button', { type: 'button', class: 'button-link', onClick: resendEmailCode }, t('signin.resendCode'));
    const emailButton = h('button', { type: 'button', class: 'button-link', onClick: () => switchMethod('email') }, t('twofactor.useEmail'));
    const appButton = h('button', { type: 'button', class: 'button-link', onClick: () => switchMethod('totp') }, t('twofactor.useApp'));
    const cancelButton = h('button', { type: 'button', class: 'button', onClick: cancel }, t('common.cancel'));
    const confirmButton = h('button', { type: 'submit', class: 'button button-primary' }, t('twofactor.confirm'));
    const form = h('form', { class: 'form', novalidate: true, onSubmit: submit },
      help,
      h('div', { class: 'field' }, label, input),
      h('p', { class: 'form-links' }, backupButton, resendButton, appButton, emailButton),
      error,
      status,
      h('div', { class: 'dialog-actions' }, cancelButton, confirmButton));
    const dialog = h('dialog', { class: 'dialog twofactor-dialog', 'aria-labelledby': titleId },
      h('h2', { id: titleId, class: 'dialog-title' }, t('twofactor.title')),
      form);

    /** Shows the field for details.method (password, totp or email). */
    function showMethod() {
      const method = details.method;
      const isPassword = method === 'password';
      help.textContent = isPassword ? t('twofactor.byPassword')
        : method === 'email' ? t('signin.codeByEmail') : t('signin.codeByApp');
      label.textContent = isPassword ? t('signin.password') : backupCode ? t('signin.backupCode') : t('signin.code');
      input.type = isPassword ? 'password' : 'text';
      input.setAttribute('autocomplete', isPassword ? 'current-password' : 'one-time-code');
      input.setAttribute('inputmode', isPassword || backupCode ? 'text' : 'numeric');
      if (isPassword) input.removeAttribute('maxlength');
      else input.setAttribute('maxlength', '16');
      backupButton.hidden = method !== 'totp' || backupCode;
      resendButton.hidden = method !== 'email';
      emailButton.hidden = method === 'email' || !offers(details, 'email');
      appButton.hidden = (method === 'totp' && !backupCode) || !offers(details, 'totp');
    }

    function showError(text) {
      status.textContent = '';
      error.textContent = text;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }

    async function submit(event) {
      event.preventDefault();
      if (busy) return;
      const method = details.method;
      const isPassword = method === 'password';
      const typed = isPassword ? input.value : input.value.replace(/\s+/g, '');
      if (!typed) {
        showError(isPassword ? t('signin.passwordMissing') : t('signin.codeMissing'));
        return;
      }
      input.value = '';
      error.textContent = '';
      status.textContent = '';
      busy = true;
      // Cancel cannot stop a request already sent: it says so by looking disabled.
      cancelButton.setAttribute('aria-disabled', 'true');
      try {
        const code = isPassword ? await sha256Hex(typed) : typed;
        outcome = { value: await runBusy(confirmButton, t('twofactor.checking'),
          () => send({ 'x-2fa-method': method, 'x-2fa-code': code }), { region: form }) };
        dialog.close();
      } catch (err) {
        if (isWrongCode(err)) {
          showError(isPassword ? t('twofactor.wrongPassword') : t('signin.codeInvalid'));
        } else if (hasType(err, 'totp-required')) {
          // The server wants another method (e.g. 2FA was just switched on).
          details = err.details || {};
          backupCode = false;
          showMethod();
          showError(help.textContent);
        } else {
          outcome = { error: err };
          dialog.close();
        }
      } finally {
        busy = false;
        cancelButton.removeAttribute('aria-disabled');
      }
    }

    function useBackupCode() {
      backupCode = true;
      showMethod();
      input.focus();
    }

    /**
     * Another of the offered methods. The authenticator needs nothing from the
     * server; email asks for a challenge by email (x-2fa-method without a
     * code), which mails a code, and shows what the server then wants.
     */
    async function switchMethod(method) {
      if (busy) return;
      error.textContent = '';
      status.textContent = '';
      input.removeAttribute('aria-invalid');
      backupCode = false;
      if (method === 'totp') {
        details = { ...details, method };
        showMethod();
        input.focus();
        return;
      }
      busy = true;
      try {
        outcome = { value: await runBusy(emailButton, t('signin.sending'), () => send({ 'x-2fa-method': method }), { region: form }) };
        dialog.close(); // the server remembered an earlier success after all
      } catch (err) {
        if (hasType(err, 'totp-required')) {
          details = err.details || {};
          showMethod();
          // The help text now says a code was sent; screen readers hear it too.
          if (details.method === 'email') say(t('twofactor.emailSent'));
          input.focus();
        } else {
          error.textContent = describeError(err);
        }
      } finally {
        busy = false;
      }
    }

    /** Asks the server to e-mail a fresh code (Rocket.Chat's users.2fa.sendEmailCode). */
    async function resendEmailCode() {
      if (busy) return;
      busy = true;
      try {
        await runBusy(resendButton, t('signin.sending'),
          () => api.post('users.2fa.sendEmailCode', { emailOrUsername: details.emailOrUsername || '' }));
        error.textContent = '';
        status.textContent = t('signin.codeResent');
      } catch (err) {
        error.textContent = err instanceof api.ApiError && err.status === 429 && err.retryAfter
          ? describeError(err) : t('error.unexpected');
      } finally {
        busy = false;
      }
      input.focus();
    }

    // While a request runs the dialog stays: its answer (say, a new token) must
    // reach the caller, not be dropped by a Cancel pressed a moment too late.
    function cancel() {
      if (!busy) dialog.close();
    }
    const onAbort = cancel;
    dialog.addEventListener('cancel', (event) => {
      if (busy) event.preventDefault();
    });
    dialog.addEventListener('close', () => {
      signal?.removeEventListener('abort', onAbort);
      input.value = '';
      dialog.remove();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      if (outcome && 'value' in outcome) resolve(outcome.value);
      else if (outcome) reject(outcome.error);
      else reject(new SecondFactorCancelled());
    });
    signal?.addEventListener('abort', onAbort);

    showMethod();
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
  });
}
