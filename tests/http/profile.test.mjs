// profile.test.mjs - users.updateOwnBasicInfo, users.setStatus,
// users.getStatus, users.checkUsernameAvailability and
// users.getUsernameSuggestion through the real web server: every field,
// bad input on each (nothing stored), the admin's switches (a config of
// the stack's plus one line, the program run once as plain CGI), the
// second factor for email and password changes, N parallel claims of one
// username, and profile saves racing preference saves.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { api as rawApi, createUser, login as rawLogin, db, sha256hex, totp, runCgi, recordSecret } from './lib.mjs';

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

const update = (auth, data, extra = {}) =>
  api('POST', '/api/v1/users.updateOwnBasicInfo', { auth, json: { data }, ...extra });
const pw2fa = (u) => ({ 'x-2fa-method': 'password', 'x-2fa-code': sha256hex(u.password) });
const fresh = (p) => `${p}${randomBytes(4).toString('hex')}`;
// Passes any sane password policy and strength estimate.
const strongPassword = () => {
  const p = `Vq7!${randomBytes(9).toString('base64url')}#Lm2`;
  recordSecret('password', p);
  return p;
};

// The profile program once as plain CGI with EXTRA config lines, as AUTH.
function cgi(auth, method, uri, body, extraConf, headers = {}) {
  const env = { HTTP_X_USER_ID: auth.userId, HTTP_X_AUTH_TOKEN: auth.authToken };
  for (const [k, v] of Object.entries(headers)) env[`HTTP_${k.toUpperCase().replace(/-/g, '_')}`] = v;
  return runCgi('profile', { method, uri, body: body === undefined ? undefined : JSON.stringify(body), extraConf, env });
}

let ann, annAuth;
before(async () => {
  ann = createUser('ann');
  annAuth = await login(ann);
});

test('every plain field is saved, trimmed, and the answer is the user without secrets', async () => {
  const u = createUser('fields');
  const auth = await login(u);
  const name = fresh('Name ');
  const r = await update(auth, {
    name: `  ${name}  `, nickname: '  Nick  ', bio: '  line one\nline two  ', statusText: '  at lunch ',
    statusType: 'away',
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.success, true);
  const me = r.json.user;
  assert.equal(me._id, u.id);
  assert.equal(me.name, name);
  assert.equal(me.nickname, 'Nick');
  assert.equal(me.bio, 'line one\nline two');
  assert.equal(me.statusText, 'at lunch');
  assert.equal(me.status, 'away');
  assert.equal(me.statusDefault, 'away');
  assert.equal(me.username, u.username);
  for (const k of ['services', 'e2e', 'usernameKey']) assert.ok(!(k in me), `no ${k} in the answer`);
  assert.ok(!/argon2/.test(r.text), 'no password hash anywhere in the answer');
  const stored = db('user', u.username);
  assert.equal(stored.bio, 'line one\nline two');
  assert.equal(stored.nickname, 'Nick');
  // "" clears bio and status text; an empty name or nickname is no change (Rocket.Chat skips falsy values).
  const c = await update(auth, { bio: '', statusText: '', name: '', nickname: '' });
  assert.equal(c.status, 200, c.text);
  assert.equal(c.json.user.bio, '');
  assert.equal(c.json.user.statusText, '');
  assert.equal(c.json.user.name, name);
  assert.equal(c.json.user.nickname, 'Nick');
});

test('customFields are accepted and ignored (no custom fields are configured), as Rocket.Chat does', async () => {
  const u = createUser('custom');
  const auth = await login(u);
  const r = await api('POST', '/api/v1/users.updateOwnBasicInfo', { auth, json: { data: {}, customFields: { team: 'x' } } });
  assert.equal(r.status, 200, r.text);
  assert.ok(!('customFields' in db('user', u.username)));
});

test('bad input on every field answers 400 and changes nothing', async () => {
  const u = createUser('badinput');
  const auth = await login(u);
  assert.equal((await update(auth, { bio: 'kept', nickname: 'kept' })).status, 200);
  const beforeDoc = db('user', u.username);
  const cases = [
    [{}, 'invalid-params', 'no data'],
    [{ data: 'x' }, 'invalid-params', 'data not an object'],
    [{ data: {}, extra: 1 }, 'invalid-params', 'unknown top-level key'],
    [{ data: { bogus: 'x' } }, 'invalid-params', 'unknown data key'],
    [{ data: { name: 5 } }, 'invalid-params', 'name not a string'],
    [{ data: { name: 'a\nb' } }, 'invalid-params', 'name with a newline'],
    [{ data: { name: 'x'.repeat(257) } }, 'invalid-params', 'name too long'],
    [{ data: { username: ['a'] } }, 'invalid-params', 'username not a string'],
    [{ data: { username: 'bad name' } }, 'error-could-not-save-identity', 'username with a space'],
    [{ data: { username: 'ünï' } }, 'error-could-not-save-identity', 'username outside [0-9a-zA-Z-_.]'],
    [{ data: { username: 'a'.repeat(65) } }, 'error-could-not-save-identity', 'username over 64'],
    [{ data: { username: 'Admin' } }, 'error-could-not-save-identity', 'a system name'],
    [{ data: { username: 'HERE' } }, 'error-blocked-username', 'a mention name'],
    [{ data: { username: 'rocket.cat' } }, 'error-could-not-save-identity', "Rocket.Chat's bot"],
    [{ data: { username: ann.username.toUpperCase() } }, 'error-could-not-save-identity', 'another user\'s name in other case'],
    [{ data: { nickname: 'n'.repeat(121) } }, 'error-nickname-size-exceeded', 'nickname over 120'],
    [{ data: { nickname: true } }, 'invalid-params', 'nickname not a string'],
    [{ data: { bio: 'b'.repeat(261) } }, 'error-bio-size-exceeded', 'bio over 260'],
    [{ data: { bio: {} } }, 'invalid-params', 'bio not a string'],
    [{ data: { statusText: 'a\u0007' } }, 'invalid-params', 'status text with a control character'],
    [{ data: { statusType: 'sleeping' } }, 'error-invalid-status', 'status type not in the enum'],
    [{ data: { statusType: 1 } }, 'invalid-params', 'status type not a string'],
    [{ data: { email: 'not an address' } }, 'invalid-params', 'email malformed'],
    [{ data: { email: 'a@b.example\r\nBcc: x@y' } }, 'invalid-params', 'email with a header injection'],
    [{ data: { email: 7 } }, 'invalid-params', 'email not a string'],
    [{ data: { newPassword: 12345678 } }, 'invalid-params', 'newPassword not a string'],
    [{ data: { currentPassword: [] } }, 'invalid-params', 'currentPassword not a string'],
    [{ data: { bio: 'new', nickname: 'n'.repeat(121) } }, 'error-nickname-size-exceeded', 'a good field beside a bad one'],
    [{ data: { bio: 'new', username: 'all' } }, 'error-blocked-username', 'a good field beside a blocked name'],
    [{ data: { name: 'x' }, customFields: 'x' }, 'invalid-params', 'customFields not an object'],
  ];
  for (const [body, type, why] of cases) {
    const r = await api('POST', '/api/v1/users.updateOwnBasicInfo', { auth, json: body });
    assert.equal(r.status, 400, `${why}: ${r.text}`);
    assert.equal(r.json.success, false);
    assert.equal(r.json.errorType, type, `${why}: ${r.text}`);
    assert.ok(r.json.error.endsWith(`[${type}]`), why);
  }
  const bad = await api('POST', '/api/v1/users.updateOwnBasicInfo', { auth, body: '{"data": {"name": "x"', headers: { 'Content-Type': 'application/json' } });
  assert.equal(bad.status, 400);
  const big = await update(auth, { bio: 'x'.repeat(20000) });
  assert.equal(big.status, 413);
  assert.deepEqual(db('user', u.username), beforeDoc, 'the user document did not change at all');
});

test('bad query input on the GET routes', async () => {
  for (const uri of [`/api/v1/users.getStatus?userId=${'x'.repeat(65)}`, '/api/v1/users.getStatus?username=a%0Ab',
    `/api/v1/users.checkUsernameAvailability?username=${'x'.repeat(257)}`, '/api/v1/users.checkUsernameAvailability?username=a%07b']) {
    const r = await api('GET', uri, { auth: annAuth });
    assert.equal(r.status, 400, uri);
    // lighttpd itself refuses control characters in a URL (an HTML 400).
    if (r.json) assert.equal(r.json.errorType, 'invalid-params', uri);
    else assert.match(uri, /%0[0-9A-F]/, `only the web server's own refusal may be without JSON: ${uri}`);
  }
});

test('no answer without credentials', async () => {
  for (const [m, p] of [['POST', '/api/v1/users.updateOwnBasicInfo'], ['POST', '/api/v1/users.setStatus'],
    ['GET', '/api/v1/users.getStatus'], ['GET', '/api/v1/users.checkUsernameAvailability?username=x'],
    ['GET', '/api/v1/users.getUsernameSuggestion'], ['POST', '/api/v1/users.deleteOwnAccount']]) {
    const r = await api(m, p, { json: m === 'POST' ? {} : undefined });
    assert.equal(r.status, 401, `${m} ${p}`);
  }
});

test('a username change: rules, case, seclog, the old name free again, sign-in by the new name', async () => {
  const u = createUser('rename');
  const auth = await login(u);
  const name = fresh('New.Name_');
  const r = await update(auth, { username: `  ${name} ` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.user.username, name);
  const stored = db('user-by-id', u.id);
  assert.equal(stored.username, name);
  assert.equal(stored.usernameKey, name.toLowerCase());
  // Only the case: the caller's own name, no availability question.
  const upper = await update(auth, { username: name.toUpperCase() });
  assert.equal(upper.status, 200, upper.text);
  assert.equal(db('user-by-id', u.id).usernameKey, name.toLowerCase());
  const l = await api('POST', '/api/v1/login', { json: { user: name.toUpperCase(), password: u.password } });
  assert.equal(l.status, 200, 'signs in by the new name');
  assert.ok(db('security-events', u.id).includes('username.changed'), 'the change is in the security log');
  const old = await api('GET', `/api/v1/users.checkUsernameAvailability?username=${u.username}`, { auth: annAuth });
  assert.equal(old.json.result, true, 'the old name is free again');
});

test('N parallel requests taking one name (in any case): exactly one wins', async () => {
  const users = Array.from({ length: 8 }, (_, i) => createUser(`race${i}`));
  const auths = await Promise.all(users.map((u) => login(u)));
  const name = fresh('claim');
  const spell = (i) => (i % 2 ? name.toUpperCase() : name);
  const results = await Promise.all(auths.map((a, i) => update(a, { username: spell(i) })));
  const won = results.filter((r) => r.status === 200);
  assert.equal(won.length, 1, results.map((r) => r.text).join('\n'));
  for (const r of results.filter((x) => x.status !== 200)) {
    assert.equal(r.status, 400);
    assert.equal(r.json.errorType, 'error-could-not-save-identity');
  }
  const holders = users.map((u) => db('user-by-id', u.id)).filter((d) => d.usernameKey === name.toLowerCase());
  assert.equal(holders.length, 1, 'one user holds the name');
});

test('checkUsernameAvailability: free, taken in any case, own, invalid, blocked, missing', async () => {
  const q = (n) => api('GET', `/api/v1/users.checkUsernameAvailability?username=${encodeURIComponent(n)}`, { auth: annAuth });
  let r = await q(fresh('free'));
  assert.equal(r.status, 200);
  assert.equal(r.json.result, true);
  const other = createUser('taken');
  r = await q(other.username.toUpperCase());
  assert.equal(r.json.result, false);
  assert.equal(r.json.reason, 'taken');
  r = await q(ann.username);
  assert.equal(r.json.result, true, 'the caller\'s own name');
  r = await q('two words');
  assert.equal(r.json.result, false);
  assert.equal(r.json.reason, 'invalid');
  for (const n of ['all', 'Here', 'admin', 'SYSTEM', 'administrator', 'user', 'rocket.cat']) {
    r = await q(n);
    assert.equal(r.status, 400, n);
    assert.equal(r.json.errorType, 'error-blocked-username', n);
  }
  r = await q('');
  assert.equal(r.json.errorType, 'error-invalid-username');
  r = await api('GET', '/api/v1/users.checkUsernameAvailability', { auth: annAuth });
  assert.equal(r.status, 400);
  assert.equal(r.json.errorType, 'invalid-params');
});

test('getUsernameSuggestion: a free name from the name, then the email, numbered when taken', async () => {
  const u = createUser('sugg');
  const auth = await login(u);
  const base = fresh('zed');
  assert.equal((await update(auth, { name: `${base} Über Smith` })).status, 200);
  let r = await api('GET', '/api/v1/users.getUsernameSuggestion', { auth });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.result, `${base}.ber.smith`);
  // Someone takes it. The email's local part is the caller's own name here
  // (not a new name) and "user" is reserved, so the name's slug is numbered.
  const other = createUser('sugg2');
  const oAuth = await login(other);
  assert.equal((await update(oAuth, { username: `${base}.ber.smith` })).status, 200);
  r = await api('GET', '/api/v1/users.getUsernameSuggestion', { auth });
  assert.equal(r.json.result, `${base}.ber.smith-1`);
  // With the name slug gone too, the email address's local part (before a +tag).
  const e = createUser('sugg3');
  const eAuth = await login(e);
  const local = fresh('mail');
  db('set-email', e.username, `${local}+tag@example.org`);
  const s2 = await api('GET', '/api/v1/users.getUsernameSuggestion', { auth: eAuth });
  assert.equal(s2.status, 200);
  // createUser's name is "Test <username>": its slug comes first.
  assert.equal(s2.json.result, `test.${e.username.toLowerCase()}`);
  assert.equal((await update(oAuth, { username: `test.${e.username}` })).status, 200);
  const s3 = await api('GET', '/api/v1/users.getUsernameSuggestion', { auth: eAuth });
  assert.equal(s3.json.result, local);
});

test('the suggestion is never the caller\'s own name nor a taken one', async () => {
  const u = createUser('own');
  const auth = await login(u);
  const r = await api('GET', '/api/v1/users.getUsernameSuggestion', { auth });
  assert.equal(r.status, 200);
  assert.notEqual(r.json.result.toLowerCase(), u.username.toLowerCase());
  const c = await api('GET', `/api/v1/users.checkUsernameAvailability?username=${r.json.result}`, { auth: annAuth });
  assert.equal(c.json.result, true, r.json.result);
});

test('an email or password change asks for the second factor; currentPassword is the password method', async () => {
  const u = createUser('secondf');
  const auth = await login(u);
  const email = `${fresh('new')}@example.org`;
  let r = await update(auth, { email });
  assert.equal(r.status, 400);
  assert.equal(r.json.errorType, 'totp-required');
  assert.equal(r.json.details.method, 'password');
  assert.deepEqual(r.json.details.availableMethods, ['password']);
  r = await update(auth, { email, currentPassword: sha256hex('wrong') });
  assert.equal(r.json.errorType, 'totp-invalid');
  r = await update(auth, { email, name: 'Changed Too' }, { headers: { 'x-2fa-method': 'password', 'x-2fa-code': sha256hex('nope') } });
  assert.equal(r.json.errorType, 'totp-invalid');
  assert.notEqual(db('user-by-id', u.id).name, 'Changed Too', 'nothing saved on a wrong code');
  r = await update(auth, { email, currentPassword: sha256hex(u.password) });
  assert.equal(r.status, 200, r.text);
  assert.equal(db('user-by-id', u.id).emails[0].address.toLowerCase(), email);
  // The same address again is no change: no second factor.
  r = await update(auth, { email: email.toUpperCase(), bio: 'same email' });
  assert.equal(r.status, 200, r.text);
  // A password change, with the code in the headers this time.
  const pw = strongPassword();
  r = await update(auth, { newPassword: pw });
  assert.equal(r.json.errorType, 'totp-required');
  r = await update(auth, { newPassword: pw }, { headers: pw2fa(u) });
  assert.equal(r.status, 200, r.text);
  const l = await api('POST', '/api/v1/login', { json: { user: u.username, password: pw } });
  assert.equal(l.status, 200, 'the new password signs in');
});

test('a TOTP user is asked for the TOTP code; currentPassword does not stand in for it', async () => {
  const u = createUser('totpuser');
  const auth = await login(u);
  const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
  db('set-totp', u.username, secret);
  const email = `${fresh('t')}@example.org`;
  let r = await update(auth, { email, currentPassword: sha256hex(u.password) });
  assert.equal(r.status, 400);
  assert.equal(r.json.errorType, 'totp-required');
  assert.equal(r.json.details.method, 'totp');
  r = await update(auth, { email }, { headers: { 'x-2fa-method': 'totp', 'x-2fa-code': totp(secret) } });
  assert.equal(r.status, 200, r.text);
  // Strict: the code just given is not remembered for the next change.
  r = await update(auth, { email: `${fresh('t2')}@example.org` });
  assert.equal(r.json.errorType, 'totp-required');
});

test('a personal access token that skips 2FA still needs it for email and password', async () => {
  const u = createUser('patstrict');
  const auth = await login(u);
  const g = await api('POST', '/api/v1/users.generatePersonalAccessToken', {
    auth, json: { tokenName: 'script', bypassTwoFactor: true }, headers: pw2fa(u) });
  assert.equal(g.status, 200, g.text);
  const pat = { userId: u.id, authToken: g.json.token };
  const r = await update(pat, { email: `${fresh('p')}@example.org` });
  assert.equal(r.json.errorType, 'totp-required');
  const ok = await update(pat, { bio: 'no second factor for this' });
  assert.equal(ok.status, 200, ok.text);
});

test('setStatus and getStatus', async () => {
  const u = createUser('status');
  const auth = await login(u);
  let g = await api('GET', '/api/v1/users.getStatus', { auth });
  assert.equal(g.status, 200);
  assert.deepEqual(g.json, { _id: u.id, connectionStatus: 'offline', status: 'offline', success: true });
  let r = await api('POST', '/api/v1/users.setStatus', { auth, json: { status: 'busy', message: '  in a meeting  ' } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { success: true });
  let doc = db('user-by-id', u.id);
  assert.equal(doc.status, 'busy');
  assert.equal(doc.statusDefault, 'busy');
  assert.equal(doc.statusText, 'in a meeting');
  g = await api('GET', '/api/v1/users.getStatus', { auth });
  assert.equal(g.json.status, 'busy');
  // Another user's status by id or name: {_id, status}.
  g = await api('GET', `/api/v1/users.getStatus?username=${u.username}`, { auth: annAuth });
  assert.deepEqual(g.json, { _id: u.id, status: 'busy', success: true });
  g = await api('GET', `/api/v1/users.getStatus?userId=${u.id}`, { auth: annAuth });
  assert.equal(g.json.status, 'busy');
  g = await api('GET', '/api/v1/users.getStatus?username=nobody-such-user', { auth: annAuth });
  assert.equal(g.json.errorType, 'error-invalid-user');
  // message alone; "" clears it; long text is cut to 120 characters; form bodies too.
  r = await api('POST', '/api/v1/users.setStatus', { auth, form: { message: 'é'.repeat(200) } });
  assert.equal(r.status, 200, r.text);
  assert.equal(db('user-by-id', u.id).statusText, 'é'.repeat(120));
  r = await api('POST', '/api/v1/users.setStatus', { auth, json: { message: '' } });
  assert.equal(db('user-by-id', u.id).statusText, '');
  doc = db('user-by-id', u.id);
  for (const [body, type] of [
    [{}, 'invalid-params'], [{ status: 'sleeping' }, 'error-invalid-status'], [{ status: 5 }, 'invalid-params'],
    [{ message: 'x\ny' }, 'invalid-params'], [{ message: 'ok', status: 'gone' }, 'error-invalid-status'],
    [{ status: 'away', userId: annAuth.userId }, 'error-action-not-allowed'],
  ]) {
    r = await api('POST', '/api/v1/users.setStatus', { auth, json: body });
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.json.errorType, type, JSON.stringify(body));
  }
  assert.deepEqual(db('user-by-id', u.id), doc, 'refused status changes stored nothing');
  r = await api('POST', '/api/v1/users.setStatus', { auth, json: { status: 'offline', userId: u.id, ignored: 1 } });
  assert.equal(r.status, 200, 'own id and unknown keys are fine, as Rocket.Chat\'s check()');
});

test('every admin switch answers with Rocket.Chat\'s error and stores nothing', async () => {
  const u = createUser('switches');
  const auth = await login(u);
  const doc = db('user-by-id', u.id);
  const B = '/api/v1/users.updateOwnBasicInfo';
  const cases = [
    ['allow_profile_change = false', B, { data: { bio: 'x' } }, 'error-not-allowed', /^Not allowed/],
    ['allow_username_change = false', B, { data: { username: fresh('sw') } }, 'error-action-not-allowed', /^Edit username is not allowed/],
    ['allow_status_message_change = false', B, { data: { statusText: 'x' } }, 'error-action-not-allowed', /^Edit user status is not allowed/],
    ['allow_name_change = false', B, { data: { name: 'Other Name' } }, 'error-action-not-allowed', /^Edit user real name is not allowed/],
    ['allow_email_change = false', B, { data: { email: 'other@example.org' } }, 'error-action-not-allowed', /^Edit user email is not allowed/],
    ['allow_password_change = false', B, { data: { newPassword: 'Whatever-9x!' } }, 'error-action-not-allowed', /^Edit user password is not allowed/],
    ['allow_invisible_status = false', B, { data: { statusType: 'offline' } }, 'error-status-not-allowed', /^Invisible status is disabled/],
    ['allow_status_message_change = false', '/api/v1/users.setStatus', { status: 'away' }, 'error-not-allowed', /^Change status is not allowed/],
    ['allow_invisible_status = false', '/api/v1/users.setStatus', { status: 'offline', message: 'x' }, 'error-status-not-allowed', /^Invisible status is disabled/],
    [`blocked_usernames = foo, ${'Blocked'}Name ,bar`, B, { data: { username: 'blockedNAME' } }, 'error-blocked-username', /blocked/],
  ];
  for (const [conf, uri, body, type, msg] of cases) {
    const r = cgi(auth, 'POST', uri, body, conf);
    assert.equal(r.status, 400, `${conf}: ${r.raw}`);
    assert.equal(r.json.errorType, type, `${conf}: ${r.raw}`);
    assert.match(r.json.error, msg, conf);
  }
  // Unchanged values pass a switch that is off (Rocket.Chat compares with the stored value).
  const same = cgi(auth, 'POST', B, { data: { username: u.username, name: doc.name, bio: 'allowed' } },
    'allow_username_change = false\nallow_name_change = false');
  assert.equal(same.status, 200, same.raw);
  assert.equal(db('user-by-id', u.id).bio, 'allowed');
  const avail = cgi(auth, 'GET', '/api/v1/users.checkUsernameAvailability?username=abc', undefined, 'allow_username_change = false');
  assert.equal(avail.json.errorType, 'error-not-allowed');
  const blocked = cgi(auth, 'GET', '/api/v1/users.checkUsernameAvailability?username=BAR', undefined, 'blocked_usernames = foo,bar');
  assert.equal(blocked.json.errorType, 'error-blocked-username');
  const after = db('user-by-id', u.id);
  delete after.bio; delete after._updatedAt;
  const was = { ...doc }; delete was.bio; delete was._updatedAt;
  assert.deepEqual(after, was, 'nothing but the allowed bio changed');
});

test('profile saves racing preference saves keep both', async () => {
  const u = createUser('race');
  const auth = await login(u);
  for (let i = 0; i < 6; i++) {
    const [a, b] = await Promise.all([
      update(auth, { bio: `bio ${i}`, nickname: `nick ${i}` }),
      api('POST', '/api/v1/users.setPreferences', { auth, json: { data: { notificationsSoundVolume: i, sidebarShowUnread: i % 2 === 0 } } }),
    ]);
    assert.equal(a.status, 200, a.text);
    assert.equal(b.status, 200, b.text);
    const d = db('user-by-id', u.id);
    assert.equal(d.bio, `bio ${i}`);
    assert.equal(d.nickname, `nick ${i}`);
    assert.equal(d.settings.preferences.notificationsSoundVolume, i);
    assert.equal(d.settings.preferences.sidebarShowUnread, i % 2 === 0);
  }
});
