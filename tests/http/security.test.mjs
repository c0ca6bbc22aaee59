// security.test.mjs - TOTP enrolment through a real web server, with codes
// from oathtool and pyotp: Rocket.Chat's REST and method.call forms, the
// otpauth URL and QR code, backup codes (single use, also in parallel),
// every step used once, the secret sealed at rest and rotate-key.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createUser, db, runCgi, ADMIN, recordSecret } from './lib.mjs';
import { api, login, oathCode, pyotpCode, freshStep, methodCall, enrol } from './security-lib.mjs';

const execFileAsync = promisify(execFile);
const loginBody = (u, code) => ({ user: u.username, password: u.password, ...(code ? { code } : {}) });

test('users.totp.enable: a 160-bit secret, an otpauth URL apps read, an SVG QR code', async () => {
  const u = createUser('tina');
  const auth = await login(u);
  const r = await api('POST', '/api/v1/users.totp.enable', { auth, json: {} });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.success, true);
  assert.match(r.json.secret, /^[A-Z2-7]{32}$/, '32 base32 characters: 160 bits');
  const url = new URL(r.json.url);
  assert.equal(url.protocol, 'otpauth:');
  assert.equal(url.host, 'totp');
  const [issuer, account] = decodeURIComponent(url.pathname.slice(1)).split(':');
  assert.equal(account, u.username);
  assert.equal(url.searchParams.get('issuer'), issuer, 'label prefix and issuer agree');
  assert.equal(url.searchParams.get('secret'), r.json.secret);
  assert.equal(url.searchParams.get('digits'), '6');
  assert.equal(url.searchParams.get('period'), '30');
  // pyotp reads the URL as an authenticator app does and agrees with oathtool.
  assert.equal(pyotpCode(r.json.url), oathCode(r.json.secret));
  // The QR code: fixed markup and numbers only.
  assert.match(r.json.qr, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 (\d+) \1" shape-rendering="crispEdges"><rect width="100%" height="100%" fill="#fff"\/><path fill="#000" d="(M\d+ \d+h1v1h-1z)+"\/><\/svg>$/);
  // Until confirmed, TOTP is not on: sign-in asks nothing.
  assert.equal((await api('POST', '/api/v1/login', { json: loginBody(u) })).status, 200);
  const me = await api('GET', '/api/v1/me', { auth });
  assert.equal(me.json.services.totp, undefined);
  // A second enable replaces the pending secret.
  const again = await api('POST', '/api/v1/users.totp.enable', { auth, json: {} });
  assert.notEqual(again.json.secret, r.json.secret);
});

test('users.totp.validate: a wrong code changes nothing; the right one gives 12 codes once and signs other sessions out', async () => {
  const u = createUser('theo');
  const auth = await login(u);
  const other = await login(u);
  await freshStep();
  const e = await api('POST', '/api/v1/users.totp.enable', { auth, json: {} });
  const wrong = await api('POST', '/api/v1/users.totp.validate', { auth, json: { code: '000000' } });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.json.errorType, 'invalid-totp');
  assert.equal((await api('GET', '/api/v1/me', { auth: other })).status, 200, 'nothing happened');
  const code = oathCode(e.json.secret, -1);
  const ok = await api('POST', '/api/v1/users.totp.validate', { auth, json: { code } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.codes.length, 12);
  for (const c of ok.json.codes) assert.match(c, /^[23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz]{8}$/);
  assert.equal(new Set(ok.json.codes).size, 12);
  assert.equal((await api('GET', '/api/v1/me', { auth: other })).status, 401, 'the other session is signed out');
  const me = await api('GET', '/api/v1/me', { auth });
  assert.equal(me.status, 200, 'the caller stays');
  assert.deepEqual(me.json.services.totp, { enabled: true });
  // Confirmed once: validating again finds no enrolment in progress.
  const twice = await api('POST', '/api/v1/users.totp.validate', { auth, json: { code: oathCode(e.json.secret) } });
  assert.equal(twice.status, 400);
  assert.equal(twice.json.errorType, 'invalid-totp');
  // The enrolment code's step is used up: it cannot sign in.
  const replay = await api('POST', '/api/v1/login', { json: loginBody(u, code) });
  assert.equal(replay.status, 401);
  assert.equal(replay.json.error, 'totp-invalid');
  // Enable while enabled is refused (Rocket.Chat's newest).
  const en = await api('POST', '/api/v1/users.totp.enable', { auth, json: {} });
  assert.equal(en.status, 400);
  assert.equal(en.json.errorType, 'error-2fa-already-enabled');
  const rem = await api('GET', '/api/v1/users.totp.codesRemaining', { auth });
  assert.deepEqual(rem.json, { remaining: 12, warning: false, success: true });
});

test('sign-in with pyotp, then the same code again is refused (one use per step)', async () => {
  const u = createUser('tara');
  const auth = await login(u);
  const { url } = await enrol(auth);
  const need = await api('POST', '/api/v1/login', { json: loginBody(u) });
  assert.equal(need.status, 401);
  assert.equal(need.json.error, 'totp-required');
  const code = pyotpCode(url);
  assert.equal((await api('POST', '/api/v1/login', { json: loginBody(u, code) })).status, 200);
  const again = await api('POST', '/api/v1/login', { json: loginBody(u, code) });
  assert.equal(again.status, 401);
  assert.equal(again.json.error, 'totp-invalid');
  // An older step than the last used one is refused too.
  const older = await api('POST', '/api/v1/login', { json: loginBody(u, pyotpCode(url, -1)) });
  assert.equal(older.status, 401);
});

test('backup codes: each works once, also when N requests race with one code', async () => {
  const u = createUser('bea');
  const auth = await login(u);
  const { codes } = await enrol(auth);
  const results = await Promise.all(Array.from({ length: 8 }, () =>
    api('POST', '/api/v1/login', { json: loginBody(u, codes[0]) })));
  assert.equal(results.filter((r) => r.status === 200).length, 1, results.map((r) => r.status).join(','));
  // The losers: the code is used up, the attempt limit, or the sign-in
  // guard holding a burst of sign-ins to one account.
  for (const r of results.filter((x) => x.status !== 200)) assert.match(r.json.error, /^(totp-(invalid|max-attempts)|error-login-blocked-for-user)$/);
  db('clear-user-limits', u.id);
  const rem = await api('GET', '/api/v1/users.totp.codesRemaining', { auth });
  assert.equal(rem.json.remaining, 11);
  // As the second factor of a protected route, a backup code counts as a TOTP code.
  const gen = await api('POST', '/api/v1/users.generatePersonalAccessToken', {
    auth, json: { tokenName: 'b' }, headers: { 'x-2fa-code': codes[1], 'x-2fa-method': 'totp' } });
  assert.equal(gen.status, 200, gen.text);
  assert.equal((await api('GET', '/api/v1/users.totp.codesRemaining', { auth })).json.remaining, 10);
});

test('regenerateCodes (second factor) replaces every backup code; few left warns', async () => {
  const u = createUser('rex');
  const auth = await login(u);
  const { secret, codes } = await enrol(auth);
  const ask = await api('POST', '/api/v1/users.totp.regenerateCodes', { auth, json: {} });
  assert.equal(ask.status, 400);
  assert.equal(ask.json.errorType, 'totp-required');
  assert.equal(ask.json.details.method, 'totp');
  const r = await api('POST', '/api/v1/users.totp.regenerateCodes', { auth, json: { code: oathCode(secret) } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.codes.length, 12);
  assert.ok(r.json.codes.every((c) => !codes.includes(c)));
  const old = await api('POST', '/api/v1/login', { json: loginBody(u, codes[2]) });
  assert.equal(old.status, 401, 'old codes are gone');
  for (const c of r.json.codes.slice(0, 9)) assert.equal((await api('POST', '/api/v1/login', { json: loginBody(u, c) })).status, 200);
  const rem = await api('GET', '/api/v1/users.totp.codesRemaining', { auth });
  assert.deepEqual(rem.json, { remaining: 3, warning: true, success: true });
});

test('users.totp.disable: strict second factor (the body code, as Rocket.Chat sends it); then sign-in asks nothing', async () => {
  const u = createUser('dan');
  const auth = await login(u);
  const { secret } = await enrol(auth);
  // A success on this session does not carry over to a strict route.
  const gen = await api('POST', '/api/v1/users.generatePersonalAccessToken', {
    auth, json: { tokenName: 'x' }, headers: { 'x-2fa-code': oathCode(secret) } });
  assert.equal(gen.status, 200, gen.text);
  const ask = await api('POST', '/api/v1/users.totp.disable', { auth, json: {} });
  assert.equal(ask.status, 400);
  assert.equal(ask.json.errorType, 'totp-required');
  const wrong = await api('POST', '/api/v1/users.totp.disable', { auth, json: { code: '123456' } });
  assert.equal(wrong.json.errorType, 'totp-invalid');
  const ok = await api('POST', '/api/v1/users.totp.disable', { auth, json: { code: oathCode(secret, 1) } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.disabled, true);
  assert.equal((await api('POST', '/api/v1/login', { json: loginBody(u) })).status, 200);
  assert.equal((await api('GET', '/api/v1/users.totp.codesRemaining', { auth })).json.errorType, 'invalid-totp');
  const stored = db('user', u.username).services.totp;
  assert.deepEqual(stored, { enabled: false }, 'secret, codes and steps are gone');
});

test('method.call: 2fa:enable, validateTempToken, checkCodesRemaining, regenerateCodes, disable in Meteor envelopes', async () => {
  const u = createUser('meta');
  const auth = await login(u);
  await freshStep();
  const en = await methodCall(auth, '2fa:enable');
  assert.equal(en.status, 200, en.text);
  assert.equal(en.outer.success, true);
  assert.equal(en.inner.msg, 'result');
  assert.equal(en.inner.id, en.id);
  const { secret, url } = en.inner.result;
  assert.match(secret, /^[A-Z2-7]{32}$/);
  assert.ok(url.startsWith('otpauth://totp/'));
  const bad = await methodCall(auth, '2fa:validateTempToken', ['000000']);
  assert.equal(bad.status, 200);
  assert.equal(bad.inner.error.error, 'invalid-totp');
  assert.equal(bad.inner.error.errorType, 'Meteor.Error');
  assert.equal(bad.inner.error.isClientSafe, true);
  assert.equal(bad.inner.error.message, `${bad.inner.error.reason} [invalid-totp]`);
  const val = await methodCall(auth, '2fa:validateTempToken', [oathCode(secret, -1)]);
  assert.equal(val.inner.result.codes.length, 12);
  assert.deepEqual((await methodCall(auth, '2fa:checkCodesRemaining')).inner.result, { remaining: 12, warning: false });
  const wrongRegen = await methodCall(auth, '2fa:regenerateCodes', ['999999']);
  assert.ok(!('result' in wrongRegen.inner) && !('error' in wrongRegen.inner), 'a wrong code: no result (Rocket.Chat\'s undefined)');
  const regen = await methodCall(auth, '2fa:regenerateCodes', [oathCode(secret)]);
  assert.equal(regen.inner.result.codes.length, 12);
  const wrongOff = await methodCall(auth, '2fa:disable', ['111111']);
  assert.equal(wrongOff.inner.result, false);
  const off = await methodCall(auth, '2fa:disable', [regen.inner.result.codes[0]]);
  assert.equal(off.inner.result, true);
  const none = await methodCall(auth, '2fa:checkCodesRemaining');
  assert.equal(none.inner.error.error, 'invalid-totp');
});

test('method.call: the envelope refuses what is not a method call; unknown methods; callAnon', async () => {
  const u = createUser('env');
  const auth = await login(u);
  const unknown = await methodCall(auth, 'no:such');
  assert.equal(unknown.status, 200);
  assert.equal(unknown.inner.error.error, 404);
  assert.match(unknown.inner.error.reason, /^Method 'no:such' not found$/);
  for (const raw of ['not json', '{"msg":"sub","id":"1","method":"2fa:enable","params":[]}',
    '{"msg":"method","id":1,"method":"2fa:enable","params":[]}', '{"msg":"method","id":"1","method":"2fa:enable"}',
    '{"msg":"method","id":"1","method":"2fa:disable","params":[]}', '[]']) {
    const r = await methodCall(auth, '2fa:enable', [], { raw });
    assert.equal(r.status, 400, raw);
    assert.match(r.outer.error, /Invalid method call/);
  }
  for (const body of [{}, { message: 5 }, { message: 'x', other: 1 }]) {
    const r = await api('POST', '/api/v1/method.call/2fa:enable', { auth, json: body });
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.json.errorType, 'invalid-params');
  }
  const noAuth = await api('POST', '/api/v1/method.call/2fa%3Aenable', { json: { message: '{}' } });
  assert.equal(noAuth.status, 401);
  const anon = await methodCall(null, '2fa:enable', [], { anon: true });
  assert.equal(anon.status, 200);
  assert.equal(anon.inner.error.error, 'not-authorized');
  assert.equal(db('user', u.username).services.totp, undefined, 'nothing was stored');
});

test('a plain secret (Rocket.Chat\'s, or older) is sealed on first use; the database never holds it readable', async () => {
  const u = createUser('sal');
  const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
  db('set-totp', u.username, secret);
  await freshStep();
  assert.equal((await api('POST', '/api/v1/login', { json: loginBody(u, oathCode(secret)) })).status, 200);
  const t = db('user', u.username).services.totp;
  assert.equal(t.secret, undefined, 'the plain secret is gone');
  assert.match(t.secretBox, /^sb1:sk:[A-Za-z0-9_-]+$/);
  const raw = Buffer.from('Hello!\xde\xad\xbe\xef', 'latin1');
  for (const form of [secret, raw.toString('hex'), raw.toString('base64')]) assert.ok(!JSON.stringify(t).includes(form));
});

// A copy of the stack's config with more lines, for the admin tool.
function configWith(extra) {
  const dir = mkdtempSync(path.join(tmpdir(), 'rotate-'));
  const file = path.join(dir, 'myaccount.conf');
  writeFileSync(file, readFileSync(process.env.MYACCOUNT_CONFIG, 'utf8') + `\n${extra}\n`);
  return file;
}
// Asynchronous, so the event loop sees a web server close an idle
// keep-alive connection meanwhile (lighttpd does after 5 s) instead of
// reusing it afterwards.
const admin = async (conf, ...args) => (await execFileAsync(ADMIN, args, { encoding: 'utf8', env: { ...process.env, MYACCOUNT_CONFIG: conf } })).stdout;

test('rotate-key re-seals every secret under the new key without downtime; without the key a secret is unreadable', async () => {
  const u = createUser('rota');
  const auth = await login(u);
  const { secret } = await enrol(auth);
  assert.match(db('user', u.username).services.totp.secretBox, /^sb1:sk:/);
  const hex = randomBytes(32).toString('hex');
  recordSecret('key', hex);
  const withNew = `totp_keys = k2:${hex}`;
  const out = await admin(configWith(withNew), 'rotate-key');
  assert.match(out, /under key 'k2': [1-9]\d* re-sealed, \d+ sealed from plain, \d+ already current, \d+ changed meanwhile, 0 unreadable/);
  assert.match(db('user', u.username).services.totp.secretBox, /^sb1:k2:/);
  // The stack's programs lack k2: the right code cannot be checked.
  const code = oathCode(secret);
  const without = await api('POST', '/api/v1/login', { json: loginBody(u, code) });
  assert.equal(without.status, 401);
  assert.equal(without.json.error, 'totp-invalid');
  db('clear-user-limits', u.id);
  // A program that has k2 signs in with the same secret and code.
  const cgi = runCgi('auth', { method: 'POST', uri: '/api/v1/login', body: JSON.stringify(loginBody(u, code)), extraConf: withNew });
  assert.equal(cgi.status, 200, cgi.raw);
  // Back under the key the stack has (old and new both readable meanwhile).
  const back = await admin(configWith(`${withNew}\ntotp_key_current = sk`), 'rotate-key');
  assert.match(back, /under key 'sk': [1-9]\d* re-sealed/);
  assert.match(db('user', u.username).services.totp.secretBox, /^sb1:sk:/);
  const again = await admin(configWith(''), 'rotate-key');
  assert.match(again, / 0 re-sealed, 0 sealed from plain, \d+ already current/);
  assert.equal((await api('POST', '/api/v1/login', { json: loginBody(u, oathCode(secret, 1)) })).status, 200);
});

test('a sealed secret copied onto another user does not open there', async () => {
  const a = createUser('own');
  const { secret } = await enrol(await login(a));
  const b = createUser('thief');
  const box = db('user', a.username).services.totp.secretBox;
  execFileSync('/usr/bin/python3', ['-c', `
import sys
from importlib.machinery import SourceFileLoader
t = SourceFileLoader('dbtool', sys.argv[1]).load_module()
t.database().users.update_one({'username': sys.argv[2]}, {'$set': {'services.totp': {'enabled': True, 'secretBox': sys.argv[3]}}})
`, path.join(path.dirname(new URL(import.meta.url).pathname), 'dbtool.py'), b.username, box], { env: process.env });
  const r = await api('POST', '/api/v1/login', { json: loginBody(b, oathCode(secret, 1)) });
  assert.equal(r.status, 401);
  assert.equal(r.json.error, 'totp-invalid');
  // Leave no secret that can never open (rotate-key would report it).
  execFileSync(ADMIN, ['reset-2fa', b.username], { encoding: 'utf8' });
});

test('bad input: every field of the TOTP routes', async () => {
  const u = createUser('bad');
  const auth = await login(u);
  for (const body of [{ code: 5 }, { code: '' }, { code: 'x'.repeat(65) }, { code: 'a\nb' }, { code: '123456', more: 1 }, {}]) {
    const r = await api('POST', '/api/v1/users.totp.validate', { auth, json: body });
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.json.errorType, 'invalid-params', JSON.stringify(body));
  }
  for (const route of ['users.totp.disable', 'users.totp.regenerateCodes']) {
    for (const body of [{ code: 5 }, { code: '' }, { other: '1' }]) {
      const r = await api('POST', `/api/v1/${route}`, { auth, json: body });
      assert.equal(r.json.errorType, 'invalid-params', `${route} ${JSON.stringify(body)}`);
    }
  }
  const big = await api('POST', '/api/v1/users.totp.enable', { auth, json: { pad: 'x'.repeat(5000) } });
  assert.equal(big.status, 413);
  const extra = await api('POST', '/api/v1/users.totp.enable', { auth, json: { x: 1 } });
  assert.equal(extra.json.errorType, 'invalid-params');
  assert.equal((await api('POST', '/api/v1/users.totp.enable', { json: {} })).status, 401);
  assert.equal(db('user', u.username).services.totp, undefined, 'nothing was stored');
});
