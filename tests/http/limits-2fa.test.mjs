// limits-2fa.test.mjs - the second factor under attack: parallel wrong codes
// (TOTP at sign-in, the password on a protected route) never get more
// checks than the limit; parallel code mails stay within the hourly limit;
// backup and emailed codes are stored keyed (legacy backup hashes still
// work once); "remember" is tied to the session, user agent and address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { api, createUser, login, db, randomIp, sha256hex, totp, waitForMails, loginBlocked, loginWrong } from './lib.mjs';
import { freshPost, pyDb } from './limits-lib.mjs';

const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const TF_MAX = 5;
const MAILS_PER_HOUR = 5;

const serverKey = () => {
  const m = /^secret_key\s*=\s*([0-9a-fA-F]{64})\s*$/m.exec(readFileSync(process.env.MYACCOUNT_CONFIG, 'utf8'));
  return Buffer.from(m[1], 'hex');
};
const keyed = (purpose, text) =>
  'k1:' + createHmac('sha256', serverKey()).update(`${purpose}\0${text}`).digest('base64url');

const errorsOf = (results, field) => {
  const t = {};
  for (const r of results) t[r.json?.[field] ?? r.status] = (t[r.json?.[field] ?? r.status] ?? 0) + 1;
  return t;
};

test('parallel wrong TOTP codes at sign-in: at most the limit are checked', async () => {
  const u = createUser('tfpar');
  db('set-totp', u.username, SECRET);
  const n = 30;
  const results = await Promise.all(Array.from({ length: n }, () => freshPost('/api/v1/login',
    { user: u.username, password: u.password, code: '000000' }, { 'X-Forwarded-For': randomIp() })));
  // Each is a checked wrong code, refused by the code limit, or (while
  // more than the sign-in allowance are in flight at once) blocked.
  const t = {};
  for (const r of results) {
    const k = loginBlocked(r) ? 'throttled' : r.json.error;
    t[k] = (t[k] ?? 0) + 1;
  }
  for (const k of Object.keys(t)) assert.ok(['totp-invalid', 'totp-max-attempts', 'throttled'].includes(k), JSON.stringify(t));
  assert.ok((t['totp-invalid'] ?? 0) <= TF_MAX && (t['totp-invalid'] ?? 0) >= 1, JSON.stringify(t));
  const right = await api('POST', '/api/v1/login', { json: { user: u.username, password: u.password, code: totp(SECRET) } });
  assert.equal(right.json.error, 'totp-max-attempts', 'even the right code waits out the window');
});

test('parallel wrong passwords as second factor: at most the limit are checked', async () => {
  const u = createUser('pwpar');
  const auth = await login(u);
  const n = 30;
  const results = await Promise.all(Array.from({ length: n }, (_, i) => freshPost('/api/v1/users.generatePersonalAccessToken',
    { tokenName: `t${i}` }, { 'X-User-Id': auth.userId, 'X-Auth-Token': auth.authToken,
      'x-2fa-method': 'password', 'x-2fa-code': sha256hex(`guess${i}`) })));
  const t = errorsOf(results, 'errorType');
  assert.ok((t['totp-invalid'] ?? 0) <= TF_MAX && (t['totp-invalid'] ?? 0) >= 1, JSON.stringify(t));
  assert.equal((t['totp-invalid'] ?? 0) + (t['totp-max-attempts'] ?? 0), n, JSON.stringify(t));
});

test('parallel code mails for one user stay within the hourly limit', async () => {
  const u = createUser('mailpar');
  const address = u.email.toLowerCase();
  db('set-email2fa', u.username, 'true');
  const results = await Promise.all(Array.from({ length: 15 }, () => freshPost('/api/v1/users.2fa.sendEmailCode',
    { emailOrUsername: u.username }, { 'X-Forwarded-For': randomIp() })));
  for (const r of results) assert.equal(r.status, 200, r.text);
  await waitForMails(address, MAILS_PER_HOUR + 1, 2000);   // more would show by now
  const mails = await waitForMails(address, MAILS_PER_HOUR, 1000);
  assert.equal(mails.length, MAILS_PER_HOUR, `${mails.length} mails`);
  // The live code is stored keyed, never as the digits or their plain hash.
  const doc = JSON.parse(pyDb(`print(json.dumps(db.email_codes.find_one({'userId': ${JSON.stringify(u.id)}}), default=str))`));
  assert.match(doc.hash, /^k1:[A-Za-z0-9_-]{43}$/);
  // Parallel sends: the live code is one of those mailed.
  const codes = mails.map((m) => /(\d{3})-(\d{3})/.exec(m.body).slice(1).join(''));
  assert.ok(codes.some((c) => doc.hash === keyed('email-code', `2fa:${u.id}:${c}`)), 'HMAC-SHA-256 with the server key');
});

test('backup codes: keyed ones work once, legacy unkeyed ones still work once', async () => {
  const u = createUser('backup');
  db('set-totp', u.username, SECRET, keyed('backup-code', 'KEYD2345'), sha256hex('LEGA2345'));
  const withCode = (code) => api('POST', '/api/v1/login', { json: { user: u.username, password: u.password, code } });
  assert.equal((await withCode('KEYD2345')).status, 200);
  assert.equal((await withCode('KEYD2345')).json.error, 'totp-invalid', 'used up');
  assert.equal((await withCode('LEGA2345')).status, 200, 'a code stored before keying');
  assert.equal((await withCode('LEGA2345')).json.error, 'totp-invalid', 'used up');
  assert.deepEqual(db('user', u.username).services.totp.hashedBackup, []);
  // A plain SHA-256 of a keyed code's text is not accepted in its place.
  db('set-totp', u.username, SECRET, keyed('backup-code', 'OTHR2345'));
  assert.equal((await withCode(sha256hex('OTHR2345').slice(0, 8))).json.error, 'totp-invalid');
});

test('remembered second factor: same session, user agent and address only', async () => {
  const u = createUser('remember');
  const ip = randomIp();
  const ua = 'LimitsTest/1.0';
  const auth = await login(u, { headers: { 'X-Forwarded-For': ip, 'User-Agent': ua } });
  const make = (name, headers) => api('POST', '/api/v1/users.generatePersonalAccessToken', {
    auth, json: { tokenName: name }, headers: { 'X-Forwarded-For': ip, 'User-Agent': ua, ...headers },
  });
  const first = await make('one', { 'x-2fa-method': 'password', 'x-2fa-code': sha256hex(u.password) });
  assert.equal(first.status, 200, first.text);
  const again = await make('two', {});
  assert.equal(again.status, 200, `remembered for this client: ${again.text}`);
  const otherAgent = await make('three', { 'User-Agent': 'Other/2.0' });
  assert.equal(otherAgent.status, 400);
  assert.equal(otherAgent.json.errorType, 'totp-required', 'another user agent must pass again');
  const otherIp = await make('four', { 'X-Forwarded-For': randomIp() });
  assert.equal(otherIp.json.errorType, 'totp-required', 'another address must pass again');
  const otherSession = await login(u, { headers: { 'X-Forwarded-For': ip, 'User-Agent': ua } });
  const r = await api('POST', '/api/v1/users.generatePersonalAccessToken', {
    auth: otherSession, json: { tokenName: 'five' }, headers: { 'X-Forwarded-For': ip, 'User-Agent': ua },
  });
  assert.equal(r.json.errorType, 'totp-required', 'another session must pass again');
  const stored = JSON.parse(pyDb(`print(json.dumps(db.tokens.find_one({'userId': ${JSON.stringify(u.id)}, ` +
    `'twoFactorAuthorizedHash': {'$exists': True}}), default=str))`));
  assert.match(stored.twoFactorAuthorizedHash, /^[A-Za-z0-9_-]{43}$/, 'the fingerprint is a hash');
});
