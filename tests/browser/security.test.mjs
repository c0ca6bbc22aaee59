// Browser tests of the Security page's second factors and E2E key (issue 11),
// against the real server at BASE_URL, with a user of their own (made with the
// admin tool, so the demo account the other files use keeps no 2FA). The
// tests run in order and build on each other: enrol TOTP in the wizard (the
// secret read from the page, the codes computed here), sign in with a TOTP
// code and with a backup code chosen at sign-in, email codes (read from the
// SMTP sink), switch both off; then the E2E key, checked by an independent
// implementation (Python's cryptography package): it decrypts with the E2E
// password to a private key whose public half is the stored public key;
// changing the password keeps the pair; resetting signs out everywhere.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createUser, recordSecret, TOP, totp } from '../http/lib.mjs';
import { axeViolations, BASE_URL, en, openPage, screenshot, shot, tabTo, useBrowser } from './lib.mjs';

const browser = useBrowser();
let user; // {username, email, password, id}
let secret = ''; // the TOTP secret, as read from the page
let backupCodes = []; // the codes the page showed last, minus those used
let lastStep = 0; // the last TOTP time step used: each is accepted once
let session = null; // {context, page, problems} of the signed-in browser

before(() => {
  user = createUser('sec');
});

after(async () => {
  await session?.context.close();
});

// ---- Helpers -----------------------------------------------------------------

const step = () => Math.floor(Date.now() / 30000);

/** A TOTP code of a step not used before: now, or the next one (the server allows ±1 step). */
async function freshCode() {
  let next = Math.max(step(), lastStep + 1);
  if (next > step() + 1) {
    await new Promise((r) => setTimeout(r, (next - 1) * 30000 - Date.now() + 200));
    next = Math.max(step(), lastStep + 1);
  }
  lastStep = next;
  return totp(secret, next * 30);
}

/** The user's mails in the SMTP sink's Maildir, oldest first (by file time). */
function mailsInOrder() {
  const dir = path.join(process.env.MAILDIR || path.join(TOP, 'build/test-run/mail'), 'new');
  const to = new RegExp(`^To: <?${user.email.replace(/[.+]/g, '\\$&')}>?\\r?$`, 'mi');
  let files = [];
  try { files = fs.readdirSync(dir); } catch { return []; }
  return files.map((f) => ({ file: path.join(dir, f), mtime: fs.statSync(path.join(dir, f), { bigint: true }).mtimeNs }))
    .sort((a, b) => (a.mtime < b.mtime ? -1 : a.mtime > b.mtime ? 1 : 0))
    .map(({ file }) => fs.readFileSync(file, 'utf8'))
    .filter((raw) => to.test(raw));
}

/** The code of the newest mail to the user, once there are more than `seen` of them. */
async function mailedCode(seen) {
  const until = Date.now() + 10000;
  for (;;) {
    const mails = mailsInOrder();
    if (mails.length > seen) {
      const code = /\b(\d{3})-(\d{3})\b/.exec(mails.at(-1));
      assert.ok(code, 'the mail holds a code like 123-456');
      recordSecret('code', code[1] + code[2]);
      return code[1] + code[2];
    }
    if (Date.now() > until) throw new Error(`no new mail to ${user.email}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const mailCount = () => mailsInOrder().length;

/**
 * A fresh browser context at the sign-in screen (the earlier one closed),
 * for the Security page: signing in lands there, not on Profile.
 */
async function freshSession() {
  await session?.context.close();
  session = await openPage(browser());
  await session.page.goto('/#/security');
  return session.page;
}

/** Types the credentials; resolves when the 2FA step (or the account area) shows. */
async function credentials(page, who = user) {
  await page.getByLabel(en['signin.user']).fill(who.username);
  await page.getByLabel(en['signin.password'], { exact: true }).fill(who.password);
  await page.getByRole('button', { name: en['signin.submit'], exact: true }).click();
  await page.locator('#signin-code, nav .nav-link').first().waitFor();
}

async function submitCode(page, code) {
  await page.locator('#signin-code').fill(code);
  await page.getByRole('button', { name: en['signin.verify'], exact: true }).click();
}

async function openSecurity(page) {
  await page.goto('/#/security');
  await page.locator('#totp-heading').waitFor();
}

const signedIn = (page) => page.locator('nav .nav-link').first().waitFor();

/**
 * When the second-factor dialog shows (the server may remember an earlier
 * success on this session), answers it with answer(dialog); then waits for next.
 */
async function secondFactorIfAsked(page, next, answer) {
  const dialog = page.locator('dialog.twofactor-dialog');
  await dialog.or(next).filter({ visible: true }).first().waitFor().catch(async (err) => {
    await screenshot(page, `security-${Date.now()}`);
    throw err;
  });
  if (!(await dialog.isVisible())) return false;
  await answer(dialog);
  await next.waitFor();
  return true;
}

async function answerWith(dialog, code) {
  await dialog.locator('input[name=code]').fill(code);
  await dialog.getByRole('button', { name: en['twofactor.confirm'], exact: true }).click();
}

/** Confirms the open confirmAction() dialog. */
async function confirm(page, label) {
  await page.locator('dialog.dialog').getByRole('button', { name: label, exact: true }).click();
}

/** The stored keys, as the signed-in session reads them. */
async function storedKeys(context) {
  const answer = await (await context.request.get('/api/v1/e2e.fetchMyKeys')).json();
  assert.equal(answer.success, true);
  return answer;
}

/**
 * The independent check: Python's cryptography package decrypts private_key
 * with password (PBKDF2-SHA-256, 1000 rounds, salt = user id, AES-256-CBC,
 * IV first) and compares the JWK with public_key. Resolves with
 * {ok, why?, n?}: ok when it decrypts to an RSA private key that is
 * consistent (p·q = n) and whose public half is the stored public key.
 */
function pythonCheck(keys, password) {
  const script = `
import base64, json, sys
from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.asymmetric import rsa, padding as apadding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
args = json.load(sys.stdin)
def b64url(s): return int.from_bytes(base64.urlsafe_b64decode(s + '=' * (-len(s) % 4)), 'big')
try:
    blob = base64.b64decode(json.loads(args['private_key'])['$binary'])
    iv, ct = blob[:16], blob[16:]
    # Rocket.Chat turns strings into bytes one code unit each ("binary"), i.e. Latin-1.
    key = PBKDF2HMAC(hashes.SHA256(), 32, args['userId'].encode('latin-1'), 1000).derive(args['password'].encode('latin-1'))
    dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = dec.update(ct) + dec.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    jwk = json.loads((unpadder.update(padded) + unpadder.finalize()).decode('latin-1'))
except Exception as e:
    print(json.dumps({'ok': False, 'why': type(e).__name__})); sys.exit(0)
pub = json.loads(args['public_key'])
n, e = b64url(jwk['n']), b64url(jwk['e'])
ok = jwk['kty'] == 'RSA' and pub['kty'] == 'RSA' and b64url(pub['n']) == n and b64url(pub['e']) == e and n.bit_length() == 2048
private = rsa.RSAPrivateNumbers(b64url(jwk['p']), b64url(jwk['q']), b64url(jwk['d']), b64url(jwk['dp']), b64url(jwk['dq']), b64url(jwk['qi']),
    rsa.RSAPublicNumbers(e, n)).private_key()
oaep = apadding.OAEP(mgf=apadding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
ok = ok and private.decrypt(private.public_key().encrypt(b'round trip', oaep), oaep) == b'round trip'
print(json.dumps({'ok': ok, 'n': jwk['n'], 'alg': jwk.get('alg'), 'pubAlg': pub.get('alg')}))
`;
  const out = execFileSync('/usr/bin/python3', ['-c', script], {
    input: JSON.stringify({ ...keys, password, userId: user.id }), encoding: 'utf8',
  });
  return JSON.parse(out);
}

// ---- TOTP ----------------------------------------------------------------------

test('TOTP: the wizard shows the QR code and the secret, takes the first code, and shows the backup codes once', async () => {
  const page = await freshSession();
  await credentials(page);
  await signedIn(page);
  await openSecurity(page);
  await page.locator('#totp-setup').click();

  const dialog = page.locator('dialog.totp-dialog');
  await dialog.locator('#totp-secret').waitFor();
  secret = (await dialog.locator('#totp-secret').textContent()).replace(/\s+/g, '');
  recordSecret('totp-secret', secret);
  assert.match(secret, /^[A-Z2-7]{32,}$/, 'a base32 secret of at least 160 bits');
  assert.match(await dialog.locator('img.totp-qr').getAttribute('src'), /^blob:/, 'the QR code is an image, not markup');
  assert.ok(await dialog.locator('img.totp-qr').evaluate((img) => img.complete && img.naturalWidth > 0), 'the SVG renders');

  await shot(page, 'security-totp-step1');
  await dialog.locator('#totp-next').click();
  // A wrong code is refused, and the wizard stays on this step.
  await dialog.locator('#totp-code').fill(String((Number(totp(secret)) + 1) % 1e6).padStart(6, '0'));
  await dialog.locator('#totp-verify').click();
  await dialog.getByText(en['security.totp.codeWrong']).waitFor();

  await dialog.locator('#totp-code').fill(await freshCode());
  await dialog.locator('#totp-verify').click();
  await dialog.locator('#totp-backup-codes li').first().waitFor();
  backupCodes = (await dialog.locator('#totp-backup-codes li').allTextContents()).map((c) => c.trim());
  backupCodes.forEach((c) => recordSecret('backup-code', c));
  assert.equal(backupCodes.length, 12);
  for (const code of backupCodes) assert.match(code, /^[23456789A-HJ-NP-Za-km-z]{8}$/);

  await shot(page, 'security-totp-step3');
  // Download: a .txt with every code.
  const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: en['security.codes.download'] }).click()]);
  assert.match(download.suggestedFilename(), /\.txt$/);
  const text = fs.readFileSync(await download.path(), 'utf8');
  for (const code of backupCodes) assert.ok(text.includes(code), 'the file holds every code');
  // Print: the browser's print with only the codes (print stubbed: headless has no dialog).
  await page.evaluate(() => { window.printedCodes = null; window.print = () => { window.printedCodes = document.body.classList.contains('printing-backup-codes'); }; });
  await dialog.getByRole('button', { name: en['security.codes.print'] }).click();
  assert.equal(await page.evaluate(() => window.printedCodes), true);

  // It does not close before "I have stored them": not by Done, not by Esc.
  await dialog.locator('#totp-codes-done').click();
  await dialog.getByText(en['security.codes.storeFirst']).waitFor();
  assert.ok(await dialog.locator('#totp-codes-stored').evaluate((el) => el === document.activeElement), 'focus goes to the box');
  await page.keyboard.press('Escape');
  assert.ok(await dialog.isVisible(), 'Esc does not close it either');
  await page.keyboard.press('Space');
  await dialog.locator('#totp-codes-done').click();
  await dialog.waitFor({ state: 'detached' });

  const html = await page.content();
  assert.ok(!html.includes(backupCodes[0]) && !html.includes(secret), 'codes and secret are gone from the page');
  await page.locator('#totp-state').getByText(en['security.totp.isOn']).waitFor();
  await page.locator('#totp-remaining').getByText(en['security.totp.codesLeft'].replace('{count}', '12')).waitFor();
  assert.deepEqual(session.problems, []);
});

test('TOTP: signing out and in again asks for the code, and takes one from the app', async () => {
  const page = await freshSession();
  await credentials(page);
  await page.locator('#signin-code').waitFor();
  assert.ok(await page.locator('#signin-method-app').isChecked(), 'the authenticator is the first choice');
  await submitCode(page, await freshCode());
  await signedIn(page);
  assert.deepEqual(session.problems, []);
});

// ---- Email 2FA, and the choice of method at sign-in -------------------------------

test('Email 2FA: switched on from the page (the address is verified)', async () => {
  const page = session.page;
  await openSecurity(page);
  await page.locator('#email2fa-enable').click();
  await confirm(page, en['security.email.enable']);
  await page.locator('#email2fa-state').getByText(en['security.email.isOn'].replace('{address}', user.email.toLowerCase()), { exact: false })
    .or(page.locator('#email2fa-state').getByText(en['security.email.isOn'].replace('{address}', user.email))).first().waitFor();
  await page.locator('#email2fa-disable').waitFor();
  assert.deepEqual(session.problems, []);
});

test('Sign-in: a user with the app and email chooses a backup code', async () => {
  const page = await freshSession();
  await credentials(page);
  await page.locator('#signin-code').waitFor();
  for (const id of ['app', 'backup', 'email']) assert.ok(await page.locator(`#signin-method-${id}`).isVisible(), `${id} is offered`);
  await shot(page, 'signin-method-choice');
  // Keyboard: the choice is a radio group.
  await page.locator('#signin-method-app').focus();
  await page.keyboard.press('ArrowDown');
  assert.ok(await page.locator('#signin-method-backup').isChecked());
  await page.getByText(en['signin.codeByBackup']).waitFor();
  assert.equal(await page.locator('#signin-code').getAttribute('inputmode'), 'text');
  await submitCode(page, backupCodes.shift());
  await signedIn(page);
  await openSecurity(page);
  await page.locator('#totp-remaining').getByText(en['security.totp.codesLeft'].replace('{count}', '11')).waitFor();
  assert.deepEqual(session.problems, []);
});

test('Sign-in: choosing email mails a code; "send again" mails another; the code signs in', async () => {
  const page = await freshSession();
  await credentials(page);
  await page.locator('#signin-code').waitFor();
  const before = mailCount();
  await page.locator('#signin-method-email').check();
  await page.getByText(en['signin.codeByEmail']).waitFor();
  await mailedCode(before);
  const afterFirst = mailCount();
  await page.getByRole('button', { name: en['signin.resendCode'] }).click();
  await page.getByText(en['signin.codeResent']).waitFor();
  const code = await mailedCode(afterFirst);
  recordSecret('code', code);
  await submitCode(page, code);
  await signedIn(page);
  assert.deepEqual(session.problems, []);
});

test('TOTP: new backup codes pass the second factor', async () => {
  const page = session.page;
  await openSecurity(page);
  await page.locator('#totp-remaining').getByText(/\d/).waitFor();

  await page.locator('#totp-regenerate').click();
  await confirm(page, en['security.totp.regenerate']);
  const codesDialog = page.locator('dialog.totp-dialog');
  await secondFactorIfAsked(page, codesDialog, async (dialog) => {
    await dialog.getByRole('button', { name: en['signin.useBackupCode'] }).click();
    await answerWith(dialog, backupCodes.shift());
  });
  await codesDialog.locator('#totp-backup-codes li').first().waitFor();
  const fresh = (await codesDialog.locator('#totp-backup-codes li').allTextContents()).map((c) => c.trim());
  fresh.forEach((c) => recordSecret('backup-code', c));
  assert.equal(fresh.length, 12);
  assert.ok(!fresh.includes(backupCodes[0]), 'new codes');
  await codesDialog.locator('#totp-codes-stored').check();
  await codesDialog.locator('#totp-codes-done').click();
  await codesDialog.waitFor({ state: 'detached' });
  await page.locator('#totp-remaining').getByText(en['security.totp.codesLeft'].replace('{count}', '12')).waitFor();
  backupCodes = fresh;

  assert.deepEqual(session.problems, []);
});

test('Email 2FA: switched off with a code by email, chosen in the second-factor dialog (no remember window)', async () => {
  const page = session.page;
  await openSecurity(page);
  await page.locator('#email2fa-disable').click();
  await confirm(page, en['security.email.disable']);
  // A strict route: asked although this session passed a factor minutes ago;
  // the authenticator comes first, email is offered beside it.
  const dialog = page.locator('dialog.twofactor-dialog');
  await dialog.waitFor();
  await dialog.getByText(en['signin.codeByApp']).waitFor();
  const before = mailCount();
  await dialog.getByRole('button', { name: en['twofactor.useEmail'] }).click();
  await dialog.getByText(en['signin.codeByEmail']).waitFor();
  await answerWith(dialog, await mailedCode(before));
  await page.locator('#email2fa-enable').waitFor();
  await page.locator('#email2fa-state').getByText(en['security.email.isOff']).waitFor();
  assert.deepEqual(session.problems, []);
});

test('TOTP: switched off with a code from the app; then signing in needs no code', async () => {
  const page = session.page;
  await page.locator('#totp-disable').click();
  await confirm(page, en['security.totp.disable']);
  const dialog = page.locator('dialog.twofactor-dialog');
  await dialog.waitFor();
  assert.ok(!(await dialog.getByRole('button', { name: en['twofactor.useEmail'] }).isVisible()), 'email is off: not offered');
  await answerWith(dialog, await freshCode());
  await page.locator('#totp-setup').waitFor();
  await page.locator('#totp-state').getByText(en['security.totp.isOff']).waitFor();

  const next = await freshSession();
  await credentials(next);
  await signedIn(next);
  assert.deepEqual(session.problems, []);
});

// ---- The E2E key ------------------------------------------------------------------

const E2E_PASSWORD = 'Korrekt Pferd Batterie é1'; // a Latin-1 letter: Rocket.Chat's byte encoding, not UTF-8
const E2E_NEW = 'another-secret-passphrase-9';

test('E2E: a key set in the browser decrypts with its password, by an independent implementation', async () => {
  recordSecret('password', E2E_PASSWORD);
  const { page, context } = session;
  await openSecurity(page);
  await page.locator('#e2e-password').waitFor();
  await page.getByText(en['security.e2e.warning']).waitFor();
  assert.ok(!(await page.locator('#e2e-current').isVisible()), 'no current password without a key');

  // Refused before anything is sent: too short, not the same twice, outside Latin-1.
  await page.locator('#e2e-password').fill('short');
  await page.locator('#e2e-confirm').fill('short');
  await page.locator('#e2e-save').click();
  await page.locator('#e2e-error').getByText(en['security.e2e.passwordShort'].replace('{min}', '8')).waitFor();
  await page.locator('#e2e-password').fill('пароль-пароль');
  await page.locator('#e2e-confirm').fill('пароль-пароль');
  await page.locator('#e2e-save').click();
  await page.locator('#e2e-error').getByText(en['security.e2e.passwordCharacters']).waitFor();
  assert.equal((await storedKeys(context)).public_key, undefined, 'nothing stored');

  const sent = [];
  page.on('request', (r) => { if (r.postData()) sent.push(r.postData()); });
  await page.locator('#e2e-password').fill(E2E_PASSWORD);
  await page.locator('#e2e-confirm').fill(E2E_PASSWORD);
  await page.locator('#e2e-save').click();
  await page.locator('#e2e-status').getByText(en['security.e2e.saved']).waitFor();
  assert.ok(!sent.some((body) => body.includes(E2E_PASSWORD) || body.includes('Korrekt')), 'the E2E password never leaves the browser');

  const keys = await storedKeys(context);
  assert.match(keys.private_key, /^\{"\$binary":"[A-Za-z0-9+/]+=*"\}$/, 'EJSON binary, as Rocket.Chat stores it');
  const pub = JSON.parse(keys.public_key);
  assert.equal(pub.kty, 'RSA');
  assert.equal(pub.alg, 'RSA-OAEP-256');
  const check = pythonCheck(keys, E2E_PASSWORD);
  assert.equal(check.ok, true, JSON.stringify(check));
  assert.equal(pythonCheck(keys, `${E2E_PASSWORD}x`).ok, false, 'another password does not decrypt it');
  assert.deepEqual(session.problems, []);
});

test('E2E: changing the password keeps the key pair; only the new password decrypts it', async () => {
  recordSecret('password', E2E_NEW);
  const { page, context } = session;
  const before = await storedKeys(context);
  const { n } = pythonCheck(before, E2E_PASSWORD);
  await openSecurity(page);
  await page.locator('#e2e-current').waitFor();

  // A wrong current password changes nothing.
  await page.locator('#e2e-current').fill('not the password');
  await page.locator('#e2e-password').fill(E2E_NEW);
  await page.locator('#e2e-confirm').fill(E2E_NEW);
  await page.locator('#e2e-save').click();
  await page.locator('#e2e-error').getByText(en['security.e2e.currentWrong']).waitFor();
  assert.deepEqual(await storedKeys(context), before);

  await page.locator('#e2e-current').fill(E2E_PASSWORD);
  await page.locator('#e2e-password').fill(E2E_NEW);
  await page.locator('#e2e-confirm').fill(E2E_NEW);
  await page.locator('#e2e-save').click();
  await page.locator('#e2e-status').getByText(en['security.e2e.changed']).waitFor();
  await shot(page, 'security-e2e-set');

  const after = await storedKeys(context);
  assert.equal(after.public_key, before.public_key, 'the same public key');
  assert.notEqual(after.private_key, before.private_key, 'encrypted anew');
  const check = pythonCheck(after, E2E_NEW);
  assert.equal(check.ok, true, JSON.stringify(check));
  assert.equal(check.n, n, 'the same private key');
  assert.equal(pythonCheck(after, E2E_PASSWORD).ok, false, 'the old password no longer decrypts it');
  assert.deepEqual(session.problems, []);
});

/**
 * The key re-encrypted as a newer Rocket.Chat client stores it (AES-GCM,
 * 12-byte IV, its own salt "v2:<user id>:<uuid>", 100000 PBKDF2 rounds), by
 * Python, from the key that password decrypts: {iv, ciphertext, salt, iterations}.
 */
function pythonV2(keys, password, newPassword) {
  const script = `
import base64, json, sys, uuid, os
from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
a = json.load(sys.stdin)
blob = base64.b64decode(json.loads(a['private_key'])['$binary'])
key = PBKDF2HMAC(hashes.SHA256(), 32, a['userId'].encode('latin-1'), 1000).derive(a['password'].encode('latin-1'))
dec = Cipher(algorithms.AES(key), modes.CBC(blob[:16])).decryptor()
u = padding.PKCS7(128).unpadder()
plain = u.update(dec.update(blob[16:]) + dec.finalize()) + u.finalize()
salt = 'v2:%s:%s' % (a['userId'], uuid.uuid4())
key2 = PBKDF2HMAC(hashes.SHA256(), 32, salt.encode('latin-1'), 100000).derive(a['newPassword'].encode('latin-1'))
iv = os.urandom(12)
ct = AESGCM(key2).encrypt(iv, plain, None)
print(json.dumps({'iv': base64.b64encode(iv).decode(), 'ciphertext': base64.b64encode(ct).decode(), 'salt': salt, 'iterations': 100000}))
`;
  return execFileSync('/usr/bin/python3', ['-c', script], {
    input: JSON.stringify({ ...keys, password, newPassword, userId: user.id }), encoding: 'utf8',
  }).trim();
}

test('E2E: a key a newer Rocket.Chat client stored (AES-GCM form) can have its password changed here', async () => {
  const { page, context } = session;
  const v2Password = 'gcm-form-password-7';
  recordSecret('password', v2Password);
  const before = await storedKeys(context);
  const { n } = pythonCheck(before, E2E_NEW);
  const csrf = (await context.cookies()).find((c) => c.name === 'rc_csrf')?.value || '';
  const stored = await context.request.post('/api/v1/e2e.setUserPublicAndPrivateKeys', {
    headers: { 'X-CSRF-Token': decodeURIComponent(csrf) },
    data: { public_key: before.public_key, private_key: pythonV2(before, E2E_NEW, v2Password), force: true },
  });
  assert.equal(stored.status(), 200, await stored.text());

  await page.reload();
  await page.locator('#e2e-current').waitFor();
  await page.locator('#e2e-current').fill(v2Password);
  await page.locator('#e2e-password').fill(E2E_NEW);
  await page.locator('#e2e-confirm').fill(E2E_NEW);
  await page.locator('#e2e-save').click();
  await page.locator('#e2e-status').getByText(en['security.e2e.changed']).waitFor();
  const after = await storedKeys(context);
  assert.equal(after.public_key, before.public_key);
  const check = pythonCheck(after, E2E_NEW);
  assert.equal(check.ok, true, JSON.stringify(check));
  assert.equal(check.n, n, 'the same private key, now in the form every client reads');
  assert.deepEqual(session.problems, []);
});

test('E2E: reset with the typed username signs out everywhere and removes the keys', async () => {
  const { page, context } = session;
  await openSecurity(page);
  await page.locator('#e2e-reset').waitFor();
  await page.locator('#e2e-reset-confirm').fill(`${user.username}x`);
  await page.locator('#e2e-reset').click();
  await page.getByText(en['security.e2e.resetMismatch']).waitFor();
  assert.ok((await storedKeys(context)).public_key, 'a mistyped confirmation resets nothing');

  await page.locator('#e2e-reset-confirm').fill(user.username);
  await page.locator('#e2e-reset').click();
  // Email 2FA and TOTP are off: the server asks for the password.
  await secondFactorIfAsked(page, page.locator('#signin-user'), async (dialog) => {
    await answerWith(dialog, user.password);
  });
  await page.getByText(en['security.e2e.resetDone']).waitFor();
  assert.equal((await context.request.get('/api/v1/me')).status(), 401, 'this session ended');

  const again = await freshSession();
  await credentials(again);
  await signedIn(again);
  assert.equal((await storedKeys(session.context)).public_key, undefined, 'no key any more');
  assert.deepEqual(session.problems, []);
});

// ---- Keyboard only, on a phone-sized screen ------------------------------------------

test('TOTP wizard: keyboard only on a phone screen, no axe violations; few backup codes left are warned about', async () => {
  const other = createUser('seckb');
  const phone = await openPage(browser(), { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const { page, problems } = phone;
  try {
    await page.goto('/#/security');
    await credentials(page, other);
    await page.locator('#totp-setup').waitFor();
    await tabTo(page, '#totp-setup');
    await page.keyboard.press('Enter');

    const dialog = page.locator('dialog.totp-dialog');
    await dialog.locator('#totp-secret').waitFor();
    await dialog.locator('img.totp-qr').evaluate((img) => img.decode());
    const otherSecret = (await dialog.locator('#totp-secret').textContent()).replace(/\s+/g, '');
    recordSecret('totp-secret', otherSecret);
    const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= innerWidth);
    assert.ok(await fits(), 'step 1 fits the phone screen');
    assert.deepEqual(await axeViolations(page), [], 'step 1');
    assert.ok(await page.locator('#totp-next').evaluate((el) => el === document.activeElement), 'focus starts on Next');
    await page.keyboard.press('Enter');
    assert.ok(await page.locator('#totp-code').evaluate((el) => el === document.activeElement), 'then in the code field');
    await page.keyboard.type(totp(otherSecret));
    await page.keyboard.press('Enter');

    await dialog.locator('#totp-backup-codes li').first().waitFor();
    const codes = (await dialog.locator('#totp-backup-codes li').allTextContents()).map((c) => c.trim());
    codes.forEach((c) => recordSecret('backup-code', c));
    assert.ok(await fits(), 'step 3 fits the phone screen');
    await shot(page, 'security-totp-step3-phone');
    assert.deepEqual(await axeViolations(page), [], 'step 3');
    await tabTo(page, '#totp-codes-stored', 20);
    await page.keyboard.press('Space');
    await tabTo(page, '#totp-codes-done', 20);
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    assert.ok(await page.locator('#totp-regenerate').evaluate((el) => el === document.activeElement), 'focus lands on the section');
    assert.deepEqual(await axeViolations(page), [], 'the page with TOTP on');

    // Nine backup codes used at sign-in (through the API): three left, and the page warns.
    for (const code of codes.slice(0, 9)) {
      const answer = await fetch(`${BASE_URL}/api/v1/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ user: other.username, password: other.password, code }),
      });
      assert.equal(answer.status, 200);
    }
    await page.reload();
    const remaining = page.locator('#totp-remaining.warning');
    await remaining.getByText(en['security.totp.fewCodes'].replace('{count}', '3')).waitFor();
    assert.equal(await remaining.getAttribute('role'), 'alert');
    await shot(page, 'security-phone-few-codes');
    assert.ok(await fits(), 'the page fits the phone screen');
    assert.deepEqual(problems, []);
  } finally {
    await phone.context.close();
  }
});
