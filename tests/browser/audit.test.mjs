// axe-core (npm) on every page and every dialog of the SPA, at desktop and
// phone size, against the real server at BASE_URL; any violation fails
// (issue 9 §10). The states that only show on a failure (a section that did
// not load, the start-up error, the 2FA step of sign-in) are made with
// page.route.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  axeViolations, en, openPage, signIn, strings, useBrowser, DEMO_PASSWORD,
} from './lib.mjs';

const browser = useBrowser();
const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };
const RUN = `axe-${crypto.randomBytes(3).toString('hex')}`;

async function clean(page, what) {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `${what}: axe violations`);
}

for (const [size, viewport] of Object.entries(SIZES)) {
  test(`axe: sign-in, its 2FA step, its errors and the start-up error (${size})`, async () => {
    const { context, page, problems } = await openPage(browser(), { viewport });
    await page.goto('/');
    await page.locator('#signin-user').waitFor();
    await clean(page, 'sign-in');

    await page.getByRole('button', { name: en['signin.submit'], exact: true }).click();
    await page.getByRole('alert').filter({ hasText: en['signin.userMissing'] }).waitFor();
    await clean(page, 'sign-in with an error');

    // The 2FA step, as the server asks for it.
    await page.route('**/api/v1/login', (route) => route.fulfill({
      status: 401,
      json: { success: false, error: 'totp-required', errorType: 'totp-required', details: { method: 'totp' } },
    }));
    await page.getByLabel(en['signin.user']).fill('someone');
    await page.getByLabel(en['signin.password'], { exact: true }).fill('secret');
    await page.getByRole('button', { name: en['signin.submit'], exact: true }).click();
    await page.locator('#signin-code').waitFor();
    await clean(page, 'sign-in 2FA step');

    // The server cannot be reached at start-up: the error and Try again.
    await page.route('**/api/v1/me', (route) => route.fulfill({ status: 503, body: 'down' }));
    await page.reload();
    await page.getByRole('button', { name: en['common.retry'], exact: true }).waitFor();
    await clean(page, 'start-up error');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test(`axe: every page of the account area, a failed section, and a revoked session (${size})`, async () => {
    const { context, page, problems } = await openPage(browser(), { viewport });
    await signIn(page);
    const s = await strings(page);
    for (const route of ['profile', 'preferences', 'security', 'tokens']) {
      await page.goto(`/#/${route}`);
      await page.locator('main h1').filter({ hasText: s[`nav.${route}`] }).waitFor();
      await page.locator('main .page > *:not([role="status"])').first().waitFor();
      if (route === 'security') await page.locator('.session-list li').first().waitFor();
      await clean(page, route);
    }

    // A section that did not load shows an error with Try again.
    await page.route('**/api/v1/sessions/list', (route) => route.fulfill({ status: 503, json: { success: false, error: 'down' } }));
    await page.goto('/#/security');
    await page.getByRole('button', { name: s['common.retry'], exact: true }).waitFor();
    await clean(page, 'security, list failed');
    await page.unroute('**/api/v1/sessions/list');

    // Unsaved changes: the question before leaving.
    await page.goto('/#/preferences');
    await page.locator('#pref-hideRoles').click();
    await page.locator('nav a[href="#/profile"]').click();
    await page.getByRole('dialog', { name: s['unsaved.title'] }).waitFor();
    await clean(page, 'leave-without-saving dialog');
    await page.getByRole('button', { name: s['unsaved.stay'], exact: true }).click();
    await page.locator('#pref-discard').click();

    // The sign-in screen that says the session ended.
    await page.route('**/api/v1/me', (route) => route.fulfill({ status: 401, json: { status: 'error', message: 'You must be logged in to do this.' } }));
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await page.locator('#signin-user').waitFor();
    await clean(page, 'session ended');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test(`axe: the confirmation, password, new-token and copy-question dialogs (${size})`, async () => {
    const { context, page, problems } = await openPage(browser(), { viewport });
    await signIn(page);
    await page.goto('/#/tokens');
    const s = await strings(page);
    const name = `${RUN}-${size}`;
    await page.getByLabel(s['tokens.name'], { exact: true }).fill(name);
    await page.getByRole('button', { name: s['tokens.add'], exact: true }).click();

    const prompt = page.getByRole('dialog', { name: s['twofactor.title'] });
    await prompt.waitFor(); // a fresh session: the server asks for the password
    await clean(page, 'password dialog');
    await prompt.getByLabel(s['signin.password'], { exact: true }).fill(DEMO_PASSWORD);
    await prompt.getByRole('button', { name: s['twofactor.confirm'], exact: true }).click();

    const secret = page.locator('dialog.tokens-secret');
    await secret.waitFor();
    await clean(page, 'new-token dialog');
    await secret.getByRole('button', { name: s['tokens.secret.close'], exact: true }).click();
    await secret.getByText(s['tokens.secret.askCopied'], { exact: true }).waitFor();
    await clean(page, 'did-you-copy question');
    await secret.getByRole('button', { name: s['tokens.secret.closeAnyway'], exact: true }).click();
    await secret.waitFor({ state: 'detached' });
    await page.locator('.tokens-item').filter({ hasText: name }).waitFor();
    await clean(page, 'tokens page with a token');

    await page.getByRole('button', { name: s['tokens.deleteNamed'].replace('{name}', name), exact: true }).click();
    await page.getByRole('dialog', { name: s['tokens.confirmDeleteTitle'] }).waitFor();
    await clean(page, 'delete confirmation');
    await page.getByRole('button', { name: s['tokens.delete'], exact: true }).last().click();
    await page.locator('#tokens-list-status').filter({ hasText: name }).waitFor();
    await clean(page, 'tokens page after delete');
    assert.deepEqual(problems, []);
    await context.close();
  });
}
