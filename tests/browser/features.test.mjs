// features.test.mjs - the admin's feature switches reach the SPA through
// GET /api/info: a page whose feature is off is not offered. The server's
// own answer is real; this test only turns one switch off in it, since the
// whole test stack shares one config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, signIn, BASE_URL } from './lib.mjs';

const browser = useBrowser();

test('the real /api/info lists the switches the SPA reads', async () => {
  const info = await (await fetch(`${BASE_URL}/api/info`)).json();
  assert.equal(info.features.personalAccessTokens, true);
});

test('with personal access tokens switched off, the Tokens page is not offered', async () => {
  const { context, page, problems } = await openPage(browser());
  await page.route('**/api/info', async (route) => {
    const response = await route.fetch();
    const info = await response.json();
    info.features.personalAccessTokens = false;
    await route.fulfill({ response, json: info });
  });
  await signIn(page);
  const routes = await page.locator('nav .nav-link').evaluateAll((links) => links.map((a) => a.dataset.route));
  assert.deepEqual(routes, ['profile', 'preferences', 'security']);
  await page.goto('/#/tokens');
  await page.waitForFunction(() => location.hash === '#/profile');
  assert.deepEqual(problems, []);
  await context.close();
});
