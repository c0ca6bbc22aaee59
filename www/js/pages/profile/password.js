// The password part of the Profile form: new password, its confirmation, the
// current password (only when the server will not ask for a second factor
// itself), the admin's policy as a checklist that ticks as you type
// (GET pw.getPolicy, Rocket.Chat's rule list), and a strength meter showing the
// server's own estimate (the one it refuses trivially guessable passwords by).
//
// The typed passwords stay in their inputs; nothing here keeps or stores them.

import * as api from '../../api.js';
import { h } from '../../dom.js';
import { t } from '../../i18n.js';

const STRENGTH_DELAY_MS = 300;

// Rocket.Chat's rules (packages/password-policies): the policy entry's name,
// the id its error uses (error-password-policy-not-met-<id>), the test.
const RULES = {
  'get-password-policy-minLength': (p) => ({
    id: 'minLength', text: t('profile.password.rule.minLength', { min: p.minLength }),
    ok: (pw) => [...pw].length >= p.minLength,
  }),
  'get-password-policy-maxLength': (p) => ({
    id: 'maxLength', text: t('profile.password.rule.maxLength', { max: p.maxLength }),
    ok: (pw) => [...pw].length <= p.maxLength,
  }),
  'get-password-policy-forbidRepeatingCharactersCount': (p) => ({
    id: 'repeatingCharacters', text: t('profile.password.rule.repeating', { count: p.forbidRepeatingCharactersCount }),
    ok: (pw) => pw !== '' && !new RegExp(`(.)\\1{${Number(p.forbidRepeatingCharactersCount)},}`, 'u').test(pw),
  }),
  'get-password-policy-mustContainAtLeastOneLowercase': () => ({
    id: 'oneLowercase', text: t('profile.password.rule.lowercase'), ok: (pw) => /[a-z]/.test(pw),
  }),
  'get-password-policy-mustContainAtLeastOneUppercase': () => ({
    id: 'oneUppercase', text: t('profile.password.rule.uppercase'), ok: (pw) => /[A-Z]/.test(pw),
  }),
  'get-password-policy-mustContainAtLeastOneNumber': () => ({
    id: 'oneNumber', text: t('profile.password.rule.number'), ok: (pw) => /[0-9]/.test(pw),
  }),
  'get-password-policy-mustContainAtLeastOneSpecialCharacter': () => ({
    id: 'oneSpecial', text: t('profile.password.rule.special'), ok: (pw) => /[^A-Za-z0-9 ]/.test(pw),
  }),
};

// The estimate's score (0-4, zxcvbn's scale) as words.
const STRENGTH_KEYS = ['profile.password.strength.0', 'profile.password.strength.1', 'profile.password.strength.2',
  'profile.password.strength.3', 'profile.password.strength.4'];

/**
 * The rules of a pw.getPolicy answer, in its order. ("forbidRepeatingCharacters"
 * on its own only says the count entry applies; entries we do not know are left
 * to the server, which names them when it refuses.)
 */
export function policyRules(answer) {
  if (!answer?.enabled || !Array.isArray(answer.policy)) return [];
  return answer.policy
    .filter((entry) => Array.isArray(entry) && RULES[entry[0]])
    .map(([name, params]) => RULES[name](params || {}));
}

/** POST pw.strength {password} (ours) -> {score 0-4, minScore, ok, reasons}. */
function estimate(password, signal) {
  return api.post('pw.strength', { password }, { signal });
}

/**
 * Builds the password fields. policy is pw.getPolicy's answer (or null);
 * askCurrent shows the current password field. Returns {element, inputs,
 * values(), reset(), check() -> {field, text} | null, showFailed(ruleIds)}.
 */
export function passwordFields({ policy, askCurrent, signal, fieldRow }) {
  const rules = policyRules(policy);
  const newRow = fieldRow('newPassword', 'profile-new-password', t('profile.password.new'),
    h('input', { type: 'password', autocomplete: 'new-password' }), { hint: t('profile.password.newHint') });
  const confirmRow = fieldRow('confirmPassword', 'profile-confirm-password', t('profile.password.confirm'),
    h('input', { type: 'password', autocomplete: 'new-password' }));
  const currentRow = askCurrent
    ? fieldRow('currentPassword', 'profile-current-password', t('profile.password.current'),
      h('input', { type: 'password', autocomplete: 'current-password' }), { hint: t('profile.password.currentHint') })
    : null;
  const newInput = newRow.input;

  const items = rules.map((rule) => {
    const mark = h('span', { class: 'pw-rule-mark', 'aria-hidden': 'true' });
    const state = h('span', { class: 'visually-hidden' });
    const li = h('li', { class: 'pw-rule', 'data-rule': rule.id }, mark, h('span', {}, rule.text), state);
    return { rule, li, mark, state };
  });
  const checklist = rules.length
    ? h('ul', { id: 'profile-password-rules', class: 'pw-rules', 'aria-label': t('profile.password.rulesLabel') }, items.map((i) => i.li))
    : null;

  const meter = h('meter', { id: 'profile-password-strength', min: '0', max: '4', low: '2', high: '3', optimum: '4', value: '0' });
  const meterText = h('span', { id: 'profile-password-strength-text', class: 'pw-strength-text' });
  const meterLabel = h('label', { for: 'profile-password-strength', class: 'pw-strength-label' }, t('profile.password.strength'));
  const strength = h('div', { class: 'pw-strength', hidden: true }, meterLabel, meter, meterText);
  newInput.setAttribute('aria-describedby',
    [newInput.getAttribute('aria-describedby'), checklist && checklist.id, 'profile-password-strength-text'].filter(Boolean).join(' '));

  let timer = null;
  let pending = null; // AbortController of the estimate in flight
  let failedByServer = new Set();

  function tick() {
    const pw = newInput.value;
    for (const { rule, li, mark, state } of items) {
      const ok = pw !== '' && rule.ok(pw) && !failedByServer.has(rule.id);
      li.dataset.ok = String(ok);
      mark.textContent = ok ? '✓' : '○';
      state.textContent = ` (${ok ? t('profile.password.ruleMet') : t('profile.password.ruleNotMet')})`;
    }
  }

  /** answer: pw.strength's {score, ok} (ok: meets the server's minimum). */
  function showStrength(answer) {
    const s = Math.max(0, Math.min(4, Number(answer.score) || 0));
    meter.value = s;
    meter.dataset.score = String(s);
    strength.dataset.ok = String(answer.ok !== false);
    meterText.textContent = answer.ok === false
      ? t('profile.password.tooWeak', { strength: t(STRENGTH_KEYS[s]) }) : t(STRENGTH_KEYS[s]);
  }

  function askStrength() {
    clearTimeout(timer);
    pending?.abort();
    const pw = newInput.value;
    if (!pw) {
      strength.hidden = true;
      meterText.textContent = '';
      return;
    }
    timer = setTimeout(async () => {
      const controller = new AbortController();
      pending = controller;
      signal.addEventListener('abort', () => controller.abort(), { once: true });
      try {
        const answer = await estimate(pw, controller.signal);
        if (controller.signal.aborted || newInput.value !== pw) return;
        strength.hidden = false;
        showStrength(answer);
      } catch {
        // No estimate (server without the endpoint, network): no meter, the save still checks.
        if (!controller.signal.aborted) strength.hidden = true;
      }
    }, STRENGTH_DELAY_MS);
  }

  newInput.addEventListener('input', () => {
    failedByServer = new Set();
    tick();
    askStrength();
  });
  tick();

  const element = h('div', { class: 'profile-password' },
    newRow.row,
    checklist,
    strength,
    confirmRow.row,
    currentRow?.row);

  return {
    element,
    rows: { newPassword: newRow, confirmPassword: confirmRow, currentPassword: currentRow },
    values: () => ({ newPassword: newInput.value, confirmPassword: confirmRow.input.value, currentPassword: currentRow?.input.value ?? '' }),
    reset() {
      for (const row of [newRow, confirmRow, currentRow]) if (row) row.input.value = '';
      failedByServer = new Set();
      strength.hidden = true;
      tick();
    },
    /** What the form must say before sending, or null when the passwords can go. */
    check() {
      const { newPassword, confirmPassword, currentPassword } = this.values();
      if (!newPassword) return null;
      if (!newPassword.trim()) return { field: 'newPassword', text: t('profile.error.passwordBlank') };
      if (items.some(({ rule }) => !rule.ok(newPassword))) return { field: 'newPassword', text: t('profile.error.passwordPolicy') };
      if (confirmPassword !== newPassword) return { field: 'confirmPassword', text: t('profile.error.passwordMismatch') };
      if (currentRow && !currentPassword) return { field: 'currentPassword', text: t('profile.error.currentMissing') };
      return null;
    },
    /** Marks the rules the server refused (ids as in RULES), so the list agrees with it. */
    showFailed(ids) {
      failedByServer = new Set(ids);
      tick();
    },
  };
}
