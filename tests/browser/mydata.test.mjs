// Browser test of My Data (Preferences), against the real server at BASE_URL
// with the demo account: request an export with the button, run the real
// worker (myaccount-admin run-queue, as cron does), watch the page's polling
// turn the request into a link, download the archive through it, and check
// what arrived is the zip with the HTML page in it. Keyboard-only and a
// phone-sized screen reach the buttons; axe finds nothing to complain about.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import {
  axeViolations, openPage, screenshot, signIn, strings, tabTo, useBrowser,
} from './lib.mjs';

const browser = useBrowser();
const ADMIN = process.env.ADMIN;
// The worker, as cron runs it (without blocking the test's event loop).
const runQueue = () => promisify(execFile)(ADMIN, ['run-queue'], { env: process.env });

const fill = (text, params) => text.replace(/\{(\w+)\}/g, (whole, key) => (key in params ? String(params[key]) : whole));

// The names in a zip, read with Python's zipfile.
function zipNames(file) {
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c',
    'import json, sys, zipfile; print(json.dumps(zipfile.ZipFile(sys.argv[1]).namelist()))', file], { encoding: 'utf8' }));
}

test('request an HTML export, the worker makes it, the page shows the link, the file downloads', async () => {
  const { context, page, problems } = await openPage(browser(), { acceptDownloads: true });
  await signIn(page);
  await page.goto('/#/preferences');
  const s = await strings(page);
  const section = page.locator('section.mydata');
  await section.getByRole('heading', { name: s['mydata.title'], exact: true }).waitFor();
  assert.deepEqual(await axeViolations(page), []);

  // Keyboard only: Tab reaches the button, Enter requests.
  await tabTo(page, '#mydata-html-request');
  await page.keyboard.press('Enter');
  const message = section.locator('#mydata-html-message');
  await message.filter({ hasText: new RegExp(`${s['mydata.requested']}|${s['mydata.already']}`) }).waitFor();
  await section.locator('#mydata-html-state').getByText(s['mydata.status.pending']).waitFor();
  await screenshot(page, 'mydata-pending');

  // The worker, as cron runs it; the page's polling sees the result.
  await runQueue();
  const link = section.locator('#mydata-html-state a[href^="/data-export/"]');
  await link.waitFor({ timeout: 15000 });
  await section.locator('#mydata-html-state').getByText(s['mydata.status.completed']).waitFor();
  await section.locator('#mydata-html-state').getByText(s['mydata.expires']).waitFor();
  const name = await link.getAttribute('download');
  assert.match(name, /^\d{4}-\d{2}-\d{2}-.+\.zip$/, 'named as Rocket.Chat names it');
  assert.equal((await link.textContent()).trim(), fill(s['mydata.link'], { file: name }));
  assert.deepEqual(await axeViolations(page), []);
  await screenshot(page, 'mydata-ready');

  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  assert.equal(download.suggestedFilename(), name);
  const file = await download.path();
  assert.equal(fs.readFileSync(file).subarray(0, 2).toString(), 'PK', 'a zip');
  assert.deepEqual(zipNames(file).sort(), ['README.txt', 'user.html']);

  // Another browser without the session gets no file from the same link.
  const href = await link.getAttribute('href');
  const other = await browser().newContext({ baseURL: process.env.BASE_URL });
  assert.equal((await other.request.get(href)).status(), 401);
  await other.close();
  assert.deepEqual(problems, []);
  await context.close();
});

test('on a phone-sized screen the buttons fit and the JSON export can be asked for', async () => {
  const { context, page, problems } = await openPage(browser(), { viewport: { width: 375, height: 740 } });
  await signIn(page);
  await page.goto('/#/preferences');
  const s = await strings(page);
  const button = page.locator('#mydata-json-request');
  await button.scrollIntoViewIfNeeded();
  const box = await button.boundingBox();
  assert.ok(box && box.x >= 0 && box.x + box.width <= 375, 'inside the screen');
  await button.click();
  await page.locator('#mydata-json-message').filter({ hasText: new RegExp(`${s['mydata.requested']}|${s['mydata.already']}`) }).waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false, 'no sideways scrolling');
  await runQueue();
  await page.locator('#mydata-json-state a[href^="/data-export/"]').waitFor({ timeout: 15000 });
  assert.deepEqual(problems, []);
  await context.close();
});
