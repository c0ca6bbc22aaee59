// "Delete my account", shown only when the admin allows it: a dialog where
// the user types their username to confirm, then their password, sent as
// Rocket.Chat's users.deleteOwnAccount wants it ({password: hex SHA-256,
// confirmRelinquish}); an account without a password sends the SHA-256 of
// the username instead, as Rocket.Chat's does. The server always asks for a
// second factor here: the typed password serves as that too when the user
// has no other, and an authenticator or emailed code goes through
// twofactor.js. Afterwards the session is gone:
// ctx.endSession() shows the sign-in screen with a notice.

import * as api from '../../api.js';
import { h } from '../../dom.js';
import { describeError } from '../../errors.js';
import { runBusy } from '../../feedback.js';
import { t } from '../../i18n.js';
import { sha256Hex } from '../../sha256.js';
import { isCancelled, withSecondFactor } from '../../twofactor.js';

function deleteDialog({ me, signal, onDeleted }) {
  const opener = document.activeElement;
  const username = me.username || '';
  const hasPassword = me.services?.password?.exists !== false;
  const twoFactorOn = Boolean(me.services?.totp?.enabled || me.services?.email2fa?.enabled);
  const titleId = 'profile-delete-title';

  const typed = h('input', { id: 'profile-delete-username', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', 'aria-describedby': 'profile-delete-username-hint' });
  const password = hasPassword ? h('input', { id: 'profile-delete-password', type: 'password', autocomplete: 'current-password' }) : null;
  const typedError = h('p', { id: 'profile-delete-username-error', class: 'pref-error', role: 'alert' });
  const passwordError = h('p', { id: 'profile-delete-password-error', class: 'pref-error', role: 'alert' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const cancelButton = h('button', { type: 'button', class: 'button', onClick: () => { if (!busy) dialog.close(); } }, t('common.cancel'));
  const confirmButton = h('button', { type: 'submit', id: 'profile-delete-confirm', class: 'button button-danger', 'aria-disabled': 'true' }, t('profile.delete.confirm'));
  let busy = false;

  const matches = () => typed.value === username;
  typed.addEventListener('input', () => {
    typedError.textContent = '';
    typed.removeAttribute('aria-invalid');
    confirmButton.setAttribute('aria-disabled', String(!matches()));
  });

  function invalid(input, line, text) {
    line.textContent = text;
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  }

  async function submit(event) {
    event.preventDefault();
    if (busy) return;
    error.textContent = '';
    passwordError.textContent = '';
    password?.removeAttribute('aria-invalid');
    if (!matches()) {
      invalid(typed, typedError, t('profile.delete.typeMismatch', { username }));
      return;
    }
    if (password && !password.value) {
      invalid(password, passwordError, t('signin.passwordMissing'));
      return;
    }
    const digest = await sha256Hex(password ? password.value : username);
    if (password) password.value = '';
    busy = true;
    cancelButton.setAttribute('aria-disabled', 'true');
    // The server asks for a second factor on every deletion. Without an
    // authenticator or emailed codes that factor is the password, already
    // typed here: it goes along, so nobody is asked twice. (The first try
    // of withSecondFactor carries no code, only perhaps the passkey method.)
    const passwordFactor = password && !twoFactorOn ? { 'x-2fa-method': 'password', 'x-2fa-code': digest } : {};
    try {
      await runBusy(confirmButton, t('profile.delete.deleting'), () => withSecondFactor((headers) =>
        api.post('users.deleteOwnAccount', { password: digest, confirmRelinquish: true },
          { headers: headers['x-2fa-code'] ? headers : { ...headers, ...passwordFactor }, handle401: false }), { signal }),
      { region: form });
    } catch (err) {
      busy = false;
      cancelButton.removeAttribute('aria-disabled');
      if (isCancelled(err)) return;
      const wrongPassword = ['error-invalid-password', 'totp-invalid'].includes(err?.errorType);
      if (err instanceof api.ApiError && wrongPassword && password) {
        invalid(password, passwordError, t('twofactor.wrongPassword'));
      } else if (err instanceof api.ApiError && err.errorType === 'error-not-allowed') {
        error.textContent = t('profile.delete.notAllowed');
      } else {
        error.textContent = describeError(err);
      }
      return;
    }
    busy = false;
    deleted = true;
    dialog.close();
  }

  const form = h('form', { class: 'form', novalidate: true, onSubmit: submit },
    h('p', { id: `${titleId}-text` }, t('profile.delete.warning')),
    h('div', { class: 'field' },
      h('label', { for: typed.id }, t('profile.delete.typeUsername', { username })),
      h('p', { id: 'profile-delete-username-hint', class: 'hint' }, t('profile.delete.typeHint')),
      typed, typedError),
    password ? h('div', { class: 'field' },
      h('label', { for: password.id }, t('signin.password')), password, passwordError) : null,
    error,
    h('div', { class: 'dialog-actions' }, cancelButton, confirmButton));
  const dialog = h('dialog', { class: 'dialog profile-delete-dialog', 'aria-labelledby': titleId, 'aria-describedby': `${titleId}-text` },
    h('h2', { id: titleId, class: 'dialog-title' }, t('profile.delete.title')),
    form);
  let deleted = false;

  dialog.addEventListener('cancel', (event) => { if (busy) event.preventDefault(); });
  dialog.addEventListener('close', () => {
    if (password) password.value = '';
    dialog.remove();
    if (deleted) onDeleted();
    else if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
  });
  signal.addEventListener('abort', () => { if (dialog.open && !busy) dialog.close(); }, { once: true });
  document.body.append(dialog);
  dialog.showModal();
  typed.focus();
}

/** The "Delete my account" card; ctx as the page's. */
export function deleteSection(ctx) {
  const heading = h('h2', { id: 'profile-delete-heading', class: 'section-title' }, t('profile.delete.title'));
  const button = h('button', { type: 'button', id: 'profile-delete-open', class: 'button button-danger' }, t('profile.delete.open'));
  button.addEventListener('click', () => deleteDialog({
    me: ctx.me,
    signal: ctx.signal,
    onDeleted: () => ctx.endSession(t('profile.delete.done')),
  }));
  return h('section', { class: 'card section profile-delete', 'aria-labelledby': heading.id },
    heading,
    h('p', { class: 'hint' }, t('profile.delete.intro')),
    h('div', { class: 'section-actions' }, button));
}
