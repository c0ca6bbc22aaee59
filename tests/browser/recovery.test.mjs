// Browser tests of the screens reached without signing in: "Forgot password?"
// on the sign-in screen, the reset page a mailed link opens (through the real
// SMTP sink), and the verification page. Each test has its own user (made
// with the admin tool, as the HTTP tests do) and its own browser context.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { en, openPage, screenshot, useBrowser, BASE_URL } from './lib.mjs';
import { api, createUser, login, mailsTo, recordSecret } from '../http/lib.mjs';
import { py } from '../http/mail-lib.mjs';

const browser = useBrowser();

/** The token of the newest mail to ADDRESS whose link opens ROUTE, waiting for it. */
async function linkToken(address, route, count = 1) {
  const pattern = new RegExp(`/#/${route}/([A-Za-z0-9_-]{43})`);
  for (let i = 0; i < 100; i++) {
    const found = mailsTo(address).map((m) => pattern.exec(m.body.replace(/=\r?\n/g, ''))).filter(Boolean);
    if (found.length >= count) {
      recordSecret('auth-token', found[found.length - 1][1]);
      return found[found.length - 1][1];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${route} mail to ${address}`);
}

test('forgot password → mailed link → reset page → sign in with the new password', async () => {
  const user = createUser('uirec');
  const address = user.email.toLowerCase();
  const { page, problems } = await openPage(browser());
  await page.goto('/');
  await page.getByRole('button', { name: en['signin.forgot'] }).click();
  await page.getByLabel(en['recovery.email']).fill(user.email);
  await page.getByRole('button', { name: en['recovery.send'] }).click();
  await page.getByText(en['recovery.sent']).waitFor();
  await screenshot(page, 'recovery-forgot-sent');

  const token = await linkToken(address, 'reset-password');
  await page.goto(`${BASE_URL}/#/reset-password/${token}`);
  await page.getByLabel(en['recovery.newPassword'], { exact: true }).waitFor();
  assert.ok(!page.url().includes(token), 'the token left the address bar');

  // A guessable password: the meter says so as you type, and the server refuses it.
  await page.getByLabel(en['recovery.newPassword'], { exact: true }).fill('Password1!');
  await page.getByText(`${en['password.strength']}: `).waitFor();
  await page.getByLabel(en['recovery.repeatPassword']).fill('Password1!');
  await page.getByRole('button', { name: en['recovery.save'] }).click();
  await page.locator('.form-error', { hasText: en['password.tooWeak'] }).waitFor();

  const fresh = `Zq7!${randomBytes(6).toString('hex').match(/../g).join('k')}-Wm`;
  recordSecret('password', fresh);
  await page.getByLabel(en['recovery.newPassword'], { exact: true }).fill(fresh);
  await page.getByLabel(en['recovery.repeatPassword']).fill(`${fresh}x`);
  await page.getByRole('button', { name: en['recovery.save'] }).click();
  await page.getByText(en['recovery.mismatch']).waitFor();
  await page.getByLabel(en['recovery.repeatPassword']).fill(fresh);
  await page.getByRole('button', { name: en['recovery.save'] }).click();
  await page.getByText(en['recovery.resetDone']).waitFor();
  await screenshot(page, 'recovery-reset-done');

  await page.getByLabel(en['signin.user']).fill(user.username);
  await page.getByLabel(en['signin.password'], { exact: true }).fill(fresh);
  await page.getByRole('button', { name: en['signin.submit'], exact: true }).click();
  await page.locator('nav .nav-link').first().waitFor();

  // The link was used up: opening it again says so and offers a new one.
  await page.goto(`${BASE_URL}/#/reset-password/${token}`);
  await page.getByLabel(en['recovery.newPassword'], { exact: true }).fill(`${fresh}Q`);
  await page.getByLabel(en['recovery.repeatPassword']).fill(`${fresh}Q`);
  await page.getByRole('button', { name: en['recovery.save'] }).click();
  await page.getByText(en['recovery.linkInvalid']).waitFor();
  await page.getByRole('button', { name: en['recovery.askAgain'] }).click();
  await page.getByLabel(en['recovery.email']).waitFor();
  assert.deepEqual(problems, []);
});

test('the verification link confirms the address, signed out or in; a used link says so', async () => {
  const user = createUser('uiver');
  const address = user.email.toLowerCase();
  py(`db.users.update_one({'username': ${JSON.stringify(user.username)}}, {'$set': {'emails.0.verified': False}})`);
  const auth = await login(user);
  const sent = await api('POST', '/api/v1/users.sendConfirmationEmail', { auth, json: { email: user.email } });
  assert.equal(sent.status, 200, sent.text);
  const token = await linkToken(address, 'verify-email');

  const { page, problems } = await openPage(browser());
  await page.goto(`${BASE_URL}/#/verify-email/${token}`);
  await page.getByText(en['recovery.verified']).waitFor();
  const stored = py(`print(json.dumps(db.users.find_one({'username': ${JSON.stringify(user.username)}})['emails'][0]['verified']))`);
  assert.equal(stored.trim(), 'true');
  await page.getByRole('button', { name: en['recovery.backToSignIn'] }).click();
  await page.getByLabel(en['signin.user']).waitFor();

  // A page load of its own: within one, a redraw shows the outcome it had.
  const again = await openPage(browser());
  await again.page.goto(`${BASE_URL}/#/verify-email/${token}`);
  await again.page.getByText(en['recovery.verifyInvalid']).waitFor();
  assert.deepEqual(problems, []);
  assert.deepEqual(again.problems, []);
});

test('the forgot form works from the keyboard and on a phone-sized screen', async () => {
  const { page, problems } = await openPage(browser(), { viewport: { width: 360, height: 740 } });
  await page.goto('/');
  await page.getByLabel(en['signin.user']).waitFor();
  await page.getByRole('button', { name: en['signin.forgot'] }).focus();
  await page.keyboard.press('Enter');
  await page.getByLabel(en['recovery.email']).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'forgot-email', 'focus in the field');
  await page.keyboard.press('Enter');
  await page.getByText(en['recovery.emailMissing']).waitFor();
  await page.keyboard.type('not-an-address');
  await page.keyboard.press('Enter');
  await page.getByText(en['recovery.emailInvalid']).waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false, 'no sideways scrolling');
  await page.getByRole('button', { name: en['recovery.backToSignIn'] }).click();
  await page.getByLabel(en['signin.user']).waitFor();
  assert.deepEqual(problems, []);
});
