// Security page: the end-to-end encryption key. Set it (a new key pair made
// here, encrypted under an E2E password the user chooses), change its
// password (decrypted with the old one and encrypted with the new one here,
// the same key pair, stored with force), or reset it (the server removes the
// keys and signs the user out everywhere; the page then goes to sign-in).
// The E2E password never leaves this browser (e2ekey.js); the password
// fields are emptied as soon as they are read.

import * as api from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { describeError } from '../errors.js';
import { doneLine, runBusy } from '../feedback.js';
import { t } from '../i18n.js';
import * as e2ekey from '../e2ekey.js';
import { isCancelled, withSecondFactor } from '../twofactor.js';

const MIN_LENGTH = 8; // ours: Rocket.Chat sets no minimum for a typed E2E password

function passwordField(id, labelKey, autocomplete, hintId) {
  const input = h('input', { id, type: 'password', autocomplete, required: true, spellcheck: 'false', 'aria-describedby': hintId || null });
  return { input, element: h('div', { class: 'field' }, h('label', { for: id }, t(labelKey)), input) };
}

/** The section. me: /me's user; endSession(notice): back to sign-in after a reset. */
export function e2eSection({ me, signal, endSession }) {
  let keys = null; // {public_key, private_key} as stored, or null when none
  const heading = h('h2', { id: 'e2e-heading', class: 'section-title', tabindex: '-1' }, t('security.e2e.title'));
  const state = h('p', { id: 'e2e-state', class: 'security-state' });
  const body = h('div', { class: 'e2e-body' });
  const done = doneLine('e2e-status');
  const warning = h('p', { class: 'tokens-secret-warning', id: 'e2e-warning' }, t('security.e2e.warning'));

  // -- Set a key, or change its password: one form, fields by case.
  const current = passwordField('e2e-current', 'security.e2e.current', 'current-password');
  const next = passwordField('e2e-password', 'security.e2e.password', 'new-password', 'e2e-password-hint');
  const confirm = passwordField('e2e-confirm', 'security.e2e.confirm', 'new-password');
  const formError = h('p', { id: 'e2e-error', class: 'form-error', role: 'alert', 'aria-live': 'assertive' });
  const submit = h('button', { type: 'submit', id: 'e2e-save', class: 'button button-primary' });
  const form = h('form', { class: 'form e2e-form', novalidate: true, onSubmit: save },
    current.element,
    next.element,
    h('p', { id: 'e2e-password-hint', class: 'hint' }, t('security.e2e.passwordHint', { min: MIN_LENGTH })),
    confirm.element,
    formError,
    h('div', { class: 'form-actions' }, submit));

  // -- Reset, with the username typed to confirm.
  const resetInput = h('input', { id: 'e2e-reset-confirm', type: 'text', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'none', 'aria-describedby': 'e2e-reset-text' });
  const resetError = h('p', { class: 'form-error', role: 'alert', 'aria-live': 'assertive' });
  const resetButton = h('button', { type: 'submit', id: 'e2e-reset', class: 'button button-danger' }, t('security.e2e.reset'));
  const resetForm = h('form', { class: 'form e2e-reset', novalidate: true, onSubmit: reset },
    h('h3', { class: 'subsection-title' }, t('security.e2e.resetTitle')),
    h('p', { id: 'e2e-reset-text' }, t('security.e2e.resetText')),
    h('div', { class: 'field' },
      h('label', { for: 'e2e-reset-confirm' }, t('security.e2e.resetConfirm', { username: me.username || '' })),
      resetInput),
    resetError,
    h('div', { class: 'form-actions' }, resetButton));

  function draw() {
    const has = Boolean(keys);
    replaceChildren(state,
      h('span', { class: has ? 'badge badge-ok' : 'badge' }, t(has ? 'security.e2e.hasKey' : 'security.e2e.noKey')), ' ',
      t(has ? 'security.e2e.isSet' : 'security.e2e.isUnset'));
    current.element.hidden = !has;
    submit.textContent = t(has ? 'security.e2e.change' : 'security.e2e.set');
    for (const f of [current, next, confirm]) f.input.value = '';
    replaceChildren(body,
      h('h3', { class: 'subsection-title' }, t(has ? 'security.e2e.changeTitle' : 'security.e2e.setTitle')),
      warning,
      form,
      has ? resetForm : null);
  }

  function showError(text, field) {
    formError.textContent = text;
    for (const f of [current, next, confirm]) f.input.removeAttribute('aria-invalid');
    if (field) {
      field.setAttribute('aria-invalid', 'true');
      field.focus();
    }
  }

  /** What is wrong with the new password, as [text, field], or null. */
  function passwordProblem(password, repeated) {
    const problem = e2ekey.passwordProblem(password);
    if (problem === 'empty') return [t('security.e2e.passwordMissing'), next.input];
    if (problem === 'characters') return [t('security.e2e.passwordCharacters'), next.input];
    if (password.length < MIN_LENGTH) return [t('security.e2e.passwordShort', { min: MIN_LENGTH }), next.input];
    if (password !== repeated) return [t('security.e2e.passwordMismatch'), confirm.input];
    return null;
  }

  async function save(event) {
    event.preventDefault();
    done.clear();
    const [old, password, repeated] = [current.input.value, next.input.value, confirm.input.value];
    if (keys && !old) return showError(t('security.e2e.currentMissing'), current.input);
    const problem = passwordProblem(password, repeated);
    if (problem) return showError(...problem);
    for (const f of [current, next, confirm]) f.input.value = '';
    showError('');
    const changing = Boolean(keys);
    try {
      await runBusy(submit, t(changing ? 'security.e2e.changing' : 'security.e2e.setting'), async () => {
        let publicKey = keys?.public_key;
        let privateKey;
        if (changing) {
          privateKey = await e2ekey.decryptPrivateKey(keys.private_key, old, me._id);
        } else {
          ({ publicKey, privateKey } = await e2ekey.createKeyPair());
        }
        const stored = await e2ekey.encryptPrivateKey(privateKey, password, me._id);
        privateKey = null;
        const request = { public_key: publicKey, private_key: stored };
        if (changing) request.force = true; // the same pair, a new password
        await api.post('e2e.setUserPublicAndPrivateKeys', request);
        keys = { public_key: publicKey, private_key: stored };
      }, { region: form });
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof e2ekey.WrongPassword) return showError(t('security.e2e.currentWrong'), current.input);
      return showError(err instanceof api.ApiError && err.errorType === 'error-keys-already-set'
        ? t('security.e2e.alreadySet') : describeError(err), null);
    }
    if (signal.aborted) return;
    draw();
    heading.focus();
    done.show(t(changing ? 'security.e2e.changed' : 'security.e2e.saved'));
  }

  async function reset(event) {
    event.preventDefault();
    resetError.textContent = '';
    if (resetInput.value.trim() !== (me.username || '')) {
      resetError.textContent = t('security.e2e.resetMismatch');
      resetInput.setAttribute('aria-invalid', 'true');
      resetInput.focus();
      return;
    }
    resetInput.removeAttribute('aria-invalid');
    try {
      // The server answers, then ends every session of this user, this one too.
      await runBusy(resetButton, t('security.e2e.resetting'),
        () => withSecondFactor((headers) => api.post('users.resetE2EKey', undefined, { headers, handle401: false })), { region: resetForm });
    } catch (err) {
      if (isCancelled(err) || signal.aborted) return;
      resetError.textContent = describeError(err);
      return;
    }
    endSession(t('security.e2e.resetDone'));
  }

  async function load() {
    replaceChildren(body, h('p', { class: 'muted', role: 'status' }, t('common.loading')));
    try {
      const answer = await api.get('e2e.fetchMyKeys', { signal });
      if (signal.aborted) return;
      keys = typeof answer.public_key === 'string' && answer.public_key && typeof answer.private_key === 'string'
        ? { public_key: answer.public_key, private_key: answer.private_key } : null;
      draw();
    } catch (err) {
      if (signal.aborted || err.name === 'AbortError') return;
      replaceChildren(body, h('p', { class: 'form-error', role: 'alert' }, describeError(err)));
    }
  }

  const section = h('section', { class: 'card section', 'aria-labelledby': 'e2e-heading' },
    heading,
    h('p', { class: 'hint' }, t('security.e2e.intro')),
    state,
    done.element,
    body);
  if (!e2ekey.isAvailable()) {
    // WebCrypto exists only on https (or localhost): no key can be made here.
    replaceChildren(body, h('p', { class: 'notice', role: 'status' }, t('security.e2e.needsHttps')));
  } else {
    load();
  }
  return section;
}
