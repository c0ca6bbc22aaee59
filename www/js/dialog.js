// A modal yes/no question (native <dialog>: focus stays inside, Esc cancels).

import { h } from './dom.js';
import { t } from './i18n.js';

/**
 * Asks the user to confirm an action. Resolves true when they chose confirmLabel,
 * false on Cancel (or cancelLabel) or Esc. Focus starts on Cancel (the safe choice) and returns to
 * the element that had it before.
 */
export function confirmAction({ title, message, confirmLabel, cancelLabel = '', danger = false }) {
  const opener = document.activeElement;
  return new Promise((resolve) => {
    let answer = false;
    const cancel = h('button', { type: 'button', class: 'button', onClick: () => dialog.close() }, cancelLabel || t('common.cancel'));
    const confirm = h('button', {
      type: 'button',
      class: danger ? 'button button-danger' : 'button button-primary',
      onClick: () => { answer = true; dialog.close(); },
    }, confirmLabel);
    const titleId = `dialog-title-${Date.now()}`;
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': titleId },
      h('h2', { id: titleId, class: 'dialog-title' }, title),
      message ? h('p', {}, message) : null,
      h('div', { class: 'dialog-actions' }, cancel, confirm));
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}
