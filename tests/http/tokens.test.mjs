// tokens.test.mjs - personal access tokens through a real web server:
// Rocket.Chat shapes and errors, the second factor, using a token on every
// program, invalidation, expiry, last use, the admin switch and the limit.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, createUser, login, db, sha256hex, totp, runCgi } from './lib.mjs';

const pw2fa = (u) => ({ 'x-2fa-method': 'password', 'x-2fa-code': sha256hex(u.password) });

// generate with the password as second factor (users without 2FA)
async function generate(u, auth, body) {
  return api('POST', '/api/v1/users.generatePersonalAccessToken', { auth, json: body, headers: pw2fa(u) });
}

let kim, kimAuth;
before(async () => {
  kim = createUser('kim');
  kimAuth = await login(kim);
});

test('generate asks for the second factor, the password for users without 2FA', async () => {
  const r = await api('POST', '/api/v1/users.generatePersonalAccessToken', { auth: kimAuth, json: { tokenName: 'first' } });
  assert.equal(r.status, 400);
  assert.equal(r.json.errorType, 'totp-required');
  assert.equal(r.json.error, 'TOTP Required [totp-required]');
  assert.equal(r.json.details.method, 'password');
  assert.deepEqual(r.json.details.availableMethods, ['password']);
  const wrong = await api('POST', '/api/v1/users.generatePersonalAccessToken', {
    auth: kimAuth, json: { tokenName: 'first' }, headers: { 'x-2fa-method': 'password', 'x-2fa-code': sha256hex('nope') },
  });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.json.errorType, 'totp-invalid');
  const list = await api('GET', '/api/v1/users.getPersonalAccessTokens', { auth: kimAuth });
  assert.deepEqual(list.json.tokens, [], 'nothing was created');
});

test('a token is shown once, stored hashed, and works on every program', async () => {
  const r = await generate(kim, kimAuth, { tokenName: 'ci', bypassTwoFactor: false });
  assert.equal(r.status, 200, r.text);
  assert.match(r.json.token, /^[A-Za-z0-9_-]{43}$/);
  const token = r.json.token;
  const pat = { userId: kim.id, authToken: token };
  const me = await api('GET', '/api/v1/me', { auth: pat });
  assert.equal(me.status, 200);
  assert.equal(me.json.username, kim.username);
  const list = await api('GET', '/api/v1/users.getPersonalAccessTokens', { auth: pat });
  assert.equal(list.status, 200);
  const t = list.json.tokens.find((x) => x.name === 'ci');
  assert.equal(t.lastTokenPart, token.slice(-6));
  assert.equal(t.bypassTwoFactor, false);
  assert.equal(t.expired, false);
  assert.ok(!Number.isNaN(Date.parse(t.createdAt)));
  assert.ok(!Number.isNaN(Date.parse(t.lastUsedAt)), 'last use is recorded');
  assert.ok(!list.text.includes(token), 'the value is never listed');
  const stored = JSON.stringify(db('user', kim.username)) + db('count-tokens', kim.id);
  assert.ok(!stored.includes(token));
  // Every program accepts it: authenticated GETs of auth, tokens and preferences.
  for (const p of ['/api/v1/me', '/api/v1/sessions/list', '/api/v1/users.getPersonalAccessTokens']) {
    assert.equal((await api('GET', p, { auth: pat })).status, 200, p);
  }
  assert.equal((await api('GET', '/api/v1/users.getPreferences', { auth: pat })).status, 200, 'preferences');
});

test('duplicate, unknown and invalid names get Rocket.Chat errors', async () => {
  await generate(kim, kimAuth, { tokenName: 'dup' });
  const dup = await generate(kim, kimAuth, { tokenName: 'dup' });
  assert.equal(dup.status, 400);
  assert.equal(dup.json.errorType, 'error-token-already-exists');
  assert.equal(dup.json.error, 'A token with this name already exists [error-token-already-exists]');
  for (const route of ['users.regeneratePersonalAccessToken', 'users.removePersonalAccessToken']) {
    const r = await api('POST', `/api/v1/${route}`, { auth: kimAuth, json: { tokenName: 'no-such' }, headers: pw2fa(kim) });
    assert.equal(r.status, 400, route);
    assert.equal(r.json.errorType, 'error-token-does-not-exists');
    assert.equal(r.json.error, 'Token does not exist [error-token-does-not-exists]');
  }
  const bad = [
    {}, { tokenName: '' }, { tokenName: 5 }, { tokenName: 'x'.repeat(65) }, { tokenName: 'a\nb' },
    { tokenName: 'ok', bypassTwoFactor: 'yes' }, { tokenName: 'ok', extra: 1 },
    { tokenName: 'ok', expiresAt: 'tomorrow' }, { tokenName: 'ok', expiresAt: '2001-01-01T00:00:00Z' },
    { tokenName: 'ok', expiresAt: '2999-01-01T00:00:00Z' }, { tokenName: 'ok', expiresAt: '2027-02-30T00:00:00Z' },
  ];
  const before = (await api('GET', '/api/v1/users.getPersonalAccessTokens', { auth: kimAuth })).json.tokens.length;
  for (const body of bad) {
    const r = await generate(kim, kimAuth, body);
    assert.equal(r.status, 400, JSON.stringify(body) + ' -> ' + r.text);
    assert.equal(r.json.errorType, 'invalid-params', r.text);
    if (Object.keys(body).length) assert.ok(['tokenName', 'bypassTwoFactor', 'expiresAt', 'extra'].includes(r.json.details.field), r.text);
  }
  const after = (await api('GET', '/api/v1/users.getPersonalAccessTokens', { auth: kimAuth })).json.tokens.length;
  assert.equal(after, before, 'bad input stored nothing');
});

test('a malformed request never spends the second factor', async () => {
  const r = await api('POST', '/api/v1/users.generatePersonalAccessToken', { auth: kimAuth, json: { tokenName: 5 } });
  assert.equal(r.json.errorType, 'invalid-params');
});

test('regenerate invalidates the old value at once; remove too', async () => {
  const made = await generate(kim, kimAuth, { tokenName: 'rotate', bypassTwoFactor: true });
  const old = { userId: kim.id, authToken: made.json.token };
  assert.equal((await api('GET', '/api/v1/me', { auth: old })).status, 200);
  const re = await api('POST', '/api/v1/users.regeneratePersonalAccessToken', { auth: kimAuth, json: { tokenName: 'rotate' }, headers: pw2fa(kim) });
  assert.equal(re.status, 200, re.text);
  assert.notEqual(re.json.token, made.json.token);
  assert.equal((await api('GET', '/api/v1/me', { auth: old })).status, 401, 'old value fails');
  const fresh = { userId: kim.id, authToken: re.json.token };
  assert.equal((await api('GET', '/api/v1/me', { auth: fresh })).status, 200);
  const listed = (await api('GET', '/api/v1/users.getPersonalAccessTokens', { auth: kimAuth })).json.tokens.find((t) => t.name === 'rotate');
  assert.equal(listed.bypassTwoFactor, true, 'regenerate keeps bypassTwoFactor');
  const rm = await api('POST', '/api/v1/users.removePersonalAccessToken', { auth: kimAuth, json: { tokenName: 'rotate' }, headers: pw2fa(kim) });
  assert.equal(rm.status, 200);
  assert.deepEqual(rm.json, { success: true });
  assert.equal((await api('GET', '/api/v1/me', { auth: fresh })).status, 401, 'removed token fails');
});

test('tokens survive logoutOtherClients; sessions do not', async () => {
  const u = createUser('lena');
  const s1 = await login(u);
  const s2 = await login(u);
  const made = await generate(u, s1, { tokenName: 'keep' });
  const pat = { userId: u.id, authToken: made.json.token };
  const r = await api('POST', '/api/v1/users.logoutOtherClients', { auth: s1 });
  assert.equal(r.status, 200);
  assert.equal((await api('GET', '/api/v1/me', { auth: s2 })).status, 401);
  assert.equal((await api('GET', '/api/v1/me', { auth: pat })).status, 200, 'the PAT still works');
  // ...also when a PAT itself calls it: all login sessions go, the PATs stay.
  const r2 = await api('POST', '/api/v1/users.logoutOtherClients', { auth: pat });
  assert.equal(r2.status, 200);
  assert.equal((await api('GET', '/api/v1/me', { auth: s1 })).status, 401);
  assert.equal((await api('GET', '/api/v1/me', { auth: pat })).status, 200);
});

test('bypassTwoFactor tokens skip the challenge; others do not', async () => {
  const u = createUser('mona');
  const s = await login(u);
  const bypass = { userId: u.id, authToken: (await generate(u, s, { tokenName: 'bot', bypassTwoFactor: true })).json.token };
  const strict = { userId: u.id, authToken: (await generate(u, s, { tokenName: 'strict', bypassTwoFactor: false })).json.token };
  const a = await api('POST', '/api/v1/users.generatePersonalAccessToken', { auth: bypass, json: { tokenName: 'from-bot' } });
  assert.equal(a.status, 200, a.text);
  const b = await api('POST', '/api/v1/users.generatePersonalAccessToken', { auth: strict, json: { tokenName: 'from-strict' } });
  assert.equal(b.status, 400);
  assert.equal(b.json.errorType, 'totp-required');
});

test('TOTP users confirm with a TOTP code; the session remembers it', async () => {
  const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  const u = createUser('nils');
  db('set-totp', u.username, secret);
  const s = (await api('POST', '/api/v1/login', { json: { user: u.username, password: u.password, code: totp(secret) } })).json.data;
  const auth = { userId: s.userId, authToken: s.authToken };
  const ask = await api('POST', '/api/v1/users.generatePersonalAccessToken', { auth, json: { tokenName: 't1' } });
  assert.equal(ask.json.details.method, 'totp');
  assert.deepEqual(ask.json.details.availableMethods, ['totp']);
  const pw = await api('POST', '/api/v1/users.generatePersonalAccessToken', { auth, json: { tokenName: 't1' }, headers: pw2fa(u) });
  assert.equal(pw.status, 400, 'the password is no second factor once TOTP is on');
  assert.equal(pw.json.details.method, 'totp');
  // The login used this step's code; the next step's code is the fresh one.
  const code = totp(secret, Date.now() / 1000 + 30);
  const ok = await api('POST', '/api/v1/users.generatePersonalAccessToken', { auth, json: { tokenName: 't1' }, headers: { 'x-2fa-method': 'totp', 'x-2fa-code': code } });
  assert.equal(ok.status, 200, ok.text);
  const again = await api('POST', '/api/v1/users.generatePersonalAccessToken', { auth, json: { tokenName: 't2' } });
  assert.equal(again.status, 200, 'remembered on this session for a while');
});

test('expiry: a token with a past expiry fails and is listed as expired', async () => {
  const u = createUser('olga');
  const s = await login(u);
  const soon = new Date(Date.now() + 2500).toISOString();
  const made = await generate(u, s, { tokenName: 'short', expiresAt: soon });
  assert.equal(made.status, 200, made.text);
  const pat = { userId: u.id, authToken: made.json.token };
  assert.equal((await api('GET', '/api/v1/me', { auth: pat })).status, 200);
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal((await api('GET', '/api/v1/me', { auth: pat })).status, 401);
  const t = (await api('GET', '/api/v1/users.getPersonalAccessTokens', { auth: s })).json.tokens.find((x) => x.name === 'short');
  assert.equal(t.expired, true);
  assert.equal(Date.parse(t.expiresAt), Date.parse(soon));
});

test('a token cannot be used as a browser cookie', async () => {
  const made = await generate(kim, kimAuth, { tokenName: 'cookie-try' });
  const r = await api('GET', '/api/v1/me', { headers: { Cookie: `rc_session=${made.json.token}` } });
  assert.equal(r.status, 401);
});

test('the per-user limit is enforced', async () => {
  const u = createUser('pia');
  const s = await login(u);
  const max = Number(process.env.PAT_MAX ?? 8);
  for (let i = 0; i < max; i++) assert.equal((await generate(u, s, { tokenName: `t${i}` })).status, 200);
  const over = await generate(u, s, { tokenName: 'one-too-many' });
  assert.equal(over.status, 400);
  assert.equal(over.json.errorType, 'error-too-many-tokens');
});

test('the admin switch turns tokens off with a clear error (program run as CGI)', () => {
  // Black-box, as cgit's tests do: the real program, CGI variables, a config with the switch off.
  const r = runCgi('tokens', {
    uri: '/api/v1/users.getPersonalAccessTokens', extraConf: 'personal_access_tokens_enabled = false',
    env: { HTTP_X_USER_ID: kimAuth.userId, HTTP_X_AUTH_TOKEN: kimAuth.authToken },
  });
  assert.equal(r.status, 400, r.raw);
  // Rocket.Chat's answer when the permission is missing.
  assert.equal(r.json.errorType, 'not-authorized');
  assert.equal(r.json.error, 'Not Authorized [not-authorized]');
});
