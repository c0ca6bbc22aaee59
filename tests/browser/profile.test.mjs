// Browser tests of the Profile page (issue 10 §7) against the real server at
// BASE_URL. Each test signs in as a fresh user of its own, made with the real
// admin tool (tests/http/lib.mjs createUser), so renaming, a new password or
// deleting the account never touches the demo user the other files use.
//
// What they hold the page to: every field edits and saves (and server data is
// shown as text, never markup); username availability shows as you type, with
// the suggestion; limits and server refusals land at their field; the avatar
// changes through the file picker, by drag and drop and back to the default,
// and an address the server must not fetch is refused; the password policy
// ticks as you type and the meter shows the server's estimate; an email change
// asks for the password and leaves the address unverified, and "resend" mails
// a link; deleting needs the typed username and the password; admin switches
// hide what is off; a phone-sized screen and the keyboard alone work; every
// profile.* string exists in all five languages.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import {
  BASE_URL, DEMO_USER, axeViolations, focusState, openPage, strings, useBrowser,
} from './lib.mjs';
import { createUser, db, recordSecret, totp, waitForMails } from '../http/lib.mjs';

const browser = useBrowser();
const I18N = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../www/i18n');
const LANGUAGES = ['en', 'de', 'fr', 'es', 'pt-BR'];

// ---- Helpers -----------------------------------------------------------------

/** A fresh user, signed in, on the Profile page; resolves with what the tests need. */
async function profileAs(options = {}) {
  const user = createUser('pf');
  const { context, page, problems } = await openPage(browser(), options);
  page.on('console', (msg) => {
    if (msg.type() === 'warning' && msg.text().startsWith('i18n')) problems.push(msg.text());
  });
  await signInAs(page, user);
  await page.goto('/#/profile');
  await page.locator('#profile-avatar-heading').waitFor();
  return { user, context, page, problems, s: await strings(page) };
}

/**
 * lib.mjs signIn(), by the fields' ids (the sign-in screen may be in any
 * language here); secret: the user's TOTP secret, for the 2FA step.
 */
async function signInAs(page, user, { secret = null } = {}) {
  await page.goto('/');
  await page.locator('#signin-user').fill(user.username);
  await page.locator('#signin-password').fill(user.password);
  await page.locator('#signin-submit').click();
  const nav = page.locator('nav .nav-link').first();
  if (secret) {
    await page.locator('#signin-code').or(nav).first().waitFor();
    if (await page.locator('#signin-code').isVisible()) {
      await page.locator('#signin-code').fill(totp(secret));
      await page.locator('#signin-verify').click();
    }
  }
  await nav.waitFor();
}

/** The signed-in user as GET /api/v1/me shows it to the context's session. */
async function me(context) {
  const response = await context.request.get('/api/v1/me');
  assert.equal(response.status(), 200);
  return response.json();
}

/** Sign-in through the API, from Node: the HTTP status. */
async function loginStatus(user, password) {
  recordSecret('password', password);
  const response = await fetch(`${BASE_URL}/api/v1/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user, password }),
  });
  return response.status;
}

/** Counts the requests the page makes to endpoint (relative to /api/v1/). */
function countRequests(page, endpoint) {
  const seen = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === `/api/v1/${endpoint}`) seen.push(request);
  });
  return seen;
}

/** Clicks Save and waits until the save is over: the "saved" line or an error shows. */
async function save(page) {
  await page.locator('#profile-save').click();
  await page.locator('#profile-save-status:not(:empty), #profile-save-error:not(:empty), dialog.twofactor-dialog').first().waitFor();
}

/** Answers the password prompt of twofactor.js when it shows. */
async function passwordPrompt(page, s, password) {
  const dialog = page.getByRole('dialog', { name: s['twofactor.title'] });
  await dialog.waitFor();
  await dialog.locator('input[type="password"]').fill(password);
  await dialog.getByRole('button', { name: s['twofactor.confirm'], exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
}

// A PNG of w x h pixels of one colour, made here (no files in the repository).
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
function png(w, h, [r, g, b]) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(w, 0);
  header.writeUInt32BE(h, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: w }, () => [r, g, b]).flat())]);
  const pixels = zlib.deflateSync(Buffer.concat(Array.from({ length: h }, () => row)));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}

/** What GET /avatar/<username> serves now: {type, etag}. */
async function avatarServed(username) {
  const response = await fetch(`${BASE_URL}/avatar/${encodeURIComponent(username)}`);
  await response.arrayBuffer();
  return { status: response.status, type: response.headers.get('content-type') || '', etag: response.headers.get('etag') };
}

// ---- Every field ---------------------------------------------------------------

test('every field edits and saves; what the server stores is shown as text, never markup', async () => {
  const { user, context, page, problems, s } = await profileAs();
  const newName = `${user.username}r`;
  const markup = 'Ada <img src=x id=pwned> & "Co"';
  await page.locator('#profile-name').fill(markup);
  await page.locator('#profile-username').fill(newName);
  await page.locator('#profile-nickname').fill('Countess');
  await page.locator('#profile-bio').fill('  Wrote the first program.  ');
  assert.equal(await page.locator('#profile-bio-counter').textContent(), '24 / 260', 'the counter counts the trimmed bio');
  // Rocket.Chat's status colours: online green, away yellow, busy red, offline grey.
  const colours = { online: 'rgb(45, 224, 165)', away: 'rgb(255, 210, 31)', busy: 'rgb(245, 69, 92)', offline: 'rgb(158, 162, 168)' };
  for (const [status, colour] of Object.entries(colours)) {
    await page.locator('#profile-status-type').selectOption(status);
    assert.equal(await page.locator('.profile-status-dot').evaluate((el) => getComputedStyle(el).backgroundColor), colour, status);
  }
  await page.locator('#profile-status-type').selectOption('busy');
  await page.locator('#profile-status-text').fill('In a meeting');
  await save(page);
  await page.locator('#profile-save-status').filter({ hasText: s['profile.saved'] }).waitFor();

  const stored = await me(context);
  assert.equal(stored.name, markup);
  assert.equal(stored.username, newName);
  assert.equal(stored.nickname, 'Countess');
  assert.equal(stored.bio, 'Wrote the first program.');
  assert.equal(stored.statusText, 'In a meeting');
  assert.equal(stored.statusDefault ?? stored.status, 'busy');

  // The redraw shows the stored values; the markup stayed text.
  assert.equal(await page.locator('#profile-name').inputValue(), markup);
  assert.equal(await page.locator('.topbar-username').textContent(), newName);
  assert.equal(await page.locator('#pwned').count(), 0);
  assert.equal(await page.locator('#profile-save').isDisabled(), true, 'nothing left to save');
  assert.deepEqual(problems, []);
  await context.close();
});

test('username availability shows as you type, with a suggestion to take; a taken name is refused at its field', async () => {
  const { context, page, problems, s } = await profileAs();
  const field = page.locator('#profile-username');
  const status = page.locator('#profile-username-status');
  await field.fill(DEMO_USER); // taken by the demo user
  await page.locator('#profile-username-status[data-state="taken"]').waitFor();
  assert.equal(await status.locator('.profile-username-text').textContent(), s['profile.username.taken'].replace('{username}', DEMO_USER));
  const suggestion = page.locator('#profile-username-suggestion');
  await suggestion.waitFor();
  const offered = await suggestion.getAttribute('data-value');
  assert.ok(offered && offered !== DEMO_USER);
  await suggestion.click();
  assert.equal(await field.inputValue(), offered);
  await page.locator('#profile-username-status[data-state="available"]').waitFor();

  // Saving a taken name anyway: the server's refusal is shown at the field.
  await field.fill(DEMO_USER.toUpperCase()); // uniqueness ignores case
  await save(page);
  await page.locator('#profile-username[aria-invalid="true"]').waitFor();
  assert.ok((await page.locator('#profile-username-error').textContent()).length > 0);
  assert.ok(await field.evaluate((el) => el === document.activeElement), 'focus on the refused field');
  assert.deepEqual(problems, []);
  await context.close();
});

test('over-long nickname and bio are refused at their field before anything is sent', async () => {
  const { context, page, problems, s } = await profileAs();
  const sent = countRequests(page, 'users.updateOwnBasicInfo');
  await page.locator('#profile-bio').fill('b'.repeat(261));
  assert.match(await page.locator('#profile-bio-counter').getAttribute('class'), /is-over/);
  await save(page);
  assert.equal(await page.locator('#profile-bio-error').textContent(), s['profile.error.tooLong'].replace('{max}', '260'));
  assert.ok(await page.locator('#profile-bio').evaluate((el) => el === document.activeElement && el.getAttribute('aria-invalid') === 'true'));
  await page.locator('#profile-bio').fill('fine');
  await page.locator('#profile-nickname').fill('n'.repeat(121));
  await save(page);
  assert.equal(await page.locator('#profile-nickname-error').textContent(), s['profile.error.tooLong'].replace('{max}', '120'));
  assert.equal(sent.length, 0, 'nothing was sent');
  assert.deepEqual(problems, []);
  await context.close();
});

// ---- Avatar ----------------------------------------------------------------------

test('avatar: upload through the file picker, replace by drag and drop, refuse a non-image, reset to the default', async () => {
  const { user, context, page, problems, s } = await profileAs();
  const done = page.locator('#profile-avatar-status');
  assert.match((await avatarServed(user.username)).type, /svg/, 'a generated avatar at first');
  assert.equal(await page.locator('#profile-avatar-reset').isHidden(), true, 'nothing to reset yet');

  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.locator('#profile-avatar-pick').click()]);
  await chooser.setFiles({ name: 'red.png', mimeType: 'image/png', buffer: png(64, 64, [220, 30, 30]) });
  await done.filter({ hasText: s['profile.avatar.changed'] }).waitFor();
  const first = await me(context);
  assert.ok(first.avatarETag, 'the upload gave the avatar an ETag');
  const served = await avatarServed(user.username);
  assert.equal(served.status, 200);
  assert.match(served.type, /^image\/(png|jpeg|webp)/, 'the uploaded picture is served');
  assert.ok((await page.locator('#profile-avatar-img').getAttribute('src')).includes(encodeURIComponent(first.avatarETag)) ||
    (await page.locator('#profile-avatar-img').getAttribute('src')).includes(first.avatarETag), 'the preview asks for the new picture');
  await page.locator('#profile-avatar-reset').waitFor();

  // Drag and drop: a DataTransfer holding a file, dropped on the picture.
  const bytes = [...png(48, 48, [30, 30, 220])];
  const transfer = await page.evaluateHandle((data) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(data)], 'blue.png', { type: 'image/png' }));
    return dt;
  }, bytes);
  await done.evaluate((el) => { el.textContent = ''; });
  await page.locator('#profile-avatar-drop').dispatchEvent('dragover', { dataTransfer: transfer });
  assert.match(await page.locator('#profile-avatar-drop').getAttribute('class'), /is-dragging/);
  await page.locator('#profile-avatar-drop').dispatchEvent('drop', { dataTransfer: transfer });
  await done.filter({ hasText: s['profile.avatar.changed'] }).waitFor();
  const second = await me(context);
  assert.notEqual(second.avatarETag, first.avatarETag, 'the dropped picture replaced the first');

  // A file that is not an image is refused here, before any upload.
  const uploads = countRequests(page, 'users.setAvatar');
  const [chooser2] = await Promise.all([page.waitForEvent('filechooser'), page.locator('#profile-avatar-pick').click()]);
  await chooser2.setFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  assert.equal(await page.locator('#profile-avatar-error').textContent(), s['profile.avatar.notImage']);
  assert.equal(uploads.length, 0);

  await page.locator('#profile-avatar-reset').click();
  await done.filter({ hasText: s['profile.avatar.resetDone'] }).waitFor();
  assert.equal((await me(context)).avatarOrigin, undefined);
  assert.match((await avatarServed(user.username)).type, /svg/, 'the generated avatar again');
  await page.locator('#profile-avatar-reset').waitFor({ state: 'hidden' });
  assert.deepEqual(problems, []);
  await context.close();
});

test('avatar from an address: the server fetches it; one it must not fetch (this machine) is refused and changes nothing', async () => {
  // 127.0.0.2 stands for a public image server (tests/run.sh allows it); every other loopback address stays refused.
  const picture = png(40, 40, [20, 160, 60]);
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': picture.length });
    res.end(picture);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.2', resolve));
  const { context, page, problems, s } = await profileAs();
  await page.locator('#profile-avatar-url').fill(`http://127.0.0.2:${server.address().port}/green.png`);
  await page.locator('#profile-avatar-url-set').click();
  await page.locator('#profile-avatar-status').filter({ hasText: s['profile.avatar.changed'] }).waitFor();
  server.close();
  assert.equal(await page.locator('#profile-avatar-url').inputValue(), '', 'the field is emptied');
  const before = await me(context);
  assert.ok(before.avatarETag, 'the fetched picture is stored');
  await page.locator('#profile-avatar-url').fill(`${BASE_URL}/favicon.svg`);
  await page.locator('#profile-avatar-url-set').click();
  await page.locator('#profile-avatar-error:not(:empty)').waitFor();
  const after = await me(context);
  assert.equal(after.avatarETag, before.avatarETag);
  assert.equal(after.avatarOrigin, before.avatarOrigin);
  // Not an address at all: said here, nothing sent.
  const sent = countRequests(page, 'users.setAvatar');
  await page.locator('#profile-avatar-url').fill('javascript:alert(1)');
  await page.locator('#profile-avatar-url').press('Enter');
  assert.equal(sent.length, 0);
  assert.deepEqual(problems, []);
  await context.close();
});

// ---- Password and email ----------------------------------------------------------

test('password change: the policy ticks as you type, the meter shows the server estimate, mismatches are caught, the new password works', async () => {
  const { user, context, page, problems, s } = await profileAs();
  const input = page.locator('#profile-new-password');
  const minLength = page.locator('.pw-rule[data-rule="minLength"]');
  await minLength.waitFor(); // the length rule always applies
  await input.fill('abc');
  assert.equal(await minLength.getAttribute('data-ok'), 'false');
  await input.fill('password');
  assert.equal(await minLength.getAttribute('data-ok'), 'true');
  await page.locator('.pw-strength[data-ok="false"]').waitFor(); // "password" is the most guessed of all
  assert.match(await page.locator('#profile-password-strength-text').textContent(), /\S/);

  const strong = `Violet-${user.username}-Harbour-71!`;
  recordSecret('password', strong);
  await input.fill(strong);
  await page.locator('.pw-strength[data-ok="true"]').waitFor();
  assert.ok(Number(await page.locator('#profile-password-strength').evaluate((m) => m.value)) >= 2);
  await page.locator('#profile-confirm-password').fill(`${strong}x`);
  await page.locator('#profile-current-password').fill(user.password);
  await save(page);
  assert.equal(await page.locator('#profile-confirm-password-error').textContent(), s['profile.error.passwordMismatch']);

  await page.locator('#profile-confirm-password').fill(strong);
  await save(page);
  await page.locator('#profile-save-status').filter({ hasText: s['profile.saved'] }).waitFor();
  assert.equal(await page.locator('#profile-new-password').inputValue(), '', 'the fields are emptied');
  assert.equal(await loginStatus(user.username, strong), 200, 'the new password signs in');
  assert.equal(await loginStatus(user.username, user.password), 401, 'the old one does not');
  assert.equal((await context.request.get('/api/v1/me')).status(), 200, 'this session stays');
  assert.deepEqual(problems, []);
  await context.close();
});

test('email change asks for the password, leaves the address unverified, and "resend" mails a new link', async () => {
  const { user, context, page, problems, s } = await profileAs();
  assert.equal(await page.locator('#profile-email-badge').textContent(), s['profile.emailVerified']);
  const address = `new-${user.username}@example.net`.toLowerCase();
  await page.locator('#profile-email').fill(address);
  await page.locator('#profile-save').click();
  await passwordPrompt(page, s, user.password);
  await page.locator('#profile-save-status').filter({ hasText: s['profile.savedEmail'].replace('{email}', address) }).waitFor();
  assert.equal(await page.locator('#profile-email-badge').textContent(), s['profile.emailNotVerified']);
  const stored = await me(context);
  assert.deepEqual(stored.emails.map((e) => [e.address, e.verified]), [[address, false]]);

  const before = (await waitForMails(address, 1)).length;
  assert.ok(before >= 1, 'the change mailed a verification link');
  await page.locator('#profile-email-resend').click();
  await page.locator('#profile-email-resend-status').filter({ hasText: s['profile.email.resent'].replace('{email}', address) }).waitFor();
  assert.equal((await waitForMails(address, before + 1)).length, before + 1, 'resend mailed another link');
  assert.deepEqual(problems, []);
  await context.close();
});

test('with an authenticator, no current-password field: the change asks for its code instead', async () => {
  const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
  const user = createUser('pf');
  db('set-totp', user.username, secret);
  const { context, page, problems } = await openPage(browser());
  await signInAs(page, user, { secret });
  const s = await strings(page);
  await page.goto('/#/profile');
  await page.locator('#profile-new-password').waitFor();
  assert.equal(await page.locator('#profile-current-password').count(), 0);
  const address = `otp-${user.username}@example.net`.toLowerCase();
  await page.locator('#profile-email').fill(address);
  await page.locator('#profile-save').click();
  const dialog = page.getByRole('dialog', { name: s['twofactor.title'] });
  await dialog.waitFor();
  const input = dialog.locator('input');
  assert.equal(await input.getAttribute('type'), 'text', 'a code, not a password');
  // The next 30 s step's code (accepted, as Rocket.Chat's window of one step is):
  // the current one may be used up by the sign-in.
  await input.fill(totp(secret, Date.now() / 1000 + 30));
  await dialog.getByRole('button', { name: s['twofactor.confirm'], exact: true }).click();
  await page.locator('#profile-save-status').filter({ hasText: s['profile.savedEmail'].replace('{email}', address) }).waitFor();
  assert.equal((await me(context)).emails[0].address, address);
  assert.deepEqual(problems, []);
  await context.close();
});

// ---- Delete ----------------------------------------------------------------------

test('delete my account: needs the typed username and the password, then the account is gone', async () => {
  const info = await (await fetch(`${BASE_URL}/api/info`)).json();
  assert.equal(info.features.deleteOwnAccount, true, 'tests/run.sh allows deletion for the browser suite');
  const { user, context, page, problems, s } = await profileAs();
  await page.locator('#profile-delete-open').click();
  const dialog = page.locator('dialog.profile-delete-dialog');
  await dialog.waitFor();
  assert.ok(await page.locator('#profile-delete-username').evaluate((el) => el === document.activeElement));
  await page.locator('#profile-delete-username').fill(user.username.toUpperCase());
  assert.equal(await page.locator('#profile-delete-confirm').getAttribute('aria-disabled'), 'true', 'not until the username matches');
  await page.locator('#profile-delete-username').press('Enter');
  assert.equal(await page.locator('#profile-delete-username-error').textContent(),
    s['profile.delete.typeMismatch'].replace('{username}', user.username));
  await page.locator('#profile-delete-username').fill(user.username);
  await page.locator('#profile-delete-password').fill(`${user.password}-wrong`);
  recordSecret('password', `${user.password}-wrong`);
  await page.locator('#profile-delete-confirm').click();
  await page.locator('#profile-delete-password-error:not(:empty)').waitFor();
  assert.equal(await loginStatus(user.username, user.password), 200, 'a wrong password deletes nothing');

  await page.locator('#profile-delete-password').fill(user.password);
  await page.locator('#profile-delete-confirm').click();
  await page.locator('#signin-user').waitFor();
  await page.getByText(s['profile.delete.done']).waitFor();
  assert.equal((await context.request.get('/api/v1/me')).status(), 401);
  assert.equal(await loginStatus(user.username, user.password), 401, 'the account is gone');
  assert.deepEqual(problems, []);
  await context.close();
});

// ---- Admin switches --------------------------------------------------------------

test('admin switches hide what is off: username and email read-only, no password or avatar changes, no delete', async () => {
  const user = createUser('pf');
  const { context, page, problems } = await openPage(browser());
  await page.route('**/api/info', async (route) => {
    const response = await route.fetch();
    const info = await response.json();
    Object.assign(info.features, {
      usernameChange: false, emailChange: false, passwordChange: false, avatarChange: false, deleteOwnAccount: false,
      statusMessageChange: false, invisibleStatus: false,
    });
    await route.fulfill({ response, json: info });
  });
  await signInAs(page, user);
  await page.goto('/#/profile');
  await page.locator('#profile-name').waitFor();
  const s = await strings(page);
  assert.equal(await page.locator('#profile-username').count(), 0);
  assert.equal(await page.locator('.profile-locked[data-key="username"] .profile-readonly').textContent(), user.username);
  assert.equal(await page.locator('#profile-email').count(), 0);
  assert.equal(await page.locator('#profile-new-password, #profile-password-heading').count(), 0);
  assert.equal(await page.locator('#profile-avatar-pick, #profile-avatar-url, #profile-avatar-reset').count(), 0);
  await page.getByText(s['profile.avatar.locked']).waitFor();
  assert.equal(await page.locator('#profile-delete-open').count(), 0);
  assert.equal(await page.locator('#profile-status-text').count(), 0);
  assert.deepEqual(await page.locator('#profile-status-type option').evaluateAll((o) => o.map((x) => x.value)), ['online', 'away', 'busy'],
    'no invisible (offline) status');
  // What stays on still works.
  await page.locator('#profile-nickname').fill('Still here');
  await save(page);
  await page.locator('#profile-save-status').filter({ hasText: s['profile.saved'] }).waitFor();
  assert.equal((await me(context)).nickname, 'Still here');
  assert.deepEqual(problems, []);
  await context.close();
});

test('admin switch: with profile changes off, every field is read-only and there is nothing to save', async () => {
  const user = createUser('pf');
  const { context, page, problems } = await openPage(browser());
  await page.route('**/api/info', async (route) => {
    const response = await route.fetch();
    const info = await response.json();
    assert.equal(info.features.profileChange, true, 'the real /api/info lists the switch');
    info.features.profileChange = false;
    await route.fulfill({ response, json: info });
  });
  await signInAs(page, user);
  await page.goto('/#/profile');
  await page.locator('.profile-locked-note').waitFor();
  const s = await strings(page);
  assert.equal(await page.locator('.profile-form input, .profile-form textarea, .profile-form select').count(), 0);
  assert.equal(await page.locator('#profile-save').count(), 0);
  assert.equal(await page.locator('.profile-locked-note').textContent(), s['profile.lockedAll']);
  assert.equal(await page.locator('.profile-locked[data-key="name"] .profile-readonly').textContent(), user.name);
  assert.deepEqual(problems, []);
  await context.close();
});

test('admin switch: with avatar URLs off, the address field is gone and uploads stay', async () => {
  const user = createUser('pf');
  const { context, page, problems } = await openPage(browser());
  await page.route('**/api/info', async (route) => {
    const response = await route.fetch();
    const info = await response.json();
    assert.equal(info.features.avatarUrlFetch, true, 'the real /api/info lists the switch');
    info.features.avatarUrlFetch = false;
    await route.fulfill({ response, json: info });
  });
  await signInAs(page, user);
  await page.goto('/#/profile');
  await page.locator('#profile-avatar-pick').waitFor();
  assert.equal(await page.locator('#profile-avatar-url').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

// ---- Leaving, phone, keyboard, languages -------------------------------------------

test('unsaved changes: leaving asks first, and staying keeps what was typed', async () => {
  const { context, page, problems, s } = await profileAs();
  await page.locator('#profile-nickname').fill('Half typed');
  await page.locator('nav a[href="#/preferences"]').click();
  const ask = page.getByRole('dialog', { name: s['unsaved.title'] });
  await ask.waitFor();
  await ask.getByRole('button', { name: s['unsaved.stay'], exact: true }).click();
  assert.equal(new URL(page.url()).hash, '#/profile');
  assert.equal(await page.locator('#profile-nickname').inputValue(), 'Half typed');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a session that ends keeps what was typed (never the password) and puts it back after signing in again', async () => {
  const { user, page, context, problems, s } = await profileAs();
  const secret = `Unsaved-${user.username}-Pw9!`;
  recordSecret('password', secret);
  await page.locator('#profile-nickname').fill('Kept across sign-ins');
  await page.locator('#profile-status-type').selectOption('away');
  await page.locator('#profile-new-password').fill(secret);
  // Another device signs everyone else out.
  const login = await (await fetch(`${BASE_URL}/api/v1/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user: user.username, password: user.password }),
  })).json();
  const auth = { 'X-User-Id': login.data.userId, 'X-Auth-Token': login.data.authToken };
  recordSecret('auth-token', login.data.authToken);
  assert.equal((await fetch(`${BASE_URL}/api/v1/users.logoutOtherClients`, { method: 'POST', headers: auth })).status, 200);
  await fetch(`${BASE_URL}/api/v1/logout`, { method: 'POST', headers: auth });
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await page.getByText(s['signin.sessionEndedKept']).waitFor();
  const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage }));
  assert.ok(stored.includes('Kept across sign-ins'), 'the draft is kept');
  assert.ok(!stored.includes(secret), 'never the password');

  await signInAs(page, user);
  await page.locator('#profile-save-status').filter({ hasText: s['profile.draftRestored'] }).waitFor();
  assert.equal(await page.locator('#profile-nickname').inputValue(), 'Kept across sign-ins');
  assert.equal(await page.locator('#profile-status-type').inputValue(), 'away');
  assert.equal(await page.locator('#profile-new-password').inputValue(), '');
  assert.equal(await page.locator('#profile-save').isDisabled(), false, 'the restored changes wait to be saved');
  assert.deepEqual(problems, []);
  await context.close();
});

test('phone-sized screen: one column, nothing wider than the screen, Save in reach', async () => {
  const { context, page, problems, s } = await profileAs({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });
  const widths = await page.evaluate(() => ({ page: document.scrollingElement.scrollWidth, screen: innerWidth }));
  assert.ok(widths.page <= widths.screen, `page ${widths.page}px wide on a ${widths.screen}px screen`);
  for (const id of ['#profile-name', '#profile-bio', '#profile-status-type', '#profile-email', '#profile-new-password', '#profile-avatar-pick']) {
    const box = await page.locator(id).boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= widths.screen, `${id} fits`);
    assert.ok(box.height >= 40, `${id} is big enough to tap`);
  }
  await page.locator('#profile-nickname').tap();
  await page.keyboard.type('On the go');
  const bar = await page.locator('#profile-save').boundingBox();
  assert.ok(bar.y + bar.height <= 740, 'Save is on screen (the sticky bar)');
  await page.locator('#profile-save').tap();
  await page.locator('#profile-save-status').filter({ hasText: s['profile.saved'] }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

for (const [size, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]]) {
  test(`keyboard only (${size}): every stop of the page is visible and unobscured; edit and save with Enter`, async () => {
    const { context, page, problems, s } = await profileAs({ viewport });
    await page.locator('main h1').focus();
    const stops = [];
    // The last control: "Delete my account" where the admin allows it (tests/run.sh does).
    const last = (await page.locator('#profile-delete-open').count()) ? 'profile-delete-open' : 'profile-logout-others';
    for (let i = 0; i < 80; i += 1) {
      await page.keyboard.press('Tab');
      await page.waitForTimeout(30); // one frame: the page may scroll the control clear of the bar
      const state = await focusState(page);
      stops.push(state.why);
      assert.ok(state.ok, `Tab ${i + 1}: ${state.why}\n${stops.slice(-5).join('\n')}`);
      if (await page.evaluate((id) => document.activeElement?.id === id, last)) break;
    }
    for (const id of ['profile-avatar-pick', 'profile-avatar-url', 'profile-name', 'profile-username', 'profile-nickname', 'profile-bio',
      'profile-status-type', 'profile-status-text', 'profile-email', 'profile-new-password', 'profile-confirm-password',
      'profile-current-password', 'profile-logout-others', last]) { // Save and Discard: disabled until something changes
      assert.ok(stops.some((stop) => stop.endsWith(`#${id}`)), `Tab reaches #${id}`);
    }
    // Type into a field, then Enter in it saves the form.
    await page.locator('#profile-nickname').focus();
    await page.keyboard.type(`kbd-${size}`);
    await page.keyboard.press('Enter');
    await page.locator('#profile-save-status').filter({ hasText: s['profile.saved'] }).waitFor();
    assert.equal((await me(context)).nickname, `kbd-${size}`);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

for (const [size, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]]) {
  test(`axe: the Profile page, its refused fields and the delete dialog (${size})`, async () => {
    const { context, page, problems } = await profileAs({ viewport });
    assert.deepEqual(await axeViolations(page), [], 'the page');
    await page.locator('#profile-username').fill(DEMO_USER);
    await page.locator('#profile-username-status[data-state="taken"]').waitFor();
    await page.locator('#profile-new-password').fill('short');
    await page.locator('#profile-bio').fill('b'.repeat(300));
    await save(page);
    await page.locator('#profile-bio[aria-invalid="true"]').waitFor();
    assert.deepEqual(await axeViolations(page), [], 'with errors, a taken username and the password rules');
    await page.locator('#profile-discard').click();
    if (await page.locator('#profile-delete-open').count()) {
      await page.locator('#profile-delete-open').click();
      await page.locator('dialog.profile-delete-dialog').waitFor();
      assert.deepEqual(await axeViolations(page), [], 'the delete dialog');
      await page.keyboard.press('Escape');
      await page.locator('dialog.profile-delete-dialog').waitFor({ state: 'detached' });
      assert.ok(await page.locator('#profile-delete-open').evaluate((el) => el === document.activeElement), 'focus back on its button');
    }
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test('every profile.* string exists in all five languages, and the page draws in each without a missing key', async () => {
  const files = Object.fromEntries(LANGUAGES.map((lang) => [lang, JSON.parse(fs.readFileSync(path.join(I18N, `${lang}.json`), 'utf8'))]));
  const keys = Object.keys(files.en).filter((key) => key.startsWith('profile.'));
  assert.ok(keys.length > 80, 'the Profile page has its strings');
  for (const lang of LANGUAGES) {
    const missing = keys.filter((key) => !(typeof files[lang][key] === 'string' && files[lang][key].trim()));
    assert.deepEqual(missing, [], `${lang}.json`);
  }
  for (const lang of LANGUAGES) {
    const { context, page, problems } = await profileAs({ locale: lang });
    assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
    assert.equal(await page.locator('#profile-avatar-heading').textContent(), files[lang]['profile.avatar.title']);
    assert.equal(await page.locator('#profile-save').textContent(), files[lang]['profile.save']);
    assert.deepEqual(problems, [], `${lang}: no missing key, no error`);
    await context.close();
  }
});
