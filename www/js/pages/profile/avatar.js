// The avatar part of the Profile page: the picture as everyone sees it
// (GET /avatar/<username>), a new one from a file (the file picker, or
// dropped onto the picture), from an address the server fetches, and back to
// the generated default. Each takes effect at once (users.setAvatar with a
// multipart "image" or {avatarUrl}; users.resetAvatar), apart from the rest
// of the form, whose unsaved changes it leaves alone.
//
// The server decodes, checks and re-encodes every image; the checks here
// (an image type, a size) only spare a pointless upload.

import * as api from '../../api.js';
import { h } from '../../dom.js';
import { describeError } from '../../errors.js';
import { doneLine, runBusy } from '../../feedback.js';
import { t } from '../../i18n.js';
import { plainMessage } from './fielderrors.js';

const MAX_BYTES = 10 * 1024 * 1024; // under the web servers' 12 MiB body limit

/** Up to two initials, for the moment before the picture loads. */
function initials(me) {
  const source = (me.name || me.username || '?').trim();
  const parts = source.split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? parts[0][0] + parts[parts.length - 1][0] : source.slice(0, 2);
  return letters.toUpperCase();
}

/** The avatar's address with its ETag, so a changed picture is never served from cache. */
function pictureUrl(me) {
  if (!me.avatarUrl) return '';
  const url = new URL(me.avatarUrl, location.href);
  if (me.avatarETag) url.searchParams.set('etag', me.avatarETag);
  else url.searchParams.set('t', String(Date.now()));
  return url.href;
}

/** The sentence for a refused avatar change. */
function avatarError(err) {
  if (err instanceof api.ApiError) {
    if (err.status === 413) return t('profile.avatar.tooLarge');
    if (err.errorType === 'error-avatar-invalid-url') return t('profile.avatar.badUrl');
    if (err.errorType === 'error-avatar-url-handling') return t('profile.avatar.urlFailed');
    if (err.errorType === 'error-not-allowed') return t('profile.avatar.notAllowed');
    if (err.status === 400) return plainMessage(err);
  }
  return describeError(err);
}

/**
 * The avatar card for me (ctx.me, kept current here). editable: the admin
 * lets users change it; fromUrl: and lets the server fetch one from an
 * address. Returns the element.
 */
export function avatarSection({ me, signal, editable, fromUrl = true, announce }) {
  const fallback = h('span', { class: 'avatar avatar-fallback', 'aria-hidden': 'true' }, initials(me));
  const img = h('img', { id: 'profile-avatar-img', class: 'avatar profile-avatar-img', alt: t('profile.avatarAlt', { username: me.username || '' }), width: '96', height: '96', hidden: true });
  img.addEventListener('load', () => { img.hidden = false; fallback.hidden = true; });
  img.addEventListener('error', () => { img.hidden = true; fallback.hidden = false; });
  const refreshPicture = () => {
    const src = pictureUrl(me);
    if (src) img.src = src;
  };
  refreshPicture();

  const done = doneLine('profile-avatar-status');
  const error = h('p', { id: 'profile-avatar-error', class: 'form-error', role: 'alert' });
  const heading = h('h2', { id: 'profile-avatar-heading', class: 'section-title' }, t('profile.avatar.title'));
  // Who this is, as others see it: the name and the username beside the picture.
  const who = h('p', { class: 'profile-who' },
    me.name ? h('span', { class: 'profile-who-name' }, me.name) : null,
    h('span', { class: 'profile-who-username' }, me.username || ''));

  if (!editable) {
    return h('section', { class: 'card profile-avatar', 'aria-labelledby': heading.id },
      heading, h('div', { class: 'profile-avatar-row' }, h('div', { class: 'profile-avatar-preview' }, fallback, img),
        h('div', { class: 'profile-avatar-actions' }, who, h('p', { class: 'hint' }, t('profile.avatar.locked')))));
  }

  const fileInput = h('input', { type: 'file', id: 'profile-avatar-file', accept: 'image/*', hidden: true });
  const pickButton = h('button', { type: 'button', id: 'profile-avatar-pick', class: 'button' }, t('profile.avatar.upload'));
  const resetButton = h('button', { type: 'button', id: 'profile-avatar-reset', class: 'button button-danger', hidden: !me.avatarOrigin }, t('profile.avatar.reset'));
  const urlInput = h('input', { type: 'url', id: 'profile-avatar-url', inputmode: 'url', autocomplete: 'url', spellcheck: 'false', placeholder: 'https://', 'aria-describedby': 'profile-avatar-url-hint' });
  const urlButton = h('button', { type: 'button', id: 'profile-avatar-url-set', class: 'button' }, t('profile.avatar.useUrl'));
  const zone = h('div', { class: 'profile-avatar-preview profile-avatar-drop', id: 'profile-avatar-drop' }, fallback, img);
  let busy = false;

  /** Runs one change with button busy; on success reloads /me for the new ETag and shows it. */
  async function change(button, call, doneText) {
    if (busy) return;
    busy = true;
    error.textContent = '';
    done.clear();
    try {
      await runBusy(button, t('profile.avatar.saving'), call, { region: zone });
      if (signal.aborted) return;
      const fresh = await api.getMe({ signal });
      for (const key of ['avatarOrigin', 'avatarETag', 'avatarUrl']) {
        if (key in fresh) me[key] = fresh[key];
        else delete me[key];
      }
      refreshPicture();
      resetButton.hidden = !me.avatarOrigin;
      done.show(doneText);
      announce?.(doneText);
    } catch (err) {
      if (signal.aborted || err?.name === 'AbortError') return;
      error.textContent = avatarError(err);
    } finally {
      busy = false;
    }
  }

  function upload(file, button) {
    if (!file) return;
    error.textContent = '';
    if (!/^image\//.test(file.type)) {
      error.textContent = t('profile.avatar.notImage');
      return;
    }
    if (file.size > MAX_BYTES) {
      error.textContent = t('profile.avatar.tooLarge');
      return;
    }
    const body = new FormData();
    body.append('image', file, file.name || 'avatar');
    change(button, () => api.post('users.setAvatar', body, { signal }), t('profile.avatar.changed'));
  }

  pickButton.addEventListener('click', () => fileInput.click());
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    fileInput.value = ''; // the same file again is a new choice
    upload(file, pickButton);
  });
  urlButton.addEventListener('click', () => {
    const value = urlInput.value.trim();
    if (!/^https?:\/\/\S+$/i.test(value)) {
      error.textContent = t('profile.avatar.badUrl');
      urlInput.focus();
      return;
    }
    change(urlButton, () => api.post('users.setAvatar', { avatarUrl: value }, { signal }), t('profile.avatar.changed'))
      .then(() => { if (!error.textContent) urlInput.value = ''; });
  });
  urlInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault(); // not the profile form's submit
      urlButton.click();
    }
  });
  resetButton.addEventListener('click', () => change(resetButton,
    () => api.post('users.resetAvatar', {}, { signal }), t('profile.avatar.resetDone')));

  // Drag and drop onto the picture: the same upload as the picker.
  const dragging = (on) => zone.classList.toggle('is-dragging', on);
  zone.addEventListener('dragenter', (event) => { event.preventDefault(); dragging(true); });
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    dragging(true);
  });
  zone.addEventListener('dragleave', () => dragging(false));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    dragging(false);
    upload(event.dataTransfer?.files?.[0], pickButton);
  });

  return h('section', { class: 'card profile-avatar', 'aria-labelledby': heading.id },
    heading,
    h('div', { class: 'profile-avatar-row' },
      zone,
      h('div', { class: 'profile-avatar-actions' },
        who,
        h('p', { class: 'hint' }, t('profile.avatar.dropHint')),
        h('div', { class: 'profile-avatar-buttons' }, pickButton, resetButton),
        fileInput,
        fromUrl && h('div', { class: 'field' },
          h('label', { for: urlInput.id }, t('profile.avatar.fromUrl')),
          h('div', { class: 'profile-inline' }, urlInput, urlButton),
          h('p', { id: 'profile-avatar-url-hint', class: 'hint' }, t('profile.avatar.fromUrlHint'))))),
    error,
    done.element);
}
