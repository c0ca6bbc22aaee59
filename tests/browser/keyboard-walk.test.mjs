// Keyboard only, at desktop and phone size (issue 9 §10): sign in → change a
// preference → save → create a token → close its dialog. After every key
// press the focused element must be a real control (never the page body), on
// screen, with a visible focus ring, and not covered by the sticky save bar or
// anything else (lib.mjs focusState). What the walk changes is put back.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  BASE_URL, DEMO_PASSWORD, DEMO_USER, focusState, openPage, strings, useBrowser,
} from './lib.mjs';

const browser = useBrowser();
const RUN = `kbd-${crypto.randomBytes(3).toString('hex')}`;
const digest = crypto.createHash('sha256').update(DEMO_PASSWORD).digest('hex');

async function rest(method, endpoint, body, headers = {}) {
  const login = await (await fetch(`${BASE_URL}/api/v1/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user: DEMO_USER, password: DEMO_PASSWORD }),
  })).json();
  const auth = { 'X-User-Id': login.data.userId, 'X-Auth-Token': login.data.authToken };
  try {
    const response = await fetch(`${BASE_URL}/api/v1/${endpoint}`, {
      method, headers: { ...auth, ...headers, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return await response.json();
  } finally {
    await fetch(`${BASE_URL}/api/v1/logout`, { method: 'POST', headers: auth });
  }
}

const hideRolesBefore = (await rest('GET', 'me')).settings?.preferences?.hideRoles === true;

after(async () => {
  await rest('POST', 'users.setPreferences', { data: { hideRoles: hideRolesBefore } });
  const list = await rest('GET', 'users.getPersonalAccessTokens');
  for (const { name } of list.tokens || []) {
    if (name.startsWith(RUN)) {
      await rest('POST', 'users.removePersonalAccessToken', { tokenName: name }, { 'x-2fa-method': 'password', 'x-2fa-code': digest });
    }
  }
});

for (const [size, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]]) {
  test(`keyboard only (${size}): sign in, change and save a preference, create a token, close its dialog; focus always visible and unobscured`, async () => {
    const { context, page, problems } = await openPage(browser(), { viewport });
    const steps = [];

    /** Asserts the focus is fine now; step names the key press that led here. */
    async function check(step, selector = null) {
      await page.waitForTimeout(30); // one frame: the page may scroll the control clear of the bar
      const state = await focusState(page);
      steps.push(`${step} → ${state.why}`);
      assert.ok(state.ok, `${step}: ${state.why}\n${steps.slice(-5).join('\n')}`);
      if (selector) assert.ok(await page.evaluate((s) => document.activeElement.matches(s), selector), `${step}: focus on ${selector}, not ${state.why}`);
    }
    async function press(key, selector = null) {
      await page.keyboard.press(key);
      await check(key, selector);
    }
    /** Presses key until the focus is on selector, checking every stop. */
    async function walkTo(selector, key = 'Tab', max = 150) {
      for (let i = 0; i < max; i += 1) {
        await press(key);
        if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return;
      }
      throw new Error(`${key} never reached ${selector}`);
    }

    // Sign in.
    await page.goto('/');
    await page.locator('#signin-user').waitFor();
    await check('page load', '#signin-user');
    await page.keyboard.type(DEMO_USER);
    await press('Tab', '#signin-password');
    await page.keyboard.type(DEMO_PASSWORD);
    await page.keyboard.press('Enter');
    await page.locator('nav .nav-link').first().waitFor();
    await page.waitForFunction(() => document.activeElement?.matches('main h1'));
    await check('Enter (sign in)', 'main h1');
    const s = await strings(page);

    // Change a preference and save it.
    await walkTo('nav a[href="#/preferences"]', 'Shift+Tab'); // the nav is before the page: back from its heading
    await press('Enter', 'main h1');
    await page.locator('#pref-hideRoles').waitFor();
    await walkTo('#pref-hideRoles');
    const was = await page.locator('#pref-hideRoles').isChecked();
    await press('Space', '#pref-hideRoles');
    assert.equal(await page.locator('#pref-hideRoles').isChecked(), !was);
    await walkTo('#pref-save');
    await page.keyboard.press('Enter');
    await page.locator('#pref-save-status').filter({ hasText: s['preferences.saved'] }).waitFor();
    await check('Enter (save)', '#pref-save-status');
    assert.equal((await rest('GET', 'users.getPreferences')).preferences.hideRoles, !was, 'saved on the server');

    // Create a token.
    await walkTo('nav a[href="#/tokens"]', 'Shift+Tab');
    await press('Enter', 'main h1');
    await page.locator('#tokens-name').waitFor();
    await walkTo('#tokens-name');
    await page.keyboard.type(`${RUN}-${size}`);
    await page.keyboard.press('Enter');
    const prompt = page.getByRole('dialog', { name: s['twofactor.title'] });
    const secret = page.locator('dialog.tokens-secret');
    await prompt.or(secret).first().waitFor();
    if (await prompt.isVisible()) {
      await check('Enter (add)', 'dialog input[type="password"]');
      await page.keyboard.type(DEMO_PASSWORD);
      await page.keyboard.press('Enter');
    }
    await secret.waitFor();
    await page.waitForFunction(() => document.activeElement?.closest('dialog.tokens-secret'));
    await check('token dialog opens', 'dialog.tokens-secret button');
    await page.keyboard.press('Enter'); // Copy token
    await secret.getByRole('status').filter({ hasText: /./ }).waitFor();
    await check('Enter (copy)');
    await walkTo("#tokens-secret-done");
    await page.keyboard.press('Enter');
    await secret.waitFor({ state: 'detached' });
    await check('Enter (done)', '#tokens-add');
    await page.locator('#tokens-add-status').filter({ hasText: `${RUN}-${size}` }).waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });
}
