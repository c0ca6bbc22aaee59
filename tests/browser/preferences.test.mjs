// Browser tests of the Preferences page against the real server at BASE_URL,
// as the demo account (see lib.mjs): changes are saved and kept over a reload,
// the language and the 12/24-hour clock switch at once, server errors show next
// to their field, "Test desktop notification" asks for permission and shows a
// notification, sound previews play. Every preference the tests touch is put
// back afterwards, so other test files see the account as it was.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BASE_URL, DEMO_PASSWORD, DEMO_USER, launchBrowser, openPage, requireEnv, screenshot, signIn, strings,
} from './lib.mjs';

const I18N = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../www/i18n');
const lang = (code) => JSON.parse(fs.readFileSync(path.join(I18N, `${code}.json`), 'utf8'));
const SOUNDS = ['chime', 'door', 'beep', 'chelle', 'ding', 'droplet', 'highbell', 'seasons',
  'telephone', 'outbound-call-ringing', 'call-ended', 'dialtone', 'ringtone'];

// Keys these tests change; after() writes their earlier values back.
const TOUCHED = ['language', 'clockMode', 'hideRoles', 'idleTimeLimit', 'highlights', 'newMessageNotification',
  'masterVolume', 'sendOnEnter', 'messageViewMode', 'desktopNotificationRequireInteraction'];

let browser;
let apiHeaders;
let restore;

/** The REST API with a login token of the demo account (not the browser's cookie). */
async function rest(method, endpoint, body) {
  const response = await fetch(`${BASE_URL}/api/v1/${endpoint}`, {
    method,
    headers: { ...apiHeaders, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return response.json();
}

before(async () => {
  requireEnv();
  browser = await launchBrowser();
  const login = await (await fetch(`${BASE_URL}/api/v1/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user: DEMO_USER, password: DEMO_PASSWORD }),
  })).json();
  apiHeaders = { 'X-User-Id': login.data.userId, 'X-Auth-Token': login.data.authToken };
  const stored = (await rest('GET', 'users.getPreferences')).preferences;
  const merged = (await rest('GET', 'me')).settings.preferences;
  restore = Object.fromEntries(TOUCHED.map((key) => [key, stored[key] ?? merged[key] ?? (key === 'language' ? '' : undefined)])
    .filter(([, value]) => value !== undefined));
  // Start from English and the language's own clock, whatever was stored.
  await rest('POST', 'users.setPreferences', { data: { language: '', clockMode: 0 } });
});

after(async () => {
  if (apiHeaders) {
    await rest('POST', 'users.setPreferences', { data: restore });
    await rest('POST', 'logout');
  }
  await browser?.close();
});

/** Signs the browser out (the session ends on the server too) and closes it. */
async function closeSignedIn(context) {
  const csrf = (await context.cookies(BASE_URL)).find((c) => c.name === 'rc_csrf');
  if (csrf) await context.request.post('/api/v1/logout', { headers: { 'X-CSRF-Token': decodeURIComponent(csrf.value) } });
  await context.close();
}

/** Signs in and opens the Preferences page; resolves when its form is there. */
async function openPreferences(options) {
  const opened = await openPage(browser, options);
  await signIn(opened.page);
  await opened.page.goto('/#/preferences');
  await opened.page.locator('#pref-save').waitFor();
  return opened;
}

test('Save is enabled only by a change; saved preferences are kept over a reload', async () => {
  const { context, page, problems } = await openPreferences();
  const s = await strings(page);
  const save = page.getByRole('button', { name: s['preferences.save'] });
  const hideRoles = page.getByRole('switch', { name: s['preferences.hideRoles'] });

  assert.equal(await save.isDisabled(), true, 'nothing changed yet');
  const wasHidden = await hideRoles.isChecked();
  await hideRoles.click();
  assert.equal(await save.isEnabled(), true, 'a change enables Save');
  await hideRoles.click();
  assert.equal(await save.isDisabled(), true, 'undoing the change disables it again');

  await hideRoles.click();
  await page.getByLabel(s['preferences.idleTimeLimit']).fill('600');
  await page.getByLabel(s['preferences.highlights']).fill('deploy, urgent ,, release ');
  await page.getByLabel(s['preferences.newMessageNotification']).selectOption('ding');
  await page.getByLabel(s['preferences.masterVolume']).fill('40');
  await page.getByLabel(s['preferences.sendOnEnter']).selectOption('alternative');
  await page.getByLabel(s['preferences.messageViewMode']).selectOption({ label: s['preferences.view.compact'] });
  assert.equal(await page.locator('.pref-volume-value').last().textContent(), s['preferences.volumeValue'].replace('{value}', '40'));
  await screenshot(page, 'preferences-changed');
  await save.click();

  await page.locator('#pref-save-status').filter({ hasText: s['preferences.saved'] }).waitFor();
  assert.equal(await save.isDisabled(), true, 'saved: nothing left to save');
  const stored = (await rest('GET', 'users.getPreferences')).preferences;
  assert.equal(stored.hideRoles, !wasHidden);
  assert.equal(stored.idleTimeLimit, 600);
  assert.deepEqual(stored.highlights, ['deploy', 'urgent', 'release']);
  assert.equal(stored.newMessageNotification, 'ding');
  assert.equal(stored.masterVolume, 40);
  assert.equal(stored.sendOnEnter, 'alternative');
  assert.equal(stored.messageViewMode, 2);

  await page.reload();
  await page.locator('#pref-save').waitFor();
  assert.equal(await hideRoles.isChecked(), !wasHidden);
  assert.equal(await page.getByLabel(s['preferences.idleTimeLimit']).inputValue(), '600');
  assert.equal(await page.getByLabel(s['preferences.highlights']).inputValue(), 'deploy, urgent, release');
  assert.equal(await page.getByLabel(s['preferences.newMessageNotification']).inputValue(), 'ding');
  assert.equal(await page.getByLabel(s['preferences.masterVolume']).inputValue(), '40');
  assert.equal(await page.getByLabel(s['preferences.sendOnEnter']).inputValue(), 'alternative');
  assert.equal(await page.getByLabel(s['preferences.messageViewMode']).inputValue(), '2');
  assert.equal(await save.isDisabled(), true);
  assert.deepEqual(problems, []);
  await closeSignedIn(context);
});

test('choosing a language switches the page at once and is kept', async () => {
  const { context, page, problems } = await openPreferences();
  const en = lang('en');
  const de = lang('de');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');

  await page.getByLabel(en['preferences.language']).selectOption('de');
  await page.getByRole('button', { name: en['preferences.save'] }).click();

  await page.locator('main h1').filter({ hasText: de['nav.preferences'] }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'de');
  await page.locator('#pref-save-status').filter({ hasText: de['preferences.saved'] }).waitFor();
  await page.getByRole('heading', { name: de['preferences.section.notifications'] }).waitFor();
  await page.getByRole('button', { name: de['preferences.testNotification'] }).waitFor();
  assert.equal(await page.locator('nav a[href="#/security"]').textContent(), de['nav.security']);
  assert.equal(await page.getByLabel(de['preferences.language']).inputValue(), 'de');
  await screenshot(page, 'preferences-de');

  await page.reload();
  await page.locator('main h1').filter({ hasText: de['nav.preferences'] }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'de');
  assert.equal((await rest('GET', 'users.getPreferences')).preferences.language, 'de');

  // Back to the browser's language (English here).
  await page.getByLabel(de['preferences.language']).selectOption('');
  await page.getByRole('button', { name: de['preferences.save'] }).click();
  await page.locator('main h1').filter({ hasText: en['nav.preferences'] }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.deepEqual(problems, []);
  await closeSignedIn(context);
});

test('the 12/24-hour preference applies at once, here and on other pages', async () => {
  const { context, page, problems } = await openPreferences();
  const s = await strings(page);
  const clock = page.getByLabel(s['preferences.clockMode']);
  const example = page.locator('#pref-clock-example');

  await clock.selectOption('1');
  await page.getByRole('button', { name: s['preferences.save'] }).click();
  await page.locator('#pref-save-status').filter({ hasText: s['preferences.saved'] }).waitFor();
  assert.match(await example.textContent(), /\d{1,2}:\d{2}\s?(AM|PM)/i, '12-hour');
  await page.goto('/#/security');
  const firstTime = page.locator('main time').first();
  await firstTime.waitFor();
  assert.match(await firstTime.textContent(), /(AM|PM)/i, 'session times use the 12-hour clock');

  await page.goto('/#/preferences');
  await clock.selectOption('2');
  await page.getByRole('button', { name: s['preferences.save'] }).click();
  await page.locator('#pref-save-status').filter({ hasText: s['preferences.saved'] }).waitFor();
  assert.doesNotMatch(await example.textContent(), /(AM|PM)/i, '24-hour');
  await page.goto('/#/security');
  await firstTime.waitFor();
  assert.doesNotMatch(await firstTime.textContent(), /(AM|PM)/i, 'session times use the 24-hour clock');
  assert.deepEqual(problems, []);
  await closeSignedIn(context);
});

test('errors are shown next to their field and nothing is saved', async () => {
  const { context, page, problems } = await openPreferences();
  const s = await strings(page);
  const before = (await rest('GET', 'users.getPreferences')).preferences;
  const save = page.getByRole('button', { name: s['preferences.save'] });
  const idle = page.getByLabel(s['preferences.idleTimeLimit']);
  const words = page.getByLabel(s['preferences.highlights']);

  // Checked in the page: a number the server would refuse.
  await idle.fill('30');
  await save.click();
  const idleError = page.locator('#pref-idleTimeLimit-error');
  assert.equal(await idleError.textContent(), s['preferences.idleTimeLimitInvalid'].replace('{min}', '60').replace('{max}', '86400'));
  assert.equal(await idle.getAttribute('aria-invalid'), 'true');
  assert.ok(await idle.evaluate((el) => el === document.activeElement), 'focus moves to the field');
  assert.equal(await page.locator('#pref-save-error').textContent(), s['preferences.saveFailedField']);
  await idle.fill(String(before.idleTimeLimit ?? 300));

  // Checked by the server only: it names the key, the page puts its words there.
  await words.fill(`ok, ${'x'.repeat(101)}`);
  await save.click();
  const wordsError = page.locator('#pref-highlights-error');
  await wordsError.filter({ hasText: /100/ }).waitFor();
  assert.match(await wordsError.textContent(), /'highlights\[1\]'/);
  assert.doesNotMatch(await wordsError.textContent(), /\[invalid-params\]/);
  assert.equal(await words.getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#pref-save-error').textContent(), s['preferences.saveFailedField']);
  assert.equal(await idleError.textContent(), '', 'the earlier error is gone');
  await screenshot(page, 'preferences-error');
  assert.deepEqual((await rest('GET', 'users.getPreferences')).preferences, before, 'nothing was stored');
  assert.deepEqual(problems, []);
  await closeSignedIn(context);
});

test('Test desktop notification shows one when notifications are allowed', async () => {
  const { context, page, problems } = await openPage(browser);
  await context.grantPermissions(['notifications'], { origin: BASE_URL });
  // Records every notification the page creates (the real one is made too).
  await context.addInitScript(() => {
    const Real = window.Notification;
    window.shownNotifications = [];
    window.Notification = class extends Real {
      constructor(title, options = {}) {
        super(title, options);
        window.shownNotifications.push({ title, body: options.body, requireInteraction: options.requireInteraction });
      }
    };
  });
  await signIn(page);
  await page.goto('/#/preferences');
  const s = await strings(page);
  const requireInteraction = page.getByRole('switch', { name: s['preferences.desktopNotificationRequireInteraction'] });
  const wanted = !(await requireInteraction.isChecked());
  await requireInteraction.click(); // unsaved: the test uses what the switch shows

  await page.getByRole('button', { name: s['preferences.testNotification'] }).click();
  await page.locator('#pref-test-notification-status').filter({ hasText: s['preferences.testNotificationSent'] }).waitFor();
  const shown = await page.evaluate(() => window.shownNotifications);
  assert.deepEqual(shown, [{
    title: s['preferences.testNotificationTitle'], body: s['preferences.testNotificationBody'], requireInteraction: wanted,
  }]);
  assert.deepEqual(problems, []);
  await closeSignedIn(context);
});

test('Test desktop notification asks for permission first and says when it is refused', async () => {
  const { context, page, problems } = await openPage(browser);
  await context.addInitScript(() => {
    window.permissionAsked = 0;
    window.notificationsMade = 0;
    const Real = window.Notification;
    // A browser that has not been asked yet, and a user who says no.
    Object.defineProperty(Real, 'permission', { configurable: true, get: () => (window.permissionAsked ? 'denied' : 'default') });
    Real.requestPermission = async () => {
      window.permissionAsked += 1;
      return 'denied';
    };
    window.Notification = new Proxy(Real, {
      construct(target, args) {
        window.notificationsMade += 1;
        return Reflect.construct(target, args);
      },
    });
  });
  await signIn(page);
  await page.goto('/#/preferences');
  const s = await strings(page);
  await page.getByRole('button', { name: s['preferences.testNotification'] }).click();
  await page.locator('#pref-test-notification-status').filter({ hasText: s['preferences.testNotificationDenied'] }).waitFor();
  assert.equal(await page.evaluate(() => window.permissionAsked), 1);
  assert.equal(await page.evaluate(() => window.notificationsMade), 0);
  assert.deepEqual(problems, []);
  await closeSignedIn(context);
});

test('the play button previews the chosen sound, and every sound file plays in the browser', async () => {
  const { context, page, problems } = await openPage(browser);
  await context.addInitScript(() => {
    const realPlay = HTMLMediaElement.prototype.play;
    window.played = [];
    HTMLMediaElement.prototype.play = function play() {
      const entry = { src: this.src, volume: this.volume, state: 'pending' };
      window.played.push(entry);
      const result = realPlay.call(this);
      result.then(() => { entry.state = 'playing'; }, (err) => { entry.state = `failed: ${err.name}`; });
      return result;
    };
  });
  await signIn(page);
  await page.goto('/#/preferences');
  const s = await strings(page);

  await page.getByLabel(s['preferences.newRoomNotification']).selectOption('seasons');
  await page.getByLabel(s['preferences.notificationsSoundVolume']).fill('50');
  await page.getByLabel(s['preferences.masterVolume']).fill('50');
  await page.getByRole('button', { name: s['preferences.playNamed'].replace('{sound}', s['preferences.sound.seasons']) }).click();
  await page.waitForFunction(() => window.played.length === 1 && window.played[0].state !== 'pending');
  const [entry] = await page.evaluate(() => window.played);
  assert.equal(entry.state, 'playing', JSON.stringify(entry));
  assert.equal(new URL(entry.src).pathname, '/sounds/seasons.ogg');
  assert.equal(entry.volume, 0.25, 'both volume sliders apply');

  await page.getByLabel(s['preferences.newMessageNotification']).selectOption('none');
  assert.equal(await page.locator('#pref-newMessageNotification-play').isDisabled(), true, 'nothing to play for "none"');

  // Each shipped sound decodes: a short clip with a duration.
  const durations = await page.evaluate((ids) => Promise.all(ids.map((id) => new Promise((resolve) => {
    const audio = new Audio(`/sounds/${id}.ogg`);
    audio.addEventListener('loadedmetadata', () => resolve([id, audio.duration]));
    audio.addEventListener('error', () => resolve([id, `error ${audio.error?.code}`]));
  }))), SOUNDS);
  for (const [id, duration] of durations) {
    assert.equal(typeof duration, 'number', `${id}: ${duration}`);
    assert.ok(duration > 0.1 && duration < 5, `${id}: ${duration} s`);
  }
  assert.deepEqual(problems, []);
  await closeSignedIn(context);
});

test('the page works on a phone-sized screen', async () => {
  const { context, page, problems } = await openPreferences({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const s = await strings(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px)`);
  const saveBox = await page.getByRole('button', { name: s['preferences.save'] }).boundingBox();
  assert.ok(saveBox && saveBox.y + saveBox.height <= 844, 'Save stays on screen (sticky bar)');
  await screenshot(page, 'preferences-phone');
  assert.deepEqual(problems, []);
  await closeSignedIn(context);
});
