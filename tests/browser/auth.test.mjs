// Browser tests of signing in and out of the My Account SPA, against the real
// server at BASE_URL with the demo account (see lib.mjs). Each test has its own
// browser context, so no cookie carries over.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_PASSWORD, DEMO_USER, cookieNames, en, meStatus, openPage,
  screenshot, signIn, strings, tabTo, useBrowser,
} from './lib.mjs';

const ROUTES = ['profile', 'preferences', 'security', 'tokens'];
const browser = useBrowser();

test('a wrong password shows an error and starts no session', async () => {
  const { context, page, problems } = await openPage(browser());
  await page.goto('/');
  await page.getByLabel(en['signin.user']).fill(DEMO_USER);
  await page.getByLabel(en['signin.password'], { exact: true }).fill(`${DEMO_PASSWORD}-wrong`);
  await page.getByRole('button', { name: en['signin.submit'], exact: true }).click();

  const alert = page.getByRole('alert').filter({ hasText: en['signin.wrongCredentials'] });
  await alert.waitFor();
  await screenshot(page, 'signin-wrong-password');
  assert.equal(await page.getByLabel(en['signin.password'], { exact: true }).inputValue(), '', 'the password field is cleared');
  assert.ok(!(await cookieNames(context)).includes('rc_session'), 'no session cookie');
  assert.equal(await meStatus(context), 401);
  assert.deepEqual(problems, []);
  await context.close();
});

test('signs in, shows who you are, survives a reload, and every page is reachable by keyboard', async () => {
  const { context, page, problems } = await openPage(browser());
  await signIn(page);
  const me = await (await context.request.get('/api/v1/me')).json();
  const main = page.locator('main');

  assert.match(page.url(), /#\/profile$/);
  await main.getByText(me.username, { exact: true }).waitFor();
  await screenshot(page, 'profile-desktop');

  await page.reload();
  await main.getByText(me.username, { exact: true }).waitFor();

  const s = await strings(page);
  for (const route of ROUTES) {
    await tabTo(page, `nav a[href="#/${route}"]`);
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none', `focus on the ${route} link is visible`);
    await page.keyboard.press('Enter');
    await page.waitForFunction((r) => location.hash === `#/${r}`, route);
    await main.getByRole('heading', { level: 1, name: s[`nav.${route}`], exact: true }).waitFor();
    assert.equal(await page.locator(`nav a[href="#/${route}"]`).getAttribute('aria-current'), 'page');
    assert.ok(await page.evaluate(() => document.activeElement?.matches('main h1')), 'focus moves to the page heading');
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('the Security page lists this session, marked as current', async () => {
  const { context, page, problems } = await openPage(browser());
  await signIn(page);
  await page.goto('/#/security');
  const s = await strings(page);

  const sessions = page.getByRole('list', { name: s['security.sessions.title'] });
  const current = sessions.getByRole('listitem').filter({ hasText: s['security.sessions.current'] });
  await current.waitFor();
  assert.equal(await current.count(), 1);
  assert.match(await current.textContent(), /Chrome/, 'the user agent is shown in a short form');
  assert.equal(await current.getByRole('button').count(), 0, 'the current session is ended by signing out, not here');
  await screenshot(page, 'security-desktop');
  assert.deepEqual(problems, []);
  await context.close();
});

test('signing out clears the cookies and ends the session on the server', async () => {
  const { context, page, problems } = await openPage(browser());
  await signIn(page);
  assert.ok((await cookieNames(context)).includes('rc_session'));
  const s = await strings(page);

  await page.getByRole('button', { name: s['app.signOut'], exact: true }).click();
  await page.getByLabel(s['signin.user']).waitFor();
  const left = await cookieNames(context);
  assert.ok(!left.includes('rc_session'), 'rc_session is gone');
  assert.ok(!left.includes('rc_csrf'), 'rc_csrf is gone');
  assert.equal(await meStatus(context), 401);
  assert.deepEqual(problems, []);
  await context.close();
});

test('on a phone-sized screen, signing in works and the navigation is usable', async () => {
  const { context, page, problems } = await openPage(browser(), {
    viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2,
  });
  await page.goto('/');
  await screenshot(page, 'signin-phone');
  await signIn(page);
  const s = await strings(page);

  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px too wide)`);
  for (const route of ROUTES) {
    const link = page.locator(`nav a[href="#/${route}"]`);
    const box = await link.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `${route} link lies inside the screen`);
    assert.ok(box.height >= 40, `${route} link is a large enough target`);
    await link.tap();
    await page.waitForFunction((r) => location.hash === `#/${r}`, route);
    await page.getByRole('heading', { level: 1, name: s[`nav.${route}`], exact: true }).waitFor();
  }
  await screenshot(page, 'tokens-phone');
  assert.deepEqual(problems, []);
  await context.close();
});
