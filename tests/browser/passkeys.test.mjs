// Browser test of passkeys with Chromium's virtual authenticator (DevTools
// protocol WebAuthn.addVirtualAuthenticator through playwright-core's CDP
// session): a person adds a passkey on the Security page, signs out, signs
// in with it and no password, uses it as the second factor for creating a
// personal access token, and removes it. Browsers refuse an IP address as a
// relying party, so this test speaks to the server as localhost (the test
// stack's passkeys_origin).

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { BASE_URL, openPage, screenshot, signIn, strings, useBrowser } from './lib.mjs';

const browser = useBrowser();
const BASE = BASE_URL.replace('//127.0.0.1', '//localhost');
const ADMIN = process.env.ADMIN;
const user = {
  name: `pkui${Date.now().toString(36)}${crypto.randomBytes(2).toString('hex')}`,
  password: `pw-${crypto.randomBytes(6).toString('hex')}`,
};
const fill = (text, params) => text.replace(/\{(\w+)\}/g, (whole, key) => (key in params ? String(params[key]) : whole));

let session;
// A fresh account (not the demo one, whose second factor other tests rely on)
// and a context whose page has a virtual platform authenticator.
async function setUp() {
  execFileSync(ADMIN, ['create-user', user.name, `${user.name}@example.org`, 'Passkey Tester'],
    { input: `${user.password}\n`, encoding: 'utf8' });
  session = await openPage(browser(), { baseURL: BASE });
  const cdp = await session.context.newCDPSession(session.page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, automaticPresenceSimulation: true,
    },
  });
  session.credentials = async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
}

after(async () => {
  await session?.context.close();
});

test('add a passkey, sign in with it alone, confirm a token with it, remove it', async () => {
  await setUp();
  const { page, problems } = session;
  await signIn(page, { user: user.name, password: user.password });
  await page.goto('/#/security');
  const s = await strings(page);
  await page.locator('#passkey-name').waitFor();

  // Adding asks for the second factor: this user has none yet, so the password.
  await page.getByLabel(s['passkeys.name'], { exact: true }).fill('Test laptop');
  await page.getByRole('button', { name: s['passkeys.add'], exact: true }).click();
  const prompt = page.getByRole('dialog', { name: s['twofactor.title'] });
  await prompt.getByLabel(s['signin.password'], { exact: true }).fill(user.password);
  await prompt.getByRole('button', { name: s['twofactor.confirm'], exact: true }).click();
  const item = page.locator('.passkey').filter({ has: page.locator('.passkey-name', { hasText: 'Test laptop' }) });
  await item.waitFor();
  await page.locator('#passkeys-status', { hasText: s['passkeys.added'] }).waitFor();
  assert.equal((await session.credentials()).length, 1, 'the authenticator holds one discoverable credential');
  assert.equal((await session.credentials())[0].isResidentCredential, true);
  await screenshot(page, 'passkeys-added');

  // Sign out, then in with the passkey alone.
  await page.getByRole('button', { name: s['app.signOut'], exact: true }).click();
  await page.getByRole('button', { name: s['passkeys.signIn'], exact: true }).click();
  await page.locator('nav .nav-link').first().waitFor();
  const me = await (await session.context.request.get('/api/v1/me')).json();
  assert.equal(me.username, user.name);
  const afterSignIn = (await session.credentials())[0].signCount;

  // A token: the passkey is the second factor, no password dialog.
  await page.goto('/#/tokens');
  await page.locator('#tokens-name').waitFor();
  await page.getByLabel(s['tokens.name'], { exact: true }).fill('by-passkey');
  await page.getByRole('button', { name: s['tokens.add'], exact: true }).click();
  await page.locator('dialog.tokens-secret').waitFor();
  assert.equal(await prompt.count(), 0, 'no password or code was asked for');
  const token = (await page.locator('#tokens-secret-token').textContent()).trim();
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  assert.ok((await session.credentials())[0].signCount > afterSignIn, 'the passkey signed the challenge');
  await page.getByRole('button', { name: s['tokens.secret.close'], exact: true }).click();
  const anyway = page.getByRole('button', { name: s['tokens.secret.closeAnyway'], exact: true });
  if (await anyway.isVisible()) await anyway.click();

  // Remove it (the second factor is remembered on this session by now, or asked of the passkey).
  await page.goto('/#/security');
  await item.waitFor();
  const list = await (await session.context.request.get('/api/v1/passkeys.list')).json();
  assert.ok(list.passkeys[0].lastUsedAt, 'last use is shown');
  await item.getByRole('button', { name: fill(s['passkeys.removeNamed'], { name: 'Test laptop' }), exact: true }).click();
  const confirm = page.getByRole('dialog', { name: s['passkeys.confirmRemoveTitle'] });
  await confirm.getByRole('button', { name: s['passkeys.remove'], exact: true }).click();
  await page.locator('#passkeys-status', { hasText: s['passkeys.removed'] }).waitFor();
  assert.equal(await item.count(), 0);
  const empty = await (await session.context.request.get('/api/v1/passkeys.list')).json();
  assert.deepEqual(empty.passkeys, []);
  // The avatar's absolute URL is built from site_url (127.0.0.1), another
  // origin than this page's localhost: only that image is blocked, as it
  // would be for anyone using a second name for the server.
  assert.deepEqual(problems.filter((p) => !/Loading the image '[^']*\/avatar\//.test(p)), []);
});
