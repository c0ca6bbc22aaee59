// limits.test.mjs - sign-in throttling attacked as the review attacked it:
// parallel guesses never get more checks than the limit, a stranger cannot
// lock the owner's own browser out, delays grow instead of a hard wall,
// every spelling of an account counts alike and unknown accounts answer
// like known ones, IPv6 counts per /64, long multi-byte names neither
// truncate nor collide, and a broken counter fails closed instead of
// starting over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cookiesFrom, createUser, randomIp, loginBlocked, loginWrong } from './lib.mjs';
import { freshPost, holdOff, keyOf, pyDb } from './limits-lib.mjs';

const PER_USER = Number(process.env.LOGIN_MAX_PER_USER ?? 5);
const PER_IP = Number(process.env.LOGIN_MAX_PER_IP ?? 12);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const attempt = (user, password, ip, headers = {}) =>
  freshPost('/api/v1/login', { user, password }, { 'X-Forwarded-For': ip, ...headers });

// How many of RESULTS were checked (a wrong password: 401) and how many
// were refused before any check (Rocket.Chat's 401 error-login-blocked-for-*);
// nothing else may appear.
function tally(results) {
  const t = { checked: 0, blocked: 0, other: [] };
  for (const r of results) {
    if (loginWrong(r)) t.checked++;
    else if (loginBlocked(r)) t.blocked++;
    else t.other.push(`${r.status} ${r.text}`);
  }
  return t;
}

// Sends N attempts at once; returns their answers and how many slots the
// progressive delays allow on top of LIMIT while they ran: the k-th extra
// attempt opens 2^k - 1 seconds after the failure that used the last free
// one, so a burst that lasts T seconds may see floor(log2(T + 1)) extras.
async function burst(n, make) {
  const t0 = Date.now();
  const results = await Promise.all(Array.from({ length: n }, (_, i) => make(i)));
  const seconds = (Date.now() - t0) / 1000;
  return { results, extras: Math.floor(Math.log2(seconds + 1)), seconds };
}

const RUN = randomBytes(4).toString('hex');
const v6 = (prefix) => `${prefix}:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}`;
const v6prefix = () => `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}`;

test('parallel wrong passwords against one account: at most the limit are checked', async () => {
  const u = createUser('par');
  const n = 40;
  const { results, extras, seconds } = await burst(n, () => attempt(u.username, 'wrong-password', randomIp()));
  const t = tally(results);
  assert.deepEqual(t.other, []);
  assert.ok(t.checked <= PER_USER + extras,
    `${t.checked} of ${n} checked in ${seconds} s, limit ${PER_USER} + ${extras} delayed`);
  assert.ok(t.checked >= 1, 'the first ones were checked');
  assert.equal(t.checked + t.blocked, n);
  const r = results.find(loginBlocked);
  assert.equal(r.json.error, 'error-login-blocked-for-user', 'the account is what is blocked');
  assert.equal(r.json.errorType, undefined, "/login's shape: the code is in error");
  assert.ok(Number(r.headers.get('retry-after')) >= 1);
  assert.equal(r.headers.get('x-ratelimit-remaining'), '0');
  assert.equal(r.headers.get('x-ratelimit-limit'), String(PER_USER));
  // Every check was counted: the stored count is what was checked.
  const doc = JSON.parse(pyDb(`print(json.dumps(db.ratelimits.find_one({'_id': ${JSON.stringify(keyOf('login-user', `id:${u.id}`))}}), default=str))`));
  assert.equal(doc.count, t.checked);
});

test('parallel guesses from one address across accounts: at most the per-address limit', async () => {
  const ip = randomIp();
  const n = 60;
  const { results, extras, seconds } = await burst(n, (i) => attempt(`spray${i}x${RUN}`, 'x-password', ip));
  const t = tally(results);
  assert.deepEqual(t.other, []);
  assert.ok(t.checked <= PER_IP + extras,
    `${t.checked} of ${n} checked in ${seconds} s, limit ${PER_IP} + ${extras} delayed`);
  assert.ok(t.checked >= 1);
});

test('the owner signed in before keeps signing in while strangers lock the account', async () => {
  const u = createUser('owner');
  const first = await attempt(u.username, u.password, randomIp());
  assert.equal(first.status, 200);
  const jar = cookiesFrom(first);
  assert.ok(jar.rc_device, 'a device cookie comes with a sign-in');
  assert.ok(jar.rc_device.attrs.includes('HttpOnly'));
  assert.ok(jar.rc_device.attrs.includes('SameSite=Strict'));
  assert.ok(jar.rc_device.attrs.includes('Path=/api/v1/login'));
  const device = { Cookie: `rc_device=${jar.rc_device.value}` };

  for (let i = 0; i < PER_USER + 3; i++) await attempt(u.username, 'attacker-guess', randomIp());
  holdOff(keyOf('login-user', `id:${u.id}`));
  const stranger = await attempt(u.username, u.password, randomIp());
  assert.ok(loginBlocked(stranger), 'strangers are held off');
  const owner = await attempt(u.username, u.password, randomIp(), device);
  assert.equal(owner.status, 200, `the owner's device is not: ${owner.text}`);
  // By email too, in any case: the device belongs to the account.
  const byEmail = await attempt(u.email.toUpperCase(), u.password, randomIp(), device);
  assert.equal(byEmail.status, 200, byEmail.text);

  // A forged or someone else's cookie is a stranger's.
  const other = createUser('other');
  const theirs = cookiesFrom(await attempt(other.username, other.password, randomIp())).rc_device.value;
  const v0 = jar.rc_device.value, at = v0.length - 10;  // inside the MAC
  const forged = v0.slice(0, at) + (v0[at] === 'x' ? 'y' : 'x') + v0.slice(at + 1);
  for (const v of [theirs, forged, 'garbage']) {
    const r = await attempt(u.username, u.password, randomIp(), { Cookie: `rc_device=${v}` });
    assert.ok(loginBlocked(r), `cookie ${v.slice(0, 12)}... is not trusted`);
  }

  // The device's own allowance: its own wrong passwords throttle only it.
  const own = await burst(PER_USER + 5, () => attempt(u.username, 'typo', randomIp(), device));
  const t = tally(own.results);
  assert.deepEqual(t.other, []);
  assert.ok(t.checked <= PER_USER + own.extras && t.checked >= 1, `${t.checked} typos checked`);
  holdOff(keyOf('login-device', `${u.id}:${jar.rc_device.value.slice(0, 22)}`));
  const after = await attempt(u.username, u.password, randomIp(), device);
  assert.ok(loginBlocked(after), 'a device that guesses is throttled too');
});

test('progressive delays: 1 s, then 2 s, one attempt at a time, not a wall', async () => {
  const u = createUser('slow');
  for (let i = 0; i < PER_USER; i++) assert.equal((await attempt(u.username, 'bad', randomIp())).status, 401);
  let r = await attempt(u.username, 'bad', randomIp());
  assert.ok(loginBlocked(r));
  assert.equal(r.headers.get('retry-after'), '1');
  await sleep(1100);
  // Once the delay has passed exactly one of many parallel attempts runs.
  const b = await burst(8, () => attempt(u.username, 'bad', randomIp()));
  const t = tally(b.results);
  assert.deepEqual(t.other, []);
  assert.ok(t.checked >= 1 && t.checked <= (b.seconds < 2 ? 1 : 2), `one attempt after the delay (${t.checked})`);
  r = await attempt(u.username, 'bad', randomIp());
  assert.ok(loginBlocked(r));
  const wait = t.checked === 1 ? 2 : 4;
  assert.equal(r.headers.get('retry-after'), String(wait), 'the next delay doubles');
  await sleep(wait * 1000 + 100);
  r = await attempt(u.username, u.password, randomIp());
  assert.equal(r.status, 200, 'the right password passes once the delay is over');
});

test('every spelling of an email counts alike, and unknown accounts like known ones', async () => {
  const u = createUser('case');
  const ghost = `ghost${RUN}${Date.now()}@example.org`;
  const spell = (e, i) => [e, e.toUpperCase(), e[0].toUpperCase() + e.slice(1)][i % 3];
  // KEY is the account's counter: before the attempt past the limit it is
  // held off, as a longer series would be, so a slow machine (plain CGI
  // under ASan takes over a second a sign-in) cannot outwait the first delay.
  const run = async (email, key) => {
    const statuses = [];
    for (let i = 0; i <= PER_USER; i++) {
      if (i === PER_USER) holdOff(key);
      const r = await attempt(spell(email, i), 'wrong', randomIp());
      statuses.push(loginBlocked(r) ? 'blocked' : r.status);
    }
    return statuses;
  };
  const known = await run(u.email.toLowerCase(), keyOf('login-user', `id:${u.id}`));
  const unknown = await run(ghost, keyOf('login-user', `nm:${ghost.toLowerCase()}`));
  const want = [...Array(PER_USER).fill(401), 'blocked'];
  assert.deepEqual(known, want, 'a known account locks after the limit, whatever the case');
  assert.deepEqual(unknown, want, 'an unknown one locks exactly the same');
  const a = await attempt(u.email, 'wrong', randomIp());
  const b = await attempt(ghost.toUpperCase(), 'wrong', randomIp());
  assert.equal(a.status, b.status);
  assert.equal(a.json.error, b.json.error);
  assert.equal(a.headers.get('x-ratelimit-limit'), b.headers.get('x-ratelimit-limit'));
});

test('IPv6 clients count per /64', async () => {
  const net = v6prefix();
  for (let i = 0; i < PER_IP; i++) {
    const r = await attempt(`v6spray${i}x${Date.now()}`, 'x', v6(net));
    assert.equal(r.status, 401, r.text);
  }
  const same = await attempt(`v6next${Date.now()}`, 'x', v6(net));
  assert.ok(loginBlocked(same), 'another address of the same /64 is the same client');
  const otherNet = await attempt(`v6other${Date.now()}`, 'x', v6(v6prefix()));
  assert.equal(otherNet.status, 401, 'another /64 is not');
});

test('long multi-byte names are neither cut nor confused', async () => {
  const base = '\u00e9'.repeat(230) + RUN;
  const a = base + 'a', b = base + 'b';
  for (let i = 0; i < PER_USER; i++) {
    const r = await attempt(a, 'x', randomIp());
    assert.equal(r.status, 401, r.text);
  }
  assert.ok(loginBlocked(await attempt(a, 'x', randomIp())));
  const other = await attempt(b, 'x', randomIp());
  assert.equal(other.status, 401, 'a name differing in its last character has its own count');
  const email = await attempt(`${'\u4e2d'.repeat(80)}${RUN}@example.org`, 'x', randomIp());
  assert.equal(email.status, 401, email.text);
});

test('a broken counter fails closed and is not started over', async () => {
  const u = createUser('broken');
  const id = keyOf('login-user', `id:${u.id}`);
  pyDb(`import datetime\nnow = datetime.datetime.utcnow()\n` +
    `db.ratelimits.replace_one({'_id': ${JSON.stringify(id)}}, {'count': 'three', ` +
    `'resetAt': now + datetime.timedelta(hours=1), 'nextAt': now - datetime.timedelta(hours=1)}, upsert=True)`);
  const r = await attempt(u.username, u.password, randomIp());
  assert.equal(r.status, 503, `a counter that cannot be updated refuses: ${r.text}`);
  const doc = JSON.parse(pyDb(`print(json.dumps(db.ratelimits.find_one({'_id': ${JSON.stringify(id)}}), default=str))`));
  assert.equal(doc.count, 'three', 'the live counter was not reset');
  pyDb(`db.ratelimits.delete_one({'_id': ${JSON.stringify(id)}})`);
  assert.equal((await attempt(u.username, u.password, randomIp())).status, 200);
});

test('a right password gives its slot back', async () => {
  const u = createUser('fine');
  const ip = randomIp();
  for (let i = 0; i < PER_IP + 3; i++) {
    const r = await attempt(u.username, u.password, ip);
    assert.equal(r.status, 200, `sign-in ${i}: ${r.text}`);
  }
});
