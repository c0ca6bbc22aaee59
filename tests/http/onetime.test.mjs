// onetime.test.mjs - the README's promise that a malformed request never
// spends a one-time code: a valid TOTP code sent with a bad body is
// refused for the body, and the same code still works right after.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, createUser, db, login, sha256hex, totp } from './lib.mjs';

const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

// A fresh TOTP user (own limits, own replay counter) and its session.
async function totpUser(prefix) {
  const u = createUser(prefix);
  db('set-totp', u.username, SECRET, sha256hex('ABCD2345'));
  const auth = await login(u, { headers: { 'x-2fa-code': totp(SECRET, Date.now() / 1000 - 30) } });
  return { u, auth };
}

const bad = [
  ['malformed JSON', "{'tokenName':'x'}", 'application/json', 400],
  ['a missing required field', '{}', 'application/json', 400],
  ['an unknown field', '{"tokenName":"x","bogus":1}', 'application/json', 400],
  ['a wrong content type', 'tokenName=x', 'text/plain', 415],
  ['a body over the limit', JSON.stringify({ tokenName: 'x'.repeat(3000) }), 'application/json', 413],
];

for (const [what, body, type, status] of bad) {
  test(`a TOTP code sent with ${what} is not spent (token generation)`, async () => {
    const { u, auth } = await totpUser('otg');
    const code = totp(SECRET);
    const headers = { 'x-2fa-method': 'totp', 'x-2fa-code': code, 'Content-Type': type };
    const refused = await api('POST', '/api/v1/users.generatePersonalAccessToken', { auth, body, headers });
    assert.equal(refused.status, status, refused.text);
    assert.notEqual(refused.json?.errorType, 'totp-invalid');
    const ok = await api('POST', '/api/v1/users.generatePersonalAccessToken', {
      auth, json: { tokenName: 'after-bad-body' }, headers: { 'x-2fa-method': 'totp', 'x-2fa-code': code },
    });
    assert.equal(ok.status, 200, `the same code still works: ${ok.text}`);
    assert.equal(db('count-tokens', u.id, 'personalAccessToken'), 1);
  });
}

test('a TOTP code sent with a malformed sign-in body is not spent', async () => {
  const u = createUser('otl');
  db('set-totp', u.username, SECRET);
  const code = totp(SECRET);
  const refused = await api('POST', '/api/v1/login', {
    json: `{"user":"${u.username}","password":"${u.password}",'code':"${code}"}`,
    headers: { 'x-2fa-code': code },
  });
  assert.ok(refused.status === 400 || refused.status === 401, refused.text);
  assert.notEqual(refused.json?.error, 'totp-invalid');
  const ok = await api('POST', '/api/v1/login', { json: { user: u.username, password: u.password, code } });
  assert.equal(ok.status, 200, `the same code still signs in: ${ok.text}`);
});

test('a backup code sent with a bad body is not spent', async () => {
  const { u, auth } = await totpUser('otb');
  const headers = { 'x-2fa-method': 'totp', 'x-2fa-code': 'ABCD2345' };
  const refused = await api('POST', '/api/v1/users.generatePersonalAccessToken', { auth, json: '{"tokenName":NaN}', headers });
  assert.equal(refused.status, 400, refused.text);
  assert.equal(db('user', u.username).services.totp.hashedBackup.length, 1, 'the backup code is still stored');
  const ok = await api('POST', '/api/v1/users.generatePersonalAccessToken', { auth, json: { tokenName: 'b' }, headers });
  assert.equal(ok.status, 200, ok.text);
});
