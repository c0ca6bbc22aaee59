// My Data, a section of Preferences: "Download my data" (a page to read, HTML)
// and "Export my data" (files for programs, JSON), as Rocket.Chat's My Account
// has them. A request only queues the job (users.requestDataDownload; a repeat
// within 24 hours answers the earlier one); the worker makes the archive and
// mails its link. The state of the last request of each kind comes from
// users.dataDownloadStatus, polled while a job runs, with its progress, then
// the link and until when it works. The link needs the session (same-origin
// cookie): it works for the signed-in owner only.

import * as api from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { describeError } from '../errors.js';
import { runBusy } from '../feedback.js';
import { t } from '../i18n.js';
import { timeElement } from '../time.js';

const POLL_MS = 3000;
const RUNNING = new Set(['pending', 'exporting', 'compressing', 'uploading']);
const KINDS = [
  { kind: 'html', full: false, buttonKey: 'mydata.download', hintKey: 'mydata.downloadHint' },
  { kind: 'json', full: true, buttonKey: 'mydata.export', hintKey: 'mydata.exportHint' },
];

/** The rc_csrf cookie: requestDataDownload is a GET that changes state, so it wants the header. */
function csrfHeader() {
  const m = /(?:^|;\s*)rc_csrf=([^;]*)/.exec(document.cookie);
  return m ? { 'X-CSRF-Token': decodeURIComponent(m[1]) } : {};
}

function sizeText(bytes) {
  if (!(bytes > 0)) return '';
  const units = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  let n = bytes;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** What one job's state says, as elements. */
function describeOp(op) {
  if (!op) return [h('p', { class: 'hint' }, t('mydata.none'))];
  const out = [h('p', {}, t('mydata.requestedAt'), ' ', timeElement(op.createdAt), ' · ',
    h('strong', { class: `mydata-status mydata-status-${op.status}` }, t(`mydata.status.${op.status}`)))];
  if (RUNNING.has(op.status)) {
    const pct = Math.max(0, Math.min(100, Number(op.progress) || 0));
    out.push(h('progress', { max: '100', value: String(pct), 'aria-label': t('mydata.progress', { percent: pct }) }),
      h('span', { class: 'hint' }, ' ', t('mydata.progress', { percent: pct })));
  } else if (op.status === 'completed' && op.url) {
    out.push(h('p', {},
      h('a', { href: op.url, class: 'button button-small', download: op.fileName || true },
        t('mydata.link', { file: op.fileName || '' })), ' ',
      h('span', { class: 'hint' }, sizeText(op.fileSize))),
    h('p', { class: 'hint' }, t('mydata.expires'), ' ', timeElement(op.expiresAt)));
  } else if (op.status === 'completed') {
    out.push(h('p', { class: 'hint' }, t('mydata.expired')));
  } else if (op.status === 'failed') {
    out.push(h('p', { class: 'form-error', role: 'alert' }, t('mydata.failed', { reason: op.failReason || '' })));
  }
  return out;
}

/**
 * The My Data section (an element) for Preferences. It draws itself, polls while
 * a job runs and stops when signal aborts; switched off by the admin it stays
 * empty (hidden).
 */
export function myDataSection({ signal, announce }) {
  const headingId = 'mydata-heading';
  const section = h('section', { class: 'card pref-section mydata', 'aria-labelledby': headingId, hidden: true });
  const states = {};
  const messages = {};
  let timer = null;

  const schedule = (ops) => {
    clearTimeout(timer);
    if (!signal.aborted && KINDS.some(({ kind }) => RUNNING.has(ops[kind]?.status))) {
      timer = setTimeout(load, POLL_MS);
    }
  };
  signal.addEventListener('abort', () => clearTimeout(timer));

  let last = {};
  function show(ops) {
    for (const { kind } of KINDS) {
      const before = last[kind]?.status;
      replaceChildren(states[kind], describeOp(ops[kind]));
      // A job that just finished is said aloud.
      if (before && before !== ops[kind]?.status && ops[kind]?.status === 'completed') announce(t('mydata.ready'));
    }
    last = ops;
    schedule(ops);
  }

  async function load() {
    let ops;
    try {
      ops = await api.get('users.dataDownloadStatus', { signal });
    } catch (err) {
      if (signal.aborted || err?.name === 'AbortError') return;
      if (err instanceof api.ApiError && err.errorType === 'error-not-allowed') {
        section.hidden = true;
        return;
      }
      section.hidden = false;
      for (const { kind } of KINDS) replaceChildren(states[kind], h('p', { class: 'form-error', role: 'alert' },
        `${t('mydata.loadFailed')} ${describeError(err)}`));
      timer = setTimeout(load, POLL_MS * 3);
      return;
    }
    if (signal.aborted) return;
    section.hidden = false;
    show(ops);
  }

  async function request(spec, button) {
    messages[spec.kind].textContent = '';
    let answer;
    try {
      answer = await runBusy(button, t('mydata.requesting'),
        () => api.get(`users.requestDataDownload?fullExport=${spec.full}`, { signal, headers: csrfHeader() }));
    } catch (err) {
      if (signal.aborted || err?.name === 'AbortError') return;
      messages[spec.kind].textContent = describeError(err);
      messages[spec.kind].className = 'form-error';
      return;
    }
    if (!answer || signal.aborted) return;
    messages[spec.kind].className = 'done-line';
    messages[spec.kind].textContent = answer.requested ? t('mydata.requested') : t('mydata.already');
    announce(messages[spec.kind].textContent);
    show({ ...last, [spec.kind]: answer.exportOperation });
  }

  const blocks = KINDS.map((spec) => {
    const id = `mydata-${spec.kind}`;
    states[spec.kind] = h('div', { class: 'mydata-state', id: `${id}-state`, 'aria-live': 'polite' });
    messages[spec.kind] = h('p', { id: `${id}-message`, role: 'status' });
    const button = h('button', { type: 'button', id: `${id}-request`, class: 'button',
      'aria-describedby': `${id}-hint` }, t(spec.buttonKey));
    button.addEventListener('click', () => request(spec, button));
    return h('div', { class: 'mydata-kind' },
      h('h3', {}, t(spec.buttonKey)),
      h('p', { id: `${id}-hint`, class: 'hint' }, t(spec.hintKey)),
      button, messages[spec.kind], states[spec.kind]);
  });

  section.append(
    h('h2', { id: headingId, class: 'section-title' }, t('mydata.title')),
    h('p', { class: 'hint' }, t('mydata.intro')),
    ...blocks);
  load();
  return section;
}
