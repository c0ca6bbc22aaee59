// Issue 9, "the SPA feels finished", item by item, against the real server at
// BASE_URL as the demo account: progress while waiting (3 s of added latency
// with page.route), focus kept in sight and in place, visible "saved"
// feedback, revoked sessions noticed (next request, focus, visibility) with
// unsaved input kept, the unsaved-changes guard, Retry and offline recovery,
// errors next to their form, no scroll jump, layout (CLS, token table, dates,
// long labels), time words and method-fitting messages, and the new-token
// dialog's "Did you copy the token?". Set SHOTS_DIR to keep screenshots of the
// busy, saved, error and revoked states.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BASE_URL, DEMO_PASSWORD, DEMO_USER, demoLoginHeaders, en, focusState, holdRequests, openPage, revokeOtherSessions,
  shot, signIn, strings, tabTo, useBrowser,
} from './lib.mjs';

const browser = useBrowser();
const I18N = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../www/i18n');
const lang = (code) => JSON.parse(fs.readFileSync(path.join(I18N, `${code}.json`), 'utf8'));
const LANGS = ['en', 'de', 'fr', 'es', 'pt-BR'];
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const RUN = `pol-${crypto.randomBytes(3).toString('hex')}`;
const fill = (text, params) => text.replace(/\{(\w+)\}/g, (whole, key) => (key in params ? String(params[key]) : whole));

// ---- The REST API from Node (a login of its own per call: some tests end every other session) ----

async function rest(method, endpoint, body, headers = {}) {
  const auth = await demoLoginHeaders();
  try {
    const response = await fetch(`${BASE_URL}/api/v1/${endpoint}`, {
      method,
      headers: { ...auth, ...headers, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return await response.json();
  } finally {
    await fetch(`${BASE_URL}/api/v1/logout`, { method: 'POST', headers: auth });
  }
}

const TOUCHED = ['language', 'clockMode', 'hideRoles', 'idleTimeLimit', 'highlights', 'messageViewMode'];
let restore = {};

before(async () => {
  const stored = (await rest('GET', 'users.getPreferences')).preferences || {};
  const merged = (await rest('GET', 'me')).settings.preferences;
  restore = Object.fromEntries(TOUCHED.map((key) => [key, stored[key] ?? merged[key] ?? (key === 'language' ? '' : undefined)])
    .filter(([, value]) => value !== undefined));
  await rest('POST', 'users.setPreferences', { data: { language: '', clockMode: 0 } });
});

after(async () => {
  await rest('POST', 'users.setPreferences', { data: restore });
  const digest = crypto.createHash('sha256').update(DEMO_PASSWORD).digest('hex');
  const list = await rest('GET', 'users.getPersonalAccessTokens');
  for (const { name } of list.tokens || []) {
    if (!name.startsWith(RUN)) continue;
    await rest('POST', 'users.removePersonalAccessToken', { tokenName: name }, { 'x-2fa-method': 'password', 'x-2fa-code': digest });
  }
});

// ---- Helpers --------------------------------------------------------------------

async function openPreferences(options = {}) {
  const opened = await openPage(browser(), { viewport: DESKTOP, ...options });
  await signIn(opened.page);
  await opened.page.goto('/#/preferences');
  await opened.page.locator('#pref-save').waitFor();
  return { ...opened, s: await strings(opened.page) };
}

/** Signs in on the sign-in screen shown now (no reload: the hash stays). */
async function signInHere(page) {
  await page.locator('#signin-user').fill(DEMO_USER);
  await page.locator('#signin-password').fill(DEMO_PASSWORD);
  await page.locator('#signin-submit').click();
  await page.locator('nav .nav-link').first().waitFor();
}

const inViewport = (locator) => locator.evaluate((el) => {
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth;
});

const announcer = (page) => page.locator('#announcer');

async function assertFocusOk(page, step) {
  const state = await focusState(page);
  assert.ok(state.ok, `${step}: ${state.why}`);
}

// ---- 1. Progress on every action that waits ----------------------------------------

for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`saving preferences (${size}): spinner, "Saving…", aria-busy, one request, then a visible "saved" with focus on it`, async () => {
    const { context, page, problems, s } = await openPreferences({ viewport });
    const hold = await holdRequests(page, '**/api/v1/users.setPreferences', { method: 'POST' });
    const toggle = page.locator('#pref-hideRoles');
    const before = await toggle.isChecked();
    await toggle.click();
    const save = page.locator('#pref-save');
    await save.click();

    await save.filter({ hasText: s['preferences.saving'] }).waitFor();
    assert.equal(await save.getAttribute('aria-disabled'), 'true', 'Save says it is disabled');
    assert.equal(await save.locator('.spinner').count(), 1, 'a spinner');
    assert.equal(await page.locator('form.prefs').getAttribute('aria-busy'), 'true', 'the form is busy');
    await announcer(page).filter({ hasText: s['preferences.saving'] }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'pref-save', 'focus stays on Save');
    await save.click({ force: true });
    await page.keyboard.press('Control+s');
    await shot(page, `preferences-busy-${size}`);
    assert.equal(hold.seen.length, 1, 'one request, however often Save is pressed');

    hold.release();
    const status = page.locator('#pref-save-status');
    await status.filter({ hasText: s['preferences.saved'] }).waitFor();
    assert.ok(await status.isVisible() && await inViewport(status), '"saved" is visible on screen');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'pref-save-status', 'focus moves to the message, not the body');
    assert.equal(await page.locator('form.prefs').getAttribute('aria-busy'), null);
    assert.equal(await save.textContent(), s['preferences.save']);
    await shot(page, `preferences-saved-${size}`);

    await toggle.setChecked(before);
    await page.keyboard.press('Control+s');
    await status.filter({ hasText: s['preferences.saved'] }).waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test('the password dialog: while its request runs, Confirm is busy and Cancel is visibly disabled; Esc does not close it', async () => {
  const { context, page, problems } = await openPage(browser(), { viewport: DESKTOP });
  await signIn(page);
  await page.goto('/#/tokens');
  const s = await strings(page);
  const name = `${RUN}-busy`;
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  await page.route('**/api/v1/users.generatePersonalAccessToken', async (route) => {
    if (route.request().headers()['x-2fa-code']) await gate;
    return route.fallback();
  });
  await page.getByLabel(s['tokens.name'], { exact: true }).fill(name);
  const add = page.locator('#tokens-add');
  await add.click();
  await add.filter({ hasText: s['tokens.adding'] }).waitFor();
  assert.equal(await add.getAttribute('aria-disabled'), 'true');

  const prompt = page.getByRole('dialog', { name: s['twofactor.title'] });
  await prompt.getByLabel(s['signin.password'], { exact: true }).fill(DEMO_PASSWORD);
  await prompt.getByRole('button', { name: s['twofactor.confirm'], exact: true }).click();
  const checking = prompt.getByRole('button', { name: s['twofactor.checking'] });
  await checking.waitFor();
  assert.equal(await checking.locator('.spinner').count(), 1);
  const cancel = prompt.getByRole('button', { name: s['common.cancel'], exact: true });
  assert.equal(await cancel.getAttribute('aria-disabled'), 'true', 'Cancel says it cannot stop the request');
  assert.equal(await cancel.evaluate((el) => Number(getComputedStyle(el).opacity)) < 1, true, 'and looks disabled');
  await shot(page, 'tokens-password-busy-desktop');
  await page.keyboard.press('Escape');
  await cancel.dispatchEvent('click'); // Playwright itself refuses to click an aria-disabled button
  assert.ok(await prompt.isVisible(), 'the dialog stays while its request runs');

  release();
  const secret = page.locator('dialog.tokens-secret');
  await secret.waitFor();
  await secret.getByRole('button', { name: s['tokens.secret.copyToken'], exact: true }).click();
  await secret.getByRole('button', { name: s['tokens.secret.close'], exact: true }).click();
  await secret.waitFor({ state: 'detached' });
  const created = page.locator('#tokens-add-status');
  await created.filter({ hasText: name }).waitFor();
  assert.ok(await created.isVisible(), '"created" is visible');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'tokens-add', 'focus returns to Add');
  assert.deepEqual(problems, []);
  await context.close();
});

test('signing in and out: the button shows a spinner and "Signing in…" / "Signing out…" while it waits', async () => {
  const { context, page, problems } = await openPage(browser(), { viewport: PHONE });
  await page.goto('/');
  const login = await holdRequests(page, '**/api/v1/login', { method: 'POST' });
  await page.locator('#signin-user').fill(DEMO_USER);
  await page.locator('#signin-password').fill(DEMO_PASSWORD);
  const submit = page.locator('#signin-submit');
  await submit.click();
  await submit.filter({ hasText: en['signin.signingIn'] }).waitFor();
  assert.equal(await submit.locator('.spinner').count(), 1);
  assert.equal(await submit.getAttribute('aria-disabled'), 'true');
  assert.equal(await page.locator('#signin-submit').evaluate((el) => el.form.getAttribute('aria-busy')), 'true');
  await page.keyboard.press('Enter'); // a second submit sends nothing
  await shot(page, 'signin-busy-phone');
  assert.equal(login.seen.length, 1);
  login.release();
  await page.locator('nav .nav-link').first().waitFor();

  const s = await strings(page);
  const logout = await holdRequests(page, '**/api/v1/logout', { method: 'POST' });
  const signOut = page.locator('.topbar-signout');
  await signOut.click();
  await signOut.filter({ hasText: s['app.signingOut'] }).waitFor();
  assert.equal(await signOut.locator('.spinner').count(), 1);
  logout.release();
  await page.getByRole('status').filter({ hasText: en['signin.signedOut'] }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

// ---- 2. Focus never disappears -----------------------------------------------------

for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`Tab through the whole Preferences form (${size}): no focused control is ever under the sticky save bar`, async () => {
    const { context, page, problems } = await openPreferences({ viewport });
    await page.locator('#pref-hideRoles').click(); // Save and Discard become reachable too
    await page.locator('main h1').focus();
    let steps = 0;
    for (let i = 0; i < 120; i += 1) {
      await page.keyboard.press('Tab');
      const id = await page.evaluate(() => document.activeElement?.id || '');
      if (!id.startsWith('pref-')) break; // past the form
      await page.waitForTimeout(20); // a frame for the bar check
      await assertFocusOk(page, `Tab ${i + 1}`);
      steps += 1;
    }
    assert.ok(steps > 30, `walked the form (${steps} stops)`);
    await page.locator('#pref-discard').click();
    assert.deepEqual(problems, []);
    await context.close();
  });
}

// ---- 3. Visible success feedback: token deleted, session signed out ------------------

test('deleting a token and signing out a session each show a visible message, with busy buttons meanwhile', async () => {
  const name = `${RUN}-del`;
  const digest = crypto.createHash('sha256').update(DEMO_PASSWORD).digest('hex');
  await rest('POST', 'users.generatePersonalAccessToken', { tokenName: name, bypassTwoFactor: false }, { 'x-2fa-method': 'password', 'x-2fa-code': digest });
  const { context, page, problems } = await openPage(browser(), { viewport: DESKTOP });
  await signIn(page);
  await page.goto('/#/tokens');
  const s = await strings(page);
  await page.getByRole('button', { name: fill(s['tokens.deleteNamed'], { name }), exact: true }).click();
  await page.getByRole('dialog', { name: s['tokens.confirmDeleteTitle'] }).getByRole('button', { name: s['tokens.delete'], exact: true }).click();
  const prompt = page.getByRole('dialog', { name: s['twofactor.title'] });
  await prompt.getByLabel(s['signin.password'], { exact: true }).fill(DEMO_PASSWORD);
  await prompt.getByRole('button', { name: s['twofactor.confirm'], exact: true }).click();
  const deleted = page.locator('#tokens-list-status');
  await deleted.filter({ hasText: fill(s['tokens.deleted'], { name }) }).waitFor();
  assert.ok(await deleted.isVisible() && await inViewport(deleted), '"deleted" is visible on screen');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'tokens-list-heading');

  // Another session to sign out, made through the API (it stays until revoked).
  const other = await (await fetch(`${BASE_URL}/api/v1/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', 'User-Agent': 'curl/8.5.0' },
    body: JSON.stringify({ user: DEMO_USER, password: DEMO_PASSWORD }),
  })).json();
  assert.ok(other.data?.authToken);
  await page.goto('/#/security');
  const hold = await holdRequests(page, '**/api/v1/sessions/logout.me', { method: 'POST' });
  const button = page.locator('.session:not(.session-current) button').first();
  await button.click();
  await page.getByRole('dialog', { name: s['security.sessions.confirmOneTitle'] })
    .getByRole('button', { name: s['security.sessions.logoutOne'], exact: true }).click();
  await page.locator('.session-list button.is-busy').filter({ hasText: s['security.sessions.loggingOut'] }).waitFor();
  assert.equal(await page.locator('.session-list').getAttribute('aria-busy'), 'true');
  hold.release();
  const done = page.locator('#sessions-status');
  await done.filter({ hasText: s['security.sessions.loggedOutOne'] }).waitFor();
  assert.ok(await done.isVisible() && await inViewport(done), '"logged out" is visible on screen');
  assert.deepEqual(problems, []);
  await context.close();
});

// ---- 4. Revoked sessions are noticed, and nothing typed is lost ----------------------

test('a session revoked elsewhere is noticed on the next request; unsaved preferences come back after signing in again', async () => {
  const { context, page, problems, s } = await openPreferences();
  await page.locator('#pref-idleTimeLimit').fill('777');
  await page.locator('#pref-highlights').fill('alpha, beta');
  await revokeOtherSessions();
  await page.locator('#pref-save').click();

  const notice = page.getByRole('status').filter({ hasText: en['signin.sessionEndedKept'] });
  await notice.waitFor();
  await shot(page, 'revoked-desktop');
  const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage }));
  assert.match(stored, /777/, 'the typed values are kept in sessionStorage');
  assert.ok(!stored.includes(DEMO_PASSWORD), 'never the password');
  assert.equal(await page.evaluate(() => localStorage.length), 0, 'nothing in localStorage');

  await signInHere(page);
  assert.match(page.url(), /#\/preferences$/, 'back on the same page');
  await page.locator('#pref-save-status').filter({ hasText: s['preferences.draftRestored'] }).waitFor();
  assert.equal(await page.locator('#pref-idleTimeLimit').inputValue(), '777');
  assert.equal(await page.locator('#pref-highlights').inputValue(), 'alpha, beta');
  assert.equal(await page.locator('#pref-save').isEnabled(), true, 'still unsaved: Save is on');
  assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'the draft is read once');
  await page.locator('#pref-discard').click();
  assert.deepEqual(problems, []);
  await context.close();
});

for (const trigger of ['focus', 'visibilitychange']) {
  test(`a session revoked elsewhere is noticed on ${trigger}, before any click; a typed token name comes back`, async () => {
    const { context, page, problems } = await openPage(browser(), { viewport: PHONE });
    await signIn(page);
    await page.goto('/#/tokens');
    const s = await strings(page);
    await page.getByLabel(s['tokens.name'], { exact: true }).fill(`${RUN}-kept`);
    await revokeOtherSessions();
    await page.evaluate((type) => (type === 'focus' ? window : document).dispatchEvent(new Event(type)), trigger);
    await page.getByRole('status').filter({ hasText: en['signin.sessionEndedKept'] }).waitFor();
    if (trigger === 'focus') await shot(page, 'revoked-phone');
    await signInHere(page);
    await page.locator('#tokens-add-status').filter({ hasText: s['tokens.draftRestored'] }).waitFor();
    assert.equal(await page.getByLabel(s['tokens.name'], { exact: true }).inputValue(), `${RUN}-kept`);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

// ---- 5. Unsaved changes: guard, Discard, Ctrl+S -------------------------------------

test('unsaved changes: leaving asks (Stay keeps them), Discard puts values back, Ctrl+S saves, closing the tab asks', async () => {
  const { context, page, problems } = await openPage(browser(), { viewport: DESKTOP });
  await signIn(page);
  await page.locator('nav a[href="#/preferences"]').click(); // in-page history entries, for Back
  await page.locator('#pref-save').waitFor();
  const s = await strings(page);
  const view = page.locator('#pref-messageViewMode');
  const original = await view.inputValue();
  const other = original === '2' ? '1' : '2';
  await view.selectOption(other);

  await page.locator('nav a[href="#/profile"]').click();
  const ask = page.getByRole('dialog', { name: s['unsaved.title'] });
  await ask.waitFor();
  await ask.getByRole('button', { name: s['unsaved.stay'], exact: true }).click();
  assert.match(page.url(), /#\/preferences$/);
  assert.equal(await view.inputValue(), other, 'Stay keeps the change');

  await page.evaluate(() => history.back()); // Back is asked about too
  await ask.waitFor();
  await ask.getByRole('button', { name: s['unsaved.stay'], exact: true }).click();
  assert.equal(await view.inputValue(), other);

  await page.locator('#pref-discard').click();
  assert.equal(await view.inputValue(), original, 'Discard puts the loaded value back');
  await page.locator('#pref-save-status').filter({ hasText: s['preferences.discarded'] }).waitFor();
  assert.equal(await page.locator('#pref-save').isDisabled(), true);
  assert.equal(await page.locator('#pref-discard').isDisabled(), true);

  await view.selectOption(other);
  await view.focus();
  await page.keyboard.press('Control+s');
  await page.locator('#pref-save-status').filter({ hasText: s['preferences.saved'] }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'pref-messageViewMode', 'the shortcut leaves focus where it was');
  assert.equal((await rest('GET', 'users.getPreferences')).preferences.messageViewMode, Number(other));
  assert.equal(await page.locator('#pref-save').getAttribute('aria-keyshortcuts'), 'Control+S');
  await view.selectOption(original);
  await page.keyboard.press('Meta+s'); // Cmd+S, as on a Mac
  await page.locator('#pref-save-status').filter({ hasText: s['preferences.saved'] }).waitFor();
  await page.waitForFunction(() => document.getElementById('pref-save').disabled);
  assert.equal((await rest('GET', 'users.getPreferences')).preferences.messageViewMode, Number(original));
  await view.selectOption(other);
  await page.keyboard.press('Control+s');
  await page.locator('#pref-save-status').filter({ hasText: s['preferences.saved'] }).waitFor();
  await page.waitForFunction(() => document.getElementById('pref-save').disabled);

  await page.locator('nav a[href="#/security"]').click();
  await page.locator('main h1').filter({ hasText: s['nav.security'] }).waitFor(); // saved: no question
  await page.goto('/#/preferences');
  await view.selectOption(original);
  await page.locator('nav a[href="#/profile"]').click();
  await ask.getByRole('button', { name: s['unsaved.leave'], exact: true }).click();
  await page.locator('main h1').filter({ hasText: s['nav.profile'] }).waitFor();
  await page.goto('/#/preferences');
  await view.selectOption(original);
  await page.keyboard.press('Control+s');
  await page.locator('#pref-save-status').filter({ hasText: s['preferences.saved'] }).waitFor();

  await view.selectOption(other);
  const dialog = new Promise((resolve) => page.once('dialog', resolve));
  await page.close({ runBeforeUnload: true });
  const asked = await dialog;
  assert.equal(asked.type(), 'beforeunload', 'closing the tab asks first');
  await asked.dismiss();
  assert.deepEqual(problems, []);
  await context.close();
});

// ---- 6. Errors recover ---------------------------------------------------------------

test('a section that failed to load has Try again; a page opened offline recovers by itself when back online', async () => {
  const { context, page, problems } = await openPage(browser(), { viewport: DESKTOP });
  await signIn(page);
  const s = await strings(page);
  await page.route('**/api/v1/sessions/list', (route) => route.fulfill({ status: 503, json: { success: false, error: 'down' } }));
  await page.goto('/#/security');
  const retry = page.getByRole('button', { name: s['common.retry'], exact: true });
  await retry.waitFor();
  await page.getByRole('alert').filter({ hasText: s['error.unavailable'] }).waitFor();
  await shot(page, 'security-error-desktop');
  await page.unroute('**/api/v1/sessions/list');
  await retry.click();
  await page.locator('.session-current').waitFor();

  await page.goto('/#/tokens');
  await page.locator('#tokens-name').waitFor();
  await page.goto('/#/profile');
  await page.locator('#profile-avatar-heading').waitFor(); // the Profile page is drawn
  await context.setOffline(true);
  await page.locator('nav a[href="#/tokens"]').click();
  await page.getByRole('alert').filter({ hasText: s['error.network'] }).waitFor();
  await shot(page, 'tokens-offline-desktop');
  await context.setOffline(false);
  // Back online: the list loads by itself, without a click.
  await page.waitForFunction(() => !document.querySelector('.retry-box')
    && document.querySelector('table.tokens-table:not([hidden]), #main p.muted:not([hidden])'));
  assert.deepEqual(problems, []);
  await context.close();
});

for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`a form whose backend is down says so next to it, on screen (${size})`, async () => {
    const { context, page, problems, s } = await openPreferences({ viewport });
    await page.route('**/api/v1/users.setPreferences', (route) => route.fulfill({ status: 503, body: '<html>Bad gateway</html>' }));
    await page.locator('#pref-hideRoles').click();
    await page.locator('#pref-save').click();
    const error = page.locator('#pref-save-error');
    await error.filter({ hasText: s['error.unavailable'] }).waitFor();
    assert.ok(await inViewport(error), 'the error is on screen, not below the fold');
    const gap = await page.evaluate(() => {
      const e = document.getElementById('pref-save-error').getBoundingClientRect();
      const b = document.getElementById('pref-save').getBoundingClientRect();
      return Math.max(0, Math.max(e.top, b.top) - Math.min(e.bottom, b.bottom));
    });
    assert.ok(gap < 120, `the error is next to Save (${gap}px apart)`);
    await shot(page, `preferences-error-${size}`);
    await page.locator('#pref-discard').click();

    await page.goto('/#/tokens');
    await page.route('**/api/v1/users.generatePersonalAccessToken', (route) => route.fulfill({ status: 503, body: 'down' }));
    await page.getByLabel(s['tokens.name'], { exact: true }).fill(`${RUN}-down`);
    await page.locator('#tokens-add').click();
    const formError = page.locator('#tokens-add-error');
    await formError.filter({ hasText: s['error.unavailable'] }).waitFor();
    assert.ok(await inViewport(formError), 'the token form error is on screen');
    await shot(page, `tokens-error-${size}`);
    await page.getByLabel(s['tokens.name'], { exact: true }).fill('');
    assert.deepEqual(problems, []);
    await context.close();
  });
}

// ---- 7. No jump after saving the language or time format ------------------------------

test('saving the time format or the language redraws in place: same scroll position, the control still in view', async () => {
  const { context, page, problems } = await openPreferences();
  for (const [key, value] of [['clockMode', '2'], ['language', 'de'], ['language', ''], ['clockMode', '0']]) {
    const control = page.locator(`#pref-${key}`);
    await control.evaluate((el) => el.closest('.pref-row').scrollIntoView({ block: 'center' }));
    const y = await page.evaluate(() => window.scrollY);
    assert.ok(y > 100 || key === 'language', 'scrolled down');
    await control.selectOption(value);
    await page.keyboard.press('Control+s');
    const s = lang(value === 'de' ? 'de' : 'en');
    await page.locator('#pref-save-status').filter({ hasText: s['preferences.saved'] }).waitFor();
    await page.waitForFunction((v) => document.getElementById('pref-save')?.disabled, null);
    const after = await page.evaluate(() => window.scrollY);
    assert.ok(Math.abs(after - y) <= 2, `${key}=${value}: scroll stays at ${y} (now ${after})`);
    assert.ok(await inViewport(page.locator(`#pref-${key}`)), `${key}: the control is still in view`);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

// ---- 8. Layout ------------------------------------------------------------------------

for (const slow of [false, true]) {
  test(`the sign-in screen does not shift as it loads${slow ? ' (1.5 s latency)' : ''}: CLS < 0.05`, async () => {
    const { context, page, problems } = await openPage(browser(), { viewport: PHONE });
    await page.addInitScript(() => {
      window.__cls = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__cls += entry.value;
      }).observe({ type: 'layout-shift', buffered: true });
    });
    if (slow) {
      await page.route(/\/(api\/info|api\/v1\/me|i18n\/.*\.json)$/, async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 1500));
        return route.fallback();
      });
    }
    await page.goto('/');
    await page.locator('#signin-user').waitFor();
    await page.waitForTimeout(1000);
    const cls = await page.evaluate(() => window.__cls);
    assert.ok(cls < 0.05, `CLS ${cls}`);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

const MOCK_TOKENS = [
  { name: 'ci', createdAt: '2026-01-02T15:30:00.000Z', lastTokenPart: 'aB3-_z', bypassTwoFactor: false, expiresAt: '2030-06-30T23:59:59.000Z', lastUsedAt: '2026-02-01T08:00:00.000Z' },
  { name: 'a token with a rather long name that has to wrap somewhere sensible', createdAt: '2026-01-01T10:00:00.000Z', lastTokenPart: 'Zz9Yy8', bypassTwoFactor: true },
  { name: 'deploy', createdAt: '2025-12-24T09:00:00.000Z', lastTokenPart: 'QwErTy', bypassTwoFactor: false },
];

test('the token list is a compact table on desktop and a tight list on a phone; an expiry day has no made-up time', async () => {
  const { context, page, problems } = await openPage(browser(), { viewport: DESKTOP, timezoneId: 'UTC' });
  await page.route('**/api/v1/users.getPersonalAccessTokens', (route) => route.fulfill({ json: { success: true, tokens: MOCK_TOKENS } }));
  await signIn(page);
  await page.goto('/#/tokens');
  const s = await strings(page);
  const table = page.locator('table.tokens-table');
  await table.waitFor();
  assert.equal(await table.locator('thead').isVisible(), true, 'column headings on desktop');
  assert.equal(await table.locator('th[scope="col"]').count(), 7);
  for (const row of await table.locator('tbody tr').all()) {
    const box = await row.boundingBox();
    const long = (await row.textContent()).includes('rather long name');
    // At most two lines: beside the navigation a date may break before its time.
    assert.ok(box.height <= (long ? 160 : 64), `a compact row (${box.height}px)`);
  }
  const expiry = await table.locator('tbody tr').filter({ hasText: 'ci' }).first().locator(`td[data-label="${s['tokens.expiresAt']}"]`).textContent();
  assert.equal(expiry.trim(), 'Jun 30, 2030', 'the chosen day, without 11:59 PM');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'no sideways scrolling on desktop');
  const card = await table.evaluate((t) => { const c = t.closest('.card').getBoundingClientRect(); return { right: c.right }; });
  const tableBox = await table.boundingBox();
  assert.ok(tableBox.x + tableBox.width <= card.right, 'the table fits inside its card');
  await shot(page, 'tokens-table-desktop');

  await page.setViewportSize(PHONE);
  assert.equal(await table.locator('thead').isVisible(), false, 'no column headings on a phone');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'no sideways scrolling');
  for (const row of await table.locator('tbody tr').all()) {
    const box = await row.boundingBox();
    assert.ok(box.height <= 260, `a tight block (${box.height}px)`);
    assert.ok(box.x >= 0 && box.x + box.width <= PHONE.width, 'on screen');
  }
  const label = await table.locator('tbody tr').first().locator('td[data-label]').first()
    .evaluate((el) => getComputedStyle(el, '::before').content);
  assert.equal(label, `"${s['tokens.lastPart']}"`, 'each value has its label on a phone');
  await shot(page, 'tokens-table-phone');
  assert.deepEqual(problems, []);
  await context.close();
});

test('no choice label is cut off, in any language, on desktop or phone', async () => {
  for (const code of LANGS) {
    for (const viewport of [DESKTOP, PHONE]) {
      const { context, page, problems } = await openPage(browser(), { viewport });
      await page.route('**/api/v1/me', async (route) => {
        const response = await route.fetch();
        const me = await response.json();
        me.settings = { ...me.settings, preferences: { ...me.settings?.preferences, language: code } };
        await route.fulfill({ response, json: me });
      });
      await signIn(page);
      await page.goto('/#/preferences');
      await page.locator('#pref-save').waitFor();
      const cut = await page.evaluate(() => {
        const canvas = document.createElement('canvas').getContext('2d');
        const problemsFound = [];
        for (const select of document.querySelectorAll('form.prefs select')) {
          const style = getComputedStyle(select);
          canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
          // Room for text: the box minus padding, borders and the arrow (about 1.5em).
          const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 1.5 * parseFloat(style.fontSize);
          for (const option of select.options) {
            const width = canvas.measureText(option.textContent).width;
            if (width > room) problemsFound.push(`${select.id}: "${option.textContent}" ${Math.round(width)} > ${Math.round(room)}`);
          }
        }
        for (const label of document.querySelectorAll('form.prefs label, form.prefs button')) {
          if (label.scrollWidth > label.clientWidth + 1) problemsFound.push(`${label.textContent} overflows`);
        }
        return problemsFound;
      });
      assert.deepEqual(cut, [], `${code} at ${viewport.width}px`);
      assert.deepEqual(problems, []);
      await context.close();
    }
  }
});

test('waits are said in words, in the user\'s language ("in 5 minutes"), and last use as "… ago"', async () => {
  for (const code of ['en', 'de']) {
    const { context, page, problems } = await openPage(browser(), { viewport: DESKTOP });
    await page.route('**/api/v1/me', async (route) => {
      const response = await route.fetch();
      const me = await response.json();
      me.settings = { ...me.settings, preferences: { ...me.settings?.preferences, language: code } };
      await route.fulfill({ response, json: me });
    });
    await page.route('**/api/v1/users.setPreferences', (route) => route.fulfill({
      status: 429, headers: { 'Retry-After': '297' }, json: { success: false, error: 'Too many requests' },
    }));
    await signIn(page);
    await page.goto('/#/preferences');
    await page.locator('#pref-hideRoles').click();
    await page.locator('#pref-save').click();
    const words = new Intl.RelativeTimeFormat(code, { numeric: 'always' }).format(5, 'minute');
    const error = page.locator('#pref-save-error');
    await error.filter({ hasText: words }).waitFor();
    assert.doesNotMatch(await error.textContent(), /297/);

    await page.locator('#pref-discard').click();
    await page.goto('/#/security');
    const seen = page.locator('.session-current time').last();
    await seen.waitFor();
    assert.ok(await seen.getAttribute('title'), 'the exact time is its title');
    const now = new Intl.RelativeTimeFormat(code, { numeric: 'auto' });
    const allowed = [now.format(0, 'second'), ...[1, 2, 3, 4, 5].map((n) => now.format(-n, 'minute'))];
    assert.ok(allowed.includes((await seen.textContent()).trim()), `"${await seen.textContent()}" is words`);
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test('sign-in messages fit the second factor in use: no "new code" for an authenticator app', async () => {
  for (const method of ['totp', 'email']) {
    const { context, page, problems } = await openPage(browser(), { viewport: DESKTOP });
    await page.route('**/api/v1/login', (route) => {
      const body = JSON.parse(route.request().postData());
      const answer = body.code
        ? { success: false, error: 'totp-max-attempts', errorType: 'totp-max-attempts' }
        : { success: false, error: 'totp-required', errorType: 'totp-required', details: { method } };
      return route.fulfill({ status: 401, json: answer });
    });
    await page.goto('/');
    await page.locator('#signin-user').fill('someone');
    await page.locator('#signin-password').fill('secret');
    await page.locator('#signin-submit').click();
    await page.locator('#signin-code').fill('123456');
    await page.locator('#signin-verify').click();
    const expected = method === 'email' ? en['signin.codeMaxAttemptsEmail'] : en['signin.codeMaxAttempts'];
    const alert = page.getByRole('alert').filter({ hasText: expected });
    await alert.waitFor();
    if (method === 'totp') assert.doesNotMatch(await alert.textContent(), /new code/i);
    assert.deepEqual(problems, []);
    await context.close();
  }
});

// ---- 9. The new-token dialog asks before closing when nothing was copied ----------------

test('the new-token dialog asks "Did you copy the token?" on Done and on Esc until the token was copied', async () => {
  const { context, page, problems } = await openPage(browser(), { viewport: DESKTOP });
  await page.route('**/api/v1/users.generatePersonalAccessToken', (route) => route.fulfill({ json: { success: true, token: 'mock-token-value-123' } }));
  await signIn(page);
  await page.goto('/#/tokens');
  const s = await strings(page);
  await page.getByLabel(s['tokens.name'], { exact: true }).fill(`${RUN}-mock`);
  await page.locator('#tokens-add').click();
  const dialog = page.locator('dialog.tokens-secret');
  await dialog.waitFor();
  const question = dialog.getByText(s['tokens.secret.askCopied'], { exact: true });

  await dialog.getByRole('button', { name: s['tokens.secret.close'], exact: true }).click();
  await question.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), s['tokens.secret.goBack'], 'focus on the safe answer');
  await page.keyboard.press('Escape'); // Esc on the question goes back to the token
  await question.waitFor({ state: 'hidden' });
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), s['tokens.secret.copyToken']);

  await page.keyboard.press('Escape'); // Esc on the dialog asks, too
  await question.waitFor();
  await dialog.getByRole('button', { name: s['tokens.secret.goBack'], exact: true }).click();
  await dialog.getByRole('button', { name: s['tokens.secret.copyToken'], exact: true }).click();
  await page.keyboard.press('Escape'); // copied: Esc closes at once
  await dialog.waitFor({ state: 'detached' });
  assert.deepEqual(problems, []);
  await context.close();
});
