// Security page, passkeys section: add one (with a name), list them (name,
// authenticator, added, last used, a clone warning), rename, remove.
// Adding and removing ask for the second factor (twofactor.js); the
// browser's own prompt does the rest (passkey.js).

import { confirmAction } from '../dialog.js';
import { h, replaceChildren, uid } from '../dom.js';
import { describeError } from '../errors.js';
import { doneLine, retryBox, runBusy } from '../feedback.js';
import { t } from '../i18n.js';
import {
  createPasskey, listPasskeys, passkeysSupported, removePasskey, renamePasskey,
} from '../passkey.js';
import { agoElement, timeElement } from '../time.js';
import { isCancelled, withSecondFactor } from '../twofactor.js';

const NAME_MAX = 64;

/** A small dialog asking for a new name; resolves with it, or null. */
function askName(current) {
  const opener = document.activeElement;
  return new Promise((resolve) => {
    let answer = null;
    const titleId = uid('passkey-rename-title');
    const inputId = uid('passkey-rename');
    const input = h('input', { id: inputId, value: current, maxlength: String(NAME_MAX), required: true, autocomplete: 'off' });
    const error = h('p', { class: 'form-error', role: 'alert' });
    const form = h('form', {
      class: 'form',
      novalidate: true,
      onSubmit: (event) => {
        event.preventDefault();
        const name = input.value.trim();
        if (!name) {
          error.textContent = t('passkeys.nameMissing');
          input.focus();
          return;
        }
        answer = name;
        dialog.close();
      },
    },
    h('div', { class: 'field' }, h('label', { for: inputId }, t('passkeys.name')), input),
    error,
    h('div', { class: 'dialog-actions' },
      h('button', { type: 'button', class: 'button', onClick: () => dialog.close() }, t('common.cancel')),
      h('button', { type: 'submit', class: 'button button-primary' }, t('passkeys.save'))));
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': titleId },
      h('h2', { id: titleId, class: 'dialog-title' }, t('passkeys.renameTitle')), form);
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
    input.select();
  });
}

/** What a failed passkey action tells the user. */
function passkeyError(err) {
  if (err?.errorType === 'error-passkey-invalid') return t('passkeys.failed');
  if (err?.errorType === 'error-passkey-already-registered') return t('passkeys.exists');
  if (err?.errorType === 'error-too-many-passkeys') return t('passkeys.tooMany');
  if (err?.name === 'InvalidStateError') return t('passkeys.exists'); // the browser knows it already
  if (err?.name === 'NotSupportedError' || err?.name === 'SecurityError') return t('passkeys.unsupported');
  return describeError(err);
}

export function passkeysSection({ signal }) {
  const heading = h('h2', { id: 'passkeys-heading', class: 'section-title', tabindex: '-1' }, t('passkeys.title'));
  const error = h('div', { class: 'passkeys-error' });
  const done = doneLine('passkeys-status');
  const list = h('ul', { class: 'passkey-list', 'aria-labelledby': 'passkeys-heading', 'aria-busy': 'true' });
  const empty = h('p', { class: 'muted', hidden: true }, t('passkeys.none'));
  const nameInput = h('input', {
    id: 'passkey-name', name: 'passkey-name', maxlength: String(NAME_MAX), autocomplete: 'off',
    required: true, 'aria-describedby': 'passkey-name-hint',
  });
  const addButton = h('button', { type: 'submit', id: 'passkey-add', class: 'button button-primary' }, t('passkeys.add'));
  const addForm = h('form', { class: 'form passkey-add', novalidate: true, onSubmit: add },
    h('div', { class: 'field' },
      h('label', { for: 'passkey-name' }, t('passkeys.name')),
      nameInput,
      h('p', { id: 'passkey-name-hint', class: 'hint' }, t('passkeys.nameHint'))),
    h('div', { class: 'section-actions' }, addButton));

  function item(p) {
    const name = p.name || '—';
    return h('li', { class: 'passkey', 'data-passkey-id': p.id },
      h('div', { class: 'passkey-head' },
        h('span', { class: 'passkey-name' }, name),
        p.cloneWarning ? h('span', { class: 'badge badge-warn' }, t('passkeys.cloneBadge')) : null),
      p.cloneWarning ? h('p', { class: 'form-error' }, t('passkeys.cloneWarning')) : null,
      h('dl', { class: 'passkey-facts' },
        h('dt', {}, t('passkeys.authenticator')), h('dd', {}, p.authenticator || t('passkeys.unknownAuthenticator')),
        h('dt', {}, t('passkeys.createdAt')), h('dd', {}, timeElement(p.createdAt)),
        h('dt', {}, t('passkeys.lastUsedAt')), h('dd', {}, p.lastUsedAt ? agoElement(p.lastUsedAt) : t('passkeys.neverUsed'))),
      h('div', { class: 'passkey-actions' },
        h('button', {
          type: 'button', class: 'button button-small', 'aria-label': t('passkeys.renameNamed', { name }),
          onClick: (event) => rename(p, event.currentTarget),
        }, t('passkeys.rename')),
        h('button', {
          type: 'button', class: 'button button-small button-danger', 'aria-label': t('passkeys.removeNamed', { name }),
          onClick: (event) => remove(p, event.currentTarget),
        }, t('passkeys.remove'))));
  }

  async function load() {
    list.setAttribute('aria-busy', 'true');
    try {
      const { passkeys = [] } = await listPasskeys({ signal });
      if (signal.aborted) return;
      replaceChildren(list, passkeys.map(item));
      empty.hidden = passkeys.length > 0;
    } catch (err) {
      if (signal.aborted || err.name === 'AbortError') return;
      error.replaceChildren(retryBox(describeError(err), ({ hadFocus }) => {
        load().then(() => { if (hadFocus && !signal.aborted) heading.focus(); });
      }));
    } finally {
      list.removeAttribute('aria-busy');
    }
  }

  /** Runs an action with its button busy; then reloads, says what happened. */
  async function act(button, busyLabel, call, doneText) {
    error.replaceChildren();
    done.clear();
    try {
      await runBusy(button, busyLabel, call, { region: list });
    } catch (err) {
      if (signal.aborted || isCancelled(err)) return false;
      error.replaceChildren(h('p', { class: 'form-error', role: 'alert' }, passkeyError(err)));
      return false;
    }
    if (signal.aborted) return false;
    await load();
    done.show(doneText);
    return true;
  }

  async function add(event) {
    event.preventDefault();
    const name = nameInput.value.trim();
    if (!name) {
      error.replaceChildren(h('p', { class: 'form-error', role: 'alert' }, t('passkeys.nameMissing')));
      nameInput.focus();
      return;
    }
    if (await act(addButton, t('passkeys.waiting'), () => createPasskey(name, withSecondFactor), t('passkeys.added'))) {
      nameInput.value = '';
      heading.focus();
    }
  }

  async function rename(p, button) {
    const name = await askName(p.name);
    if (name === null || name === p.name) return;
    if (await act(button, t('passkeys.saving'), () => renamePasskey(p.id, name), t('passkeys.renamed'))) heading.focus();
  }

  async function remove(p, button) {
    const ok = await confirmAction({
      title: t('passkeys.confirmRemoveTitle'),
      message: t('passkeys.confirmRemoveText', { name: p.name }),
      confirmLabel: t('passkeys.remove'),
      danger: true,
    });
    if (!ok) return;
    if (await act(button, t('passkeys.removing'), () => removePasskey(p.id, withSecondFactor), t('passkeys.removed'))) heading.focus();
  }

  const supported = passkeysSupported();
  if (supported) load();
  else list.removeAttribute('aria-busy');
  return h('section', { class: 'card section', id: 'passkeys', 'aria-labelledby': 'passkeys-heading' },
    heading,
    h('p', { class: 'hint' }, t('passkeys.intro')),
    supported ? null : h('p', { class: 'form-error' }, t('passkeys.unsupported')),
    done.element,
    error,
    supported ? empty : null,
    supported ? list : null,
    supported ? addForm : null);
}
