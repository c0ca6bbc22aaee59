// Security page: two-factor authentication by email (codes sent to the
// verified address). Turning it on needs a verified address and signs out the
// other sessions (Rocket.Chat's users.2fa.enableEmail); turning it off passes
// the second factor without the remember window (users.2fa.disableEmail).

import * as api from '../api.js';
import { confirmAction } from '../dialog.js';
import { h, replaceChildren } from '../dom.js';
import { describeError } from '../errors.js';
import { doneLine, runBusy } from '../feedback.js';
import { t } from '../i18n.js';
import { isCancelled, withSecondFactor } from '../twofactor.js';

const hasType = (err, type) => err instanceof api.ApiError && err.errorType === type;
const verifiedAddress = (me) => (Array.isArray(me.emails) ? me.emails : []).find((e) => e?.verified === true)?.address || '';
const unverified = (me) => (Array.isArray(me.emails) ? me.emails : []).some((e) => e && e.verified !== true);

/** The section. me: /me's user; onSignedOutOthers(): reload the session list. */
export function emailSection({ me, signal, onSignedOutOthers }) {
  let enabled = me.services?.email2fa?.enabled === true;
  const address = verifiedAddress(me);
  // Rocket.Chat refuses while any address is unverified; say so before the click.
  const blocked = !address || unverified(me);
  const heading = h('h2', { id: 'email2fa-heading', class: 'section-title', tabindex: '-1' }, t('security.email.title'));
  const state = h('p', { id: 'email2fa-state', class: 'security-state' });
  const needVerified = h('p', { id: 'email2fa-unverified', class: 'notice' },
    t('security.email.needVerified'), ' ',
    h('a', { href: '#/profile' }, t('security.email.toProfile')));
  const error = h('p', { class: 'form-error', role: 'alert', 'aria-live': 'assertive' });
  const done = doneLine('email2fa-status');
  const enable = h('button', { type: 'button', id: 'email2fa-enable', class: 'button button-primary', onClick: turnOn }, t('security.email.enable'));
  const disable = h('button', { type: 'button', id: 'email2fa-disable', class: 'button button-danger', onClick: turnOff }, t('security.email.disable'));

  function draw() {
    replaceChildren(state,
      h('span', { class: enabled ? 'badge badge-ok' : 'badge' }, t(enabled ? 'security.on' : 'security.off')), ' ',
      enabled ? t('security.email.isOn', { address }) : t('security.email.isOff'));
    enable.hidden = enabled || blocked;
    needVerified.hidden = enabled || !blocked;
    disable.hidden = !enabled;
  }

  async function act(button, label, call) {
    error.textContent = '';
    done.clear();
    try {
      await runBusy(button, label, call);
      return true;
    } catch (err) {
      if (isCancelled(err) || signal.aborted) return false;
      error.textContent = hasType(err, 'error-invalid-user') ? t('security.email.needVerified') : describeError(err);
      return false;
    }
  }

  async function turnOn() {
    const ok = await confirmAction({
      title: t('security.email.enableTitle'),
      message: t('security.email.enableText', { address }),
      confirmLabel: t('security.email.enable'),
    });
    if (!ok || !(await act(enable, t('security.email.enabling'), () => api.post('users.2fa.enableEmail')))) return;
    if (signal.aborted) return;
    enabled = true;
    draw();
    disable.focus();
    done.show(t('security.email.enabled'));
    onSignedOutOthers();
  }

  async function turnOff() {
    const ok = await confirmAction({
      title: t('security.email.disableTitle'),
      message: t('security.email.disableText'),
      confirmLabel: t('security.email.disable'),
      danger: true,
    });
    const call = () => withSecondFactor((headers) => api.post('users.2fa.disableEmail', undefined, { headers }));
    if (!ok || !(await act(disable, t('security.email.disabling'), call))) return;
    if (signal.aborted) return;
    enabled = false;
    draw();
    (blocked ? heading : enable).focus();
    done.show(t('security.email.disabled'));
  }

  draw();
  return h('section', { class: 'card section', 'aria-labelledby': 'email2fa-heading' },
    heading,
    h('p', { class: 'hint' }, t('security.email.intro')),
    state,
    needVerified,
    done.element,
    error,
    h('div', { class: 'section-actions' }, enable, disable));
}
