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

// ---- Shared by the issue-9 tests (audit, polish, keyboard walk) ----------------

const AXE_SOURCE = fs.readFileSync(path.resolve(HERE, '../node_modules/axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core on the page as it is now (open dialogs included) and resolves
 * with its violations as short lines ("rule: target — summary"); [] when clean.
 * axe is evaluated through the DevTools protocol, which the page's CSP allows.
 */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .map((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} — ${n.failureSummary.split('\n').slice(1, 2).join(' ')}`)).flat());
  return violations;
}

/**
 * Where the focused element is and whether anything covers it: {ok, why}.
 * ok is false when nothing but <body> has focus, the element is outside the
 * viewport, shows no focus ring, or the sticky save bar / another element lies
 * over its centre (WCAG 2.2 2.4.11).
 */
export async function focusState(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { ok: false, why: 'focus is on the page body' };
    const name = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}`;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return { ok: false, why: `${name} has no size` };
    if (box.bottom <= 0 || box.top >= innerHeight || box.right <= 0 || box.left >= innerWidth) {
      return { ok: false, why: `${name} is outside the viewport` };
    }
    for (const bar of document.querySelectorAll('.pref-savebar')) {
      if (bar.contains(el)) continue;
      const b = bar.getBoundingClientRect();
      if (box.bottom > b.top && box.top < b.bottom && box.right > b.left && box.left < b.right) {
        return { ok: false, why: `${name} lies under the save bar` };
      }
    }
    const x = Math.min(innerWidth - 1, Math.max(0, box.left + box.width / 2));
    const y = Math.min(innerHeight - 1, Math.max(0, box.top + box.height / 2));
    const top = document.elementFromPoint(x, y);
    if (top && !el.contains(top) && !top.contains(el) && !(el.labels && [...el.labels].includes(top))) {
      return { ok: false, why: `${name} is covered by ${top.tagName.toLowerCase()}.${top.className}` };
    }
    // Headings and <main> get focus to move the reading position (after a page
    // change): no ring by design. Everything else must show one.
    const headingLike = el.matches('h1, h2, h3, main') && el.getAttribute('tabindex') === '-1';
    const style = getComputedStyle(el);
    if (!headingLike && (style.outlineStyle === 'none' || parseFloat(style.outlineWidth) < 2)) {
      return { ok: false, why: `${name} shows no focus ring` };
    }
    return { ok: true, why: name };
  });
}

/**
 * Ends the browser's session from elsewhere, as another device would: a login
 * of its own through the API, users.logoutOtherClients, then that login's logout.
 */
/** A fresh API login of the demo user, as the headers a request sends. */
export async function demoLoginHeaders() {
  const login = await (await fetch(`${BASE_URL}/api/v1/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user: DEMO_USER, password: DEMO_PASSWORD }),
  })).json();
  return { 'X-User-Id': login.data.userId, 'X-Auth-Token': login.data.authToken };
}

export async function revokeOtherSessions() {
  const auth = await demoLoginHeaders();
  const answer = await fetch(`${BASE_URL}/api/v1/users.logoutOtherClients`, { method: 'POST', headers: auth });
  if (!answer.ok) throw new Error(`users.logoutOtherClients: HTTP ${answer.status}`);
  await fetch(`${BASE_URL}/api/v1/logout`, { method: 'POST', headers: auth });
}

/** Holds requests matching url until release() is called; resolves nothing. */
export async function holdRequests(page, url, { method = null } = {}) {
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  const seen = [];
  await page.route(url, async (route) => {
    if (method && route.request().method() !== method) return route.fallback();
    seen.push(route.request());
    await gate;
    return route.fallback();
  });
  return { release: () => release(), seen };
}

/** Saves a viewport screenshot (not full page: sticky bars stay where the user sees them) into dir. */
export async function shot(page, name, dir = process.env.SHOTS_DIR) {
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`) });
}
