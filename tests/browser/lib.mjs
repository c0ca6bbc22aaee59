// Shared set-up for the browser tests: Debian's chromium driven by playwright-core
// (no downloaded browser), the server under test at BASE_URL, the demo account
// from DEMO_USER / DEMO_PASSWORD. Set SCREENSHOT_DIR to keep screenshots.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const I18N_DIR = path.resolve(HERE, '../../www/i18n');

export const BASE_URL = (process.env.BASE_URL || '').replace(/\/+$/, '');
export const DEMO_USER = process.env.DEMO_USER || '';
export const DEMO_PASSWORD = process.env.DEMO_PASSWORD || '';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** Throws a clear message when the environment does not say what to test. */
export function requireEnv() {
  const missing = ['BASE_URL', 'DEMO_USER', 'DEMO_PASSWORD'].filter((name) => !process.env[name]);
  if (missing.length) {
    throw new Error(`set ${missing.join(', ')} (e.g. BASE_URL=http://127.0.0.1:8080 and the demo login that make run prints)`);
  }
}

/** Starts headless chromium; close it in after(). */
export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/**
 * One browser for the calling test file: launched before its tests, closed
 * after them. Returns a getter, since the browser exists only once `before`
 * has run.
 */
export function useBrowser() {
  let browser;
  before(async () => {
    requireEnv();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  return () => browser;
}

/**
 * A fresh context (no cookies, English browser) and a page in it. problems
 * collects script errors and CSP violations seen by the page; tests assert it
 * stays empty. (Chromium also logs every 4xx answer as a console error; those
 * are expected here, e.g. /me before signing in, and are not collected.)
 */
export async function openPage(browser, options = {}) {
  const context = await browser.newContext({ baseURL: BASE_URL, locale: 'en-US', ...options });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(`console: ${msg.text()}`);
  });
  return { context, page, problems };
}

/** The translations the page currently shows (its <html lang>), from www/i18n. */
export async function strings(page) {
  const lang = await page.evaluate(() => document.documentElement.lang || 'en');
  return JSON.parse(fs.readFileSync(path.join(I18N_DIR, `${lang}.json`), 'utf8'));
}

/** English strings, for the sign-in screen of an English browser. */
export const en = JSON.parse(fs.readFileSync(path.join(I18N_DIR, 'en.json'), 'utf8'));

/** Fills in and submits the sign-in form; resolves when the account area shows. */
export async function signIn(page, { user = DEMO_USER, password = DEMO_PASSWORD } = {}) {
  await page.goto('/');
  await page.getByLabel(en['signin.user']).fill(user);
  await page.getByLabel(en['signin.password'], { exact: true }).fill(password);
  await page.getByRole('button', { name: en['signin.submit'], exact: true }).click();
  await page.locator('nav .nav-link').first().waitFor();
}

/** The names of the cookies the context holds for BASE_URL. */
export async function cookieNames(context) {
  return (await context.cookies(BASE_URL)).map((c) => c.name);
}

/** Status of GET /api/v1/me with the context's cookies. */
export async function meStatus(context) {
  const response = await context.request.get('/api/v1/me');
  return response.status();
}

/**
 * Presses Tab until the focused element matches selector (at most max times).
 * The bound only stops a runaway loop: pages such as Security grow one stop
 * per listed session, and a long-lived demo account has many.
 */
export async function tabTo(page, selector, max = 200) {
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** Saves a full-page screenshot into SCREENSHOT_DIR, when that is set. */
export async function screenshot(page, name) {
  if (!process.env.SCREENSHOT_DIR) return;
  fs.mkdirSync(process.env.SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(process.env.SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
