// Security: the active sessions (where you are signed in), revoking one of them
// or all others. (2FA and E2E sections come with later issues.)

import * as api from '../api.js';
import { confirmAction } from '../dialog.js';
import { h, replaceChildren } from '../dom.js';
import { describeError } from '../errors.js';
import { doneLine, retryBox, runBusy } from '../feedback.js';
import { t } from '../i18n.js';
import { agoElement, timeElement } from '../time.js';
import { describeUserAgent } from '../useragent.js';
import { securityLogSection } from './securitylog.js';

/** "Firefox 128 on Windows", or whichever part is known. */
function deviceName(userAgent) {
  const { app, system } = describeUserAgent(userAgent);
  if (app && system) return t('security.sessions.device', { app, system });
  return app || system || t('security.sessions.unknownDevice');
}

/** Current session first, then the most recently seen. */
function bySessionOrder(a, b) {
  if (a.current !== b.current) return a.current ? -1 : 1;
  return String(b.lastSeenAt || '').localeCompare(String(a.lastSeenAt || ''));
}

function sessionsSection({ signal }) {
  const heading = h('h2', { id: 'sessions-heading', class: 'section-title', tabindex: '-1' }, t('security.sessions.title'));
  const error = h('div', { class: 'sessions-error' });
  const done = doneLine('sessions-status');
  const list = h('ul', { class: 'session-list', 'aria-labelledby': 'sessions-heading', 'aria-busy': 'true' });
  const loading = h('p', { class: 'muted', role: 'status' }, t('common.loading'));
  const logoutOthers = h('button', {
    type: 'button', id: 'sessions-logout-others', class: 'button button-danger', hidden: true, onClick: logOutOthers,
  }, t('security.sessions.logoutOthers'));

  function sessionItem(session) {
    const device = deviceName(session.userAgent);
    return h('li', { class: session.current ? 'session session-current' : 'session', 'data-current': session.current ? 'true' : 'false' },
      h('div', { class: 'session-head' },
        h('span', { class: 'session-device', title: session.userAgent || '' }, device),
        session.current ? h('span', { class: 'badge badge-ok' }, t('security.sessions.current')) : null),
      h('dl', { class: 'session-facts' },
        h('dt', {}, t('security.sessions.ip')), h('dd', {}, session.ip || '—'),
        h('dt', {}, t('security.sessions.createdAt')), h('dd', {}, timeElement(session.createdAt)),
        h('dt', {}, t('security.sessions.lastSeenAt')), h('dd', {}, agoElement(session.lastSeenAt))),
      session.current ? null : h('button', {
        type: 'button',
        class: 'button button-small',
        'aria-label': t('security.sessions.logoutOneNamed', { device }),
        onClick: (event) => logOutOne(session, device, event.currentTarget),
      }, t('security.sessions.logoutOne')));
  }

  async function load() {
    list.setAttribute('aria-busy', 'true');
    try {
      const { sessions = [] } = await api.listSessions({ signal });
      if (signal.aborted) return;
      const sorted = [...sessions].sort(bySessionOrder);
      replaceChildren(list, sorted.map(sessionItem));
      list.removeAttribute('aria-busy');
      loading.remove();
      logoutOthers.hidden = !sorted.some((s) => !s.current);
    } catch (err) {
      if (signal.aborted || err.name === 'AbortError') return;
      loading.remove();
      list.removeAttribute('aria-busy');
      // Try again by click, or by itself once the browser is back online.
      error.replaceChildren(retryBox(describeError(err), ({ hadFocus }) => {
        load().then(() => { if (hadFocus && !signal.aborted) heading.focus(); });
      }));
    }
  }

  async function logOutOne(session, device, button) {
    const ok = await confirmAction({
      title: t('security.sessions.confirmOneTitle'),
      message: t('security.sessions.confirmOneText', { device }),
      confirmLabel: t('security.sessions.logoutOne'),
      danger: true,
    });
    if (!ok) return;
    await act(button, () => api.logoutSession(session.id), t('security.sessions.loggedOutOne'));
  }

  async function logOutOthers() {
    const ok = await confirmAction({
      title: t('security.sessions.confirmOthersTitle'),
      message: t('security.sessions.confirmOthersText'),
      confirmLabel: t('security.sessions.logoutOthers'),
      danger: true,
    });
    if (!ok) return;
    await act(logoutOthers, () => api.logoutOtherClients(), t('security.sessions.loggedOutOthers'));
  }

  /** Runs a revoke with button busy, reloads the list, shows what happened; focus goes to the heading. */
  async function act(button, call, doneText) {
    error.replaceChildren();
    done.clear();
    try {
      await runBusy(button, t('security.sessions.loggingOut'), call, { region: list });
    } catch (err) {
      if (!signal.aborted) error.replaceChildren(h('p', { class: 'form-error', role: 'alert' }, describeError(err)));
      return;
    }
    if (signal.aborted) return;
    await load();
    done.show(doneText); // visible; role=status says it
    heading.focus();
  }

  load();
  return h('section', { class: 'card section', 'aria-labelledby': 'sessions-heading' },
    heading,
    h('p', { class: 'hint' }, t('security.sessions.intro')),
    done.element,
    error,
    loading,
    list,
    h('div', { class: 'section-actions' }, logoutOthers));
}

export default {
  render(container, ctx) {
    container.append(sessionsSection(ctx), securityLogSection(ctx));
  },
};
