// Which field of the Profile form a refused save is about, and the sentence
// to show next to it. The server speaks Rocket.Chat's errorTypes
// (reference §2.1, Appendix B); invalid-params names its field in
// details.field as the body path ("data.bio"). Rocket.Chat's own texts may
// hold markup ("<strong>x</strong> is already in use"), so the known cases
// get our translated sentence and the rest the server's text, as plain text.

import { ApiError } from '../../api.js';
import { describeError } from '../../errors.js';
import { t } from '../../i18n.js';

export const BIO_MAX = 260;
export const NICKNAME_MAX = 120;

// error-action-not-allowed says which edit in its message only
// (validateUserEditing: "Edit username is not allowed", ...).
const NOT_ALLOWED_BY_WORD = [
  [/username/i, 'username'],
  [/status/i, 'statusText'],
  [/real ?name/i, 'name'],
  [/e-?mail/i, 'email'],
  [/password/i, 'newPassword'],
];

/** errorType -> {field, text()}; field may be a function of (err, sent). */
const KNOWN = {
  'error-bio-size-exceeded': { field: 'bio', text: () => t('profile.error.bioTooLong', { max: BIO_MAX }) },
  'error-nickname-size-exceeded': { field: 'nickname', text: () => t('profile.error.nicknameTooLong', { max: NICKNAME_MAX }) },
  'error-invalid-status': { field: 'statusType', text: () => t('profile.error.statusInvalid') },
  'error-status-not-allowed': { field: 'statusType', text: () => t('profile.error.statusNotAllowed') },
  'username-invalid': { field: 'username', text: () => t('profile.error.usernameInvalid') },
  'error-invalid-username': { field: 'username', text: () => t('profile.error.usernameInvalid') },
  'error-blocked-username': { field: 'username', text: () => t('profile.error.usernameReserved') },
  'error-could-not-save-identity': { field: (err, sent) => ('username' in sent ? 'username' : 'name'), text: null },
  'error-field-unavailable': {
    field: (err, sent) => ('email' in sent && !('username' in sent && err.error.includes(sent.username)) ? 'email' : 'username'),
    text: (field) => (field === 'email' ? t('profile.error.emailTaken') : t('profile.error.usernameTaken')),
  },
  'error-invalid-email': { field: 'email', text: () => t('profile.error.emailInvalid') },
  'error-password-same-as-current': { field: 'newPassword', text: () => t('profile.error.passwordSame') },
  'error-password-in-history': { field: 'newPassword', text: () => t('profile.error.passwordInHistory') },
  'error-password-policy-not-met': { field: 'newPassword', text: () => t('profile.error.passwordPolicy') },
  'error-password-too-weak': { field: 'newPassword', text: () => t('profile.error.passwordWeak') },
  'error-action-not-allowed': {
    field: (err) => NOT_ALLOWED_BY_WORD.find(([re]) => re.test(err.error))?.[1] ?? null,
    text: () => t('profile.error.notAllowed'),
  },
  'totp-invalid': { field: 'currentPassword', text: () => t('twofactor.wrongPassword') },
};

/** The server's text without Rocket.Chat's " [errorType]" suffix. */
export function plainMessage(err) {
  return describeError(err).replace(/\s*\[[\w-]+\]$/, '');
}

/**
 * Where to show err, a refused users.updateOwnBasicInfo with body data sent:
 * {field, text}; field is a key of sent (or 'currentPassword'), or null for
 * the form's own error line.
 */
export function fieldError(err, sent) {
  if (!(err instanceof ApiError)) return { field: null, text: describeError(err) };
  const type = err.errorType || '';
  let known = KNOWN[type];
  // Older servers throw the rule's own code (error-password-policy-not-met-minLength); ours may add a strength one.
  if (!known && type.startsWith('error-password')) known = { field: 'newPassword', text: null };
  let field = null;
  if (known) field = typeof known.field === 'function' ? known.field(err, sent) : known.field;
  if (!field && err.details?.field) field = String(err.details.field).replace(/^data\./, '');
  if (field === 'currentPassword' && !('currentPassword' in sent)) field = null;
  if (field && field !== 'currentPassword' && !(field in sent)) field = null;
  const text = known?.text ? known.text(field) : plainMessage(err);
  return { field, text };
}

/**
 * The password rules the server said were not met, as rule ids (minLength,
 * oneNumber, ...): from details as a list of {error} (Rocket.Chat 7), from
 * details.reasons, or from an errorType that names one rule itself.
 */
export function failedRules(err) {
  if (!(err instanceof ApiError)) return [];
  const prefix = 'error-password-policy-not-met-';
  const list = Array.isArray(err.details) ? err.details
    : Array.isArray(err.details?.reasons) ? err.details.reasons : [];
  const ids = list.map((r) => String(r?.error ?? '')).filter((e) => e.startsWith(prefix)).map((e) => e.slice(prefix.length));
  if ((err.errorType || '').startsWith(prefix)) ids.push(err.errorType.slice(prefix.length));
  return ids;
}
