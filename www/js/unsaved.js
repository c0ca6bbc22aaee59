// Unsaved changes: the mounted page tells us whether it has any and what they
// are; app.js asks before leaving (another page, sign-out, closing the tab) and,
// when the session ends under the user, keeps them in sessionStorage so that
// the page can put them back after signing in again.
//
// Only preference values and form fields that are not secret are kept (a token
// name, a language): never a password, a code or a token value. A draft is tied
// to the user id, read once, and removed when read.

import { confirmAction } from './dialog.js';
import { t } from './i18n.js';

const PREFIX = 'myaccount.draft.';
let form = null; // {key, isDirty(), draft()} of the mounted page

/**
 * Registers the page's form: key names its draft ("preferences"), isDirty()
 * says whether anything would be lost, draft() returns the plain JSON to keep.
 * signal (the page's) unregisters it.
 */
export function trackForm({ key, isDirty, draft, signal }) {
  const entry = { key, isDirty, draft };
  form = entry;
  signal?.addEventListener('abort', () => {
    if (form === entry) form = null;
  });
}

/** True when the mounted page has changes that are not saved. */
export function hasUnsavedChanges() {
  return Boolean(form?.isDirty());
}

/** Stops asking about the mounted page's changes (the user chose to leave them). */
export function dropUnsavedChanges() {
  form = null;
}

/** Asks whether to leave the page without saving; true to leave. */
export function confirmLeave() {
  return confirmAction({
    title: t('unsaved.title'),
    message: t('unsaved.text'),
    confirmLabel: t('unsaved.leave'),
    cancelLabel: t('unsaved.stay'),
    danger: true,
  });
}

/** Keeps the mounted page's unsaved changes for userId; true when something was kept. */
export function keepDraft(userId) {
  if (!form || !userId || !form.isDirty()) return false;
  try {
    sessionStorage.setItem(PREFIX + form.key, JSON.stringify({ userId, data: form.draft() }));
    return true;
  } catch {
    return false; // storage switched off or full: nothing to restore, nothing broken
  }
}

/** The draft kept for key and userId (then removed), or null. */
export function takeDraft(key, userId) {
  let kept = null;
  try {
    kept = JSON.parse(sessionStorage.getItem(PREFIX + key) || 'null');
    sessionStorage.removeItem(PREFIX + key);
  } catch {
    return null;
  }
  return kept && kept.userId === userId && kept.data && typeof kept.data === 'object' ? kept.data : null;
}
