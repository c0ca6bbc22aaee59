// Profile: who you are (avatar, name, username, email addresses, status), read-only.

import { h } from '../dom.js';
import { t } from '../i18n.js';

const STATUS_KEYS = {
  online: 'status.online',
  away: 'status.away',
  busy: 'status.busy',
  offline: 'status.offline',
};

/** Up to two initials for the avatar stand-in. */
function initials(me) {
  const source = (me.name || me.username || '?').trim();
  const parts = source.split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? parts[0][0] + parts[parts.length - 1][0] : source.slice(0, 2);
  return letters.toUpperCase();
}

/** The initials now; the picture replaces them once (and if) it loads. */
function avatar(me) {
  const fallback = h('span', { class: 'avatar avatar-fallback', 'aria-hidden': 'true' }, initials(me));
  if (me.avatarUrl) {
    const img = h('img', { class: 'avatar', alt: t('profile.avatarAlt', { username: me.username || '' }), width: '96', height: '96' });
    img.addEventListener('load', () => fallback.replaceWith(img), { once: true });
    img.src = me.avatarUrl;
  }
  return fallback;
}

function emailItem(email) {
  return h('li', { class: 'email' },
    h('span', { class: 'email-address' }, email.address),
    ' ',
    email.verified
      ? h('span', { class: 'badge badge-ok' }, t('profile.emailVerified'))
      : h('span', { class: 'badge badge-warn' }, t('profile.emailNotVerified')));
}

function fact(label, ...value) {
  return [h('dt', {}, label), h('dd', {}, ...value)];
}

export default {
  render(container, { me }) {
    const emails = Array.isArray(me.emails) ? me.emails.filter((e) => e && e.address) : [];
    const status = me.status || 'offline';
    container.append(
      h('div', { class: 'card profile' },
        avatar(me),
        h('dl', { class: 'facts' },
          fact(t('profile.name'), me.name || h('span', { class: 'muted' }, t('profile.notSet'))),
          fact(t('profile.username'), h('span', { class: 'profile-username' }, me.username || '')),
          fact(t('profile.email'), emails.length
            ? h('ul', { class: 'email-list' }, emails.map(emailItem))
            : h('span', { class: 'muted' }, t('profile.noEmail'))),
          fact(t('profile.status'),
            h('span', { class: `status-dot status-${STATUS_KEYS[status] ? status : 'offline'}`, 'aria-hidden': 'true' }),
            STATUS_KEYS[status] ? t(STATUS_KEYS[status]) : status,
            me.statusText ? h('span', { class: 'status-text' }, ` — ${me.statusText}`) : null))));
  },
};
