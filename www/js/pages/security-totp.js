// Security page: the authenticator app (TOTP) section.
//
// Set-up is a three-step wizard in one modal dialog: (1) the QR code (the
// server's SVG, shown as an <img> from a blob URL, so none of it becomes
// markup of this page) and the secret as text for manual entry, (2) the
// first code from the app (users.totp.validate), (3) the 12 backup codes with
// copy, download (.txt) and print, and a check box "I have stored them" that
// must be ticked before the dialog closes. The codes live only in that
// dialog: closing it empties and removes it and drops every reference.
// Turning TOTP off and new backup codes pass the second factor (twofactor.js).
// Validating signs out the other sessions (as Rocket.Chat does): onSignedOutOthers().

import * as api from '../api.js';
import { confirmAction } from '../dialog.js';
import { h, replaceChildren, uid } from '../dom.js';
import { describeError } from '../errors.js';
import { doneLine, runBusy } from '../feedback.js';
import { t } from '../i18n.js';
import { isCancelled, withSecondFactor } from '../twofactor.js';

const ENDPOINTS = {
  enable: 'users.totp.enable',
  validate: 'users.totp.validate',
  disable: 'users.totp.disable',
  regenerate: 'users.totp.regenerateCodes',
  remaining: 'users.totp.codesRemaining',
};
const FEW_CODES = 3; // at most this many left: warn

const hasType = (err, type) => err instanceof api.ApiError && err.errorType === type;

/** A change that needs the second factor: POST body, retried with its headers. */
const protectedPost = (endpoint, body = {}) => withSecondFactor((headers) => api.post(endpoint, body, { headers }));

/** "ABCD EFGH …": the secret in groups of four, easier to type by hand. */
const grouped = (secret) => secret.replace(/(.{4})(?=.)/g, '$1 ');

/** Copies text; where the browser refuses, selects element's text for Ctrl+C. Resolves true when copied. */
async function copyText(text, element) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const range = document.createRange();
    range.selectNodeContents(element);
    window.getSelection().removeAllRanges();
    window.getSelection().addRange(range);
    return false;
  }
}

/** The text of the .txt download (and of Copy): a heading line, then one code a line. */
function codesText(codes, username) {
  return [t('security.codes.fileTitle', { username, site: location.host }), '', ...codes, ''].join('\n');
}

/** Saves text as a file named name (a blob URL, revoked right after). */
function download(text, name) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const link = h('a', { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * The backup codes with copy / download / print and the "I have stored them"
 * box. Returns {element, canClose(), clear()}: canClose() says whether the box
 * is ticked (and if not, says so and focuses it); clear() forgets the codes.
 */
function backupCodesView(initialCodes, username) {
  let codes = [...initialCodes];
  const status = h('p', { class: 'form-notice', role: 'status' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const list = h('ol', { id: 'totp-backup-codes', class: 'backup-codes' }, codes.map((c) => h('li', {}, h('code', {}, c))));
  const stored = h('input', { type: 'checkbox', id: 'totp-codes-stored', onChange: () => { error.textContent = ''; } });
  const copy = h('button', { type: 'button', class: 'button', onClick: async () => {
    const done = await copyText(codes.join('\n'), list);
    status.textContent = done ? t('security.codes.copied') : t('security.codes.copyManually');
  } }, t('security.codes.copy'));
  const save = h('button', { type: 'button', class: 'button', onClick: () => {
    download(codesText(codes, username), `backup-codes-${location.hostname}.txt`);
    status.textContent = t('security.codes.downloaded');
  } }, t('security.codes.download'));
  const print = h('button', { type: 'button', class: 'button', onClick: () => {
    document.body.classList.add('printing-backup-codes');
    try { window.print(); } finally { document.body.classList.remove('printing-backup-codes'); }
  } }, t('security.codes.print'));
  const element = h('div', { class: 'backup-codes-view' },
    h('p', { class: 'tokens-secret-warning' }, t('security.codes.warning')),
    list,
    h('div', { class: 'backup-codes-actions' }, copy, save, print),
    status,
    h('div', { class: 'tokens-check' }, stored, h('label', { for: 'totp-codes-stored' }, t('security.codes.stored'))),
    error);
  return {
    element,
    canClose() {
      if (stored.checked) return true;
      error.textContent = t('security.codes.storeFirst');
      stored.focus();
      return false;
    },
    clear() {
      codes = [];
      list.replaceChildren();
    },
  };
}

/**
 * A modal dialog whose content the caller fills; closing it (only when
 * mayClose() allows: Esc, or close()) empties and removes it and resolves.
 */
function modal({ title, mayClose = () => true }) {
  const titleId = uid('totp-dialog-title');
  const body = h('div', { class: 'dialog-body' });
  const heading = h('h2', { id: titleId, class: 'dialog-title', tabindex: '-1' }, title);
  const dialog = h('dialog', { class: 'dialog totp-dialog', 'aria-labelledby': titleId }, heading, body);
  const opener = document.activeElement;
  let onClosed = () => {};
  const closed = new Promise((resolve) => { onClosed = resolve; });
  dialog.addEventListener('cancel', (event) => {
    if (!mayClose()) event.preventDefault();
  });
  dialog.addEventListener('close', () => {
    window.getSelection()?.removeAllRanges();
    dialog.replaceChildren();
    dialog.remove();
    if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    onClosed();
  });
  document.body.append(dialog);
  dialog.showModal();
  return {
    dialog, body, closed,
    setTitle(text) { heading.textContent = text; },
    close() { if (mayClose()) dialog.close(); },
  };
}

/** Shows new backup codes once (after regenerating); resolves when closed. */
function showCodes(codes, username) {
  const view = backupCodesView(codes, username);
  const box = modal({ title: t('security.codes.title'), mayClose: () => view.canClose() });
  const done = h('button', { type: 'button', id: 'totp-codes-done', class: 'button button-primary', onClick: () => box.close() }, t('security.codes.done'));
  replaceChildren(box.body, view.element, h('div', { class: 'dialog-actions' }, done));
  box.closed.then(() => view.clear());
  box.dialog.querySelector('button')?.focus();
  return box.closed;
}

/**
 * The wizard. enrolment is users.totp.enable's answer ({secret, url, qr}).
 * Resolves true when TOTP is on at the end (the codes were shown), false when
 * the user left before the code was confirmed.
 */
function setupWizard(enrolment, username) {
  let enabled = false;
  let view = null;
  let qrUrl = enrolment.qr ? URL.createObjectURL(new Blob([enrolment.qr], { type: 'image/svg+xml' })) : '';
  const box = modal({ title: t('security.totp.step1Title'), mayClose: () => !enabled || view.canClose() });

  // Step 1: scan, or type the secret.
  const secretText = h('code', { id: 'totp-secret', class: 'totp-secret' }, grouped(enrolment.secret || ''));
  const copyStatus = h('p', { class: 'form-notice', role: 'status' });
  const step1 = h('div', { class: 'totp-step' },
    h('p', {}, t('security.totp.step1Text')),
    qrUrl ? h('img', { class: 'totp-qr', src: qrUrl, alt: t('security.totp.qrAlt'), width: 200, height: 200 }) : null,
    h('p', { class: 'hint', id: 'totp-secret-label' }, t('security.totp.manual')),
    h('p', { class: 'totp-secret-row' }, secretText,
      h('button', { type: 'button', class: 'button button-small', onClick: async () => {
        const done = await copyText(enrolment.secret, secretText);
        copyStatus.textContent = done ? t('security.totp.secretCopied') : t('security.codes.copyManually');
      } }, t('security.totp.copySecret'))),
    copyStatus,
    h('div', { class: 'dialog-actions' },
      h('button', { type: 'button', class: 'button', onClick: () => box.close() }, t('common.cancel')),
      h('button', { type: 'button', id: 'totp-next', class: 'button button-primary', onClick: () => show(2) }, t('security.totp.next'))));

  // Step 2: the first code.
  const codeInput = h('input', {
    id: 'totp-code', name: 'code', type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code',
    maxlength: '8', spellcheck: 'false', required: true, 'aria-describedby': 'totp-code-hint',
  });
  const codeError = h('p', { class: 'form-error', role: 'alert', 'aria-live': 'assertive' });
  const verify = h('button', { type: 'submit', id: 'totp-verify', class: 'button button-primary' }, t('security.totp.verify'));
  const step2 = h('form', { class: 'form totp-step', novalidate: true, onSubmit: confirmCode },
    h('div', { class: 'field' },
      h('label', { for: 'totp-code' }, t('security.totp.code')),
      codeInput,
      h('p', { id: 'totp-code-hint', class: 'hint' }, t('security.totp.step2Text'))),
    codeError,
    h('div', { class: 'dialog-actions' },
      h('button', { type: 'button', class: 'button', onClick: () => show(1) }, t('common.back')),
      verify));

  function show(step) {
    box.setTitle(t(`security.totp.step${step}Title`));
    if (step === 1) replaceChildren(box.body, step1);
    if (step === 2) {
      replaceChildren(box.body, step2);
      codeInput.focus();
    }
  }

  async function confirmCode(event) {
    event.preventDefault();
    const code = codeInput.value.replace(/\s+/g, '');
    if (!/^\d{6}$/.test(code)) {
      codeError.textContent = t('security.totp.codeFormat');
      codeInput.setAttribute('aria-invalid', 'true');
      codeInput.focus();
      return;
    }
    codeError.textContent = '';
    let answer;
    try {
      answer = await runBusy(verify, t('security.totp.verifying'), () => api.post(ENDPOINTS.validate, { code }), { region: step2 });
    } catch (err) {
      codeInput.value = '';
      codeInput.setAttribute('aria-invalid', 'true');
      codeError.textContent = hasType(err, 'invalid-totp') || hasType(err, 'totp-invalid') ? t('security.totp.codeWrong') : describeError(err);
      codeInput.focus();
      return;
    }
    // Step 3: TOTP is on; the codes, once.
    enabled = true;
    URL.revokeObjectURL(qrUrl);
    qrUrl = '';
    secretText.textContent = '';
    view = backupCodesView(Array.isArray(answer.codes) ? answer.codes : [], username);
    answer = null;
    box.setTitle(t('security.totp.step3Title'));
    const done = h('button', { type: 'button', id: 'totp-codes-done', class: 'button button-primary', onClick: () => box.close() }, t('security.codes.done'));
    replaceChildren(box.body, h('p', { class: 'done-line' }, t('security.totp.enabled')), view.element, h('div', { class: 'dialog-actions' }, done));
    box.dialog.querySelector('h2').focus();
  }

  show(1);
  box.dialog.querySelector('#totp-next').focus();
  return box.closed.then(() => {
    if (qrUrl) URL.revokeObjectURL(qrUrl);
    view?.clear();
    return enabled;
  });
}

/** The section. me: /me's user; onSignedOutOthers(): reload the session list. */
export function totpSection({ me, signal, onSignedOutOthers }) {
  let enabled = me.services?.totp?.enabled === true;
  let busy = false;
  const username = me.username || '';
  const heading = h('h2', { id: 'totp-heading', class: 'section-title', tabindex: '-1' }, t('security.totp.title'));
  const state = h('p', { id: 'totp-state', class: 'security-state' });
  const remaining = h('p', { id: 'totp-remaining', class: 'hint' });
  const error = h('p', { class: 'form-error', role: 'alert', 'aria-live': 'assertive' });
  const done = doneLine('totp-status');
  const setup = h('button', { type: 'button', id: 'totp-setup', class: 'button button-primary', onClick: startSetup }, t('security.totp.setup'));
  const regenerate = h('button', { type: 'button', id: 'totp-regenerate', class: 'button', onClick: newCodes }, t('security.totp.regenerate'));
  const disable = h('button', { type: 'button', id: 'totp-disable', class: 'button button-danger', onClick: turnOff }, t('security.totp.disable'));

  function draw() {
    replaceChildren(state,
      h('span', { class: enabled ? 'badge badge-ok' : 'badge' }, t(enabled ? 'security.on' : 'security.off')), ' ',
      t(enabled ? 'security.totp.isOn' : 'security.totp.isOff'));
    setup.hidden = enabled;
    regenerate.hidden = !enabled;
    disable.hidden = !enabled;
    remaining.hidden = !enabled;
    if (enabled) loadRemaining();
  }

  async function loadRemaining() {
    remaining.classList.remove('warning');
    remaining.textContent = '';
    try {
      const answer = await api.get(ENDPOINTS.remaining, { signal });
      if (signal.aborted) return;
      const n = Number(answer.remaining) || 0;
      // The server may say itself when it is few (ours: warning); Rocket.Chat does not.
      const few = typeof answer.warning === 'boolean' ? answer.warning : n <= FEW_CODES;
      remaining.textContent = few ? t('security.totp.fewCodes', { count: n }) : t('security.totp.codesLeft', { count: n });
      remaining.classList.toggle('warning', few);
      remaining.setAttribute('role', few ? 'alert' : 'status');
    } catch (err) {
      if (!signal.aborted && err.name !== 'AbortError') remaining.textContent = describeError(err);
    }
  }

  /** Runs one change with button busy; errors shown here, cancels silent. Resolves with the answer or null. */
  async function act(button, label, call) {
    if (busy) return null;
    busy = true;
    error.textContent = '';
    done.clear();
    try {
      return await runBusy(button, label, call);
    } catch (err) {
      if (!isCancelled(err) && !signal.aborted) error.textContent = describeError(err);
      return null;
    } finally {
      busy = false;
    }
  }

  async function startSetup() {
    const enrolment = await act(setup, t('security.totp.starting'), () => api.post(ENDPOINTS.enable));
    if (!enrolment || signal.aborted) return;
    const on = await setupWizard(enrolment, username);
    enrolment.secret = null; // shown in the wizard only
    if (!on || signal.aborted) return;
    enabled = true;
    draw();
    regenerate.focus();
    done.show(t('security.totp.enabled'));
    onSignedOutOthers();
  }

  async function newCodes() {
    const ok = await confirmAction({
      title: t('security.totp.regenerateTitle'),
      message: t('security.totp.regenerateText'),
      confirmLabel: t('security.totp.regenerate'),
    });
    if (!ok) return;
    const answer = await act(regenerate, t('security.totp.regenerating'), () => protectedPost(ENDPOINTS.regenerate));
    if (!answer || signal.aborted) return;
    await showCodes(Array.isArray(answer.codes) ? answer.codes : [], username);
    answer.codes = null;
    if (signal.aborted) return;
    loadRemaining();
    done.show(t('security.totp.regenerated'));
  }

  async function turnOff() {
    const ok = await confirmAction({
      title: t('security.totp.disableTitle'),
      message: t('security.totp.disableText'),
      confirmLabel: t('security.totp.disable'),
      danger: true,
    });
    if (!ok) return;
    const answer = await act(disable, t('security.totp.disabling'), () => protectedPost(ENDPOINTS.disable));
    if (!answer || signal.aborted) return;
    if (answer.disabled === false) { // Rocket.Chat's answer to a code that did not match
      error.textContent = t('security.totp.codeWrong');
      return;
    }
    enabled = false;
    draw();
    setup.focus();
    done.show(t('security.totp.disabled'));
  }

  draw();
  return h('section', { class: 'card section', 'aria-labelledby': 'totp-heading' },
    heading,
    h('p', { class: 'hint' }, t('security.totp.intro')),
    state,
    remaining,
    done.element,
    error,
    h('div', { class: 'section-actions' }, setup, regenerate, disable));
}
