// twofactor.test.mjs - the 2FA step of login (Rocket.Chat's 401 shapes),
// TOTP replay protection, single-use backup codes, attempt limits.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, createUser, db, totp, sha256hex } from './lib.mjs';

const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
let henry;
before(() => {
  henry = createUser('henry');
  db('set-totp', henry.username, SECRET, sha256hex('ABCD2345'), sha256hex('WXYZ6789'));
});

const creds = () => ({ user: henry.username, password: henry.password });

test('a TOTP user must add a code: 401 totp-required in Rocket.Chat shape', async () => {
  const r = await api('POST', '/api/v1/login', { json: creds() });
  assert.equal(r.status, 401);
  assert.equal(r.json.error, 'totp-required');
  assert.equal(r.json.status, 'error');
  assert.equal(r.json.message, 'TOTP Required');
  assert.equal(r.json.errorType, undefined, 'no errorType on /login');
  assert.equal(r.json.details.method, 'totp');
  assert.deepEqual(r.json.details.availableMethods, ['totp']);
});

test('the wrong password never reaches the 2FA step', async () => {
  const r = await api('POST', '/api/v1/login', { json: { user: henry.username, password: 'nope', code: '123456' } });
  assert.equal(r.status, 401);
  assert.equal(r.json.error, 'Unauthorized');
});

test('a right code signs in once; the same code again is refused (replay)', async () => {
  // Step 1 of the window is used so a code that just expired is not picked.
  const code = totp(SECRET);
  const ok = await api('POST', '/api/v1/login', { json: { ...creds(), code } });
  assert.equal(ok.status, 200, ok.text);
  assert.ok(ok.json.data.authToken);
  assert.deepEqual(ok.json.data.me.services.totp, { enabled: true });
  const replay = await api('POST', '/api/v1/login', { json: creds(), headers: { 'x-2fa-code': code } });
  assert.equal(replay.status, 401);
  assert.equal(replay.json.error, 'totp-invalid');
  assert.equal(replay.json.message, 'TOTP Invalid');
});

test("Rocket.Chat's {totp: {login, code}} wrapper, as its mobile app sends it", async () => {
  const code = totp(SECRET, Date.now() / 1000 + 30);  // the next step: the last one may be used
  const r = await api('POST', '/api/v1/login', {
    json: { totp: { login: { user: { username: henry.username }, password: { digest: sha256hex(henry.password), algorithm: 'sha-256' } }, code } },
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.userId, henry.id);
  const wrong = await api('POST', '/api/v1/login', { json: { totp: { login: creds(), code: '000000' } } });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.json.error, 'totp-invalid');
});

test('backup codes work once each', async () => {
  const first = await api('POST', '/api/v1/login', { json: { ...creds(), code: 'ABCD2345' } });
  assert.equal(first.status, 200, first.text);
  const again = await api('POST', '/api/v1/login', { json: { ...creds(), code: 'ABCD2345' } });
  assert.equal(again.status, 401);
  assert.equal(again.json.error, 'totp-invalid');
  const stored = db('user', henry.username);
  assert.equal(stored.services.totp.hashedBackup.length, 1);
});

test('wrong codes are limited: totp-max-attempts, even for the right code', async () => {
  const ivy = createUser('ivy');
  db('set-totp', ivy.username, SECRET);
  const body = { user: ivy.username, password: ivy.password };
  let r;
  for (let i = 0; i < 5; i++) {
    r = await api('POST', '/api/v1/login', { json: { ...body, code: '000000' } });
    assert.equal(r.status, 401);
    assert.equal(r.json.error, 'totp-invalid');
  }
  r = await api('POST', '/api/v1/login', { json: { ...body, code: totp(SECRET) } });
  assert.equal(r.status, 401);
  assert.equal(r.json.error, 'totp-max-attempts');
});
