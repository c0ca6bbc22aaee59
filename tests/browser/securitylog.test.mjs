// Browser tests of the security log section and the "this was not me" page.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { en, openPage, signIn, shot, useBrowser } from './lib.mjs';

const browser = useBrowser();

test('the Security page lists the sign-in just made, newest first', async () => {
  const { context, page, problems } = await openPage(browser());
  await signIn(page);
  await page.goto('/#/security');
  const list = page.locator('#securitylog-list');
  const first = list.locator('li').first();
  await first.waitFor();
  assert.equal(await first.getAttribute('data-event'), 'login');
  assert.match(await first.innerText(), new RegExp(en['securitylog.event.login']));
  assert.match(await first.innerText(), new RegExp(en['securitylog.detail.password']));
  await shot(page, 'security-log');
  await page.setViewportSize({ width: 360, height: 740 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false, 'no sideways scrolling on a phone');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a "not me" link does nothing until its button is pressed, and a bad one says so', async () => {
  const { context, page, problems } = await openPage(browser());
  const posts = [];
  page.on('request', (r) => { if (r.url().includes('signin.notMe')) posts.push(r.method()); });
  await page.goto('/#/not-me/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB');
  await page.getByRole('heading', { name: en['notme.title'] }).waitFor();
  assert.deepEqual(posts, [], 'opening the link changes nothing');
  await page.getByRole('button', { name: en['notme.confirm'] }).click();
  await page.getByRole('alert').filter({ hasText: en['notme.invalid'] }).waitFor();
  assert.deepEqual(posts, ['POST']);
  await page.getByRole('button', { name: en['notme.cancel'] }).click();
  await page.getByLabel(en['signin.user']).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});
