// deleteown.test.mjs - users.deleteOwnAccount: off by default; with the
// admin's switch on (the program run once as plain CGI with one more
// config line), the second factor every time, then the password (its hex
// SHA-256; of the username for users without a password). After a
// deletion no collection of the database - listed from the database
// itself, not from the code's table - holds anything of the user, and
// another user's documents are all still there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api as rawApi, createUser, login as rawLogin, db, sha256hex, runCgi, totp, setDefaultIp, ADMIN } from './lib.mjs';

// These tests block the event loop for seconds (the admin tool, database
// reads, CGI runs, all synchronous). A kept-alive connection the web
// server closed meanwhile may still be picked for the next request, which
// then fails before it was sent ("other side closed"): after a long pause
// give fetch a moment to notice, and send once more a request whose
// connection died under it.
let lastRequest = Date.now();
const settle = () => new Promise((r) => setTimeout(r, Date.now() - lastRequest > 2500 ? 1200 : 1));
async function again(fn) {
  await settle();
  try {
    return await fn();
  } catch (e) {
    if (e?.cause?.code !== 'UND_ERR_SOCKET' && e?.cause?.code !== 'ECONNRESET') throw e;
    console.error(`# a kept-alive connection was closed under the request (${e.cause.message}): sent again`);
    return await fn();
  } finally {
    lastRequest = Date.now();
  }
}
const api = (...args) => again(() => rawApi(...args));
const login = (...args) => again(() => rawLogin(...args));
import { execFileSync } from 'node:child_process';

const ON = 'allow_delete_own_account = true';
const URI = '/api/v1/users.deleteOwnAccount';
const pw2fa = (u) => ({ HTTP_X_2FA_METHOD: 'password', HTTP_X_2FA_CODE: sha256hex(u.password) });

function del(auth, body, env = {}, extraConf = ON) {
  return runCgi('profile', {
    method: 'POST', uri: URI, body: JSON.stringify(body), extraConf,
    env: { HTTP_X_USER_ID: auth.userId, HTTP_X_AUTH_TOKEN: auth.authToken, ...env },
  });
}

// A user with something in every kind of place: two sessions, a personal
// access token, and what other areas store (avatar, export, code, mail,
// security event).
async function populated(prefix) {
  const u = createUser(prefix);
  const auth = await login(u);
  await login(u);
  const g = await api('POST', '/api/v1/users.generatePersonalAccessToken', {
    auth, json: { tokenName: 'script' }, headers: { 'x-2fa-method': 'password', 'x-2fa-code': sha256hex(u.password) } });
  assert.equal(g.status, 200, g.text);
  db('seed-owned', u.id);
  return { u, auth };
}

test('off by default: error-not-allowed, nothing removed', async () => {
  const u = createUser('keep');
  const auth = await login(u);
  const r = await api('POST', URI, { auth, json: { password: sha256hex(u.password) } });
  assert.equal(r.status, 400);
  assert.equal(r.json.errorType, 'error-not-allowed');
  assert.ok(db('user-by-id', u.id), 'the user is still there');
});

test('the second factor every time, then the password; bad input changes nothing', async () => {
  const { u, auth } = await populated('guard');
  const traces = db('user-traces', u.id);
  let r = del(auth, { password: sha256hex(u.password) });
  assert.equal(r.status, 400, r.raw);
  assert.equal(r.json.errorType, 'totp-required');
  assert.equal(r.json.details.method, 'password');
  r = del(auth, { password: sha256hex('wrong') }, pw2fa(u));
  assert.equal(r.json.errorType, 'error-invalid-password', r.raw);
  r = del(auth, { password: 'not a digest' }, pw2fa(u));
  assert.equal(r.json.errorType, 'error-invalid-password');
  for (const body of [{}, { password: 5 }, { password: '' }, { password: sha256hex(u.password), confirmRelinquish: 'maybe' }]) {
    r = del(auth, body, pw2fa(u));
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.json.errorType, 'invalid-params', JSON.stringify(body));
  }
  assert.deepEqual(db('user-traces', u.id), traces, 'nothing of the user was removed');
});

test('a deletion leaves nothing of the user in any collection, and another user untouched', async () => {
  const { u, auth } = await populated('gone');
  const { u: other } = await populated('stays');
  const otherBefore = db('user-traces', other.id);
  const otherDoc = db('user-by-id', other.id);
  const mine = db('user-traces', u.id);
  for (const c of ['users', 'tokens', 'avatars', 'exports', 'email_codes', 'mail_queue', 'security_log',
    'known_devices', 'export_files.files'])
    assert.ok(mine[c] > 0, `the test user has documents in ${c}`);
  const r = del(auth, { password: sha256hex(u.password).toUpperCase(), confirmRelinquish: true }, pw2fa(u));
  assert.equal(r.status, 200, r.raw);
  assert.equal(r.json.success, true);
  const left = db('user-traces', u.id);
  for (const [coll, n] of Object.entries(left)) assert.equal(n, 0, `${coll} still holds ${n} of the user's documents`);
  assert.ok(Object.keys(left).length >= 7, `every collection was listed: ${Object.keys(left)}`);
  assert.equal(db('orphan-chunks'), 0, 'the archive\'s chunks went with it');
  assert.deepEqual(db('user-traces', other.id), otherBefore, 'the other user\'s documents are all there');
  assert.deepEqual(db('user-by-id', other.id), otherDoc);
  // The old credentials are dead, the name can be taken again.
  const me = await api('GET', '/api/v1/me', { auth });
  assert.equal(me.status, 401);
  const l = await api('POST', '/api/v1/login', { json: { user: u.username, password: u.password } });
  assert.equal(l.status, 401);
  execFileSync(ADMIN, ['create-user', u.username, '-'], { input: 'another-password-1\n', encoding: 'utf8' });
});

test('a user without a password confirms with the SHA-256 of the username', async () => {
  const u = createUser('nopw');
  const auth = await login(u);
  // The second factor first (with the password), then the password goes.
  db('set-totp', u.username, 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
  db('unset-password', u.id);
  let r = del(auth, { password: sha256hex(u.password) }, { HTTP_X_2FA_METHOD: 'totp', HTTP_X_2FA_CODE: totp('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP') });
  assert.equal(r.json.errorType, 'error-invalid-username', r.raw);
  r = del(auth, { password: sha256hex(u.username) }, { HTTP_X_2FA_METHOD: 'totp', HTTP_X_2FA_CODE: totp('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', Date.now() / 1000 + 30) });
  assert.equal(r.status, 200, r.raw);
  assert.equal(db('user-by-id', u.id), null);
});

test('wrong passwords are limited per user (take, then decide)', async () => {
  const u = createUser('guess');
  const auth = await login(u);
  const results = [];
  for (let i = 0; i < 7; i++) results.push(del(auth, { password: sha256hex(`guess${i}`) }, pw2fa(u)));
  const types = results.map((r) => r.json.errorType);
  assert.equal(types.filter((t) => t === 'error-invalid-password').length, 5, types.join());
  assert.equal(types.filter((t) => t === 'error-too-many-requests').length, 2, types.join());
  assert.ok(db('user-by-id', u.id));
});

test('strict: a second factor this session just passed is not remembered for a deletion', async () => {
  const ip = '10.77.66.55';
  setDefaultIp(ip);
  const u = createUser('strict');
  const auth = await login(u);
  const headers = { 'x-2fa-method': 'password', 'x-2fa-code': sha256hex(u.password) };
  const first = await api('POST', '/api/v1/users.generatePersonalAccessToken', { auth, json: { tokenName: 'a' }, headers });
  assert.equal(first.status, 200, first.text);
  // Same session, client and address: an ordinary 2FA route remembers it ...
  const second = await api('POST', '/api/v1/users.generatePersonalAccessToken', { auth, json: { tokenName: 'b' } });
  assert.equal(second.status, 200, `remembered: ${second.text}`);
  // ... the deletion does not.
  const r = del(auth, { password: sha256hex(u.password) }, { HTTP_USER_AGENT: 'node', HTTP_X_FORWARDED_FOR: ip });
  assert.equal(r.json?.errorType, 'totp-required', r.raw);
  assert.ok(db('user-by-id', u.id));
});
