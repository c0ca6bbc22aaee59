// The security log section of the Security page: what happened to the
// account (sign-ins and failed ones, second-factor and password changes,
// tokens, sessions ended, exports), newest first, a page at a time.
// GET /api/v1/securityLog.list?offset=&count= (ours).

import * as api from '../api.js';
import { h } from '../dom.js';
import { describeError } from '../errors.js';
import { retryBox, runBusy } from '../feedback.js';
import { t } from '../i18n.js';
import { timeElement } from '../time.js';
import { describeUserAgent } from '../useragent.js';

const PAGE = 20;

// Events whose detail is a name the user typed (shown as is) rather than a
// word of ours (translated).
const NAMED = new Set(['token.created', 'token.regenerated', 'token.removed', 'passkey.added', 'passkey.removed']);

function eventText(event) {
  const key = `securitylog.event.${event.event}`;
  const text = t(key);
  return text === key ? event.event : text;
}

function detailText(event) {
  if (!event.detail) return '';
  if (NAMED.has(event.event)) return event.detail;
  const key = `securitylog.detail.${event.detail}`;
  const text = t(key);
  return text === key ? event.detail : text;
}

function deviceText(userAgent) {
  const { app, system } = describeUserAgent(userAgent);
  if (app && system) return t('security.sessions.device', { app, system });
  return app || system || '';
}

function eventItem(event) {
  const failed = event.event === 'login.failed';
  const detail = detailText(event);
  const device = deviceText(event.userAgent);
  return h('li', { class: failed ? 'log-event log-event-warn' : 'log-event', 'data-event': event.event },
    h('div', { class: 'log-event-head' },
      h('span', { class: 'log-event-name' }, eventText(event)),
      detail ? h('span', { class: 'log-event-detail' }, detail) : null),
    h('div', { class: 'log-event-facts muted' },
      timeElement(event.at),
      event.ip ? h('span', {}, event.ip) : null,
      device ? h('span', { title: event.userAgent || '' }, device) : null));
}

export function securityLogSection({ signal }) {
  const heading = h('h2', { id: 'securitylog-heading', class: 'section-title', tabindex: '-1' }, t('securitylog.title'));
  const list = h('ul', { class: 'log-list', id: 'securitylog-list', 'aria-labelledby': 'securitylog-heading' });
  const status = h('p', { class: 'muted', role: 'status' }, t('common.loading'));
  const error = h('div', { class: 'securitylog-error' });
  const more = h('button', { type: 'button', id: 'securitylog-more', class: 'button', hidden: true, onClick: () => load(more) },
    t('securitylog.more'));
  let shown = 0;

  async function load(button) {
    error.replaceChildren();
    list.setAttribute('aria-busy', 'true');
    try {
      const call = () => api.get(`securityLog.list?offset=${shown}&count=${PAGE}`, { signal });
      const page = button ? await runBusy(button, t('common.loading'), call, { region: list }) : await call();
      if (signal.aborted) return;
      const events = page.events || [];
      list.append(...events.map(eventItem));
      shown += events.length;
      status.textContent = shown === 0 ? t('securitylog.empty') : '';
      status.hidden = shown !== 0;
      more.hidden = shown >= (page.total || 0);
      if (button && events.length) list.children[shown - events.length]?.setAttribute('tabindex', '-1');
      if (button && events.length) list.children[shown - events.length]?.focus();
    } catch (err) {
      if (signal.aborted || err.name === 'AbortError') return;
      status.hidden = true;
      error.replaceChildren(retryBox(describeError(err), () => load()));
    } finally {
      list.removeAttribute('aria-busy');
    }
  }

  load();
  return h('section', { class: 'card section', 'aria-labelledby': 'securitylog-heading' },
    heading,
    h('p', { class: 'hint' }, t('securitylog.intro')),
    status,
    error,
    list,
    h('div', { class: 'section-actions' }, more));
}
