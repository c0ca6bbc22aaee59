// passkeys.test.mjs - passkeys (WebAuthn) through a real web server, with a
// software authenticator (authenticator.mjs): adding one (ES256, EdDSA,
// RS256; attestation none and packed), listing, renaming, removing, the
// passkey as the second factor (x-2fa-method: webauthn) and as passwordless
// sign-in; and every forgery refused: unknown or reused challenges, replayed
// assertions, another origin or rp id, a counter going backwards, tampered
// signatures, missing user verification.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { api, createUser, login, db, sha256hex, randomIp, runCgi, totp, ADMIN } from './lib.mjs';
import { Authenticator, relyingParty, b64url, FLAG } from './authenticator.mjs';

const rp = relyingParty();
const pw2fa = (u) => ({ 'x-2fa-method': 'password', 'x-2fa-code': sha256hex(u.password) });
const fresh = () => ({ 'X-Forwarded-For': randomIp() });

async function registerOptions(auth, headers) {
  return api('POST', '/api/v1/passkeys.registerOptions', { auth, json: {}, headers });
}

// Adds a passkey to a user without 2FA (the password stands in), returns it.
async function addPasskey(u, auth, alg = 'ES256', name = `key ${alg}`, createOpts = {}) {
  const a = new Authenticator(alg);
  const opts = await registerOptions(auth, pw2fa(u));
  assert.equal(opts.status, 200, opts.text);
  const r = await api('POST', '/api/v1/passkeys.register', { auth, json: { name, credential: a.create(opts.json.publicKey, rp, createOpts) } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.passkey.id, a.id);
  return a;
}

async function signInOptions() {
  const r = await api('POST', '/api/v1/passkeys.signInOptions', { json: {}, headers: fresh() });
  assert.equal(r.status, 200, r.text);
  return r.json.publicKey;
}

async function signIn(credential, headers = fresh()) {
  return api('POST', '/api/v1/passkeys.signIn', { json: { credential }, headers });
}

// The webauthn second factor: the challenge answer's options, then the
// same request again with the assertion in x-2fa-code.
async function withPasskey(a, method, path, auth, json, getOpts = {}) {
  const first = await api(method, path, { auth, json, headers: { 'x-2fa-method': 'webauthn' } });
  assert.equal(first.status, 400, first.text);
  assert.equal(first.json.errorType, 'totp-required');
  assert.equal(first.json.details.method, 'webauthn');
  const cred = a.get(first.json.details.webauthn, rp, getOpts);
  const second = await api(method, path, { auth, json, headers: { 'x-2fa-method': 'webauthn', 'x-2fa-code': JSON.stringify(cred) } });
  return { first, second, cred };
}

let ann, annAuth, annKey;
before(async () => {
  ann = createUser('pk');
  annAuth = await login(ann);
});

test('adding a passkey needs the second factor and gives WebAuthn creation options', async () => {
  const none = await registerOptions(annAuth);
  assert.equal(none.status, 400);
  assert.equal(none.json.errorType, 'totp-required');
  assert.equal(none.json.details.method, 'password');
  const r = await registerOptions(annAuth, pw2fa(ann));
  assert.equal(r.status, 200, r.text);
  const pk = r.json.publicKey;
  assert.equal(pk.rp.id, rp.rpId);
  assert.equal(pk.user.id, b64url(Buffer.from(ann.id)));
  assert.equal(pk.user.name, ann.username);
  assert.match(pk.challenge, /^[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(pk.pubKeyCredParams.map((p) => p.alg).sort((x, y) => x - y), [-257, -8, -7]);
  assert.equal(pk.attestation, 'none');
  assert.deepEqual(pk.excludeCredentials, []);
  assert.ok(!JSON.stringify(db('user', ann.username)).includes(pk.challenge), 'the challenge is not stored in the clear');
});

for (const alg of ['ES256', 'EdDSA', 'RS256']) {
  test(`an ${alg} passkey is added, listed with its authenticator's name, and signs in passwordless`, async () => {
    const u = createUser(`pk${alg}`);
    const auth = await login(u);
    const a = await addPasskey(u, auth, alg, `My ${alg} key`);
    const list = await api('GET', '/api/v1/passkeys.list', { auth });
    assert.equal(list.status, 200);
    assert.equal(list.json.passkeys.length, 1);
    const p = list.json.passkeys[0];
    assert.equal(p.id, a.id);
    assert.equal(p.name, `My ${alg} key`);
    assert.equal(p.authenticator, '1Password');
    assert.equal(p.lastUsedAt, null);
    assert.equal(p.cloneWarning, false);
    assert.ok(!Number.isNaN(Date.parse(p.createdAt)));
    const r = await signIn(a.get(await signInOptions(), rp));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'success');
    assert.equal(r.json.data.userId, u.id);
    const me = await api('GET', '/api/v1/me', { auth: { userId: u.id, authToken: r.json.data.authToken } });
    assert.equal(me.status, 200);
    assert.equal(me.json.username, u.username);
    const after = await api('GET', '/api/v1/passkeys.list', { auth });
    assert.ok(!Number.isNaN(Date.parse(after.json.passkeys[0].lastUsedAt)), 'last use is recorded');
  });
}

test('packed self attestation is verified; a tampered one is refused', async () => {
  const u = createUser('pkpacked');
  const auth = await login(u);
  await addPasskey(u, auth, 'ES256', 'packed', { fmt: 'packed' });
  const a = new Authenticator('ES256');
  const opts = await registerOptions(auth, pw2fa(u));
  const r = await api('POST', '/api/v1/passkeys.register', { auth, json: { name: 'bad', credential: a.create(opts.json.publicKey, rp, { fmt: 'packed', tamper: true }) } });
  assert.equal(r.status, 400);
  assert.equal(r.json.errorType, 'error-passkey-invalid');
});

test('a registration with a bad challenge, origin, rp id, type or a reused challenge is refused and stores nothing', async () => {
  const u = createUser('pkreg');
  const auth = await login(u);
  const before = db('user', u.username);
  const cases = {
    'unknown challenge': { challenge: b64url(Buffer.alloc(32, 7)) },
    'other origin': { origin: 'https://evil.example' },
    'other rp id': { rpId: 'evil.example' },
    'wrong type': { type: 'webauthn.get' },
    'unknown format': { fmt: 'tpm' },
    'no user presence': { flags: FLAG.AT },
  };
  for (const [what, o] of Object.entries(cases)) {
    const opts = await registerOptions(auth, pw2fa(u));
    const r = await api('POST', '/api/v1/passkeys.register', { auth, json: { name: what, credential: new Authenticator().create(opts.json.publicKey, rp, o) } });
    assert.equal(r.status, 400, what);
    assert.equal(r.json.errorType, 'error-passkey-invalid', what);
  }
  // A challenge serves one attestation: the second use is refused.
  const opts = await registerOptions(auth, pw2fa(u));
  const ok = await api('POST', '/api/v1/passkeys.register', { auth, json: { name: 'once', credential: new Authenticator().create(opts.json.publicKey, rp) } });
  assert.equal(ok.status, 200, ok.text);
  const again = await api('POST', '/api/v1/passkeys.register', { auth, json: { name: 'twice', credential: new Authenticator().create(opts.json.publicKey, rp) } });
  assert.equal(again.json.errorType, 'error-passkey-invalid');
  const afterDoc = db('user', u.username);
  assert.equal(afterDoc.services.webauthn.count, 1);
  assert.equal(Object.keys(afterDoc.services.webauthn.credentials).length, 1);
  assert.deepEqual(Object.keys(before.services ?? {}).filter((k) => k !== 'webauthn'),
    Object.keys(afterDoc.services).filter((k) => k !== 'webauthn'));
  // Another user's challenge does not serve this one.
  const other = createUser('pkreg2');
  const otherAuth = await login(other);
  const stolen = await registerOptions(otherAuth, pw2fa(other));
  const r = await api('POST', '/api/v1/passkeys.register', { auth, json: { name: 'x', credential: new Authenticator().create(stolen.json.publicKey, rp) } });
  assert.equal(r.json.errorType, 'error-passkey-invalid');
});

test('the body is validated: unknown keys, bad base64url, overlong names', async () => {
  const opts = await registerOptions(annAuth, pw2fa(ann));
  const cred = new Authenticator().create(opts.json.publicKey, rp);
  const bad = [
    { name: 'x', credential: cred, extra: 1 },
    { name: '', credential: cred },
    { name: 'n'.repeat(65), credential: cred },
    { name: 'x', credential: { ...cred, id: 'not.base64' } },
    { name: 'x', credential: { ...cred, type: 'password' } },
    { name: 'x' },
  ];
  for (const body of bad) {
    const r = await api('POST', '/api/v1/passkeys.register', { auth: annAuth, json: body });
    assert.equal(r.status, 400, JSON.stringify(body).slice(0, 80));
    assert.equal(r.json.success, false);
  }
});

test('passwordless sign-in refuses forgeries: unknown challenge, replay, origin, rp id, type, tampered signature, no UV, other user', async () => {
  annKey = await addPasskey(ann, annAuth, 'ES256', 'laptop');
  const cases = {
    'unknown challenge': (o) => annKey.get(o, rp, { challenge: b64url(Buffer.alloc(32, 1)) }),
    'other origin': (o) => annKey.get(o, rp, { origin: 'https://evil.example' }),
    'http for https': (o) => annKey.get(o, rp, { origin: rp.origin.replace(/^http:/, 'https:') }),
    'other rp id': (o) => annKey.get(o, rp, { rpId: 'evil.example' }),
    'wrong type': (o) => annKey.get(o, rp, { type: 'webauthn.create' }),
    'tampered signature': (o) => annKey.get(o, rp, { tamper: true }),
    'no user verification': (o) => annKey.get(o, rp, { flags: FLAG.UP }),
    'no user handle': (o) => annKey.get(o, rp, { userHandle: null }),
    'another user\'s handle': (o) => annKey.get(o, rp, { userHandle: b64url(Buffer.from('nobody-at-all')) }),
    'unknown credential': (o) => new Authenticator().get(o, rp),
  };
  for (const [what, make] of Object.entries(cases)) {
    const r = await signIn(make(await signInOptions()));
    assert.equal(r.status, 401, what);
    assert.equal(r.json.error, 'Unauthorized', what);
    assert.ok(!('data' in r.json), what);
    db('clear-user-limits', ann.id); // each case alone, under the account's limit
  }
  // A good one works once; the same assertion again is a replay.
  const good = annKey.get(await signInOptions(), rp);
  assert.equal((await signIn(good)).status, 200);
  assert.equal((await signIn(good)).status, 401, 'replayed');
});

test('failed passkey sign-ins count toward the account\'s sign-in limit, as passwords do', async () => {
  const u = createUser('pkguard');
  const auth = await login(u);
  const a = await addPasskey(u, auth);
  const limit = Number(process.env.LOGIN_MAX_PER_USER ?? 5);
  for (let i = 0; i < limit; i++) {
    const r = await signIn(a.get(await signInOptions(), rp, { tamper: true }));
    assert.equal(r.json.error, 'Unauthorized');
  }
  const blocked = await signIn(a.get(await signInOptions(), rp));
  assert.equal(blocked.status, 401);
  assert.equal(blocked.json.error, 'error-login-blocked-for-user');
});

test('a signature counter going backwards is refused and the passkey flagged', async () => {
  const u = createUser('pkclone');
  const auth = await login(u);
  const a = await addPasskey(u, auth);
  assert.equal((await signIn(a.get(await signInOptions(), rp, { counter: 10 }))).status, 200);
  const clone = await signIn(a.get(await signInOptions(), rp, { counter: 9 }));
  assert.equal(clone.status, 401);
  const same = await signIn(a.get(await signInOptions(), rp, { counter: 10 }));
  assert.equal(same.status, 401, 'an equal counter is no increase either');
  const list = await api('GET', '/api/v1/passkeys.list', { auth });
  assert.equal(list.json.passkeys[0].cloneWarning, true);
  assert.equal(db('user', u.username).services.webauthn.credentials[a.id].signCount, 10);
  assert.equal((await signIn(a.get(await signInOptions(), rp, { counter: 11 }))).status, 200, 'a higher counter works again');
});

test('an authenticator without a counter (always 0) keeps working', async () => {
  const u = createUser('pkzero');
  const auth = await login(u);
  const a = await addPasskey(u, auth);
  for (let i = 0; i < 2; i++) assert.equal((await signIn(a.get(await signInOptions(), rp, { counter: 0 }))).status, 200);
});

test('the same assertion sent in parallel signs in exactly once', async () => {
  const u = createUser('pkpar');
  const auth = await login(u);
  const a = await addPasskey(u, auth);
  const cred = a.get(await signInOptions(), rp);
  const results = await Promise.all(Array.from({ length: 6 }, () => signIn(cred)));
  assert.equal(results.filter((r) => r.status === 200).length, 1, results.map((r) => r.status).join(','));
});

test('a passkey is the second factor for sensitive actions (x-2fa-method: webauthn)', async () => {
  const u = createUser('pk2fa');
  let auth = await login(u);
  const a = await addPasskey(u, auth);
  // Now the password no longer stands in.
  auth = await login(u, { headers: { 'x-2fa-method': 'webauthn', 'x-2fa-code': JSON.stringify(a.get(
    (await api('POST', '/api/v1/login', { json: { user: u.username, password: u.password }, headers: { 'x-2fa-method': 'webauthn' } })).json.details.webauthn, rp)) } });
  const pw = await api('POST', '/api/v1/users.generatePersonalAccessToken', { auth, json: { tokenName: 'pw' }, headers: pw2fa(u) });
  assert.equal(pw.status, 400);
  assert.equal(pw.json.errorType, 'totp-invalid');
  assert.equal(pw.json.details.method, 'webauthn');
  assert.deepEqual(pw.json.details.availableMethods, ['webauthn']);
  // Without a code, the challenge answer carries the request options.
  const ask = await api('POST', '/api/v1/users.generatePersonalAccessToken', { auth, json: { tokenName: 'x' } });
  assert.equal(ask.json.errorType, 'totp-required');
  assert.equal(ask.json.details.method, 'webauthn');
  const opts = ask.json.details.webauthn;
  assert.equal(opts.rpId, rp.rpId);
  assert.deepEqual(opts.allowCredentials, [{ type: 'public-key', id: a.id }]);
  // A forged answer is totp-invalid, a good one creates the token.
  const forged = await api('POST', '/api/v1/users.generatePersonalAccessToken', { auth, json: { tokenName: 'x' },
    headers: { 'x-2fa-method': 'webauthn', 'x-2fa-code': JSON.stringify(a.get(opts, rp, { tamper: true })) } });
  assert.equal(forged.json.errorType, 'totp-invalid');
  const { second } = await withPasskey(a, 'POST', '/api/v1/users.generatePersonalAccessToken', auth, { tokenName: 'by-passkey' });
  assert.equal(second.status, 200, second.text);
  assert.match(second.json.token, /^[A-Za-z0-9_-]{43}$/);
});

test('with TOTP and a passkey, Rocket.Chat clients still get totp; x-2fa-method: webauthn picks the passkey', async () => {
  const u = createUser('pkboth');
  const a = await addPasskey(u, await login(u));
  const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
  db('set-totp', u.username, secret);
  // A fresh session: the one that added the passkey remembers its second factor.
  const auth = await login(u, { json: { user: u.username, password: u.password, code: totp(secret) } });
  const plain = await api('POST', '/api/v1/users.generatePersonalAccessToken', { auth, json: { tokenName: 'x' } });
  assert.equal(plain.json.details.method, 'totp');
  assert.deepEqual(plain.json.details.availableMethods, ['totp', 'webauthn']);
  assert.ok(!('webauthn' in plain.json.details), 'no passkey options for a client that did not ask');
  const login1 = await api('POST', '/api/v1/login', { json: { user: u.username, password: u.password } });
  assert.equal(login1.json.details.method, 'totp');
  const { second } = await withPasskey(a, 'POST', '/api/v1/users.generatePersonalAccessToken', auth, { tokenName: 'both' });
  assert.equal(second.status, 200, second.text);
});

test('sign-in with password asks a passkey-only user for the passkey', async () => {
  const u = createUser('pklogin');
  const auth = await login(u);
  const a = await addPasskey(u, auth);
  const first = await api('POST', '/api/v1/login', { json: { user: u.username, password: u.password } });
  assert.equal(first.status, 401);
  assert.equal(first.json.error, 'totp-required');
  assert.equal(first.json.details.method, 'webauthn');
  const wrong = await api('POST', '/api/v1/login', { json: { user: u.username, password: u.password },
    headers: { 'x-2fa-code': JSON.stringify(a.get(first.json.details.webauthn, rp, { origin: 'https://evil.example' })) } });
  assert.equal(wrong.json.error, 'totp-invalid');
  const again = await api('POST', '/api/v1/login', { json: { user: u.username, password: u.password } });
  const ok = await api('POST', '/api/v1/login', { json: { user: u.username, password: u.password },
    headers: { 'x-2fa-code': JSON.stringify(a.get(again.json.details.webauthn, rp)) } });
  assert.equal(ok.status, 200, ok.text);
});

test('rename and remove (removing needs the second factor); the count follows', async () => {
  const u = createUser('pkman');
  let auth = await login(u);
  const a = await addPasskey(u, auth, 'EdDSA', 'one');
  const ren = await api('POST', '/api/v1/passkeys.rename', { auth: annAuth, json: { id: a.id, name: 'stolen' } });
  assert.equal(ren.json.errorType, 'error-passkey-not-found', 'another user cannot rename it');
  const fresh2 = await passkeyLogin(u, a);
  const r = await api('POST', '/api/v1/passkeys.rename', { auth: fresh2, json: { id: a.id, name: 'renamed' } });
  assert.equal(r.status, 200, r.text);
  assert.equal((await api('GET', '/api/v1/passkeys.list', { auth: fresh2 })).json.passkeys[0].name, 'renamed');
  const { first, second } = await withPasskey(a, 'POST', '/api/v1/passkeys.remove', fresh2, { id: a.id });
  assert.equal(first.json.errorType, 'totp-required');
  assert.equal(second.status, 200, second.text);
  const doc = db('user', u.username);
  assert.equal(doc.services.webauthn.count, 0);
  assert.deepEqual(doc.services.webauthn.credentials, {});
  const gone = await api('POST', '/api/v1/passkeys.remove', { auth: fresh2, json: { id: a.id }, headers: pw2fa(u) });
  assert.equal(gone.json.errorType, 'error-passkey-not-found');
  assert.equal((await signIn(a.get(await signInOptions(), rp))).status, 401, 'a removed passkey signs in no more');
});

async function passkeyLogin(u, a) {
  const r = await signIn(a.get(await signInOptions(), rp));
  assert.equal(r.status, 200, r.text);
  return { userId: u.id, authToken: r.json.data.authToken };
}

test('parallel additions never pass the limit of 20', async () => {
  const u = createUser('pkmax');
  const auth = await login(u);
  const opts = [];
  for (let i = 0; i < 24; i++) opts.push((await registerOptions(auth, pw2fa(u))).json.publicKey);
  const results = await Promise.all(opts.map((o, i) => api('POST', '/api/v1/passkeys.register',
    { auth, json: { name: `k${i}`, credential: new Authenticator('EdDSA').create(o, rp) } })));
  assert.equal(results.filter((r) => r.status === 200).length, 20);
  assert.ok(results.filter((r) => r.status !== 200).every((r) => r.json.errorType === 'error-too-many-passkeys'));
  assert.equal(db('user', u.username).services.webauthn.count, 20);
});

test('the admin switch turns the passkey routes off', () => {
  const r = runCgi('passkeys', { method: 'POST', uri: '/api/v1/passkeys.signInOptions', body: '{}', extraConf: 'passkeys_enabled = false' });
  assert.equal(r.status, 400);
  assert.equal(r.json.errorType, 'error-not-allowed');
});

test('myaccount-admin reset-2fa removes the passkeys', async () => {
  const u = createUser('pkreset');
  const auth = await login(u);
  const a = await addPasskey(u, auth);
  execFileSync(ADMIN, ['reset-2fa', u.username], { encoding: 'utf8' });
  assert.equal(db('user', u.username).services.webauthn, undefined);
  assert.equal((await signIn(a.get(await signInOptions(), rp))).status, 401);
  await login(u); // the password alone works again
});
