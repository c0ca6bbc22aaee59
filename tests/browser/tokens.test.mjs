// Browser tests of the Personal Access Tokens page, against the real server at
// BASE_URL with the demo account (see lib.mjs). Each test has its own browser
// context (so its own session: the server asks for the password again), and
// makes tokens with names unique to this run; after() deletes any that are left.
//
// What they hold the page to (issue 4 §5): a new token and the user id are shown
// once, in a dialog; after it closes they are in no part of the page and in no
// browser storage, and the token works as X-Auth-Token; regenerating and
// deleting are confirmed and take effect at once; a wrong password creates
// nothing; keyboard-only and phone-sized use work.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  BASE_URL, DEMO_PASSWORD, DEMO_USER, openPage, screenshot, signIn, strings, tabTo, useBrowser,
} from './lib.mjs';

const RUN = `ui-${Date.now().toString(36)}-${crypto.randomBytes(3).toString('hex')}`;
const created = new Set(); // names of tokens this run may have left behind
const YEAR = new Date().getFullYear();
const browser = useBrowser();

after(async () => {
  await deleteLeftovers();
});

// ---- Helpers -----------------------------------------------------------------

/** A token name no other run uses. */
function uniqueName(label) {
  const name = `${RUN}-${label}`;
  created.add(name);
  return name;
}

const fill = (text, params) => text.replace(/\{(\w+)\}/g, (whole, key) => (key in params ? String(params[key]) : whole));

/** GET /api/v1/me from Node with a personal access token. */
async function meWithToken(userId, token) {
  const response = await fetch(`${BASE_URL}/api/v1/me`, { headers: { 'X-User-Id': userId, 'X-Auth-Token': token } });
  return { status: response.status, body: await response.json().catch(() => null) };
}

/** The account behind the context's session cookie. */
async function sessionMe(context) {
  return (await context.request.get('/api/v1/me')).json();
}

/** The raw text of the token list the API gives the context's session. */
async function listText(context) {
  const response = await context.request.get('/api/v1/users.getPersonalAccessTokens');
  assert.equal(response.status(), 200);
  return response.text();
}

/** Deletes this run's remaining tokens through the API (login, remove with the password as second factor). */
async function deleteLeftovers() {
  if (!created.size || !BASE_URL) return;
  const login = await fetch(`${BASE_URL}/api/v1/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user: DEMO_USER, password: DEMO_PASSWORD }),
  });
  const { data } = await login.json();
  if (!data?.authToken) return;
  const auth = { 'X-User-Id': data.userId, 'X-Auth-Token': data.authToken };
  const digest = crypto.createHash('sha256').update(DEMO_PASSWORD).digest('hex');
  const list = await (await fetch(`${BASE_URL}/api/v1/users.getPersonalAccessTokens`, { headers: auth })).json();
  for (const { name } of list.tokens || []) {
    if (!created.has(name)) continue;
    await fetch(`${BASE_URL}/api/v1/users.removePersonalAccessToken`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json', 'x-2fa-method': 'password', 'x-2fa-code': digest },
      body: JSON.stringify({ tokenName: name }),
    });
  }
  await fetch(`${BASE_URL}/api/v1/logout`, { method: 'POST', headers: auth });
}

/** Signs in and opens the Tokens page; resolves with its strings once the form shows. */
async function openTokensPage(page) {
  await signIn(page);
  await page.goto('/#/tokens');
  await page.locator('#tokens-name').waitFor();
  return strings(page);
}

const passwordDialog = (page, s) => page.getByRole('dialog', { name: s['twofactor.title'] });
const secretDialog = (page) => page.locator('dialog.tokens-secret');

/**
 * After an action that needs the second factor: types the password when the
 * server asks for it (a fresh session), or goes on when it remembers the last
 * one; resolves when next (a locator) shows.
 */
async function passwordIfAsked(page, s, next, { keyboard = false } = {}) {
  const prompt = passwordDialog(page, s);
  await prompt.or(next).first().waitFor();
  if (!(await prompt.isVisible())) return false;
  const input = prompt.getByLabel(s['signin.password'], { exact: true });
  if (keyboard) {
    assert.ok(await input.evaluate((el) => el === document.activeElement), 'focus starts in the password field');
    await page.keyboard.type(DEMO_PASSWORD);
    await page.keyboard.press('Enter');
  } else {
    await input.fill(DEMO_PASSWORD);
    await prompt.getByRole('button', { name: s['twofactor.confirm'], exact: true }).click();
  }
  await next.waitFor();
  return true;
}

/** Reads the token and user id shown in the open dialog. */
async function readSecret(page) {
  const dialog = secretDialog(page);
  return {
    token: (await dialog.locator('#tokens-secret-token').textContent()).trim(),
    userId: (await dialog.locator('#tokens-secret-user-id').textContent()).trim(),
  };
}

/**
 * Closes the token dialog with its Done button; resolves once it has left the
 * page. When the token was never copied the dialog asks first (issue 9 §9):
 * this answers "Close without copying".
 */
async function closeSecret(page, s, { tap = false } = {}) {
  const dialog = secretDialog(page);
  const press = (locator) => (tap ? locator.tap() : locator.click());
  await press(dialog.getByRole('button', { name: s['tokens.secret.close'], exact: true }));
  // Either it closed (the token was copied) or it asks.
  await page.waitForFunction(() => {
    const open = document.querySelector('dialog.tokens-secret');
    return !open || !open.querySelector('.tokens-secret-ask').hidden;
  });
  const anyway = dialog.getByRole('button', { name: s['tokens.secret.closeAnyway'], exact: true });
  if (await anyway.isVisible()) await press(anyway);
  await dialog.waitFor({ state: 'detached' });
}

/** The list entry of the token called name. */
const tokenItem = (page, name) => page.locator('.tokens-item').filter({ has: page.locator('.tokens-name', { hasText: name }) });

/** Fills the Add form with the mouse and submits it; resolves with the token and user id from the dialog. */
async function addToken(page, s, name, { bypass = false, expiry = '' } = {}) {
  await page.getByLabel(s['tokens.name'], { exact: true }).fill(name);
  if (bypass) await page.getByLabel(s['tokens.bypass'], { exact: true }).check();
  if (expiry) await page.getByLabel(s['tokens.expiry'], { exact: true }).fill(expiry);
  await page.getByRole('button', { name: s['tokens.add'], exact: true }).click();
  const asked = await passwordIfAsked(page, s, secretDialog(page));
  return { asked, ...(await readSecret(page)) };
}

/** Everything the page can keep in browser storage, as one text, plus the IndexedDB names. */
async function browserStorage(page, context) {
  const inPage = await page.evaluate(async () => {
    const parts = [document.cookie];
    for (const store of [localStorage, sessionStorage]) {
      for (let i = 0; i < store.length; i += 1) parts.push(store.key(i), store.getItem(store.key(i)));
    }
    const request = (r) => new Promise((resolve, reject) => {
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const databases = await indexedDB.databases();
    for (const info of databases) {
      const db = await request(indexedDB.open(info.name));
      for (const name of db.objectStoreNames) {
        parts.push(JSON.stringify(await request(db.transaction(name).objectStore(name).getAll())));
      }
      db.close();
    }
    if (globalThis.caches) {
      for (const key of await caches.keys()) {
        const cache = await caches.open(key);
        for (const req of await cache.keys()) parts.push(req.url, await (await cache.match(req)).text());
      }
    }
    return { text: parts.join('\n'), databases: databases.map((d) => d.name) };
  });
  const cookies = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('\n');
  return { text: `${inPage.text}\n${cookies}`, databases: inPage.databases };
}

/** Asserts value appears nowhere in the page: markup, form values, the selection. */
async function assertNotInPage(page, value, what) {
  const found = await page.evaluate((v) => ({
    html: document.documentElement.outerHTML.includes(v),
    values: [...document.querySelectorAll('input, textarea')].some((el) => el.value.includes(v)),
    selection: String(window.getSelection() || '').includes(v),
    dialogs: document.querySelectorAll('dialog').length,
  }), value);
  assert.deepEqual(found, { html: false, values: false, selection: false, dialogs: 0 }, `${what} is gone from the page`);
}

/** Clicks Regenerate on name's entry and confirms; resolves with the new value. */
async function regenerate(page, s, name) {
  await page.getByRole('button', { name: fill(s['tokens.regenerateNamed'], { name }), exact: true }).click();
  const confirm = page.getByRole('dialog', { name: s['tokens.confirmRegenerateTitle'] });
  await confirm.getByRole('button', { name: s['tokens.regenerate'], exact: true }).click();
  await passwordIfAsked(page, s, secretDialog(page));
  return readSecret(page);
}

/** Clicks Delete on name's entry and confirms; resolves when the entry is gone. */
async function remove(page, s, name) {
  await page.getByRole('button', { name: fill(s['tokens.deleteNamed'], { name }), exact: true }).click();
  const confirm = page.getByRole('dialog', { name: s['tokens.confirmDeleteTitle'] });
  await confirm.getByRole('button', { name: s['tokens.delete'], exact: true }).click();
  const gone = page.getByRole('status').filter({ hasText: fill(s['tokens.deleted'], { name }) });
  await passwordIfAsked(page, s, gone);
  await tokenItem(page, name).waitFor({ state: 'detached' });
}

// ---- Tests ---------------------------------------------------------------------

test('a new token is shown once, can be copied, is then gone from page and storage, and works as X-Auth-Token', async () => {
  const { context, page, problems } = await openPage(browser(), { timezoneId: 'Europe/Berlin' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE_URL });
  const s = await openTokensPage(page);
  const me = await sessionMe(context);
  const name = uniqueName('create');

  const { asked, token, userId } = await addToken(page, s, name, { expiry: `${YEAR + 2}-12-31` });
  assert.ok(asked, 'a fresh session is asked for the password');
  assert.match(token, /^[A-Za-z0-9_-]{43}$/, 'Rocket.Chat token format');
  assert.equal(userId, me._id);
  const dialog = secretDialog(page);
  await dialog.getByText(s['tokens.secret.warning']).waitFor();
  assert.ok(await page.evaluate((v) => document.documentElement.outerHTML.includes(v), token), 'shown while the dialog is open');
  await screenshot(page, 'tokens-secret-desktop');

  await dialog.getByRole('button', { name: s['tokens.secret.copyToken'], exact: true }).click();
  await dialog.getByRole('status').filter({ hasText: s['tokens.secret.copied'] }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token, 'Copy token copies the token');
  await dialog.getByRole('button', { name: s['tokens.secret.copyUserId'], exact: true }).click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), userId, 'Copy user ID copies the id');
  await page.evaluate(() => navigator.clipboard.writeText(''));

  await dialog.getByRole('button', { name: s['tokens.secret.close'], exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
  await assertNotInPage(page, token, 'the token');
  await assertNotInPage(page, userId, 'the user id');
  const storage = await browserStorage(page, context);
  assert.ok(!storage.text.includes(token), 'the token is in no browser storage');
  assert.ok(!storage.text.includes(userId), 'the user id is stored nowhere either');
  assert.deepEqual(storage.databases, [], 'no IndexedDB database');

  // The list shows the token by its last six characters only, as does the API.
  const item = tokenItem(page, name);
  await item.waitFor();
  assert.ok((await item.textContent()).includes(`…${token.slice(-6)}`), 'the last part, after an ellipsis');
  assert.match(await item.textContent(), new RegExp(s['tokens.neverUsed']));
  const listed = await listText(context);
  assert.ok(!listed.includes(token), 'the API list holds no token value');
  const entry = JSON.parse(listed).tokens.find((tk) => tk.name === name);
  assert.equal(entry.lastTokenPart, token.slice(-6));
  assert.equal(entry.bypassTwoFactor, false);
  assert.equal(Date.parse(entry.expiresAt), Date.parse(`${YEAR + 2}-12-31T22:59:59.000Z`), 'the end of the day in Berlin');

  const used = await meWithToken(userId, token);
  assert.equal(used.status, 200);
  assert.equal(used.body.username, me.username);
  assert.equal(used.body._id, me._id);

  await page.reload();
  await tokenItem(page, name).locator('time').nth(1).waitFor(); // created, then last used
  await screenshot(page, 'tokens-list-desktop');
  assert.deepEqual(problems, []);
  await context.close();
});

test('regenerating replaces the value at once and deleting ends it, each after a confirmation', async () => {
  const { context, page, problems } = await openPage(browser());
  const s = await openTokensPage(page);
  const name = uniqueName('regen');

  const first = await addToken(page, s, name, { bypass: true });
  await page.keyboard.press('Escape'); // Esc, like Done, first asks: nothing was copied
  await secretDialog(page).getByText(s['tokens.secret.askCopied'], { exact: true }).waitFor();
  await secretDialog(page).getByRole('button', { name: s['tokens.secret.closeAnyway'], exact: true }).click();
  await secretDialog(page).waitFor({ state: 'detached' });
  await assertNotInPage(page, first.token, 'the token');
  assert.equal((await meWithToken(first.userId, first.token)).status, 200);
  await tokenItem(page, name).getByText(s['tokens.yes'], { exact: true }).waitFor();

  // Cancelling the confirmation changes nothing.
  await page.getByRole('button', { name: fill(s['tokens.regenerateNamed'], { name }), exact: true }).click();
  const confirm = page.getByRole('dialog', { name: s['tokens.confirmRegenerateTitle'] });
  assert.match(await confirm.textContent(), new RegExp(name));
  await confirm.getByRole('button', { name: s['common.cancel'], exact: true }).click();
  await confirm.waitFor({ state: 'detached' });
  assert.equal((await meWithToken(first.userId, first.token)).status, 200, 'cancelled: the old token still works');

  const second = await regenerate(page, s, name);
  assert.notEqual(second.token, first.token);
  assert.match(await secretDialog(page).getByRole('heading').textContent(), new RegExp(name));
  // Where the clipboard refuses, Copy selects the text for Ctrl+C instead.
  await page.evaluate(() => {
    navigator.clipboard.writeText = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
  });
  await secretDialog(page).getByRole('button', { name: s['tokens.secret.copyToken'], exact: true }).click();
  await secretDialog(page).getByRole('status').filter({ hasText: s['tokens.secret.copyManually'] }).waitFor();
  assert.equal(await page.evaluate(() => String(window.getSelection())), second.token);
  await closeSecret(page, s);
  await assertNotInPage(page, second.token, 'the new token');
  assert.equal((await meWithToken(first.userId, first.token)).status, 401, 'the old value fails at once');
  assert.equal((await meWithToken(second.userId, second.token)).status, 200, 'the new value works');
  await tokenItem(page, name).getByText(`…${second.token.slice(-6)}`).waitFor();

  await remove(page, s, name);
  assert.equal((await meWithToken(second.userId, second.token)).status, 401, 'a deleted token fails');
  assert.ok(!(await listText(context)).includes(`"${name}"`), 'gone from the API list');
  created.delete(name);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a wrong password says so and creates no token', async () => {
  const { context, page, problems } = await openPage(browser());
  const s = await openTokensPage(page);
  const name = uniqueName('wrong');

  await page.getByLabel(s['tokens.name'], { exact: true }).fill(name);
  await page.getByRole('button', { name: s['tokens.add'], exact: true }).click();
  const prompt = passwordDialog(page, s);
  await prompt.waitFor();
  await prompt.getByLabel(s['signin.password'], { exact: true }).fill(`${DEMO_PASSWORD}-wrong`);
  await prompt.getByRole('button', { name: s['twofactor.confirm'], exact: true }).click();
  await prompt.getByRole('alert').filter({ hasText: s['twofactor.wrongPassword'] }).waitFor();
  assert.equal(await prompt.getByLabel(s['signin.password'], { exact: true }).inputValue(), '', 'the field is emptied');
  await screenshot(page, 'tokens-wrong-password');
  await prompt.getByRole('button', { name: s['common.cancel'], exact: true }).click();
  await prompt.waitFor({ state: 'detached' });

  assert.equal(await secretDialog(page).count(), 0, 'no token dialog');
  assert.equal(await tokenItem(page, name).count(), 0, 'nothing new in the list');
  assert.ok(!(await listText(context)).includes(`"${name}"`), 'nothing new on the server');
  assert.equal(await page.getByLabel(s['tokens.name'], { exact: true }).inputValue(), name, 'the form keeps its input');

  // A missing name is caught before any request.
  await page.getByLabel(s['tokens.name'], { exact: true }).fill('');
  await page.getByRole('button', { name: s['tokens.add'], exact: true }).click();
  await page.getByRole('alert').filter({ hasText: s['tokens.error.nameMissing'] }).waitFor();
  assert.ok(await page.evaluate(() => document.activeElement?.id === 'tokens-name'), 'focus goes to the name');
  assert.equal(await passwordDialog(page, s).count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('keyboard only: add, copy, close and delete a token', async () => {
  const { context, page, problems } = await openPage(browser());
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE_URL });
  const s = await openTokensPage(page);
  const name = uniqueName('keys');
  const focused = (selector) => page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector);
  const outline = () => page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);

  await page.locator('main h1').focus();
  await tabTo(page, '#tokens-name');
  await page.keyboard.type(name);
  await page.keyboard.press('Tab');
  assert.ok(await focused('#tokens-bypass'), 'the checkbox follows the name');
  await page.keyboard.press('Space');
  assert.ok(await page.locator('#tokens-bypass').isChecked());
  await tabTo(page, '#tokens-add');
  assert.notEqual(await outline(), 'none', 'the Add button shows focus');
  await page.keyboard.press('Enter');

  await passwordIfAsked(page, s, secretDialog(page), { keyboard: true });
  const { token } = await readSecret(page);
  assert.ok(await focused('dialog.tokens-secret button'), 'focus starts on the first copy button');
  assert.notEqual(await outline(), 'none');
  await page.keyboard.press('Enter');
  await secretDialog(page).getByRole('status').filter({ hasText: s['tokens.secret.copied'] }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token);
  await page.evaluate(() => navigator.clipboard.writeText(''));
  await tabTo(page, 'dialog.tokens-secret .dialog-actions button', 6);
  await page.keyboard.press('Enter');
  await secretDialog(page).waitFor({ state: 'detached' });
  assert.ok(await focused('#tokens-add'), 'focus returns to the Add button');
  await assertNotInPage(page, token, 'the token');

  await tokenItem(page, name).waitFor();
  await tabTo(page, `.tokens-item button[aria-label="${fill(s['tokens.deleteNamed'], { name })}"]`, 80);
  await page.keyboard.press('Enter');
  const confirm = page.getByRole('dialog', { name: s['tokens.confirmDeleteTitle'] });
  await confirm.waitFor();
  assert.ok(await focused('dialog button'), 'focus is in the confirmation');
  await page.keyboard.press('Tab'); // from Cancel to Delete
  await page.keyboard.press('Enter');
  const done = page.getByRole('status').filter({ hasText: fill(s['tokens.deleted'], { name }) });
  await passwordIfAsked(page, s, done, { keyboard: true });
  await tokenItem(page, name).waitFor({ state: 'detached' });
  assert.ok(await focused('#tokens-list-heading'), 'focus moves to the list heading');
  created.delete(name);
  assert.deepEqual(problems, []);
  await context.close();
});

test('on a phone-sized screen the form, the list and the token dialog fit', async () => {
  const { context, page, problems } = await openPage(browser(), {
    viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2,
  });
  const s = await openTokensPage(page);
  const name = uniqueName('phone');
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

  assert.ok(await overflow() <= 0, 'no sideways scrolling');
  await page.getByLabel(s['tokens.name'], { exact: true }).fill(name);
  await page.getByLabel(s['tokens.expiry'], { exact: true }).fill(`${YEAR + 3}-06-30`);
  await page.getByRole('button', { name: s['tokens.add'], exact: true }).tap();
  await passwordIfAsked(page, s, secretDialog(page));

  const dialog = secretDialog(page);
  const box = await dialog.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 390, 'the dialog lies inside the screen');
  assert.ok(await dialog.evaluate((el) => el.scrollWidth <= el.clientWidth), 'the token wraps inside the dialog');
  for (const label of ['tokens.secret.copyToken', 'tokens.secret.copyUserId', 'tokens.secret.close']) {
    const button = await dialog.getByRole('button', { name: s[label], exact: true }).boundingBox();
    assert.ok(button.height >= 40 && button.x + button.width <= 390, `${label} is a large enough target on screen`);
  }
  await screenshot(page, 'tokens-secret-phone');
  await closeSecret(page, s, { tap: true });

  const item = tokenItem(page, name);
  await item.waitFor();
  assert.ok(await overflow() <= 0, 'still no sideways scrolling with the list');
  for (const button of await item.getByRole('button').all()) {
    const b = await button.boundingBox();
    assert.ok(b.height >= 40 && b.x >= 0 && b.x + b.width <= 390, 'row buttons are large enough and on screen');
  }
  await screenshot(page, 'tokens-list-phone');
  await remove(page, s, name);
  created.delete(name);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the list marks expired tokens and honours the 12/24-hour preference; switched off, the page only says so', async () => {
  const { context, page, problems } = await openPage(browser(), { timezoneId: 'UTC' });
  let clockMode = 2;
  let switchedOff = false;
  // The account's real /me with the clock preference replaced, and a fixed token list.
  await page.route('**/api/v1/me', async (route) => {
    const response = await route.fetch();
    const me = await response.json();
    me.settings = { ...me.settings, preferences: { ...me.settings?.preferences, clockMode } };
    await route.fulfill({ response, json: me });
  });
  await page.route('**/api/v1/users.getPersonalAccessTokens', (route) => route.fulfill(switchedOff
    ? { status: 400, json: { success: false, error: 'This action is switched off by the administrator [error-not-allowed]', errorType: 'error-not-allowed' } }
    : {
      json: {
        success: true,
        tokens: [
          { name: 'old-ci', createdAt: '2020-01-02T15:30:00.000Z', lastTokenPart: 'aB3-_z', bypassTwoFactor: false, expiresAt: '2021-01-02T15:30:00.000Z', expired: true, lastUsedAt: '2020-12-24T09:05:00.000Z' },
          { name: 'deploy <b>bot</b>', createdAt: '2024-05-06T18:45:00.000Z', lastTokenPart: 'Zz9Yy8', bypassTwoFactor: true },
        ],
      },
    }));
  const s = await openTokensPage(page);

  const expired = tokenItem(page, 'old-ci');
  await expired.waitFor();
  assert.match(await expired.getAttribute('class'), /tokens-item-expired/);
  await expired.getByText(s['tokens.expired'], { exact: true }).waitFor();
  assert.match(await expired.textContent(), /…aB3-_z/);
  assert.match(await expired.textContent(), /15:30/, '24-hour clock');
  const fresh = tokenItem(page, 'deploy <b>bot</b>');
  assert.equal(await fresh.locator('b').count(), 0, 'names are text, never markup');
  assert.equal(await fresh.getByText(s['tokens.expired'], { exact: true }).count(), 0);
  assert.match(await fresh.textContent(), new RegExp(`${s['tokens.neverUsed']}.*${s['tokens.noExpiry']}.*${s['tokens.yes']}`));
  assert.equal(await page.locator('.tokens-item').first().locator('.tokens-name').textContent(), 'deploy <b>bot</b>', 'newest first');
  await screenshot(page, 'tokens-list-mocked');

  // A name already in the list is refused before any request (and any password prompt).
  await page.getByLabel(s['tokens.name'], { exact: true }).fill('old-ci');
  await page.getByRole('button', { name: s['tokens.add'], exact: true }).click();
  await page.getByRole('alert').filter({ hasText: s['tokens.error.exists'] }).waitFor();
  assert.equal(await passwordDialog(page, s).count(), 0);

  clockMode = 1;
  await page.reload();
  await expired.waitFor();
  assert.match(await expired.textContent(), /3:30\s?PM/, '12-hour clock');

  switchedOff = true;
  await page.reload();
  await page.getByText(s['tokens.disabled']).waitFor();
  assert.equal(await page.locator('#tokens-name').count(), 0, 'no form');
  assert.equal(await page.locator('.tokens-list').count(), 0, 'no list');
  assert.deepEqual(problems, []);
  await context.close();
});
