// The strength meter under a new-password field: as the user types it asks
// the server (ours: POST /api/v1/pw.strength, the same zxcvbn estimate and
// policy the server applies when the password is saved) and shows the score
// and what the policy still needs. The password goes only to that endpoint,
// which never logs it; a reset page passes the link's token instead of a
// session. Also the one place that turns a refused new password into words.

import * as api from './api.js';
import { h, replaceChildren, uid } from './dom.js';
import { t } from './i18n.js';

const DEBOUNCE_MS = 250;

// Rocket.Chat's reason codes, as the policy lists them.
const RULE_KEYS = {
  'error-password-policy-not-met-minLength': 'password.rule.minLength',
  'error-password-policy-not-met-maxLength': 'password.rule.maxLength',
  'error-password-policy-not-met-repeatingCharacters': 'password.rule.repeatingCharacters',
  'error-password-policy-not-met-oneLowercase': 'password.rule.oneLowercase',
  'error-password-policy-not-met-oneUppercase': 'password.rule.oneUppercase',
  'error-password-policy-not-met-oneNumber': 'password.rule.oneNumber',
  'error-password-policy-not-met-oneSpecial': 'password.rule.oneSpecial',
};
const SCORE_KEYS = ['password.score0', 'password.score1', 'password.score2', 'password.score3', 'password.score4'];
const PATTERN_KEYS = {
  dictionary: 'password.hint.dictionary',
  userWord: 'password.hint.userWord',
  repeat: 'password.hint.repeat',
  sequence: 'password.hint.sequence',
  keyboard: 'password.hint.keyboard',
  date: 'password.hint.date',
};

/** The unmet rules of a policy answer's reasons, as list items. */
function ruleItems(reasons = []) {
  return reasons.map((r) => h('li', {}, RULE_KEYS[r.error] ? t(RULE_KEYS[r.error]) : r.message));
}

/**
 * A meter for INPUT (a password field). token: a reset link's token when
 * nobody is signed in. signal: the page's AbortSignal. Returns the element
 * to place under the field; INPUT gets aria-describedby pointing at it.
 */
export function passwordMeter(input, { token = null, signal } = {}) {
  const id = uid('pwmeter');
  const meter = h('meter', { class: 'pwmeter-bar', min: '0', max: '4', low: '2', high: '3', optimum: '4', value: '0', 'aria-hidden': 'true' });
  const label = h('span', { class: 'pwmeter-label' });
  const needs = h('ul', { class: 'pwmeter-needs' });
  const hint = h('p', { class: 'hint pwmeter-hint' });
  const box = h('div', { class: 'pwmeter', id, 'aria-live': 'polite', hidden: true },
    h('div', { class: 'pwmeter-row' }, meter, label), needs, hint);
  input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));

  let timer = null;
  let inflight = null;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(check, DEBOUNCE_MS);
  });
  signal?.addEventListener('abort', () => { clearTimeout(timer); inflight?.abort(); });

  async function check() {
    inflight?.abort();
    const password = input.value;
    if (!password) {
      box.hidden = true;
      return;
    }
    const controller = new AbortController();
    inflight = controller;
    const body = token ? { password, token } : { password };
    let answer;
    try {
      answer = await api.post('pw.strength', body, { signal: controller.signal, handle401: !token });
    } catch {
      if (!controller.signal.aborted) box.hidden = true; // a meter is a help, never a blocker
      return;
    }
    if (controller.signal.aborted || signal?.aborted) return;
    meter.value = answer.score;
    label.textContent = `${t('password.strength')}: ${t(SCORE_KEYS[answer.score] ?? SCORE_KEYS[0])}`;
    replaceChildren(needs, answer.reasons?.length ? [h('li', { class: 'pwmeter-needs-title' }, t('password.needed')), ruleItems(answer.reasons)] : []);
    const pattern = (answer.patterns || []).find((p) => PATTERN_KEYS[p]);
    hint.textContent = !answer.ok ? [t('password.tooWeak'), pattern ? t(PATTERN_KEYS[pattern]) : ''].join(' ').trim() : '';
    box.hidden = false;
  }
  return box;
}

/**
 * The words for a refused new password (an ApiError of users.resetPassword
 * or users.updateOwnBasicInfo), or null when it is not about the password.
 * Returns {text, rules: [li...]}.
 */
export function passwordRefusal(err) {
  switch (err?.errorType) {
    case 'error-password-policy-not-met':
      return { text: t('password.policyNotMet'), rules: ruleItems(err.details?.reasons) };
    case 'error-password-too-weak':
      return { text: t('password.tooWeak'), rules: [] };
    case 'error-password-same-as-current':
      return { text: t('password.same'), rules: [] };
    case 'error-password-in-history':
      return { text: t('password.inHistory'), rules: [] };
    default:
      return null;
  }
}
