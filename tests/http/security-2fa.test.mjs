// security-2fa.test.mjs - email as second factor with a real mail round
// trip, the second factor on every sensitive route by each method the user
// has (TOTP, backup code, email, password), the remember window and the
// strict routes that ignore it, the E2E key, and the admin's reset-2fa.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createUser, db, sha256hex, waitForMails, mailsTo, ADMIN } from './lib.mjs';
import { api, login, oathCode, methodCall, enrol, freshStep } from './security-lib.mjs';

const codeIn = (mail) => /(\d{3})-(\d{3})/.exec(mail.body).slice(1).join('');
const address = (u) => u.email.toLowerCase();

// The code of the mail to U that came after the BEFORE mails (the sink
// stores mail asynchronously, and a Maildir lists in no particular order).
const seen = new Map();
async function nextMailedCode(u, before) {
  const mails = await waitForMails(address(u), before + 1);
  assert.equal(mails.length, before + 1, 'a code was mailed');
  const old = seen.get(u.username) ?? new Set();
  const fresh = mails.filter((m) => !old.has(m.raw));
  assert.equal(fresh.length, 1, 'one new mail');
  mails.forEach((m) => old.add(m.raw));
  seen.set(u.username, old);
  return codeIn(fresh[0]);
}

test('email 2FA on: needs verified addresses; signs the other sessions out; sign-in then mails a code', async () => {
  const u = createUser('emma');
  const auth = await login(u);
  const other = await login(u);
  db('set-email-verified', u.username, 'false');
  const refused = await api('POST', '/api/v1/users.2fa.enableEmail', { auth, json: {} });
  assert.equal(refused.status, 400);
  assert.equal(refused.json.errorType, 'error-invalid-user');
  assert.equal(refused.json.error, 'You need to verify your emails before setting up 2FA [error-invalid-user]');
  assert.equal(db('user', u.username).services.email2fa, undefined, 'nothing was stored');
  db('set-email-verified', u.username, 'true');
  const ok = await api('POST', '/api/v1/users.2fa.enableEmail', { auth, json: {} });
  assert.equal(ok.status, 200, ok.text);
  assert.equal((await api('GET', '/api/v1/me', { auth: other })).status, 401, 'the other session is signed out');
  const me = await api('GET', '/api/v1/me', { auth });
  assert.deepEqual(me.json.services.email2fa, { enabled: true });
  const before = mailsTo(address(u)).length;
  seen.set(u.username, new Set(mailsTo(address(u)).map((m) => m.raw)));
  const ask = await api('POST', '/api/v1/login', { json: { user: u.username, password: u.password } });
  assert.equal(ask.status, 401);
  assert.equal(ask.json.details.method, 'email');
  const code = await nextMailedCode(u, before);
  const signed = await api('POST', '/api/v1/login', { json: { user: u.username, password: u.password, code } });
  assert.equal(signed.status, 200, signed.text);
});

test('email 2FA off: a mailed code every time (strict), never the remembered one', async () => {
  const u = createUser('eddy');
  const auth = await login(u);
  assert.equal((await api('POST', '/api/v1/users.2fa.enableEmail', { auth, json: {} })).status, 200);
  // Pass the second factor once on this session (a non-strict route remembers it).
  let before = mailsTo(address(u)).length;
  const gen1 = await api('POST', '/api/v1/users.generatePersonalAccessToken', { auth, json: { tokenName: 'a' } });
  assert.equal(gen1.json.errorType, 'totp-required');
  assert.equal(gen1.json.details.method, 'email');
  assert.equal(gen1.json.details.codeGenerated, true);
  const c1 = await nextMailedCode(u, before);
  const gen2 = await api('POST', '/api/v1/users.generatePersonalAccessToken', {
    auth, json: { tokenName: 'a' }, headers: { 'x-2fa-code': c1, 'x-2fa-method': 'email' } });
  assert.equal(gen2.status, 200, gen2.text);
  const remembered = await api('POST', '/api/v1/users.generatePersonalAccessToken', { auth, json: { tokenName: 'b' } });
  assert.equal(remembered.status, 200, 'the remember window covers a non-strict route');
  before = mailsTo(address(u)).length;
  const strict = await api('POST', '/api/v1/users.2fa.disableEmail', { auth, json: {} });
  assert.equal(strict.status, 400);
  assert.equal(strict.json.errorType, 'totp-required', 'a strict route asks again');
  const c2 = await nextMailedCode(u, before);
  const wrong = await api('POST', '/api/v1/users.2fa.disableEmail', { auth, json: {}, headers: { 'x-2fa-code': '000000' } });
  assert.equal(wrong.json.errorType, 'totp-invalid');
  const off = await api('POST', '/api/v1/users.2fa.disableEmail', { auth, json: {}, headers: { 'x-2fa-code': c2 } });
  assert.equal(off.status, 200, off.text);
  const stored = db('user', u.username).services.email2fa;
  assert.equal(stored.enabled, false);
  assert.equal((await api('POST', '/api/v1/login', { json: { user: u.username, password: u.password } })).status, 200);
});

// The sensitive routes of this program and of tokens, each with a body
// that would succeed once the second factor passes.
const routes = [
  { path: '/api/v1/users.generatePersonalAccessToken', body: () => ({ tokenName: `t${Math.random()}` }), strict: false },
  { path: '/api/v1/users.2fa.disableEmail', body: () => ({}), strict: true },
  { path: '/api/v1/users.totp.regenerateCodes', body: () => ({}), strict: false, totpOnly: true },
  { path: '/api/v1/users.totp.disable', body: () => ({}), strict: true, totpOnly: true, last: true },
  { path: '/api/v1/users.resetE2EKey', body: () => ({}), strict: true, last: true },
];

// Each route: no code -> totp-required naming METHOD; a wrong code ->
// totp-invalid; the right one (from CODE()) -> 200. A fresh session each
// time (signed in with LOGIN_CODE() when the user has a second factor).
// Returns the backup codes a regenerateCodes made, if any.
async function everyRoute(u, method, code, { totp = false, loginCode = null } = {}) {
  let made = null;
  for (const r of routes.filter((x) => (totp || !x.totpOnly) && !x.last)) {
    const auth = await login(u, loginCode ? { json: { user: u.username, password: u.password, code: await loginCode() } } : {});
    const ask = await api('POST', r.path, { auth, json: r.body() });
    assert.equal(ask.status, 400, `${r.path}: ${ask.text}`);
    assert.equal(ask.json.errorType, 'totp-required', r.path);
    assert.equal(ask.json.details.method, method === 'backup' ? 'totp' : method, r.path);
    const wrong = await api('POST', r.path, { auth, json: r.body(), headers: { 'x-2fa-code': method === 'password' ? sha256hex('no') : '000000' } });
    assert.equal(wrong.json.errorType, 'totp-invalid', r.path);
    const ok = await api('POST', r.path, { auth, json: r.body(), headers: { 'x-2fa-code': await code(), 'x-2fa-method': method === 'backup' ? 'totp' : method } });
    assert.equal(ok.status, 200, `${r.path} ${method}: ${ok.text}`);
    if (ok.json.codes) made = ok.json.codes;
    db('clear-user-limits', u.id);
  }
  return made;
}

test('every sensitive route asks the password of a user without 2FA', async () => {
  const u = createUser('pia');
  await everyRoute(u, 'password', async () => sha256hex(u.password));
  const auth = await login(u);
  const r = await api('POST', '/api/v1/users.resetE2EKey', { auth, json: {} });
  assert.deepEqual(r.json.details.availableMethods, ['password']);
});

test('every sensitive route asks a TOTP code, and takes a backup code as one', async () => {
  const u = createUser('tom');
  const { secret, codes } = await enrol(await login(u));
  let i = 0;
  const fresh = await everyRoute(u, 'backup', async () => codes[i++], { totp: true, loginCode: async () => codes[i++] });
  assert.equal(fresh.length, 12);
  // TOTP codes, each step once: the enrolment used the previous one, so
  // now and the next are free; after that, wait for the clock.
  const stepNow = () => Math.floor(Date.now() / 30000);
  let last = stepNow() - 1, j = 0;
  const nextTotp = async () => {
    const target = last + 1;
    while (target > stepNow() + 1) await new Promise((r) => setTimeout(r, 500));
    last = target;
    return oathCode(secret, target - stepNow());
  };
  await everyRoute(u, 'totp', nextTotp, { totp: true, loginCode: async () => fresh[j++] });
});

test('every sensitive route mails a code to a user with email 2FA', async () => {
  const u = createUser('eve');
  const auth = await login(u);
  assert.equal((await api('POST', '/api/v1/users.2fa.enableEmail', { auth, json: {} })).status, 200);
  for (const r of routes.filter((x) => !x.totpOnly && !x.last && x.path !== '/api/v1/users.2fa.disableEmail')) {
    const s = await login(u, { json: { user: u.username, password: u.password, code: await (async () => {
      const before = mailsTo(address(u)).length;
      await api('POST', '/api/v1/users.2fa.sendEmailCode', { json: { emailOrUsername: u.username } });
      return nextMailedCode(u, before);
    })() } });
    const before = mailsTo(address(u)).length;
    const ask = await api('POST', r.path, { auth: s, json: r.body() });
    assert.equal(ask.json.errorType, 'totp-required');
    assert.equal(ask.json.details.method, 'email');
    assert.deepEqual(ask.json.details.availableMethods, ['email']);
    const code = await nextMailedCode(u, before);
    const ok = await api('POST', r.path, { auth: s, json: r.body(), headers: { 'x-2fa-code': code, 'x-2fa-method': 'email' } });
    assert.equal(ok.status, 200, `${r.path}: ${ok.text}`);
  }
});

test('sign-in: a user with both methods may choose the email code (x-2fa-method)', async () => {
  const u = createUser('both');
  const auth = await login(u);
  await enrol(auth);
  assert.equal((await api('POST', '/api/v1/users.2fa.enableEmail', { auth, json: {} })).status, 200);
  const creds = { user: u.username, password: u.password };
  const dflt = await api('POST', '/api/v1/login', { json: creds });
  assert.equal(dflt.json.details.method, 'totp', "Rocket.Chat's default: TOTP first");
  assert.deepEqual(dflt.json.details.availableMethods, ['totp', 'email']);
  const before = mailsTo(address(u)).length;
  const ask = await api('POST', '/api/v1/login', { json: creds, headers: { 'x-2fa-method': 'email' } });
  assert.equal(ask.json.details.method, 'email');
  const code = await nextMailedCode(u, before);
  const ok = await api('POST', '/api/v1/login', { json: { ...creds, code }, headers: { 'x-2fa-method': 'email' } });
  assert.equal(ok.status, 200, ok.text);
});

const PUB = JSON.stringify({ alg: 'RSA-OAEP-256', e: 'AQAB', ext: true, key_ops: ['encrypt'], kty: 'RSA', n: 'x'.repeat(342) });
const PRIV = JSON.stringify({ $binary: 'A'.repeat(2300) });

test('E2E keys: fetch, set once, force, and bad input', async () => {
  const u = createUser('kay');
  const auth = await login(u);
  const none = await api('GET', '/api/v1/e2e.fetchMyKeys', { auth });
  assert.deepEqual(none.json, { success: true });
  const set = await api('POST', '/api/v1/e2e.setUserPublicAndPrivateKeys', { auth, json: { public_key: PUB, private_key: PRIV } });
  assert.equal(set.status, 200, set.text);
  const got = await api('GET', '/api/v1/e2e.fetchMyKeys', { auth });
  assert.deepEqual(got.json, { public_key: PUB, private_key: PRIV, success: true });
  const again = await api('POST', '/api/v1/e2e.setUserPublicAndPrivateKeys', { auth, json: { public_key: 'b', private_key: 'c' } });
  assert.equal(again.status, 400);
  assert.equal(again.json.errorType, 'error-keys-already-set');
  const parallel = createUser('kip');
  const pa = await login(parallel);
  const race = await Promise.all(['1', '2', '3', '4', '5', '6'].map((k) =>
    api('POST', '/api/v1/e2e.setUserPublicAndPrivateKeys', { auth: pa, json: { public_key: `p${k}`, private_key: `s${k}` } })));
  assert.equal(race.filter((r) => r.status === 200).length, 1, 'one first set wins');
  const forced = await api('POST', '/api/v1/e2e.setUserPublicAndPrivateKeys', { auth, json: { public_key: 'b', private_key: 'c', force: true } });
  assert.equal(forced.status, 200);
  assert.equal((await api('GET', '/api/v1/e2e.fetchMyKeys', { auth })).json.public_key, 'b');
  const before = db('user', u.username).e2e;
  for (const body of [{}, { public_key: 'a' }, { private_key: 'a' }, { public_key: 5, private_key: 'a' },
    { public_key: '', private_key: 'a' }, { public_key: 'a', private_key: 'b\nc' }, { public_key: 'a', private_key: 'b', force: 'yes' },
    { public_key: 'x'.repeat(16385), private_key: 'a' }, { public_key: 'a', private_key: 'b', extra: 1 }]) {
    const r = await api('POST', '/api/v1/e2e.setUserPublicAndPrivateKeys', { auth, json: { force: true, ...body } });
    assert.equal(r.status, 400, JSON.stringify(body).slice(0, 80));
    assert.equal(r.json.errorType, 'invalid-params');
  }
  assert.deepEqual(db('user', u.username).e2e, before, 'nothing was stored');
  const huge = await api('POST', '/api/v1/e2e.setUserPublicAndPrivateKeys', { auth, json: { public_key: 'a', private_key: 'b'.repeat(100000) } });
  assert.equal(huge.status, 413);
});

test('users.resetE2EKey: strict second factor; removes the keys and every session and token', async () => {
  const u = createUser('rey');
  const auth = await login(u);
  const other = await login(u);
  db('set-e2e', u.username, PUB, PRIV);
  const pw = { 'x-2fa-method': 'password', 'x-2fa-code': sha256hex(u.password) };
  const pat = await api('POST', '/api/v1/users.generatePersonalAccessToken', { auth, json: { tokenName: 'p' }, headers: pw });
  assert.equal(pat.status, 200);
  const ask = await api('POST', '/api/v1/users.resetE2EKey', { auth, json: {} });
  assert.equal(ask.json.errorType, 'totp-required', 'strict: the success just now does not count');
  const others = await api('POST', '/api/v1/users.resetE2EKey', { auth, json: { username: 'someone-else' }, headers: pw });
  assert.equal(others.json.errorType, 'not-authorized');
  const ok = await api('POST', '/api/v1/users.resetE2EKey', { auth, json: { userId: u.id }, headers: pw });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(db('user', u.username).e2e, undefined);
  for (const a of [auth, other, { userId: u.id, authToken: pat.json.token }]) assert.equal((await api('GET', '/api/v1/me', { auth: a })).status, 401);
  assert.equal(db('count-tokens', u.id), 0);
});

test('method.call e2e.resetOwnE2EKey: second factor as its last parameter, errors in the envelope', async () => {
  const u = createUser('mec');
  const auth = await login(u);
  db('set-e2e', u.username, PUB, PRIV);
  const ask = await methodCall(auth, 'e2e.resetOwnE2EKey');
  assert.equal(ask.status, 200);
  assert.equal(ask.inner.error.error, 'totp-required');
  assert.equal(ask.inner.error.details.method, 'password');
  const wrong = await methodCall(auth, 'e2e.resetOwnE2EKey', [{ twoFactorCode: sha256hex('x'), twoFactorMethod: 'password' }]);
  assert.equal(wrong.inner.error.error, 'totp-invalid');
  assert.ok(db('user', u.username).e2e, 'nothing changed');
  const ok = await methodCall(auth, 'e2e.resetOwnE2EKey', [{ twoFactorCode: sha256hex(u.password), twoFactorMethod: 'password' }]);
  assert.equal(ok.inner.result, true, ok.text);
  assert.equal(db('user', u.username).e2e, undefined);
  assert.equal((await api('GET', '/api/v1/me', { auth })).status, 401);
});

test('the admin switches: each method answers error-not-allowed when off (plain CGI with the switch)', async () => {
  const { runCgi } = await import('./lib.mjs');
  const u = createUser('sw');
  const auth = await login(u);
  const cases = [
    ['totp_enabled = false', '/api/v1/users.totp.enable'],
    ['email_2fa_enabled = false', '/api/v1/users.2fa.enableEmail'],
    ['e2e_enabled = false', '/api/v1/e2e.setUserPublicAndPrivateKeys'],
  ];
  for (const [line, uri] of cases) {
    const r = runCgi('security', { method: 'POST', uri, body: JSON.stringify({ public_key: 'a', private_key: 'b' }), extraConf: line,
      env: { HTTP_X_USER_ID: auth.userId, HTTP_X_AUTH_TOKEN: auth.authToken } });
    assert.equal(r.status, 400, uri);
    assert.equal(r.json.errorType, 'error-not-allowed', uri);
  }
  const m = runCgi('security', { method: 'POST', uri: '/api/v1/method.call/2fa%3Aenable',
    body: JSON.stringify({ message: JSON.stringify({ msg: 'method', id: '1', method: '2fa:enable', params: [] }) }),
    extraConf: 'totp_enabled = false', env: { HTTP_X_USER_ID: auth.userId, HTTP_X_AUTH_TOKEN: auth.authToken } });
  assert.equal(JSON.parse(m.json.message).error.error, 'error-not-allowed');
  assert.equal(db('user', u.username).services.totp, undefined);
});

test('myaccount-admin reset-2fa clears TOTP, email 2FA, pending codes and remembered second factors', async () => {
  const u = createUser('lost');
  const auth = await login(u);
  const { secret } = await enrol(auth);
  assert.equal((await api('POST', '/api/v1/users.2fa.enableEmail', { auth, json: {} })).status, 200);
  const gen = await api('POST', '/api/v1/users.generatePersonalAccessToken', { auth, json: { tokenName: 'r' }, headers: { 'x-2fa-code': oathCode(secret) } });
  assert.equal(gen.status, 200);
  const out = execFileSync(ADMIN, ['reset-2fa', u.username], { encoding: 'utf8' });
  assert.match(out, /switched off/);
  const doc = db('user', u.username);
  assert.deepEqual(doc.services.totp, { enabled: false });
  assert.equal(doc.services.email2fa.enabled, false);
  assert.equal(db('token', (await import('node:crypto')).createHash('sha256').update(auth.authToken).digest('base64')).twoFactorAuthorizedUntil, undefined);
  assert.equal((await api('POST', '/api/v1/login', { json: { user: u.username, password: u.password } })).status, 200);
  // The remembered factor is gone: a protected route asks again (now the password).
  const ask = await api('POST', '/api/v1/users.generatePersonalAccessToken', { auth, json: { tokenName: 's' } });
  assert.equal(ask.json.errorType, 'totp-required');
  assert.equal(ask.json.details.method, 'password');
});

test('bad input: the email 2FA and E2E reset routes refuse every malformed field, before any second factor', async () => {
  const u = createUser('badin');
  const auth = await login(u);
  const pw = { 'x-2fa-method': 'password', 'x-2fa-code': sha256hex(u.password) };
  const cases = [
    ['/api/v1/users.2fa.enableEmail', { x: 1 }],
    ['/api/v1/users.2fa.disableEmail', { code: '1' }],
    ['/api/v1/users.resetE2EKey', { userId: 5 }],
    ['/api/v1/users.resetE2EKey', { username: '' }],
    ['/api/v1/users.resetE2EKey', { userId: 'a\u0001b' }],
    ['/api/v1/users.resetE2EKey', { other: true }],
  ];
  for (const [route, body] of cases) {
    const r = await api('POST', route, { auth, json: body, headers: pw });
    assert.equal(r.status, 400, `${route} ${JSON.stringify(body)}`);
    assert.equal(r.json.errorType, 'invalid-params', `${route} ${JSON.stringify(body)}`);
  }
  const notJson = await api('POST', '/api/v1/users.resetE2EKey', { auth, body: '{"userId":', headers: { ...pw, 'Content-Type': 'application/json' } });
  assert.equal(notJson.status, 400);
  assert.equal((await api('GET', '/api/v1/me', { auth })).status, 200, 'nothing was reset');
  assert.equal(db('user', u.username).services.email2fa, undefined);
});
