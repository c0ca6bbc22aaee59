// auth.test.mjs - the login program through a real web server: every
// endpoint, its Rocket.Chat shapes, bad input on every field, cookies + CSRF.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, createUser, login, db, sha256hex, cookiesFrom, randomIp } from './lib.mjs';

let alice;
before(() => { alice = createUser('alice'); });

const sessionsOf = (u) => db('count-tokens', u.id, 'session');

test('GET /api/info answers the version without auth', async () => {
  const r = await api('GET', '/api/info');
  assert.equal(r.status, 200);
  assert.equal(r.json.success, true);
  // The Rocket.Chat API level, without its patch number, as Rocket.Chat's
  // getServerInfo() answers; clients refuse servers they think too old.
  assert.match(r.json.version, /^\d+\.\d+$/);
  assert.ok(Number(r.json.version.split('.')[0]) >= 7, 'a 7.x level');
  assert.equal(typeof r.json.minimumClientVersions.desktop, 'string');
  assert.equal(typeof r.json.minimumClientVersions.mobile, 'string');
  assert.match(r.json.myaccountVersion, /^\d+\.\d+\.\d+$/, 'our own version beside it');
  // Our addition: the admin's switches, so the SPA can hide what is off.
  for (const v of Object.values(r.json.features)) assert.equal(typeof v, 'boolean');
  assert.equal(r.json.features.personalAccessTokens, true);
  assert.equal(r.json.features.deleteOwnAccount, false, 'off unless the admin allows it');
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.match(r.headers.get('content-type'), /^application\/json/);
});

test('login by username, by email in any case, by user=email, by digest, by form', async () => {
  const bodies = [
    { json: { user: alice.username, password: alice.password } },
    { json: { username: alice.username, password: alice.password } },
    { json: { email: alice.email.toUpperCase(), password: alice.password } },
    { json: { user: alice.email, password: alice.password } },
    { json: { user: alice.username, password: { digest: sha256hex(alice.password), algorithm: 'sha-256' } } },
    { json: { user: alice.username, password: { digest: sha256hex(alice.password).toUpperCase(), algorithm: 'sha-256' } } },
    { form: { user: alice.username, password: alice.password } },
    // Meteor's selector objects, as some Rocket.Chat clients send them
    { json: { user: { username: alice.username }, password: { digest: sha256hex(alice.password), algorithm: 'sha-256' } } },
    { json: { user: { email: alice.email }, password: alice.password } },
  ];
  for (const b of bodies) {
    const r = await api('POST', '/api/v1/login', b);
    assert.equal(r.status, 200, JSON.stringify(b) + ' -> ' + r.text);
    assert.equal(r.json.status, 'success');
    assert.equal(r.json.success, true);
    assert.equal(r.json.data.userId, alice.id);
    assert.match(r.json.data.authToken, /^[A-Za-z0-9_-]{43}$/);
    const me = r.json.data.me;
    assert.equal(me._id, alice.id);
    assert.equal(me.username, alice.username);
    assert.equal(me.email, alice.email.toLowerCase());
    assert.deepEqual(me.services, { password: { exists: true } });
    assert.equal(me.settings.preferences.idleTimeLimit, 300);
    assert.ok(!r.text.includes('argon2'), 'no password hash in the answer');
  }
});

test('tokens are stored only as hashes', async () => {
  const t = await login(alice);
  const doc = db('user', alice.username);
  assert.ok(!JSON.stringify(doc).includes(t.authToken));
  const r = await api('GET', '/api/v1/me', { auth: t });
  assert.equal(r.status, 200);
});

test('unknown user and wrong password answer exactly the same', async () => {
  const a = await api('POST', '/api/v1/login', { json: { user: alice.username, password: 'wrong-password' } });
  const b = await api('POST', '/api/v1/login', { json: { user: 'nobody-' + Date.now(), password: 'wrong-password' } });
  assert.equal(a.status, 401);
  assert.equal(b.status, 401);
  assert.equal(a.text, b.text);
  assert.deepEqual(a.json, { success: false, error: 'Unauthorized', status: 'error', message: 'Unauthorized' });
});

test('GET /api/v1/me needs valid headers', async () => {
  const t = await login(alice);
  const ok = await api('GET', '/api/v1/me', { auth: t });
  assert.equal(ok.status, 200);
  assert.equal(ok.json.username, alice.username);
  assert.equal(ok.json.avatarUrl.endsWith('/avatar/' + alice.username), true);
  const bob = createUser('bob');
  const cases = [
    {},
    { auth: { userId: alice.id, authToken: 'x'.repeat(43) } },
    { auth: { userId: bob.id, authToken: t.authToken } },          // someone else's id
    { auth: { userId: alice.id, authToken: t.authToken + 'x' } },
    { auth: { userId: 'a\u00e9', authToken: t.authToken } },
    { headers: { 'X-Auth-Token': t.authToken } },                  // no user id
  ];
  for (const c of cases) {
    const r = await api('GET', '/api/v1/me', c);
    assert.equal(r.status, 401, JSON.stringify(c));
    assert.equal(r.json.error, 'You must be logged in to do this.');
    assert.equal(r.json.status, 'error');
  }
});

test('logout revokes only the caller token', async () => {
  const t1 = await login(alice);
  const t2 = await login(alice);
  const r = await api('POST', '/api/v1/logout', { auth: t1 });
  assert.equal(r.status, 200);
  assert.equal(r.json.status, 'success');
  assert.equal(r.json.data.message, "You've been logged out!");
  assert.equal((await api('GET', '/api/v1/me', { auth: t1 })).status, 401);
  assert.equal((await api('GET', '/api/v1/me', { auth: t2 })).status, 200);
});

test('users.logoutOtherClients keeps the caller and ends the rest', async () => {
  const carol = createUser('carol');
  const keep = await login(carol);
  const other = await login(carol);
  const r = await api('POST', '/api/v1/users.logoutOtherClients', { auth: keep });
  assert.equal(r.status, 200);
  assert.equal(r.json.success, true);
  assert.equal(r.json.token, keep.authToken);
  assert.ok(!Number.isNaN(Date.parse(r.json.tokenExpires)));
  assert.equal((await api('GET', '/api/v1/me', { auth: other })).status, 401);
  assert.equal((await api('GET', '/api/v1/me', { auth: keep })).status, 200);
  assert.equal(sessionsOf(carol), 1);
});

test('sessions/list shows the caller sessions; logout.me ends one', async () => {
  const dave = createUser('dave');
  const a = await login(dave, { headers: { 'User-Agent': 'TestAgent/1.0' } });
  const b = await login(dave);
  const list = await api('GET', '/api/v1/sessions/list', { auth: a });
  assert.equal(list.status, 200);
  assert.equal(list.json.sessions.length, 2);
  const current = list.json.sessions.filter((s) => s.current);
  assert.equal(current.length, 1);
  assert.equal(current[0].userAgent, 'TestAgent/1.0');
  for (const s of list.json.sessions) {
    assert.match(s.id, /^[A-Za-z0-9]{16}$/);
    for (const k of ['createdAt', 'lastSeenAt', 'expiresAt']) assert.ok(!Number.isNaN(Date.parse(s[k])), k);
    assert.ok(!JSON.stringify(s).includes(a.authToken) && !JSON.stringify(s).includes(b.authToken));
  }
  const other = list.json.sessions.find((s) => !s.current);
  const gone = await api('POST', '/api/v1/sessions/logout.me', { auth: a, json: { sessionId: other.id } });
  assert.equal(gone.status, 200);
  assert.equal((await api('GET', '/api/v1/me', { auth: b })).status, 401);
  const again = await api('POST', '/api/v1/sessions/logout.me', { auth: a, json: { sessionId: other.id } });
  assert.equal(again.status, 400);
  assert.equal(again.json.errorType, 'error-session-not-found');
  // Someone else's session id is not found either.
  const eve = createUser('eve');
  const et = await login(eve);
  const elist = await api('GET', '/api/v1/sessions/list', { auth: et });
  const steal = await api('POST', '/api/v1/sessions/logout.me', { auth: a, json: { sessionId: elist.json.sessions[0].id } });
  assert.equal(steal.status, 400);
  assert.equal((await api('GET', '/api/v1/me', { auth: et })).status, 200);
});

// Rocket.Chat's /login answers every refusal with 401 and its own shape (the
// code in "error", no errorType), so clients raise an authentication error.
test('bad login input gets a clear 401 in the login shape and stores nothing', async () => {
  const frank = createUser('frank');
  const before = sessionsOf(frank);
  const long = 'x'.repeat(2000);
  const cases = [
    [{ json: '{"user":' }, 401, 'error-invalid-request'],
    [{ json: '{"user":"a",}' }, 401, 'error-invalid-request'],
    [{ json: '[1,2]' }, 401, 'error-invalid-request'],
    [{ json: '"text"' }, 401, 'error-invalid-request'],
    [{ json: { user: frank.username } }, 401, 'invalid-params'],
    [{ json: { password: frank.password } }, 401, 'invalid-params'],
    [{ json: {} }, 401, 'invalid-params'],
    [{ json: { user: 5, password: frank.password } }, 401, 'invalid-params'],
    [{ json: { user: frank.username, password: 5 } }, 401, 'invalid-params'],
    [{ json: { user: frank.username, password: true } }, 401, 'invalid-params'],
    [{ json: { user: frank.username, password: { digest: 'abc', algorithm: 'sha-256' } } }, 401, 'invalid-params'],
    [{ json: { user: frank.username, password: { digest: sha256hex('x'), algorithm: 'md5' } } }, 401, 'invalid-params'],
    [{ json: { user: long, password: frank.password } }, 401, 'invalid-params'],
    [{ json: { user: frank.username, password: long } }, 401, 'invalid-params'],
    [{ json: { user: frank.username, password: '' } }, 401, 'invalid-params'],
    [{ json: { user: '', password: frank.password } }, 401, 'invalid-params'],
    [{ json: { user: 'a\nb', password: frank.password } }, 401, 'invalid-params'],
    [{ json: { user: frank.username, password: frank.password, code: 123456 } }, 401, 'invalid-params'],
    [{ json: { user: null, password: frank.password } }, 401, 'invalid-params'],
    [{ json: { user: { username: frank.username, email: frank.email }, password: frank.password } }, 401, 'invalid-params'],
    [{ json: { user: { id: 'x' }, password: frank.password } }, 401, 'invalid-params'],
    [{ json: { user: frank.username, username: frank.username, password: frank.password } }, 401, 'invalid-params'],
    [{ json: { resume: 'r'.repeat(43), password: frank.password } }, 401, 'invalid-params'],
    [{ json: { totp: { code: '123456' } } }, 401, 'invalid-params'],
    [{ json: { totp: { code: '123456', login: { user: frank.username, password: frank.password } }, user: frank.username } }, 401, 'invalid-params'],
    [{ body: `user=${frank.username}`, headers: { 'Content-Type': 'text/plain' } }, 415, 'error-unsupported-media-type'],
    [{ json: JSON.stringify({ user: frank.username, password: 'p'.repeat(9000) }) }, 413, 'error-too-large'],
    [{ body: 'user=%zz&password=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }, 401, 'error-invalid-request'],
  ];
  for (const [opts, status, type] of cases) {
    const r = await api('POST', '/api/v1/login', opts);
    assert.equal(r.status, status, JSON.stringify(opts).slice(0, 200) + ' -> ' + r.text);
    assert.equal(r.json.success, false);
    if (status === 401) {
      assert.equal(r.json.error, type, r.text);
      assert.equal(r.json.status, 'error');
      assert.equal(r.json.errorType, undefined, 'no errorType on /login, as Rocket.Chat');
      assert.ok(r.json.message.length > 10, 'a readable message');
    } else {
      assert.equal(r.json.errorType, type, r.text);
      assert.ok(r.json.error.length > 10, 'a readable message');
    }
  }
  const wrongType = await api('POST', '/api/v1/login', { json: { user: frank.username, password: 5 } });
  assert.deepEqual(wrongType.json.details, { field: 'password' }, 'the failing field is named in details');
  assert.match(wrongType.json.message, /'password'/);
  assert.equal(sessionsOf(frank), before, 'no session was stored');
});

test('login ignores keys it does not know, as Rocket.Chat does', async () => {
  const gwen = createUser('gwen');
  for (const opts of [
    { json: { user: gwen.username, password: gwen.password, admin: true, bogus: { x: 1 } } },
    { form: { user: gwen.username, password: gwen.password, extra: '1' } },
  ]) {
    const r = await api('POST', '/api/v1/login', opts);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.data.me.admin, undefined, 'an ignored key is not stored or echoed');
  }
});

test('routing: 404 for unknown API paths, 405 with Allow for wrong methods', async () => {
  const nf = await api('GET', '/api/v1/no.such.endpoint');
  assert.equal(nf.status, 404);
  assert.equal(nf.json.success, false);
  const m = await api('GET', '/api/v1/login');
  assert.equal(m.status, 405);
  assert.equal(m.headers.get('allow'), 'POST');
  const d = await api('DELETE', '/api/v1/me');
  assert.equal(d.status, 405);
  // Unknown query parameters are ignored everywhere (cache busters, fields=).
  for (const qs of ['extra=1', '_=1733100000000', 'fields=%7B%22name%22%3A1%7D&count=10&offset=0']) {
    const q = await api('GET', `/api/v1/me?${qs}`, { auth: await login(alice) });
    assert.equal(q.status, 200, `${qs}: ${q.text}`);
  }
  const big = await api('POST', '/api/v1/logout', { auth: await login(alice), json: { pad: 'x'.repeat(2000) } });
  assert.equal(big.status, 413, 'each route has its own body limit');
  assert.equal(big.json.errorType, 'error-too-large');
  const anon = await api('POST', '/api/v1/logout', { json: { pad: 'x'.repeat(2000) } });
  assert.equal(anon.status, 401, 'not logged in is said before anything else');
  // Bodies larger than a pipe buffer, left unread: the answer still arrives
  // (plain CGI must drain them or fcgiwrap turns the answer into a 502).
  const huge = await api('POST', '/api/v1/logout', { json: { pad: 'x'.repeat(300 * 1024) } });
  assert.equal(huge.status, 401);
  const hugeLogin = await api('POST', '/api/v1/login', { json: { pad: 'x'.repeat(300 * 1024) } });
  assert.equal(hugeLogin.status, 413);
});

test('cookie sessions: HttpOnly SameSite=Strict cookie, CSRF header required', async () => {
  const r = await api('POST', '/api/v1/login', {
    json: { user: alice.username, password: alice.password }, headers: { 'X-Session-Cookie': '1' },
  });
  assert.equal(r.status, 200);
  assert.equal(r.json.data.authToken, undefined, 'no token for scripts in cookie mode');
  const jar = cookiesFrom(r);
  assert.ok(jar.rc_session && jar.rc_csrf);
  assert.ok(jar.rc_session.attrs.includes('HttpOnly'));
  assert.ok(jar.rc_session.attrs.includes('SameSite=Strict'));
  assert.ok(!jar.rc_csrf.attrs.includes('HttpOnly'), 'the SPA reads the CSRF cookie');
  const cookie = `rc_session=${jar.rc_session.value}; rc_csrf=${jar.rc_csrf.value}`;
  const me = await api('GET', '/api/v1/me', { headers: { Cookie: cookie } });
  assert.equal(me.status, 200);
  assert.equal(me.json.username, alice.username);

  const noCsrf = await api('POST', '/api/v1/users.logoutOtherClients', { headers: { Cookie: cookie } });
  assert.equal(noCsrf.status, 403);
  assert.equal(noCsrf.json.errorType, 'error-csrf');
  const wrong = await api('POST', '/api/v1/logout', { headers: { Cookie: cookie, 'X-CSRF-Token': 'A'.repeat(43) } });
  assert.equal(wrong.status, 403);
  assert.equal((await api('GET', '/api/v1/me', { headers: { Cookie: cookie } })).status, 200, 'still signed in');

  const out = await api('POST', '/api/v1/logout', { headers: { Cookie: cookie, 'X-CSRF-Token': jar.rc_csrf.value } });
  assert.equal(out.status, 200);
  const cleared = cookiesFrom(out);
  assert.equal(cleared.rc_session.value, '');
  assert.ok(cleared.rc_session.attrs.includes('Max-Age=0'));
  assert.equal((await api('GET', '/api/v1/me', { headers: { Cookie: cookie } })).status, 401);
});

test('a forged or malformed session cookie is refused', async () => {
  for (const v of ['', 'short', 'x'.repeat(43), '../../etc', 'a'.repeat(500)]) {
    const r = await api('GET', '/api/v1/me', { headers: { Cookie: `rc_session=${v}` } });
    assert.equal(r.status, 401, v);
  }
});

test('brute force: the account locks after repeated failures, with Rocket.Chat error-login-blocked-for-user', async () => {
  const gina = createUser('gina');
  const limit = Number(process.env.LOGIN_MAX_PER_USER ?? 5);
  for (let i = 0; i < limit; i++) {
    // Each attempt from a different address: the per-account limit must hold anyway.
    const r = await api('POST', '/api/v1/login', { json: { user: gina.username, password: 'wrong' }, headers: { 'X-Forwarded-For': randomIp() } });
    assert.equal(r.status, 401);
  }
  const locked = await api('POST', '/api/v1/login', { json: { user: gina.username, password: gina.password }, headers: { 'X-Forwarded-For': randomIp() } });
  assert.equal(locked.status, 401, locked.text);
  assert.equal(locked.json.error, 'error-login-blocked-for-user');
  assert.equal(locked.json.status, 'error');
  assert.match(locked.json.message, /^Too many failed sign-ins for this account; try again in \d+ seconds$/);
  assert.equal(locked.headers.get('x-ratelimit-remaining'), '0');
  assert.ok(Number(locked.headers.get('x-ratelimit-reset')) > Date.now());
  assert.ok(Number(locked.headers.get('retry-after')) > 0);
  // The lock does not say whether the account exists: an unknown name locks the same way.
  const ghost = 'ghost' + Date.now();
  let last;
  for (let i = 0; i <= limit; i++) {
    last = await api('POST', '/api/v1/login', { json: { user: ghost, password: 'wrong' }, headers: { 'X-Forwarded-For': randomIp() } });
  }
  assert.equal(last.json.error, 'error-login-blocked-for-user', last.text);
});

test('brute force: one address is limited across accounts', async () => {
  const ip = randomIp();
  const limit = Number(process.env.LOGIN_MAX_PER_IP ?? 12);
  for (let i = 0; i < limit; i++) {
    const r = await api('POST', '/api/v1/login', { json: { user: `spray${i}-${Date.now()}`, password: 'x' }, headers: { 'X-Forwarded-For': ip } });
    assert.equal(r.status, 401);
  }
  const r = await api('POST', '/api/v1/login', { json: { user: alice.username, password: alice.password }, headers: { 'X-Forwarded-For': ip } });
  assert.equal(r.status, 401, r.text);
  assert.equal(r.json.error, 'error-login-blocked-for-ip', 'the address is what is blocked');
  assert.ok(Number(r.headers.get('retry-after')) > 0, 'with when to try again');
  const elsewhere = await api('POST', '/api/v1/login', { json: { user: alice.username, password: alice.password }, headers: { 'X-Forwarded-For': randomIp() } });
  assert.equal(elsewhere.status, 200, 'other addresses are not affected');
});

test('resume login returns the same token', async () => {
  const t = await login(alice);
  const r = await api('POST', '/api/v1/login', { json: { resume: t.authToken } });
  assert.equal(r.status, 200);
  assert.equal(r.json.data.authToken, t.authToken);
  const bad = await api('POST', '/api/v1/login', { json: { resume: 'y'.repeat(43) } });
  assert.equal(bad.status, 401);
});

test('bad input on the other auth endpoints gets a clear 4xx and changes nothing', async () => {
  const u = createUser('xena');
  const t = await login(u);
  const other = await login(u);
  const cases = [
    ['/api/v1/sessions/logout.me', { json: {} }, 'invalid-params'],
    ['/api/v1/sessions/logout.me', { json: { sessionId: 5 } }, 'invalid-params'],
    ['/api/v1/sessions/logout.me', { json: { sessionId: 'x'.repeat(33) } }, 'invalid-params'],
    ['/api/v1/sessions/logout.me', { json: { sessionId: '' } }, 'invalid-params'],
    ['/api/v1/sessions/logout.me', { json: { sessionId: 'abc', extra: true } }, 'invalid-params'],
    ['/api/v1/sessions/logout.me', { json: '{"sessionId":' }, 'error-invalid-request'],
    ['/api/v1/users.logoutOtherClients', { json: '[]' }, 'error-invalid-request'],
    ['/api/v1/users.2fa.sendEmailCode', { json: { emailOrUsername: 'x'.repeat(255) } }, 'invalid-params'],
    ['/api/v1/users.2fa.sendEmailCode', { json: { emailOrUsername: 'a\u0000b' } }, 'invalid-params'],
  ];
  for (const [p, opts, type] of cases) {
    const r = await api('POST', p, { auth: t, ...opts });
    assert.equal(r.status, 400, `${p} ${JSON.stringify(opts)} -> ${r.text}`);
    assert.equal(r.json.errorType, type, r.text);
  }
  assert.equal((await api('GET', '/api/v1/me', { auth: t })).status, 200, 'still signed in');
  assert.equal((await api('GET', '/api/v1/me', { auth: other })).status, 200, 'the other session too');
});
