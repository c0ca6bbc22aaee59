// Personal Access Tokens: the list (GET users.getPersonalAccessTokens), adding a
// token (name, "Ignore Two Factor Authentication", optional expiry date), and
// regenerating or deleting one, each confirmed; the three changes pass the
// second factor through twofactor.js.
//
// A new token value is shown once, with the user id, in secretDialog(). Closing
// that dialog empties and removes it and drops every reference to the value:
// it is never kept in a variable that outlives the dialog, never written to
// storage, and the server only ever lists its last six characters.
// When the admin has switched tokens off, the list answers error-not-allowed
// and the page says so and shows nothing else.
//
// The list is a table: compact rows on wide screens, one tight block per token
// on phones (app.css). An expiry is a day the user chose, so it is shown as a
// day, not as the 23:59:59 the server stores. Closing the new-token dialog
// without having copied asks "Did you copy the token?" first.

import * as api from '../api.js';
import { confirmAction } from '../dialog.js';
import { h, replaceChildren, uid } from '../dom.js';
import { describeError } from '../errors.js';
import { doneLine, retryBox, runBusy } from '../feedback.js';
import { t } from '../i18n.js';
import { agoElement, dateElement, timeElement } from '../time.js';
import { isCancelled, withSecondFactor } from '../twofactor.js';
import { takeDraft, trackForm } from '../unsaved.js';

const NAME_MAX = 64; // characters (code points), as the server counts them
const EXPIRY_MAX_DAYS = 3650; // the server allows at most 10 years ahead
const DAY_MS = 24 * 60 * 60 * 1000;

const ENDPOINTS = {
  list: 'users.getPersonalAccessTokens',
  generate: 'users.generatePersonalAccessToken',
  regenerate: 'users.regeneratePersonalAccessToken',
  remove: 'users.removePersonalAccessToken',
};

/** A change that needs the second factor: POST body, retried with its headers. */
function protectedPost(endpoint, body) {
  return withSecondFactor((headers) => api.post(endpoint, body, { headers }));
}

const hasType = (err, type) => err instanceof api.ApiError && err.errorType === type;

// ---- Dates -----------------------------------------------------------------

/** "YYYY-MM-DD" of date in local time (the value format of <input type=date>). */
function dateValue(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/**
 * The days that can be chosen: from today to the last day whose end still lies
 * within EXPIRY_MAX_DAYS of now (so the server's "at most 10 years" holds
 * however it counts years).
 */
function expiryBounds(now = new Date()) {
  const latest = new Date(now.getTime() + EXPIRY_MAX_DAYS * DAY_MS);
  latest.setDate(latest.getDate() - 1);
  return { min: dateValue(now), max: dateValue(latest) };
}

/** The last second of the day "YYYY-MM-DD" in local time, or null if not a real day. */
function endOfDay(value) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return null;
  const [year, month, day] = match.slice(1).map(Number);
  const end = new Date(year, month - 1, day, 23, 59, 59, 0);
  if (end.getFullYear() !== year || end.getMonth() !== month - 1 || end.getDate() !== day) return null;
  return end;
}

function isExpired(token) {
  if (token.expired === true) return true;
  const expires = token.expiresAt ? Date.parse(token.expiresAt) : NaN;
  return !Number.isNaN(expires) && expires <= Date.now();
}

/** Newest first; tokens without a date last. */
function byCreatedDesc(a, b) {
  return String(b.createdAt || '').localeCompare(String(a.createdAt || ''));
}

// ---- Errors ----------------------------------------------------------------

/** The sentence for a failed token request, in the UI language where we know the case. */
function describeTokenError(err) {
  if (!(err instanceof api.ApiError)) return describeError(err);
  switch (err.errorType) {
    case 'error-token-already-exists': return t('tokens.error.exists');
    case 'error-too-many-tokens': return t('tokens.error.tooMany');
    case 'error-token-does-not-exists': return t('tokens.error.notFound');
    case 'error-not-allowed': return t('tokens.disabled');
    case 'invalid-params':
      // The server names the field in details.field.
      if (err.details?.field === 'tokenName') return t('tokens.error.nameInvalid', { max: NAME_MAX });
      if (err.details?.field === 'expiresAt') return t('tokens.error.expiryInvalid');
      return describeError(err);
    default:
      return describeError(err);
  }
}

// ---- The dialog that shows a new token once ---------------------------------

/**
 * Copies text to the clipboard; where the browser refuses, selects the text of
 * element instead so that Ctrl+C copies it. Resolves true when copied.
 */
async function copyText(text, element) {
  try {
    if (!navigator.clipboard?.writeText) throw new Error('no clipboard');
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const range = document.createRange();
    range.selectNodeContents(element);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return false;
  }
}

/**
 * Shows token and userId in a modal dialog with copy buttons. Resolves when the
 * dialog has closed, by then emptied and removed from the page, with the value
 * forgotten here. returnFocus() picks where focus goes afterwards.
 */
function secretDialog({ title, token, userId, returnFocus }) {
  let secret = token; // the only reference here, until the dialog closes
  let copied = false; // a copy button was used, or the user copied by hand
  return new Promise((resolve) => {
    const titleId = uid('tokens-secret-title');
    const tokenLabelId = uid('tokens-secret-token-label');
    const userLabelId = uid('tokens-secret-user-label');
    const status = h('p', { class: 'form-notice', role: 'status' });
    const tokenValue = h('code', { id: 'tokens-secret-token', class: 'tokens-secret-value', 'aria-labelledby': tokenLabelId }, secret);
    const userValue = h('code', { id: 'tokens-secret-user-id', class: 'tokens-secret-value', 'aria-labelledby': userLabelId }, userId);

    async function copy(text, element) {
      if (text === null) return;
      if (element === tokenValue) copied = true; // selected for Ctrl+C at worst
      const done = await copyText(text, element);
      status.textContent = '';
      status.textContent = done ? t('tokens.secret.copied') : t('tokens.secret.copyManually');
    }

    const copyToken = h('button', {
      type: 'button', class: 'button', onClick: () => copy(secret, tokenValue),
    }, t('tokens.secret.copyToken'));
    const copyUser = h('button', {
      type: 'button', class: 'button', onClick: () => copy(userId, userValue),
    }, t('tokens.secret.copyUserId'));
    // "Did you copy the token?": shown instead of closing while nothing was copied.
    const askId = uid('tokens-secret-ask');
    const backButton = h('button', { type: 'button', class: 'button button-primary', onClick: () => showQuestion(false) }, t('tokens.secret.goBack'));
    const closeAnyway = h('button', { type: 'button', class: 'button button-danger', onClick: () => dialog.close() }, t('tokens.secret.closeAnyway'));
    const question = h('div', { class: 'tokens-secret-ask', role: 'group', 'aria-labelledby': askId, hidden: true },
      h('p', { id: askId, class: 'tokens-secret-ask-title' }, t('tokens.secret.askCopied')),
      h('p', {}, t('tokens.secret.askCopiedText')),
      h('div', { class: 'dialog-actions' }, closeAnyway, backButton));
    const doneButton = h('button', { type: 'button', id: 'tokens-secret-done', class: 'button button-primary', onClick: requestClose }, t('tokens.secret.close'));
    const actions = h('div', { class: 'dialog-actions' }, doneButton);

    function showQuestion(show) {
      question.hidden = !show;
      actions.hidden = show;
      (show ? backButton : copyToken).focus();
    }

    /** Done or Esc: close, unless the token was never copied; then ask first. */
    function requestClose() {
      if (copied || !question.hidden) dialog.close();
      else showQuestion(true);
    }

    const dialog = h('dialog', { class: 'dialog tokens-secret', 'aria-labelledby': titleId, 'aria-describedby': `${titleId}-warning` },
      h('h2', { id: titleId, class: 'dialog-title' }, title),
      h('p', { id: `${titleId}-warning`, class: 'tokens-secret-warning' }, t('tokens.secret.warning')),
      h('dl', { class: 'tokens-secret-values' },
        h('dt', { id: tokenLabelId }, t('tokens.secret.token')),
        h('dd', {}, tokenValue, copyToken),
        h('dt', { id: userLabelId }, t('tokens.secret.userId')),
        h('dd', {}, userValue, copyUser)),
      h('p', { class: 'hint' }, t('tokens.secret.usage')),
      status,
      question,
      actions);

    dialog.addEventListener('copy', () => { copied = true; });
    dialog.addEventListener('cancel', (event) => {
      // Esc: the first press asks (when nothing was copied), the next goes back.
      event.preventDefault();
      if (!question.hidden) showQuestion(false);
      else requestClose();
    });

    dialog.addEventListener('close', () => {
      secret = null;
      window.getSelection()?.removeAllRanges();
      tokenValue.textContent = '';
      dialog.replaceChildren();
      dialog.remove();
      returnFocus()?.focus();
      resolve();
    });
    document.body.append(dialog);
    dialog.showModal();
    copyToken.focus();
  });
}

// ---- The page ----------------------------------------------------------------

function tokensPage(container, { me, signal }) {
  let tokens = [];
  let busy = false; // one change at a time; buttons stay focusable

  // -- The list --
  const listHeading = h('h2', { id: 'tokens-list-heading', class: 'section-title', tabindex: '-1' }, t('tokens.listTitle'));
  const listError = h('div', { class: 'tokens-list-error' });
  const changeError = h('p', { class: 'form-error', role: 'alert', 'aria-live': 'assertive' });
  const list = h('tbody', {});
  const table = h('table', { class: 'tokens-list tokens-table', 'aria-labelledby': 'tokens-list-heading', hidden: true },
    h('thead', {}, h('tr', {},
      ['tokens.name', 'tokens.lastPart', 'tokens.createdAt', 'tokens.lastUsedAt', 'tokens.expiresAt', 'tokens.bypassShort']
        .map((key) => h('th', { scope: 'col' }, t(key))),
      h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('tokens.actions'))))),
    list);
  const listDone = doneLine('tokens-list-status');
  const empty = h('p', { class: 'muted', hidden: true }, t('tokens.empty'));
  const rows = new Map(); // token name -> its Regenerate button, to return focus to
  const removeButtons = new Map(); // token name -> its Delete button

  /** One cell; label names it on phones, where the table is a list of blocks. */
  const cell = (labelKey, ...value) => h('td', { 'data-label': t(labelKey) }, ...value);

  function tokenItem(token) {
    const expired = isExpired(token);
    const regenerate = h('button', {
      type: 'button', class: 'button button-small',
      'aria-label': t('tokens.regenerateNamed', { name: token.name }),
      onClick: () => regenerateToken(token),
    }, t('tokens.regenerate'));
    const remove = h('button', {
      type: 'button', class: 'button button-small button-danger',
      'aria-label': t('tokens.deleteNamed', { name: token.name }),
      onClick: () => removeToken(token),
    }, t('tokens.delete'));
    rows.set(token.name, regenerate);
    removeButtons.set(token.name, remove);
    return h('tr', { class: expired ? 'tokens-item tokens-item-expired' : 'tokens-item' },
      h('th', { scope: 'row', class: 'tokens-item-head' },
        h('span', { class: 'tokens-name' }, token.name),
        expired ? h('span', { class: 'badge tokens-badge-expired' }, t('tokens.expired')) : null),
      cell('tokens.lastPart', h('code', { class: 'tokens-last-part' }, t('tokens.lastPartValue', { part: token.lastTokenPart || '' }))),
      cell('tokens.createdAt', timeElement(token.createdAt)),
      cell('tokens.lastUsedAt', token.lastUsedAt ? agoElement(token.lastUsedAt) : h('span', { class: 'muted' }, t('tokens.neverUsed'))),
      // A day the user chose: its date only (the server keeps its last second).
      cell('tokens.expiresAt', token.expiresAt
        ? h('span', { class: expired ? 'tokens-expiry-past' : null }, dateElement(token.expiresAt))
        : h('span', { class: 'muted' }, t('tokens.noExpiry'))),
      cell('tokens.bypassShort', token.bypassTwoFactor ? t('tokens.yes') : t('tokens.no')),
      h('td', { class: 'tokens-actions' }, regenerate, remove));
  }

  function showList() {
    rows.clear();
    removeButtons.clear();
    replaceChildren(list, [...tokens].sort(byCreatedDesc).map(tokenItem));
    empty.hidden = tokens.length > 0;
    table.hidden = tokens.length === 0;
  }

  /** Reads the list; resolves false when tokens are switched off (the page then says so). */
  async function load() {
    listError.replaceChildren();
    try {
      const answer = await api.get(ENDPOINTS.list, { signal });
      if (signal.aborted) return true;
      tokens = Array.isArray(answer.tokens) ? answer.tokens.filter((tk) => tk && typeof tk.name === 'string') : [];
      showList();
      return true;
    } catch (err) {
      if (signal.aborted || err.name === 'AbortError') return true;
      if (hasType(err, 'error-not-allowed')) {
        replaceChildren(container, h('p', { class: 'card notice', role: 'status' }, t('tokens.disabled')));
        return false;
      }
      // Not loaded (no connection, server down): say so, with Try again (also when back online).
      listError.replaceChildren(retryBox(describeTokenError(err), ({ hadFocus }) => {
        load().then(() => { if (hadFocus && !signal.aborted) listHeading.focus(); });
      }));
      return true;
    }
  }

  // -- Adding --
  const bounds = expiryBounds();
  const formError = h('p', { id: 'tokens-add-error', class: 'form-error', role: 'alert', 'aria-live': 'assertive' });
  const nameInput = h('input', {
    id: 'tokens-name', name: 'tokenName', type: 'text', autocomplete: 'off', spellcheck: 'false',
    maxlength: String(NAME_MAX), required: true, 'aria-describedby': 'tokens-name-hint',
  });
  const bypassInput = h('input', { id: 'tokens-bypass', name: 'bypassTwoFactor', type: 'checkbox', 'aria-describedby': 'tokens-bypass-hint' });
  const expiryInput = h('input', {
    id: 'tokens-expiry', name: 'expiresAt', type: 'date', min: bounds.min, max: bounds.max,
    'aria-describedby': 'tokens-expiry-hint',
  });
  const addButton = h('button', { id: 'tokens-add', type: 'submit', class: 'button button-primary' }, t('tokens.add'));
  const addDone = doneLine('tokens-add-status');
  const form = h('form', { class: 'form tokens-form', novalidate: true, 'aria-labelledby': 'tokens-add-heading', onSubmit: addToken },
    h('div', { class: 'field' },
      h('label', { for: 'tokens-name' }, t('tokens.name')),
      nameInput,
      h('p', { id: 'tokens-name-hint', class: 'hint' }, t('tokens.nameHint', { max: NAME_MAX }))),
    h('div', { class: 'tokens-check' },
      bypassInput,
      h('label', { for: 'tokens-bypass' }, t('tokens.bypass')),
      h('p', { id: 'tokens-bypass-hint', class: 'hint' }, t('tokens.bypassHint'))),
    h('div', { class: 'field' },
      h('label', { for: 'tokens-expiry' }, t('tokens.expiry')),
      expiryInput,
      h('p', { id: 'tokens-expiry-hint', class: 'hint' }, t('tokens.expiryHint'))),
    h('p', { class: 'hint' }, t('tokens.verifyHint')),
    formError,
    h('div', { class: 'form-actions tokens-form-actions' }, addButton, addDone.element));

  function showFormError(text, field) {
    formError.textContent = text;
    for (const input of [nameInput, expiryInput]) input.removeAttribute('aria-invalid');
    if (field) {
      field.setAttribute('aria-invalid', 'true');
      field.focus();
    }
  }

  /** What is wrong with the form, as {text, field}, or null. */
  function formProblem(name) {
    if (!name) return { text: t('tokens.error.nameMissing'), field: nameInput };
    if ([...name].length > NAME_MAX || /[\u0000-\u001f\u007f]/.test(name)) {
      return { text: t('tokens.error.nameInvalid', { max: NAME_MAX }), field: nameInput };
    }
    if (tokens.some((tk) => tk.name === name)) return { text: t('tokens.error.exists'), field: nameInput };
    if (expiryInput.validity.badInput) return { text: t('tokens.error.expiryInvalid'), field: expiryInput };
    if (expiryInput.value) {
      const end = endOfDay(expiryInput.value);
      if (!end) return { text: t('tokens.error.expiryInvalid'), field: expiryInput };
      if (end.getTime() <= Date.now()) return { text: t('tokens.error.expiryPast'), field: expiryInput };
      if (expiryInput.value > expiryBounds().max) return { text: t('tokens.error.expiryTooFar'), field: expiryInput };
    }
    return null;
  }

  async function addToken(event) {
    event.preventDefault();
    if (busy) return;
    addDone.clear();
    const name = nameInput.value.trim();
    const problem = formProblem(name);
    if (problem) {
      showFormError(problem.text, problem.field);
      return;
    }
    showFormError('');
    const body = { tokenName: name, bypassTwoFactor: bypassInput.checked };
    if (expiryInput.value) body.expiresAt = endOfDay(expiryInput.value).toISOString();

    busy = true;
    let answer;
    try {
      // No abort signal: once sent, the new token must reach its dialog.
      answer = await runBusy(addButton, t('tokens.adding'), () => protectedPost(ENDPOINTS.generate, body), { region: form });
    } catch (err) {
      if (isCancelled(err)) return;
      showFormError(describeTokenError(err), hasType(err, 'error-token-already-exists') ? nameInput : null);
      if (hasType(err, 'error-not-allowed')) load();
      return;
    } finally {
      busy = false;
    }
    form.reset();
    if (!signal.aborted) load();
    await showOnce(answer, t('tokens.secret.titleNew', { name }), () => (addButton.isConnected ? addButton : null));
    answer = null;
    if (!signal.aborted) addDone.show(t('tokens.created', { name }));
  }

  /** The new token's dialog; answer is the server's {token}, emptied here. */
  function showOnce(answer, title, returnFocus) {
    const token = typeof answer?.token === 'string' ? answer.token : '';
    if (answer) answer.token = null;
    return secretDialog({ title, token, userId: me._id || '', returnFocus });
  }

  // -- Regenerating and deleting --

  async function regenerateToken(token) {
    if (busy) return;
    const ok = await confirmAction({
      title: t('tokens.confirmRegenerateTitle'),
      message: t('tokens.confirmRegenerateText', { name: token.name }),
      confirmLabel: t('tokens.regenerate'),
      danger: true,
    });
    if (!ok) return;
    const answer = await change(ENDPOINTS.regenerate, token, rows.get(token.name), t('tokens.regenerating'));
    if (!answer) return;
    if (!signal.aborted) load();
    await showOnce(answer, t('tokens.secret.titleRegenerated', { name: token.name }),
      () => rows.get(token.name) || (listHeading.isConnected ? listHeading : null));
    if (!signal.aborted) listDone.show(t('tokens.regenerated', { name: token.name }));
  }

  async function removeToken(token) {
    if (busy) return;
    const ok = await confirmAction({
      title: t('tokens.confirmDeleteTitle'),
      message: t('tokens.confirmDeleteText', { name: token.name }),
      confirmLabel: t('tokens.delete'),
      danger: true,
    });
    if (!ok) return;
    if (!(await change(ENDPOINTS.remove, token, removeButtons.get(token.name), t('tokens.deleting')))) return;
    if (signal.aborted) return;
    await load();
    listDone.show(t('tokens.deleted', { name: token.name })); // visible; role=status says it
    listHeading.focus();
  }

  /** Sends a protected change about token, button busy; resolves with the answer, or null after showing why not. */
  async function change(endpoint, token, button, label) {
    busy = true;
    changeError.textContent = '';
    listDone.clear();
    try {
      const send = () => protectedPost(endpoint, { tokenName: token.name });
      return await (button?.isConnected ? runBusy(button, label, send, { region: table }) : send());
    } catch (err) {
      if (isCancelled(err) || signal.aborted) return null;
      changeError.textContent = describeTokenError(err);
      if (hasType(err, 'error-token-does-not-exists') || hasType(err, 'error-not-allowed')) load();
      return null;
    } finally {
      busy = false;
    }
  }

  const sections = [
    h('p', { class: 'hint' }, t('tokens.intro')),
    h('section', { class: 'card section', 'aria-labelledby': 'tokens-add-heading' },
      h('h2', { id: 'tokens-add-heading', class: 'section-title' }, t('tokens.addTitle')),
      form),
    h('section', { class: 'card section', 'aria-labelledby': 'tokens-list-heading' },
      listHeading,
      listDone.element,
      changeError,
      listError,
      empty,
      table),
  ];

  // A typed name counts as unsaved: leaving asks, a session that ends keeps it.
  const draftOf = () => ({ name: nameInput.value, bypass: bypassInput.checked, expiry: expiryInput.value });
  trackForm({ key: 'tokens', isDirty: () => nameInput.value.trim() !== '' && !busy, draft: draftOf, signal });
  const draft = takeDraft('tokens', me._id);
  if (draft) {
    nameInput.value = String(draft.name ?? '');
    bypassInput.checked = draft.bypass === true;
    expiryInput.value = String(draft.expiry ?? '');
    addDone.show(t('tokens.draftRestored'));
  }
  return { load, sections };
}

export default {
  async render(container, ctx) {
    const loading = h('p', { class: 'muted', role: 'status' }, t('common.loading'));
    container.append(loading);
    const page = tokensPage(container, ctx);
    const enabled = await page.load();
    if (ctx.signal.aborted || !enabled) return;
    replaceChildren(container, page.sections);
  },
};
