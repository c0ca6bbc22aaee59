// compat.test.mjs - Rocket.Chat behaviours real clients depend on, and the
// token rules a review found missing: usernames without regard to case,
// users without email, the deprecated GET logout, personal access tokens that
// cannot outlive or become their creator, and a limit that holds under races.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { api, createUser, login, sha256hex, db, mailsTo, runCgi, ADMIN } from './lib.mjs';

const pw2fa = (u) => ({ 'x-2fa-method': 'password', 'x-2fa-code': sha256hex(u.password) });
const tag = () => `${process.pid}${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;

function adminCreate(username, email, password) {
  return spawnSync(ADMIN, ['create-user', username, email], { input: `${password}\n`, encoding: 'utf8' });
}

test('sign-in finds a username without regard to case; two names never differ only by case', async () => {
  const name = `Mixed${tag()}`;
  const password = 'case-test-password';
  const made = adminCreate(name, `${name}@example.org`, password);
  assert.equal(made.status, 0, made.stderr);
  for (const typed of [name, name.toLowerCase(), name.toUpperCase()]) {
    const r = await api('POST', '/api/v1/login', { json: { user: typed, password } });
    assert.equal(r.status, 200, `${typed}: ${r.text}`);
    assert.equal(r.json.data.me.username, name, 'the stored spelling is kept');
  }
  const twin = adminCreate(name.toLowerCase(), `other${tag()}@example.org`, password);
  assert.equal(twin.status, 1, 'a name differing only by case is taken');
  assert.match(twin.stderr, /already taken/);
});

test('users without an email address are possible, many of them', async () => {
  for (let i = 0; i < 3; i++) {
    const r = adminCreate(`bot${tag()}${i}`, '-', 'bot-password-1');
    assert.equal(r.status, 0, r.stderr);
  }
});

test('GET /api/v1/logout (deprecated) still signs out; HEAD does not', async () => {
  const u = createUser('getout');
  const auth = await login(u);
  const head = await api('HEAD', '/api/v1/logout', { auth });
  assert.notEqual(head.status, 200, 'HEAD on a state-changing GET is not served');
  assert.equal((await api('GET', '/api/v1/me', { auth })).status, 200, 'still signed in after HEAD');
  const r = await api('GET', '/api/v1/logout', { auth });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'success');
  assert.equal((await api('GET', '/api/v1/me', { auth })).status, 401);
});

test('a personal access token never becomes a session through resume', async () => {
  const u = createUser('resume');
  const auth = await login(u);
  const made = await api('POST', '/api/v1/users.generatePersonalAccessToken',
    { auth, json: { tokenName: 'script' }, headers: pw2fa(u) });
  assert.equal(made.status, 200, made.text);
  const r = await api('POST', '/api/v1/login', { json: { resume: made.json.token } });
  assert.equal(r.status, 401, r.text);
  assert.equal(r.json.error, 'Unauthorized');
  const ok = await api('POST', '/api/v1/login', { json: { resume: auth.authToken } });
  assert.equal(ok.status, 200, 'a login token still resumes');
});

test('a personal access token cannot create one that outlives it', async () => {
  const u = createUser('outlive');
  const auth = await login(u);
  const soon = new Date(Date.now() + 86400e3).toISOString();
  const later = new Date(Date.now() + 7 * 86400e3).toISOString();
  const parent = await api('POST', '/api/v1/users.generatePersonalAccessToken',
    { auth, json: { tokenName: 'parent', bypassTwoFactor: true, expiresAt: soon }, headers: pw2fa(u) });
  assert.equal(parent.status, 200, parent.text);
  const pat = { userId: u.id, authToken: parent.json.token };
  for (const body of [{ tokenName: 'child-never' }, { tokenName: 'child-later', expiresAt: later }]) {
    const r = await api('POST', '/api/v1/users.generatePersonalAccessToken', { auth: pat, json: body });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.errorType, 'error-token-expiry-too-late');
  }
  const within = await api('POST', '/api/v1/users.generatePersonalAccessToken',
    { auth: pat, json: { tokenName: 'child-ok', expiresAt: soon } });
  assert.equal(within.status, 200, within.text);
  const names = (await api('GET', '/api/v1/users.getPersonalAccessTokens', { auth })).json.tokens.map((t) => t.name);
  assert.deepEqual(names.sort(), ['child-ok', 'parent']);
});

test('racing creations never pass the per-user token limit', async () => {
  const limit = Number(process.env.PAT_MAX ?? 8);
  const u = createUser('race');
  const auth = await login(u);
  // A script's token that skips the second factor races itself: the
  // password as second factor has its own, smaller limit on parallel checks.
  const script = await api('POST', '/api/v1/users.generatePersonalAccessToken',
    { auth, json: { tokenName: 'script', bypassTwoFactor: true }, headers: pw2fa(u) });
  assert.equal(script.status, 200, script.text);
  const pat = { userId: u.id, authToken: script.json.token };
  const n = limit * 3;
  const answers = await Promise.all(Array.from({ length: n }, (_, i) =>
    api('POST', '/api/v1/users.generatePersonalAccessToken', { auth: pat, json: { tokenName: `t${i}` } })));
  const made = answers.filter((r) => r.status === 200).length;
  const refused = answers.filter((r) => r.json?.errorType === 'error-too-many-tokens').length;
  assert.equal(made + refused, n, answers.filter((r) => r.status !== 200 && r.json?.errorType !== 'error-too-many-tokens').map((r) => r.text).join('\n'));
  assert.ok(made <= limit - 1, `${made} made beside the script's own, limit ${limit}`);
  assert.ok(made >= 1, 'the first ones are kept');
  const listed = (await api('GET', '/api/v1/users.getPersonalAccessTokens', { auth })).json.tokens.length;
  assert.equal(listed, made + 1, 'every refused one was taken back');
});

test('regenerating keeps the name, the settings and exactly one token', async () => {
  const u = createUser('regen');
  const auth = await login(u);
  const made = await api('POST', '/api/v1/users.generatePersonalAccessToken',
    { auth, json: { tokenName: 'ci', bypassTwoFactor: true }, headers: pw2fa(u) });
  assert.equal(made.status, 200, made.text);
  const answers = await Promise.all([1, 2, 3].map(() =>
    api('POST', '/api/v1/users.regeneratePersonalAccessToken', { auth, json: { tokenName: 'ci' }, headers: pw2fa(u) })));
  assert.ok(answers.some((r) => r.status === 200), answers.map((r) => r.text).join('\n'));
  const tokens = (await api('GET', '/api/v1/users.getPersonalAccessTokens', { auth })).json.tokens;
  assert.equal(tokens.length, 1, JSON.stringify(tokens));
  assert.equal(tokens[0].name, 'ci');
  assert.equal(tokens[0].bypassTwoFactor, true);
  const working = [];
  for (const r of [made, ...answers].filter((a) => a.status === 200)) {
    working.push((await api('GET', '/api/v1/me', { auth: { userId: u.id, authToken: r.json.token } })).status);
  }
  assert.equal(working.filter((s) => s === 200).length, 1, 'only the newest value works');
});

test('a name is a name: long multi-byte token names are neither cut nor confused', async () => {
  const u = createUser('mb');
  const auth = await login(u);
  const base = '\u{1F600}'.repeat(63);
  for (const last of ['a', 'b']) {
    const r = await api('POST', '/api/v1/users.generatePersonalAccessToken',
      { auth, json: { tokenName: base + last }, headers: pw2fa(u) });
    assert.equal(r.status, 200, r.text);
  }
  const names = (await api('GET', '/api/v1/users.getPersonalAccessTokens', { auth })).json.tokens.map((t) => t.name);
  assert.deepEqual(names.sort(), [base + 'a', base + 'b']);
});

test('sendEmailCode with email 2FA switched off answers success and sends nothing, as Rocket.Chat', async () => {
  const u = createUser('no2fa');
  db('set-email2fa', u.username, 'true');
  const r = runCgi('auth', {
    method: 'POST', uri: '/api/v1/users.2fa.sendEmailCode',
    body: JSON.stringify({ emailOrUsername: u.username }), extraConf: 'email_2fa_enabled = false',
  });
  assert.equal(r.status, 200, r.raw);
  assert.deepEqual(r.json, { success: true });
  await new Promise((done) => setTimeout(done, 300));
  assert.equal(mailsTo(u.email.toLowerCase()).length, 0, 'no code was mailed');
});
