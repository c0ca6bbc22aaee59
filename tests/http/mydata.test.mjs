// mydata.test.mjs - My Data through a real web server and the real worker:
// users.requestDataDownload in Rocket.Chat's shape with its 24-hour reuse,
// the rate limit and the admin switch; `myaccount-admin run-queue` makes the
// archive (leased claim: two workers make it once, a killed worker's job is
// made by the next run after its lease); both formats' contents checked
// field by field against the stored documents, with no secret anywhere in
// them; the mailed link works for the owner only and not after expiry.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  api as rawApi, createUser, login as rawLogin, db, sha256hex, runCgi, recordSecret, waitForMails, ADMIN,
} from './lib.mjs';
import { mimeParts, py } from './mail-lib.mjs';

// These tests read and change the database through synchronous helpers
// (python, the admin tool). While one blocks the event loop, the web server
// may close an idle keep-alive connection (lighttpd: after 5 s, checked
// once a second), and fetch can send on the socket it is closing ("fetch
// failed", the request never read). So every request first lets the loop
// take in what arrived, and one that died on such a socket is sent once
// more (each one here is safe to repeat: a sign-in, a read, a request that
// answers the same job within 24 hours).
const settle = () => new Promise((resolve) => setTimeout(resolve, 5));
const deadSocket = (err) => err instanceof TypeError && /fetch failed/.test(err.message) &&
  /UND_ERR_SOCKET|ECONNRESET|EPIPE|other side closed/.test(`${err.cause?.code} ${err.cause?.message}`);
async function once(fn) {
  await settle();
  try {
    return await fn();
  } catch (err) {
    if (!deadSocket(err)) throw err;
    return fn();
  }
}
const api = (...args) => once(() => rawApi(...args));
const login = (...args) => once(() => rawLogin(...args));

const REQ = '/api/v1/users.requestDataDownload';
const STATUS = '/api/v1/users.dataDownloadStatus';

// The worker, as cron runs it; ENV adds variables (the step delay). Run
// without blocking the event loop, so fetch sees the web server close idle
// keep-alive connections meanwhile and never reuses a dead one.
async function runQueue(env = {}) {
  const { done } = startQueue(env);
  const r = await done;
  assert.ok(r.code === 0 || r.code === 1, r.out);
  return r.out;
}
function startQueue(env = {}) {
  const child = spawn(ADMIN, ['run-queue'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const done = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, out })));
  return { child, done };
}

// Every entry of a zip (bytes as base64), read with Python's zipfile.
function unzip(buf) {
  const dir = mkdtempSync(path.join(tmpdir(), 'mydata-'));
  const file = path.join(dir, 'a.zip');
  writeFileSync(file, buf);
  const out = execFileSync('/usr/bin/python3', ['-c', `
import base64, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
print(json.dumps({i.filename: base64.b64encode(z.read(i)).decode() for i in z.infolist()}))
`, file], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const entries = {};
  for (const [k, v] of Object.entries(JSON.parse(out))) entries[k] = Buffer.from(v, 'base64');
  return entries;
}

// A raw GET of PATH (binary body) with HEADERS.
async function fetchRaw(p, headers = {}) {
  return once(async () => {
    const res = await fetch(new URL(p, process.env.BASE_URL ?? 'http://127.0.0.1:18080'), { headers, redirect: 'manual' });
    return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
  });
}
const authHeaders = (auth) => ({ 'X-User-Id': auth.userId, 'X-Auth-Token': auth.authToken });

function exportsOf(userId) {
  return JSON.parse(py(`print(json.dumps(list(db.exports.find({'userId': ${JSON.stringify(userId)}})), default=str))`));
}
function setExport(opId, set) {
  py(`db.exports.update_one({'_id': ${JSON.stringify(opId)}}, {'$set': ${set}})`);
}
function filesOf(userId) {
  return JSON.parse(py(`print(json.dumps(list(db['export_files.files'].find({'metadata.userId': ${JSON.stringify(userId)}})), default=str))`));
}

// Requests an export, runs the worker, returns {op, zip entries, link}.
async function exportOnce(auth, full) {
  const r = await api('GET', `${REQ}?fullExport=${full}`, { auth });
  assert.equal(r.status, 200, r.text);
  await runQueue();
  const s = await api('GET', STATUS, { auth });
  assert.equal(s.status, 200, s.text);
  const op = s.json[full ? 'json' : 'html'];
  assert.equal(op.status, 'completed', JSON.stringify(op));
  assert.match(op.url, /^\/data-export\/[A-Za-z0-9_-]{43}$/);
  const file = await fetchRaw(op.url, authHeaders(auth));
  assert.equal(file.status, 200);
  return { op, file, zip: unzip(file.body) };
}

let alice, aliceAuth, bob, bobAuth;
before(async () => {
  alice = createUser('md');
  aliceAuth = await login(alice);
  bob = createUser('mdb');
  bobAuth = await login(bob);
});

test('requestDataDownload: Rocket.Chat shape, a repeat within 24 h answers the same job', async () => {
  const anon = await api('GET', `${REQ}?fullExport=false`);
  assert.equal(anon.status, 401);
  const u = createUser('mdr');
  const auth = await login(u);
  const first = await api('GET', `${REQ}?fullExport=false`, { auth });
  assert.equal(first.status, 200, first.text);
  assert.equal(first.json.success, true);
  assert.equal(first.json.requested, true);
  const op = first.json.exportOperation;
  assert.equal(op.userId, u.id);
  assert.equal(op.fullExport, false);
  assert.equal(op.status, 'pending');
  assert.match(op._id, /^[A-Za-z0-9]{17}$/);
  assert.ok(!Number.isNaN(Date.parse(op.createdAt)));
  for (const k of ['current', 'claim', 'downloadHash', 'linkNonce', 'leaseUntil', 'url']) assert.ok(!(k in op), k);
  const again = await api('GET', `${REQ}?fullExport=false`, { auth });
  assert.equal(again.json.requested, false);
  assert.equal(again.json.exportOperation._id, op._id);
  // Only the literal "true" means JSON: "1" is the HTML kind again.
  const one = await api('GET', `${REQ}?fullExport=1`, { auth });
  assert.equal(one.json.requested, false);
  assert.equal(one.json.exportOperation._id, op._id);
  const json = await api('GET', `${REQ}?fullExport=true`, { auth });
  assert.equal(json.json.requested, true);
  assert.equal(json.json.exportOperation.fullExport, true);
  assert.notEqual(json.json.exportOperation._id, op._id);
  // A finished job is answered too, with its link, until 24 h have passed.
  await runQueue();
  const done = await api('GET', `${REQ}?fullExport=false`, { auth });
  assert.equal(done.json.requested, false);
  assert.equal(done.json.exportOperation.status, 'completed');
  assert.match(done.json.exportOperation.url, /^\/data-export\//);
  // A day later a new request makes a new job.
  setExport(op._id, `{'createdAt': now - datetime.timedelta(hours=25)}`);
  const later = await api('GET', `${REQ}?fullExport=false`, { auth });
  assert.equal(later.json.requested, true);
  assert.notEqual(later.json.exportOperation._id, op._id);
  await runQueue();
});

test('parallel first requests make one job', async () => {
  const u = createUser('mdp');
  const auth = await login(u);
  const rs = await Promise.all(Array.from({ length: 8 }, () => api('GET', `${REQ}?fullExport=true`, { auth })));
  for (const r of rs) assert.equal(r.status, 200, r.text);
  assert.equal(rs.filter((r) => r.json.requested).length, 1);
  assert.equal(new Set(rs.map((r) => r.json.exportOperation._id)).size, 1);
  assert.equal(exportsOf(u.id).length, 1);
  await runQueue();
});

test('requests are rate limited per user', async () => {
  const u = createUser('mdl');
  const auth = await login(u);
  const rs = [];
  for (let i = 0; i < 11; i++) rs.push(await api('GET', `${REQ}?fullExport=false`, { auth }));
  assert.ok(rs.slice(0, 10).every((r) => r.status === 200));
  assert.equal(rs[10].status, 429);
  assert.equal(rs[10].json.errorType, 'error-too-many-requests');
  assert.ok(rs[10].headers.get('retry-after'));
  await runQueue();
});

test('the admin switch: requests refused, links answer 403', () => {
  const off = 'data_export_enabled = false';
  const r = runCgi('mydata', { uri: `${REQ}?fullExport=true`, extraConf: off,
    env: { HTTP_X_USER_ID: aliceAuth.userId, HTTP_X_AUTH_TOKEN: aliceAuth.authToken } });
  assert.equal(r.status, 400);
  assert.equal(r.json.errorType, 'error-not-allowed');
  const d = runCgi('mydata', { uri: `/data-export/${'a'.repeat(43)}`, extraConf: off,
    env: { HTTP_X_USER_ID: aliceAuth.userId, HTTP_X_AUTH_TOKEN: aliceAuth.authToken } });
  assert.equal(d.status, 403);
  assert.equal(exportsOf(alice.id).length, 0, 'nothing queued');
});

// Secrets of every kind the user has, so the archive can be searched for them.
async function giveSecrets(u, auth) {
  const secrets = [u.password, sha256hex(u.password), auth.authToken,
    createHash('sha256').update(auth.authToken).digest('base64')];
  // More sessions (with their own agents and addresses) and tokens.
  for (let i = 0; i < 3; i++) {
    const s = await login(u, { headers: { 'User-Agent': `agent-${i}`, 'X-Forwarded-For': `10.9.8.${i + 1}` } });
    secrets.push(s.authToken, createHash('sha256').update(s.authToken).digest('base64'));
  }
  for (const [name, bypass] of [['ci', true], ['deploy', false]]) {
    const r = await api('POST', '/api/v1/users.generatePersonalAccessToken', {
      auth, json: { tokenName: name, bypassTwoFactor: bypass },
      headers: { 'x-2fa-method': 'password', 'x-2fa-code': sha256hex(u.password) },
    });
    assert.equal(r.status, 200, r.text);
    secrets.push(r.json.token, createHash('sha256').update(r.json.token).digest('base64'));
  }
  // TOTP secret and backup code hashes, an emailed code's hash, E2E keys,
  // an avatar, a security event (stored as the areas that make them do).
  const totpSecret = 'JBSWY3DPEHPK3PXP' + randomBytes(4).toString('hex').toUpperCase().replace(/[0189]/g, 'A');
  const backup = [`k1:${randomBytes(32).toString('base64url')}`, `k1:${randomBytes(32).toString('base64url')}`];
  db('set-totp', u.username, totpSecret, ...backup);
  const codeHash = `k1:${randomBytes(32).toString('base64url')}`;
  recordSecret('code-hash', codeHash);
  const avatar = randomBytes(2048);
  py(`
import bson
db.users.update_one({'_id': ${JSON.stringify(u.id)}}, {'$set': {'e2e': {'public_key': '{"kty":"RSA","n":"pub-${u.id}"}',
  'private_key': 'encrypted-private-${u.id}'}, 'services.email2fa': {'enabled': True}, 'bio': 'I <b>like</b> "quotes" & stuff'}})
db.email_codes.insert_one({'_id': '2fa:${u.id}', 'userId': ${JSON.stringify(u.id)}, 'purpose': '2fa', 'hash': ${JSON.stringify(codeHash)},
  'expiresAt': now + datetime.timedelta(hours=1), 'attempts': 1})
db.avatars.replace_one({'_id': ${JSON.stringify(u.id)}}, {'_id': ${JSON.stringify(u.id)}, 'contentType': 'image/png', 'etag': 'e1',
  'data': bson.Binary(bytes.fromhex(${JSON.stringify(avatar.toString('hex'))}))}, upsert=True)
db.security_log.insert_one({'userId': ${JSON.stringify(u.id)}, 'event': 'login', 'at': now, 'ip': '10.9.8.1', 'userAgent': 'agent-0',
  'detail': 'password', 'expiresAt': now + datetime.timedelta(days=1)})
`);
  const stored = db('user', u.username);
  secrets.push(totpSecret, ...backup, codeHash, stored.services.password.argon2);
  return { secrets, avatar };
}

function assertNoSecret(zip, secrets) {
  for (const [name, bytes] of Object.entries(zip)) {
    const text = bytes.toString('latin1');
    for (const s of secrets) assert.ok(!text.includes(s), `${name} holds a secret (${s.slice(0, 6)}...)`);
    for (const word of ['argon2', 'hashedBackup', 'loginTokens', 'twoFactorAuthorizedHash', '"hash"', 'downloadHash', 'linkNonce']) {
      assert.ok(!text.includes(word), `${name} mentions ${word}`);
    }
  }
}

function storedTokens(userId) {
  return JSON.parse(py(`print(json.dumps(list(db.tokens.find({'userId': ${JSON.stringify(userId)}})), default=lambda d: d.isoformat()))`));
}
const iso = (s) => new Date(s.endsWith('Z') || s.includes('+') ? s : `${s}Z`).toISOString();

test('JSON export: every file checked against the stored documents, no secret in it', async () => {
  const u = createUser('mdj');
  const auth = await login(u);
  const { secrets, avatar } = await giveSecrets(u, auth);
  const { op, file, zip } = await exportOnce(auth, true);
  assert.equal(file.headers.get('content-type'), 'application/zip');
  assert.equal(file.headers.get('content-security-policy'), "default-src 'none'");
  const today = new Date().toISOString().slice(0, 10);
  assert.equal(op.fileName, `${today}-${u.name}-data.zip`, 'named as Rocket.Chat names it');
  assert.match(file.headers.get('content-disposition'), new RegExp(`^attachment; filename="${today}-Test_${u.username}-data.zip"; filename\\*=UTF-8''${today}-Test%20${u.username}-data.zip$`));
  assert.equal(Number(file.headers.get('content-length')), file.body.length);
  assert.equal(op.fileSize, file.body.length);
  assert.deepEqual(Object.keys(zip).sort(), ['README.txt', 'avatar.png', 'exports.json', 'known-devices.json', 'mail.json',
    'pending-codes.json', 'personal-access-tokens.json', 'security-log.json', 'sessions.json', 'user.json'].sort());
  assertNoSecret(zip, secrets);

  const stored = db('user', u.username);
  const user = JSON.parse(zip['user.json']);
  for (const k of ['_id', 'username', 'name', 'bio', 'status', 'active', 'type']) assert.deepEqual(user[k], stored[k], k);
  assert.deepEqual(user.emails, stored.emails, 'addresses and their verification');
  assert.deepEqual(user.roles, stored.roles);
  assert.equal(iso(user.createdAt), iso(stored.createdAt));
  assert.deepEqual(user.e2e, stored.e2e, 'both E2E keys, the private one as stored (encrypted)');
  assert.deepEqual(user.twoFactor, { totp: true, email: true, backupCodesRemaining: 2 });
  assert.deepEqual(user.services, { totp: { enabled: true }, email2fa: { enabled: true } });

  const tokens = storedTokens(u.id);
  const sessions = JSON.parse(zip['sessions.json']);
  const storedSessions = tokens.filter((t) => t.type === 'session');
  assert.equal(sessions.length, storedSessions.length);
  for (const s of storedSessions) {
    const e = sessions.find((x) => x.sid === s.sid);
    assert.ok(e, `session ${s.sid} exported`);
    assert.equal(iso(e.createdAt), iso(s.createdAt));
    assert.equal(iso(e.expiresAt), iso(s.expiresAt));
    if (s.lastUsedAt) assert.equal(iso(e.lastUsedAt), iso(s.lastUsedAt));
    assert.equal(e.ip, s.ip);
    assert.equal(e.userAgent, s.userAgent);
    assert.deepEqual(Object.keys(e).filter((k) => !['type', 'sid', 'createdAt', 'expiresAt', 'lastUsedAt', 'ip', 'userAgent'].includes(k)), []);
  }
  assert.ok(sessions.some((s) => s.userAgent === 'agent-2' && s.ip === '10.9.8.3'));
  const pats = JSON.parse(zip['personal-access-tokens.json']);
  assert.deepEqual(pats.map((p) => [p.name, p.bypassTwoFactor]).sort(), [['ci', true], ['deploy', false]]);
  for (const p of tokens.filter((t) => t.type === 'personalAccessToken')) {
    const e = pats.find((x) => x.name === p.name);
    assert.equal(iso(e.createdAt), iso(p.createdAt));
    assert.ok(!('lastTokenPart' in e) && !('_id' in e) && !('patKey' in e));
  }
  const codes = JSON.parse(zip['pending-codes.json']);
  assert.equal(codes.length, 1);
  assert.deepEqual(Object.keys(codes[0]).sort(), ['attempts', 'expiresAt', 'purpose']);
  const log = JSON.parse(zip['security-log.json']);
  assert.ok(log.some((e) => e.event === 'login' && e.ip === '10.9.8.1' && e.userAgent === 'agent-0' && e.detail === 'password'));
  const devices = JSON.parse(zip['known-devices.json']);
  const storedDevices = JSON.parse(py(`print(json.dumps(list(db.known_devices.find({'userId': ${JSON.stringify(u.id)}})), default=lambda d: d.isoformat()))`));
  assert.equal(devices.length, storedDevices.length);
  for (const d of devices) assert.deepEqual(Object.keys(d).sort(), ['expiresAt', 'firstSeen', 'lastSeen'], 'no device hash');
  const exportsJson = JSON.parse(zip['exports.json']);
  assert.equal(exportsJson.length, 1);
  assert.equal(exportsJson[0]._id, op._id);
  assert.ok(zip['avatar.png'].equals(avatar), 'the avatar image as stored');
  const readme = zip['README.txt'].toString();
  for (const f of Object.keys(zip)) assert.ok(readme.includes(`${f}: `), `README says what ${f} is`);
  assert.match(readme, /encrypted with your E2E password/);
});

test('HTML export: one escaped page with a strict CSP, in the user\'s language', async () => {
  const u = createUser('mdh');
  const auth = await login(u);
  const { secrets } = await giveSecrets(u, auth);
  const evil = '<script>alert(1)</script><img src=x onerror=alert(2)>';
  py(`db.users.update_one({'_id': ${JSON.stringify(u.id)}}, {'$set': {'name': ${JSON.stringify(evil)}, 'settings.preferences.language': 'de'}})`);
  const { op, zip } = await exportOnce(auth, false);
  assert.deepEqual(Object.keys(zip).sort(), ['README.txt', 'avatar.png', 'user.html']);
  assertNoSecret(zip, secrets);
  const html = zip['user.html'].toString();
  assert.match(html, /^<!DOCTYPE html>/);
  assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`));
  assert.ok(!html.includes('<script'), 'no script element');
  assert.equal(html.match(/<img/g).length, 1, 'no markup from data: the one image is the avatar');
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;'), 'the name shown, escaped');
  assert.ok(html.includes('I &lt;b&gt;like&lt;/b&gt; &quot;quotes&quot; &amp; stuff'));
  assert.ok(html.includes('<html lang="de">') && html.includes('Sitzungen') && html.includes('Persönliche Zugriffstoken'));
  assert.ok(html.includes('<img alt="" src="data:image/png;base64,'));
  const stored = db('user', u.username);
  for (const s of storedTokens(u.id).filter((t) => t.type === 'session')) assert.ok(html.includes(`<td>${s.sid}</td>`), 'each session listed');
  assert.ok(html.includes(stored.emails[0].address.replace(/&/g, '&amp;')));
  assert.ok(op.fileName.endsWith(`-${evil.replace(/\//g, '_')}.zip`), op.fileName);
  assert.match(zip['README.txt'].toString(), /Dieses Archiv/);
});

test('the mailed link works for its owner only, and not after it expires', async () => {
  const { op } = await exportOnce(aliceAuth, true);
  const mails = await waitForMails(alice.email.toLowerCase(), 1);
  assert.equal(mails.length, 1);
  const parts = mimeParts(mails[0]);
  const link = /(http\S+\/data-export\/[A-Za-z0-9_-]{43})/.exec(parts.text.body)?.[1];
  assert.ok(link, 'the link is in the text part');
  assert.ok(parts.html.body.includes(link), 'and in the HTML part');
  const p = new URL(link).pathname;
  assert.equal(p, op.url);
  assert.equal((await fetchRaw(p, authHeaders(aliceAuth))).status, 200, 'owner by headers');
  const cookie = await api('POST', '/api/v1/login', { json: { user: alice.username, password: alice.password }, headers: { 'X-Session-Cookie': '1' } });
  const session = /rc_session=([^;]+)/.exec(cookie.headers.get('set-cookie'))[1];
  assert.equal((await fetchRaw(p, { Cookie: `rc_session=${session}` })).status, 200, 'owner by session cookie');
  assert.equal((await fetchRaw(p, { Cookie: `rc_uid=${aliceAuth.userId}; rc_token=${aliceAuth.authToken}` })).status, 200,
    "owner by Rocket.Chat's rc_uid/rc_token cookies");
  const other = await fetchRaw(p, authHeaders(bobAuth));
  assert.equal(other.status, 403, 'another user');
  assert.ok(!other.body.includes('PK'), 'no archive for them');
  assert.equal((await fetchRaw(p)).status, 401, 'nobody');
  assert.equal((await fetchRaw(`/data-export/${'A'.repeat(43)}`, authHeaders(aliceAuth))).status, 404, 'unknown id');
  assert.equal((await fetchRaw('/data-export/short', authHeaders(aliceAuth))).status, 404, 'malformed id');
  // Expired: the link is refused at once (the query checks), then the
  // worker deletes the archive.
  setExport(op._id, "{'expiresAt': now - datetime.timedelta(minutes=1)}");
  assert.equal((await fetchRaw(p, authHeaders(aliceAuth))).status, 404, 'after expiry');
  py(`db['export_files.files'].update_many({'metadata.userId': ${JSON.stringify(alice.id)}}, {'$set': {'metadata.expiresAt': now - datetime.timedelta(minutes=1)}})`);
  assert.equal(filesOf(alice.id).length, 1);
  assert.match(await runQueue(), /[1-9]\d* expired archives deleted/);
  assert.equal(filesOf(alice.id).length, 0, 'the archive is gone');
  assert.equal(exportsOf(alice.id).length, 0, 'and its job');
  const chunks = JSON.parse(py(`
import bson
print(db['export_files.chunks'].count_documents({'files_id': bson.ObjectId(${JSON.stringify(op.fileId)})}))`));
  assert.equal(chunks, 0, 'and its chunks');
});

test('two workers at once make the job once', async () => {
  const u = createUser('mdw');
  const auth = await login(u);
  await api('GET', `${REQ}?fullExport=true`, { auth });
  const a = startQueue({ MYACCOUNT_EXPORT_STEP_DELAY_MS: '20' });
  const b = startQueue({ MYACCOUNT_EXPORT_STEP_DELAY_MS: '20' });
  const [ra, rb] = await Promise.all([a.done, b.done]);
  assert.ok(ra.code <= 1 && rb.code <= 1, ra.out + rb.out);
  const ops = exportsOf(u.id);
  assert.equal(ops.length, 1);
  assert.equal(ops[0].status, 'completed');
  assert.equal(ops[0].attempts, 1, 'claimed once');
  assert.equal(filesOf(u.id).length, 1, 'one archive');
  const mails = await waitForMails(u.email.toLowerCase(), 1);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await waitForMails(u.email.toLowerCase(), 2, 300)).length, 1, 'one mail');
  assert.equal(mails.length, 1);
});

test('kill -9 mid-job: the next run after the lease completes it', async () => {
  const u = createUser('mdk');
  const auth = await login(u);
  await api('GET', `${REQ}?fullExport=false`, { auth });
  const w = startQueue({ MYACCOUNT_EXPORT_STEP_DELAY_MS: '400' });
  const until = Date.now() + 10000;
  let op;
  while (Date.now() < until) {
    [op] = exportsOf(u.id);
    if (op.status === 'exporting' && op.progress > 5) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(op.status, 'exporting');
  w.child.kill('SIGKILL');
  const end = await w.done;
  assert.equal(end.signal, 'SIGKILL');
  // While the lease holds, another run leaves the job alone.
  await runQueue();
  [op] = exportsOf(u.id);
  assert.equal(op.status, 'exporting');
  const s = await api('GET', STATUS, { auth });
  assert.equal(s.json.html.status, 'exporting', 'the page sees it running');
  assert.ok(s.json.html.progress > 0 && s.json.html.progress < 100);
  // The lease runs out (as after data_export_lease_seconds): the next run makes it.
  setExport(op._id, "{'leaseUntil': now - datetime.timedelta(seconds=1)}");
  await runQueue();
  [op] = exportsOf(u.id);
  assert.equal(op.status, 'completed');
  assert.equal(op.progress, 100);
  assert.equal(op.attempts, 2);
  assert.equal(filesOf(u.id).length, 1);
  const done = await api('GET', STATUS, { auth });
  assert.equal(done.json.html.status, 'completed');
  assert.equal((await fetchRaw(done.json.html.url, authHeaders(auth))).status, 200);
});

test('a large archive round-trips through GridFS byte for byte', async () => {
  const u = createUser('mdg');
  const auth = await login(u);
  const big = randomBytes(6 << 20);   // incompressible: a 6 MiB archive, ~24 GridFS chunks
  // The bytes go through a file (too large for a command line).
  const dir = mkdtempSync(path.join(tmpdir(), 'big-'));
  writeFileSync(path.join(dir, 'avatar'), big);
  py(`
import bson
db.avatars.replace_one({'_id': ${JSON.stringify(u.id)}}, {'_id': ${JSON.stringify(u.id)}, 'contentType': 'image/jpeg',
  'data': bson.Binary(open(${JSON.stringify(path.join(dir, 'avatar'))}, 'rb').read())}, upsert=True)
`);
  const { file, zip } = await exportOnce(auth, true);
  assert.ok(file.body.length > 6 << 20);
  assert.ok(zip['avatar.jpg'].equals(big), 'the 6 MiB image came back intact');
});
