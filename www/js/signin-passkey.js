// The sign-in screen's passkey parts, kept beside signin.js: the "Sign in
// with a passkey" button (passwordless, a discoverable passkey), and the
// passkey as the second step of a password sign-in. Hidden where the browser
// has no WebAuthn or the admin switched passkeys off.

import * as api from './api.js';
import { h } from './dom.js';
import { describeError } from './errors.js';
import { runBusy } from './feedback.js';
import { t } from './i18n.js';
import * as passkey from './passkey.js';

function failureText(err) {
  if (err instanceof api.ApiError && err.status === 401) return t('passkeys.signInFailed');
  if (err instanceof api.ApiError) return describeError(err);
  return t('passkeys.signInFailed');
}

/** The button; onSignedIn() runs once the session cookie is set. */
export function passkeySignInButton({ onSignedIn, showError }) {
  let busy = false;
  const button = h('button', {
    type: 'button', id: 'signin-passkey', class: 'button button-block',
    onClick: async () => {
      if (busy) return;
      busy = true;
      try {
        await runBusy(button, t('passkeys.waiting'), () => passkey.signInWithPasskey(), { region: button.form });
      } catch (err) {
        busy = false;
        if (!(err instanceof passkey.PasskeyCancelled)) showError(failureText(err));
        return;
      }
      busy = false;
      await onSignedIn();
    },
  }, t('passkeys.signIn'));
  const part = h('div', { class: 'signin-passkey', hidden: !passkey.passkeysSupported() },
    h('p', { class: 'signin-or', 'aria-hidden': 'true' }, t('passkeys.or')),
    button);
  if (!part.hidden) {
    api.getInfo().then((info) => { if (info.features?.passkeys === false) part.hidden = true; }, () => {});
  }
  return part;
}

/**
 * The passkey step of a password sign-in; true once signed in, false after
 * showing what went wrong (or nothing, when the user closed the prompt).
 */
export async function loginWithPasskey(credentials, details, showError) {
  try {
    await passkey.loginWithPasskey(credentials, details);
    return true;
  } catch (err) {
    if (!(err instanceof passkey.PasskeyCancelled)) showError(failureText(err));
    return false;
  }
}
