// Preferences: Rocket.Chat's My Account preferences, grouped as it groups them
// (Localization, User presence, Notifications, Messages, Highlights, Sound),
// saved with POST /api/v1/users.setPreferences.
//
// The page is a table of controls (SECTIONS below); each control reads and
// writes one preference key. Only the keys that differ from what was loaded are
// sent, so two browsers saving different keys never undo each other. Values
// come from /me (ctx.me.settings.preferences: the server's defaults merged with
// the user's own); the server checks every value against its declared spec and
// names the key it refuses, and that message is shown next to the field.
//
// The sticky save bar holds Discard and Save (also Ctrl+S / Cmd+S) and the
// line that says what happened; a focused control is never left under it.
// Unsaved changes are registered with unsaved.js: leaving asks first, and when
// the session ends they are kept and put back after signing in again.

import * as api from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { describeError } from '../errors.js';
import { doneLine, isBusy, runBusy } from '../feedback.js';
import { LANGUAGES, LANGUAGE_NAMES, t } from '../i18n.js';
import { formatDateTime } from '../time.js';
import { takeDraft, trackForm } from '../unsaved.js';
import { myDataSection } from './mydata.js';

/** Rocket.Chat's default sound ids (www/sounds/<id>.ogg); "none" = no sound. */
export const SOUNDS = ['chime', 'door', 'beep', 'chelle', 'ding', 'droplet', 'highbell', 'seasons',
  'telephone', 'outbound-call-ringing', 'call-ended', 'dialtone', 'ringtone'];

/** The idle time the server accepts, in seconds (lib/preferences.c). */
const IDLE_MIN = 60;
const IDLE_MAX = 86400;

// Choices of the select controls: [value, label key]. Values keep their JSON
// type (clockMode and messageViewMode are numbers).
const NOTIFY = [['all', 'preferences.notify.all'], ['mentions', 'preferences.notify.mentions'], ['nothing', 'preferences.notify.nothing']];
const EMAIL = [['mentions', 'preferences.email.mentions'], ['nothing', 'preferences.email.nothing']];
const CLOCK = [[0, 'preferences.clock.default'], [1, 'preferences.clock.12h'], [2, 'preferences.clock.24h']];
const THREADS = [['default', 'preferences.thread.default'], ['always', 'preferences.thread.always'], ['never', 'preferences.thread.never']];
const ENTER = [['normal', 'preferences.enter.normal'], ['alternative', 'preferences.enter.alternative'], ['desktop', 'preferences.enter.desktop']];
const VIEW = [[0, 'preferences.view.normal'], [1, 'preferences.view.cozy'], [2, 'preferences.view.compact']];
const SOUND_CHOICES = [['none', 'preferences.sound.none'], ...SOUNDS.map((id) => [id, `preferences.sound.${id}`])];

// Legacy values Rocket.Chat remaps when saving (emailNotificationMode); the
// control shows what the server would store.
const LEGACY = { emailNotificationMode: { all: 'mentions', disabled: 'nothing' } };

/**
 * The page, in order. Each control: key (the preference), kind (switch |
 * select with choices | number with min, max, invalidKey | words | sound |
 * volume | language), labelKey, optional hintKey; extra: 'testNotification'
 * adds that button after the control, 'clockExample' a line showing a time in
 * the saved format.
 */
const SECTIONS = [
  { id: 'localization', titleKey: 'preferences.section.localization', controls: [
    { key: 'language', kind: 'language', labelKey: 'preferences.language' },
  ] },
  { id: 'presence', titleKey: 'preferences.section.presence', controls: [
    { key: 'enableAutoAway', kind: 'switch', labelKey: 'preferences.enableAutoAway' },
    { key: 'idleTimeLimit', kind: 'number', min: IDLE_MIN, max: IDLE_MAX, labelKey: 'preferences.idleTimeLimit', hintKey: 'preferences.idleTimeLimitHint', invalidKey: 'preferences.idleTimeLimitInvalid' },
  ] },
  { id: 'notifications', titleKey: 'preferences.section.notifications', controls: [
    { key: 'desktopNotifications', kind: 'select', choices: NOTIFY, labelKey: 'preferences.desktopNotifications' },
    { key: 'desktopNotificationRequireInteraction', kind: 'switch', labelKey: 'preferences.desktopNotificationRequireInteraction', hintKey: 'preferences.desktopNotificationRequireInteractionHint', extra: 'testNotification' },
    { key: 'pushNotifications', kind: 'select', choices: NOTIFY, labelKey: 'preferences.pushNotifications' },
    { key: 'emailNotificationMode', kind: 'select', choices: EMAIL, labelKey: 'preferences.emailNotificationMode' },
  ] },
  { id: 'messages', titleKey: 'preferences.section.messages', controls: [
    { key: 'unreadAlert', kind: 'switch', labelKey: 'preferences.unreadAlert' },
    { key: 'showThreadsInMainChannel', kind: 'switch', labelKey: 'preferences.showThreadsInMainChannel' },
    { key: 'alsoSendThreadToChannel', kind: 'select', choices: THREADS, labelKey: 'preferences.alsoSendThreadToChannel' },
    { key: 'clockMode', kind: 'select', choices: CLOCK, labelKey: 'preferences.clockMode', extra: 'clockExample' },
    { key: 'useEmojis', kind: 'switch', labelKey: 'preferences.useEmojis' },
    { key: 'convertAsciiEmoji', kind: 'switch', labelKey: 'preferences.convertAsciiEmoji' },
    { key: 'autoImageLoad', kind: 'switch', labelKey: 'preferences.autoImageLoad' },
    { key: 'saveMobileBandwidth', kind: 'switch', labelKey: 'preferences.saveMobileBandwidth' },
    { key: 'collapseMediaByDefault', kind: 'switch', labelKey: 'preferences.collapseMediaByDefault' },
    { key: 'hideUsernames', kind: 'switch', labelKey: 'preferences.hideUsernames' },
    { key: 'hideRoles', kind: 'switch', labelKey: 'preferences.hideRoles' },
    { key: 'hideFlexTab', kind: 'switch', labelKey: 'preferences.hideFlexTab' },
    { key: 'displayAvatars', kind: 'switch', labelKey: 'preferences.displayAvatars' },
    { key: 'sendOnEnter', kind: 'select', choices: ENTER, labelKey: 'preferences.sendOnEnter', hintKey: 'preferences.sendOnEnterHint' },
    { key: 'messageViewMode', kind: 'select', choices: VIEW, labelKey: 'preferences.messageViewMode' },
  ] },
  { id: 'highlights', titleKey: 'preferences.section.highlights', controls: [
    { key: 'highlights', kind: 'words', labelKey: 'preferences.highlights', hintKey: 'preferences.highlightsHint' },
  ] },
  { id: 'sound', titleKey: 'preferences.section.sound', controls: [
    { key: 'newRoomNotification', kind: 'sound', labelKey: 'preferences.newRoomNotification' },
    { key: 'newMessageNotification', kind: 'sound', labelKey: 'preferences.newMessageNotification' },
    { key: 'muteFocusedConversations', kind: 'switch', labelKey: 'preferences.muteFocusedConversations' },
    { key: 'notificationsSoundVolume', kind: 'volume', labelKey: 'preferences.notificationsSoundVolume' },
    { key: 'masterVolume', kind: 'volume', labelKey: 'preferences.masterVolume' },
  ] },
];

// The key of what to say once after the redraw that follows a save which
// changed the language or clock mode (app.js draws the page from scratch then,
// in the new language).
let pendingNotice = '';

// The sound preview now playing, if any: one at a time.
let player = null;

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const inputId = (key) => `pref-${key}`;

/** "a, b ,, c" (commas or new lines) -> ["a", "b", "c"]. */
export function parseWords(text) {
  return text.split(/[,\n]/).map((w) => w.trim()).filter(Boolean);
}

/** The preference an invalid-params answer is about (details.field is its
 *  full path in the body, e.g. "data.highlights[2]"). */
function fieldOf(err, keys) {
  const key = String(err.details?.field ?? '').replace(/^data\./, '').replace(/\[\d+\].*$/, '');
  return keys.has(key) ? key : null;
}

/** The server's text without its " [errorType]" suffix, naming the key as
 *  the page shows it ("'highlights[1]'", not the body path "'data.highlights[1]'"). */
function plainMessage(err) {
  return describeError(err).replace(/\s*\[[\w-]+\]$/, '').replace(/'data\./g, "'");
}

/** A <select> of choices ([value, labelKey]) showing value; an unknown value gets its own option. */
function selectOf(id, choices, value) {
  const options = choices.map(([v, labelKey]) => h('option', { value: String(v) }, t(labelKey)));
  if (value !== undefined && !choices.some(([v]) => same(v, value))) {
    options.push(h('option', { value: String(value) }, String(value)));
  }
  const select = h('select', { id }, options);
  select.value = value === undefined ? String(choices[0][0]) : String(value);
  return select;
}

/** Reads a select back with the JSON type of its choices. */
function selectValue(select, choices) {
  const hit = choices.find(([v]) => String(v) === select.value);
  if (hit) return hit[0];
  return typeof choices[0][0] === 'number' && /^\d+$/.test(select.value) ? Number(select.value) : select.value;
}

/** Shows value in a <select>, adding an option for a value it does not offer. */
function setSelect(select, value) {
  const text = String(value);
  if (![...select.options].some((o) => o.value === text)) select.append(h('option', { value: text }, text));
  select.value = text;
}

/** Builds one control: {key, input, read() -> its JSON value, write(value), row (element), setError(text)}. */
function buildControl(spec, value, page) {
  const id = inputId(spec.key);
  const errorId = `${id}-error`;
  const hintId = spec.hintKey ? `${id}-hint` : null;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ');
  const error = h('p', { id: errorId, class: 'pref-error', role: 'alert' });
  const label = h('label', { for: id, class: 'pref-label' }, t(spec.labelKey));
  const hint = spec.hintKey ? h('p', { id: hintId, class: 'hint pref-hint' }, t(spec.hintKey)) : null;
  let input;
  let read;
  let write;
  let control;

  switch (spec.kind) {
    case 'switch':
      input = h('input', { type: 'checkbox', role: 'switch', id, class: 'pref-switch', checked: value === true });
      read = () => input.checked;
      write = (v) => { input.checked = v === true; };
      break;
    case 'number':
      input = h('input', { type: 'number', id, inputmode: 'numeric', min: String(spec.min), max: String(spec.max), step: '1', value: value === undefined ? '' : String(value) });
      // A number when it is one, else the text, so a bad entry still counts as a change.
      read = () => (/^\s*-?\d+\s*$/.test(input.value) ? Number(input.value) : input.value);
      write = (v) => { input.value = v === undefined || v === null ? '' : String(v); };
      break;
    case 'words':
      input = h('textarea', { id, rows: '3', spellcheck: 'false' }, Array.isArray(value) ? value.join(', ') : '');
      read = () => parseWords(input.value);
      write = (v) => { input.value = Array.isArray(v) ? v.join(', ') : ''; };
      break;
    case 'language': {
      // Language names are written in their own language, not translated.
      const codes = ['', ...LANGUAGES];
      if (value && !codes.includes(value)) codes.push(value);
      input = h('select', { id }, codes.map((code) => h('option', { value: code, lang: code || null },
        code ? (LANGUAGE_NAMES[code] || code) : t('preferences.languageDefault'))));
      input.value = value ?? '';
      read = () => input.value;
      write = (v) => setSelect(input, v ?? '');
      break;
    }
    case 'select':
      input = selectOf(id, spec.choices, LEGACY[spec.key]?.[value] ?? value);
      read = () => selectValue(input, spec.choices);
      write = (v) => setSelect(input, LEGACY[spec.key]?.[v] ?? v);
      break;
    case 'sound': {
      input = selectOf(id, SOUND_CHOICES, value);
      // An icon, named by aria-label: the sound names need the room (no label cut off).
      const play = h('button', { type: 'button', id: `${id}-play`, class: 'button button-small pref-play', title: t('preferences.play') },
        h('span', { 'aria-hidden': 'true' }, '▶'));
      const playLabel = () => t('preferences.playNamed', { sound: input.selectedOptions[0]?.textContent || '' });
      const refresh = () => {
        play.disabled = input.value === 'none';
        play.setAttribute('aria-label', playLabel());
      };
      play.addEventListener('click', () => page.playSound(input.value, spec.key));
      input.addEventListener('change', refresh);
      refresh();
      read = () => input.value;
      write = (v) => { setSelect(input, v); refresh(); };
      control = h('div', { class: 'pref-inline' }, input, play);
      break;
    }
    case 'volume': {
      input = h('input', { type: 'range', id, min: '0', max: '100', step: '1', value: String(value ?? 100) });
      const output = h('output', { for: id, class: 'pref-volume-value' });
      const refresh = () => {
        output.textContent = t('preferences.volumeValue', { value: input.value });
        input.setAttribute('aria-valuetext', output.textContent);
      };
      input.addEventListener('input', refresh);
      refresh();
      read = () => Number(input.value);
      write = (v) => { input.value = String(v ?? 100); refresh(); };
      control = h('div', { class: 'pref-inline' }, input, output);
      break;
    }
    default:
      throw new Error(`unknown control kind ${spec.kind}`);
  }
  input.setAttribute('aria-describedby', describedBy);
  input.dataset.key = spec.key;

  const kindClass = spec.kind === 'switch' ? 'pref-row pref-row-switch' : 'pref-row';
  const row = h('div', { class: kindClass, 'data-key': spec.key },
    label, control || input, hint, error);

  return {
    key: spec.key,
    input,
    read,
    write,
    row,
    setError(text) {
      error.textContent = text;
      if (text) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    },
  };
}

/** The "Test desktop notification" button and the line that says what happened. */
function notificationTest(requireInteraction) {
  const status = h('p', { id: 'pref-test-notification-status', class: 'hint pref-test-status', role: 'status' });
  const button = h('button', { type: 'button', id: 'pref-test-notification', class: 'button' }, t('preferences.testNotification'));

  button.addEventListener('click', async () => {
    status.textContent = '';
    if (!('Notification' in window)) {
      status.textContent = t('preferences.testNotificationUnsupported');
      return;
    }
    let permission = Notification.permission;
    // Asking is only allowed from a click, which this is.
    if (permission === 'default') permission = await Notification.requestPermission();
    if (permission !== 'granted') {
      status.textContent = t('preferences.testNotificationDenied');
      return;
    }
    try {
      const shown = new Notification(t('preferences.testNotificationTitle'), {
        body: t('preferences.testNotificationBody'),
        icon: new URL('../../favicon.svg', import.meta.url).href,
        tag: 'myaccount-test-notification',
        requireInteraction: requireInteraction(),
      });
      shown.addEventListener('click', () => {
        window.focus();
        shown.close();
      });
      status.textContent = t('preferences.testNotificationSent');
    } catch {
      // Android Chrome only shows notifications through a service worker.
      status.textContent = t('preferences.testNotificationFailed');
    }
  });
  return h('div', { class: 'pref-row pref-row-action' }, button, status);
}

function render(container, ctx) {
  const { me, signal, announce } = ctx;
  me.settings ??= {};
  me.settings.preferences ??= {};
  // Shared with app.js (ctx.me is its copy of /me): kept current after a save.
  const prefs = me.settings.preferences;

  const controls = new Map();
  const mac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
  const shortcut = mac ? t('preferences.saveShortcutMac') : t('preferences.saveShortcut');
  const saveButton = h('button', {
    type: 'submit', id: 'pref-save', class: 'button button-primary', disabled: true,
    'aria-keyshortcuts': mac ? 'Meta+S' : 'Control+S', title: shortcut,
  }, t('preferences.save'));
  const discardButton = h('button', { type: 'button', id: 'pref-discard', class: 'button', disabled: true, onClick: discard }, t('preferences.discard'));
  const done = doneLine('pref-save-status');
  const saveStatus = done.element;
  const saveError = h('p', { id: 'pref-save-error', class: 'form-error pref-save-error', role: 'alert' });
  const baseline = {};
  let soundError = null;

  const page = {
    /** Plays sound id at the volume the sliders show now. */
    playSound(id, key) {
      player?.pause();
      player = null;
      soundError?.setError('');
      if (id === 'none') return;
      const volume = (controls.get('notificationsSoundVolume').read() / 100) * (controls.get('masterVolume').read() / 100);
      const audio = new Audio(new URL(`../../sounds/${id}.ogg`, import.meta.url).href);
      audio.volume = Math.min(1, Math.max(0, volume));
      player = audio;
      audio.play().catch((err) => {
        if (err?.name === 'AbortError' || signal.aborted) return; // stopped by the next preview
        soundError = controls.get(key);
        soundError.setError(t('preferences.playFailed'));
      });
    },
  };

  const changed = () => {
    const data = {};
    for (const [key, control] of controls) {
      const value = control.read();
      if (!same(value, baseline[key])) data[key] = value;
    }
    return data;
  };
  const isDirty = () => Object.keys(changed()).length > 0;
  const refreshSave = () => {
    const dirty = isDirty();
    saveButton.disabled = !dirty && !isBusy(saveButton);
    discardButton.disabled = !dirty;
  };

  const sections = SECTIONS.map((section) => {
    const headingId = `pref-section-${section.id}`;
    const rows = [];
    for (const spec of section.controls) {
      const control = buildControl(spec, prefs[spec.key], page);
      controls.set(spec.key, control);
      rows.push(control.row);
      if (spec.extra === 'testNotification') {
        rows.push(notificationTest(() => controls.get('desktopNotificationRequireInteraction').read()));
      }
      if (spec.extra === 'clockExample') {
        const example = h('p', { class: 'hint pref-hint', id: 'pref-clock-example' },
          t('preferences.clockModeExample', { time: formatDateTime(new Date()) }));
        control.row.insertBefore(example, control.row.lastChild);
      }
    }
    return h('section', { class: 'card pref-section', 'aria-labelledby': headingId },
      h('h2', { id: headingId, class: 'section-title' }, t(section.titleKey)),
      rows);
  });
  for (const control of controls.values()) baseline[control.key] = control.read();

  async function save(event) {
    event?.preventDefault();
    if (isBusy(saveButton)) return;
    done.clear();
    saveError.textContent = '';
    for (const control of controls.values()) control.setError('');
    const data = changed();
    if (Object.keys(data).length === 0) return;

    // Numbers are checked here too, to say it in the user's language.
    for (const spec of SECTIONS.flatMap((section) => section.controls)) {
      const value = data[spec.key];
      if (spec.kind !== 'number' || value === undefined) continue;
      if (!Number.isInteger(value) || value < spec.min || value > spec.max) {
        refuse(spec.key, t(spec.invalidKey, { min: spec.min, max: spec.max }));
        return;
      }
    }

    // Save keeps focus while busy (aria-disabled); from the button, focus moves to
    // the line that says "saved", since the button is then disabled.
    const fromButton = document.activeElement === saveButton || document.activeElement === document.body;
    let answer;
    try {
      answer = await runBusy(saveButton, t('preferences.saving'),
        () => api.post('users.setPreferences', { data }, { signal }), { region: form });
    } catch (err) {
      if (signal.aborted || err?.name === 'AbortError') return;
      refreshSave();
      const key = err instanceof api.ApiError && err.errorType === 'invalid-params' ? fieldOf(err, controls) : null;
      if (key) refuse(key, plainMessage(err));
      else saveError.textContent = `${t('preferences.saveFailed')} ${describeError(err)}`;
      return;
    }
    if (signal.aborted) return;

    // The answer holds everything now stored (other browsers' keys too).
    Object.assign(prefs, answer?.user?.settings?.preferences ?? data);
    if ('language' in prefs) me.language = prefs.language;
    if ('language' in data || 'clockMode' in data) {
      // app.js switches language / clock and draws this page again.
      pendingNotice = 'preferences.saved';
      await ctx.applyPreferences(prefs);
      return;
    }
    for (const control of controls.values()) baseline[control.key] = control.read();
    refreshSave();
    done.show(t('preferences.saved')); // visible, and a live region: screen readers say it
    if (fromButton) saveStatus.focus({ preventScroll: true });
  }

  /** Puts every control back to what was loaded or last saved. */
  function discard() {
    for (const control of controls.values()) {
      control.write(baseline[control.key]);
      control.setError('');
    }
    saveError.textContent = '';
    refreshSave();
    done.show(t('preferences.discarded'));
    saveStatus.focus({ preventScroll: true });
  }

  /** Scrolls so that the focused control is not under the sticky save bar (WCAG 2.4.11). */
  function keepClearOfBar(target) {
    if (savebar.contains(target) || !target.getBoundingClientRect) return;
    const bar = savebar.getBoundingClientRect();
    const box = target.getBoundingClientRect();
    const overlap = box.bottom + 8 - bar.top;
    if (overlap > 0 && box.top < bar.bottom) window.scrollBy(0, overlap);
  }

  /** Shows text next to the field of key, focuses it; nothing is saved. */
  function refuse(key, text) {
    const control = controls.get(key);
    control.setError(text);
    saveError.textContent = t('preferences.saveFailedField');
    // Centred, so the sticky save bar does not cover the message.
    control.row.scrollIntoView({ block: 'center' });
    control.input.focus({ preventScroll: true });
  }

  const savebar = h('div', { class: 'pref-savebar' },
    h('div', { class: 'pref-save-messages' }, saveError, saveStatus),
    h('span', { class: 'hint pref-shortcut', 'aria-hidden': 'true' }, shortcut),
    discardButton,
    saveButton);
  const form = h('form', { class: 'prefs', novalidate: true, 'aria-label': t('nav.preferences') },
    sections,
    savebar);
  const edited = () => {
    refreshSave();
    if (isDirty()) done.clear(); // "Saved" no longer holds
  };
  form.addEventListener('input', edited);
  form.addEventListener('change', edited);
  form.addEventListener('submit', save);
  form.addEventListener('focusin', (event) => {
    keepClearOfBar(event.target);
    // The browser may scroll the focused control into view after this event.
    requestAnimationFrame(() => keepClearOfBar(event.target));
  });
  const onKey = (event) => {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 's') {
      event.preventDefault(); // not the browser's "save page"
      save();
    }
  };
  document.addEventListener('keydown', onKey);
  signal.addEventListener('abort', () => {
    document.removeEventListener('keydown', onKey);
    player?.pause();
    player = null;
  });
  trackForm({ key: 'preferences', isDirty, draft: changed, signal });

  // My Data has buttons of its own, outside the form and its save bar.
  replaceChildren(container, form, myDataSection({ signal, announce }));

  // Changes kept when the session ended (unsaved.js) come back, unsaved.
  const draft = takeDraft('preferences', me._id);
  if (draft) {
    for (const [key, value] of Object.entries(draft)) controls.get(key)?.write(value);
    refreshSave();
    done.show(t('preferences.draftRestored'));
    announce(t('preferences.draftRestored'));
  } else if (pendingNotice) {
    // A region drawn with its text already in it is not read out: say it too.
    done.show(t(pendingNotice));
    announce(t(pendingNotice));
    saveStatus.focus({ preventScroll: true });
  }
  pendingNotice = '';
}

export default { render };
