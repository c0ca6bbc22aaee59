// Profile: the picture, who you are (name, username, nickname, bio), your
// status, your email address and its verification, your password; then
// "log out other locations" and, when the admin allows it, deleting the
// account. Rocket.Chat's My Account > Profile, on its REST API (reference §2).
//
// The form sends only what changed, in one users.updateOwnBasicInfo; an email
// or password change makes the server ask for the second factor, which
// twofactor.js answers (or the current password typed here, for accounts
// without 2FA). A refused save puts the server's reason next to the field it
// is about (profile/fielderrors.js). The avatar changes at once, apart from
// the form (profile/avatar.js). What the admin switched off (GET /api/info
// features, ctx.features) is shown read-only or not at all.
//
// Like Preferences: a sticky bar with Discard and Save (also Ctrl+S / Cmd+S),
// unsaved changes registered with unsaved.js (the draft never holds a
// password), and a save redraws the page from the fresh /me.

import * as api from '../api.js';
import { confirmAction } from '../dialog.js';
import { h, replaceChildren } from '../dom.js';
import { describeError } from '../errors.js';
import { doneLine, isBusy, runBusy } from '../feedback.js';
import { t } from '../i18n.js';
import { sha256Hex } from '../sha256.js';
import { isCancelled, withSecondFactor } from '../twofactor.js';
import { takeDraft, trackForm } from '../unsaved.js';
import { avatarSection } from './profile/avatar.js';
import { deleteSection } from './profile/deleteaccount.js';
import { BIO_MAX, NICKNAME_MAX, failedRules, fieldError } from './profile/fielderrors.js';
import { passwordFields } from './profile/password.js';
import { watchUsername } from './profile/username.js';

const STATUS_TEXT_MAX = 120; // Rocket.Chat's USER_STATUS_TEXT_MAX_LENGTH
const STATUSES = ['online', 'away', 'busy', 'offline'];
const STATUS_KEYS = {
  online: 'status.online',
  away: 'status.away',
  busy: 'status.busy',
  offline: 'status.offline',
};

// The text fields, in order: body key, input id, label, the admin switch that
// gates it (GET /api/info features; profileChange gates them all), a length
// the counter shows, and the input's attributes.
const TEXT_FIELDS = [
  { key: 'name', id: 'profile-name', labelKey: 'profile.name', feature: 'nameChange', attrs: { autocomplete: 'name' } },
  { key: 'username', id: 'profile-username', labelKey: 'profile.username', feature: 'usernameChange',
    attrs: { autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false' } },
  { key: 'nickname', id: 'profile-nickname', labelKey: 'profile.nickname', max: NICKNAME_MAX, attrs: { autocomplete: 'nickname' } },
  { key: 'bio', id: 'profile-bio', labelKey: 'profile.bio', max: BIO_MAX, multiline: true },
  { key: 'statusText', id: 'profile-status-text', labelKey: 'profile.statusText', feature: 'statusMessageChange', max: STATUS_TEXT_MAX },
  { key: 'email', id: 'profile-email', labelKey: 'profile.email', feature: 'emailChange',
    attrs: { type: 'email', autocomplete: 'email', autocapitalize: 'none', spellcheck: 'false', inputmode: 'email' } },
];

// What to say once after the redraw that follows a successful save, and
// whether focus goes to that line (the save was made from the button).
let pendingNotice = '';
let pendingFocus = false;

const length = (text) => [...text].length; // code points, as the server counts

/** The first address of me.emails (Rocket.Chat users have one they edit). */
function primaryEmail(me) {
  const emails = Array.isArray(me.emails) ? me.emails.filter((e) => e && e.address) : [];
  return emails[0] || null;
}

/** The status the user chose (statusDefault, as Rocket.Chat's setStatus
 *  stores it); status alone is presence, offline while not connected. */
function statusOf(me) {
  if (STATUSES.includes(me.statusDefault)) return me.statusDefault;
  return STATUSES.includes(me.status) && me.status !== 'offline' ? me.status : 'online';
}

/**
 * One labelled field: {row, input, setError(text)}. options: hint (a line
 * under it), counter (a max, shown as "n / max" and checked on save).
 */
function fieldRow(key, id, label, input, { hint = '', max = 0 } = {}) {
  input.id = id;
  input.dataset.key = key;
  const errorId = `${id}-error`;
  const hintId = hint ? `${id}-hint` : null;
  const counterId = max ? `${id}-counter` : null;
  const error = h('p', { id: errorId, class: 'pref-error profile-error', role: 'alert' });
  const counter = max ? h('span', { id: counterId, class: 'profile-counter hint' }) : null;
  const refreshCounter = () => {
    if (!counter) return;
    const n = length(input.value.trim());
    counter.textContent = t('profile.counter', { count: n, max });
    counter.classList.toggle('is-over', n > max);
  };
  input.addEventListener('input', refreshCounter);
  refreshCounter();
  input.setAttribute('aria-describedby', [hintId, counterId, errorId, input.getAttribute('aria-describedby')].filter(Boolean).join(' '));
  const row = h('div', { class: 'field profile-field', 'data-key': key },
    h('div', { class: 'profile-label-line' }, h('label', { for: id }, label), counter),
    input,
    hint ? h('p', { id: hintId, class: 'hint' }, hint) : null,
    error);
  return {
    row,
    input,
    refreshCounter,
    setError(text) {
      error.textContent = text;
      if (text) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    },
  };
}

/** A field the admin does not let users change: its value as text. */
function lockedRow(key, label, value) {
  const id = `profile-${key}-locked`;
  return h('div', { class: 'field profile-field profile-locked', 'data-key': key },
    h('span', { id, class: 'profile-label' }, label),
    h('p', { class: 'profile-readonly', 'aria-labelledby': id }, value || h('span', { class: 'muted' }, t('profile.notSet'))),
    h('p', { class: 'hint' }, t('profile.locked')));
}

/** The card "Log out other locations" (users.logoutOtherClients). */
function otherSessionsSection({ signal }) {
  const heading = h('h2', { id: 'profile-sessions-heading', class: 'section-title' }, t('profile.sessions.title'));
  const done = doneLine('profile-sessions-status');
  const error = h('p', { class: 'form-error', role: 'alert' });
  const button = h('button', { type: 'button', id: 'profile-logout-others', class: 'button' }, t('profile.sessions.logoutOthers'));
  button.addEventListener('click', async () => {
    const ok = await confirmAction({
      title: t('security.sessions.confirmOthersTitle'),
      message: t('security.sessions.confirmOthersText'),
      confirmLabel: t('profile.sessions.logoutOthers'),
      danger: true,
    });
    if (!ok) return;
    error.textContent = '';
    done.clear();
    try {
      await runBusy(button, t('security.sessions.loggingOut'), () => api.logoutOtherClients());
    } catch (err) {
      if (!signal.aborted) error.textContent = describeError(err);
      return;
    }
    if (signal.aborted) return;
    done.show(t('security.sessions.loggedOutOthers'));
    done.element.focus({ preventScroll: true });
  });
  return h('section', { class: 'card section profile-sessions', 'aria-labelledby': heading.id },
    heading,
    h('p', { class: 'hint' }, t('profile.sessions.intro')),
    error,
    h('div', { class: 'section-actions' }, button),
    done.element);
}

async function render(container, ctx) {
  const { me, signal, announce } = ctx;
  const features = ctx.features || {};
  const on = (name) => features[name] !== false; // missing = on
  const profileEditable = on('profileChange');
  const editable = (feature) => profileEditable && (!feature || on(feature));
  const passwordEditable = profileEditable && on('passwordChange');
  const twoFactorOn = Boolean(me.services?.totp?.enabled || me.services?.email2fa?.enabled);
  const hasPassword = me.services?.password?.exists === true;

  const policy = passwordEditable ? await api.get('pw.getPolicy', { signal }).catch(() => null) : null;
  if (signal.aborted) return;

  const email = primaryEmail(me);
  const saved = {
    name: me.name || '',
    username: me.username || '',
    nickname: me.nickname || '',
    bio: me.bio || '',
    statusText: me.statusText || '',
    statusType: statusOf(me),
    email: email?.address || '',
  };

  // ---- The fields -------------------------------------------------------
  const rows = new Map(); // key -> fieldRow() result, for the editable fields
  const locked = new Map(); // key -> element, for the others
  for (const spec of TEXT_FIELDS) {
    const label = t(spec.labelKey);
    if (!editable(spec.feature)) {
      locked.set(spec.key, lockedRow(spec.key, label, saved[spec.key]));
      continue;
    }
    const input = spec.multiline
      ? h('textarea', { rows: '3', ...spec.attrs }, saved[spec.key])
      : h('input', { type: 'text', value: saved[spec.key], ...spec.attrs });
    input.value = saved[spec.key];
    const hint = spec.key === 'email' ? t('profile.emailHint') : '';
    rows.set(spec.key, fieldRow(spec.key, spec.id, label, input, { max: spec.max, hint }));
  }
  const rowOf = (key) => rows.get(key)?.row ?? locked.get(key) ?? null;

  // Status type: a select with the status colour beside it.
  const showInvisible = on('invisibleStatus') || saved.statusType === 'offline';
  const statusSelect = h('select', {},
    STATUSES.filter((s) => s !== 'offline' || showInvisible).map((s) => h('option', { value: s }, t(STATUS_KEYS[s]))));
  statusSelect.value = saved.statusType;
  const statusDot = h('span', { class: 'status-dot profile-status-dot', 'aria-hidden': 'true' });
  const paintStatus = () => { statusDot.className = `status-dot profile-status-dot status-${statusSelect.value}`; };
  statusSelect.addEventListener('change', paintStatus);
  paintStatus();
  if (profileEditable) {
    const statusRow = fieldRow('statusType', 'profile-status-type', t('profile.status'), statusSelect);
    statusRow.row.insertBefore(h('div', { class: 'profile-inline profile-status-line' }, statusDot, statusSelect), statusRow.row.querySelector('.profile-error'));
    rows.set('statusType', statusRow);
  } else {
    locked.set('statusType', lockedRow('statusType', t('profile.status'), t(STATUS_KEYS[saved.statusType])));
  }

  // Username availability as you type.
  const usernameRow = rows.get('username');
  const usernameWatch = usernameRow ? watchUsername({ input: usernameRow.input, current: saved.username, signal }) : null;
  if (usernameWatch) usernameRow.row.insertBefore(usernameWatch.element, usernameRow.row.querySelector('.profile-error'));

  // Email: its verification state, and "resend" while not verified.
  const emailState = emailStatus({ email, signal, emailRow: rows.get('email') });

  // Password.
  const password = passwordEditable
    ? passwordFields({ policy, askCurrent: hasPassword && !twoFactorOn, signal, fieldRow })
    : null;
  if (password) {
    for (const [key, row] of Object.entries(password.rows)) if (row) rows.set(key, row);
  }

  // ---- Save bar ----------------------------------------------------------
  const mac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
  const shortcut = mac ? t('preferences.saveShortcutMac') : t('preferences.saveShortcut');
  const saveButton = h('button', {
    type: 'submit', id: 'profile-save', class: 'button button-primary', disabled: true,
    'aria-keyshortcuts': mac ? 'Meta+S' : 'Control+S', title: shortcut,
  }, t('profile.save'));
  const discardButton = h('button', { type: 'button', id: 'profile-discard', class: 'button', disabled: true }, t('preferences.discard'));
  const done = doneLine('profile-save-status');
  const saveError = h('p', { id: 'profile-save-error', class: 'form-error pref-save-error', role: 'alert' });

  /** The changed, non-secret fields: {key: value} as they would be sent. */
  function changed() {
    const data = {};
    for (const key of Object.keys(saved)) {
      const row = rows.get(key);
      if (!row) continue;
      const value = key === 'statusType' ? row.input.value : row.input.value.trim();
      if (value !== saved[key]) data[key] = value;
    }
    return data;
  }
  const passwordTyped = () => Boolean(password && Object.values(password.values()).some(Boolean));
  const isDirty = () => Object.keys(changed()).length > 0 || passwordTyped();
  const refreshSave = () => {
    const dirty = isDirty();
    saveButton.disabled = !dirty && !isBusy(saveButton);
    discardButton.disabled = !dirty;
  };
  const clearErrors = () => {
    for (const row of rows.values()) row.setError('');
    saveError.textContent = '';
  };

  /** Shows text at the field of key and focuses it; nothing is sent. */
  function refuse(key, text) {
    const row = rows.get(key);
    if (!row) {
      saveError.textContent = text;
      return;
    }
    row.setError(text);
    saveError.textContent = t('profile.saveFailedField');
    row.row.scrollIntoView({ block: 'center' });
    row.input.focus({ preventScroll: true });
  }

  /** The first thing to fix before sending, as {field, text}, or null. */
  function localCheck(data) {
    for (const spec of TEXT_FIELDS) {
      if (spec.max && spec.key in data && length(data[spec.key]) > spec.max) {
        return { field: spec.key, text: t('profile.error.tooLong', { max: spec.max }) };
      }
    }
    if ('username' in data && !data.username) return { field: 'username', text: t('profile.error.usernameMissing') };
    if ('email' in data && !/^[^\s@]+@[^\s@]+$/.test(data.email)) return { field: 'email', text: t('profile.error.emailInvalid') };
    return password?.check() ?? null;
  }

  async function save(event) {
    event?.preventDefault();
    if (isBusy(saveButton)) return;
    done.clear();
    clearErrors();
    const data = changed();
    const problem = localCheck(data);
    if (problem) {
      refuse(problem.field, problem.text);
      return;
    }
    const typed = password?.values() ?? {};
    if (typed.newPassword) data.newPassword = typed.newPassword;
    if (Object.keys(data).length === 0) return;
    if (typed.currentPassword && (data.newPassword || 'email' in data)) data.currentPassword = await sha256Hex(typed.currentPassword);

    const fromButton = document.activeElement === saveButton || document.activeElement === document.body;
    try {
      await runBusy(saveButton, t('profile.saving'), () => withSecondFactor(
        (headers) => api.post('users.updateOwnBasicInfo', { data }, { headers, signal }), { signal }), { region: form });
    } catch (err) {
      if (signal.aborted || isCancelled(err) || err?.name === 'AbortError') {
        refreshSave();
        return;
      }
      refreshSave();
      const { field, text } = fieldError(err, data);
      if (field === 'newPassword') password?.showFailed(failedRules(err));
      if (field) refuse(field, text);
      else saveError.textContent = `${t('profile.saveFailed')} ${text}`;
      return;
    }
    if (signal.aborted) return;
    pendingNotice = 'email' in data && data.email ? t('profile.savedEmail', { email: data.email }) : t('profile.saved');
    pendingFocus = fromButton;
    password?.reset();
    await ctx.refreshMe(); // app.js draws this page again from the new /me
  }

  function discard() {
    for (const [key, value] of Object.entries(saved)) {
      const row = rows.get(key);
      if (!row) continue;
      row.input.value = value;
      row.refreshCounter();
      row.input.dispatchEvent(new Event('change', { bubbles: true }));
    }
    usernameWatch?.clear();
    password?.reset();
    clearErrors();
    refreshSave();
    done.show(t('preferences.discarded'));
    done.element.focus({ preventScroll: true });
  }
  discardButton.addEventListener('click', discard);

  const savebar = h('div', { class: 'pref-savebar profile-savebar' },
    h('div', { class: 'pref-save-messages' }, saveError, done.element),
    h('span', { class: 'hint pref-shortcut', 'aria-hidden': 'true' }, shortcut),
    discardButton,
    saveButton);

  const card = (id, titleKey, ...children) => h('section', { class: 'card profile-section', 'aria-labelledby': `profile-${id}-heading` },
    h('h2', { id: `profile-${id}-heading`, class: 'section-title' }, t(titleKey)),
    ...children);

  const form = h('form', { class: 'prefs profile-form', novalidate: true, 'aria-label': t('profile.formLabel') },
    card('about', 'profile.section.about', rowOf('name'), rowOf('username'), rowOf('nickname'), rowOf('bio')),
    card('status', 'profile.section.status', rowOf('statusType'), rowOf('statusText')),
    card('email', 'profile.section.email', rowOf('email'), emailState),
    password ? card('password', 'profile.section.password', h('p', { class: 'hint' }, t('profile.password.intro')), password.element) : null,
    profileEditable ? savebar : h('p', { class: 'hint profile-locked-note' }, t('profile.lockedAll')));

  const edited = () => {
    refreshSave();
    if (isDirty()) done.clear();
  };
  form.addEventListener('input', edited);
  form.addEventListener('change', edited);
  form.addEventListener('submit', save);
  form.addEventListener('focusin', (event) => {
    keepClearOfBar(savebar, event.target);
    requestAnimationFrame(() => keepClearOfBar(savebar, event.target));
  });
  const onKey = (event) => {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 's' && profileEditable) {
      event.preventDefault();
      save();
    }
  };
  document.addEventListener('keydown', onKey);
  signal.addEventListener('abort', () => document.removeEventListener('keydown', onKey));
  trackForm({ key: 'profile', isDirty, draft: changed, signal });

  replaceChildren(container,
    avatarSection({ me, signal, editable: on('avatarChange'), fromUrl: on('avatarUrlFetch'), announce }),
    form,
    otherSessionsSection(ctx),
    features.deleteOwnAccount === true ? deleteSection(ctx) : null);

  // Changes kept when the session ended come back, unsaved (never passwords).
  const draft = takeDraft('profile', me._id);
  if (draft) {
    for (const [key, value] of Object.entries(draft)) {
      const row = rows.get(key);
      if (!row || typeof value !== 'string') continue;
      row.input.value = value;
      row.refreshCounter?.();
    }
    paintStatus();
    refreshSave();
    done.show(t('profile.draftRestored'));
    announce(t('profile.draftRestored'));
  } else if (pendingNotice) {
    done.show(pendingNotice);
    announce(pendingNotice);
    if (pendingFocus) done.element.focus({ preventScroll: true });
  }
  pendingNotice = '';
  pendingFocus = false;
}

/** Scrolls so that the focused control is not under the sticky save bar (WCAG 2.4.11). */
function keepClearOfBar(savebar, target) {
  if (!savebar.isConnected || savebar.contains(target) || !target.getBoundingClientRect) return;
  const bar = savebar.getBoundingClientRect();
  const box = target.getBoundingClientRect();
  const overlap = box.bottom + 8 - bar.top;
  if (overlap > 0 && box.top < bar.bottom) window.scrollBy(0, overlap);
}

/**
 * The line under the email field: verified or not, and for an unverified
 * address a "Resend verification email" button (users.sendConfirmationEmail).
 */
function emailStatus({ email, signal, emailRow }) {
  const line = h('div', { id: 'profile-email-state', class: 'profile-email-state' });
  if (!email) {
    line.append(h('span', { class: 'muted' }, t('profile.noEmail')));
    return line;
  }
  const badge = email.verified
    ? h('span', { class: 'badge badge-ok', id: 'profile-email-badge' }, t('profile.emailVerified'))
    : h('span', { class: 'badge badge-warn', id: 'profile-email-badge' }, t('profile.emailNotVerified'));
  line.append(badge);
  if (email.verified) return line;

  const done = doneLine('profile-email-resend-status');
  const error = h('p', { class: 'pref-error', role: 'alert' });
  const resend = h('button', { type: 'button', id: 'profile-email-resend', class: 'button button-small' }, t('profile.email.resend'));
  resend.addEventListener('click', async () => {
    done.clear();
    error.textContent = '';
    try {
      await runBusy(resend, t('signin.sending'), () => api.post('users.sendConfirmationEmail', { email: email.address }, { signal }));
    } catch (err) {
      if (!signal.aborted && err?.name !== 'AbortError') error.textContent = describeError(err);
      return;
    }
    if (!signal.aborted) done.show(t('profile.email.resent', { email: email.address }));
  });
  // Resending is about the saved address; while another one is typed it would mislead.
  emailRow?.input.addEventListener('input', () => {
    resend.hidden = emailRow.input.value.trim() !== email.address;
  });
  line.append(' ', h('span', { class: 'hint' }, t('profile.email.checkInbox')), ' ', resend, error, done.element);
  return line;
}

export default { render };
