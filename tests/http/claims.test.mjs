// claims.test.mjs - what README.md promises, each pinned by a test that
// fails when the promise breaks: password hashes upgraded at sign-in,
// sessions that end after session_days (checked in the query), at most 5
// emailed codes per hour, a code dead after 5 wrong guesses (the per-user
// limiter out of the way), `myaccount-admin reset-2fa`, and a clear 500 for a
// broken config. Runs in every server mode against one database, so every
// test makes its own users.
import { randomBytes } from 'node:crypto';
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  api, createUser, login, db, totp, sha256hex, mailsTo, waitForMails, randomIp, setDefaultIp,
  recordSecret, ADMIN, TOP,
} from './lib.mjs';

// Each test speaks from its own address: the per-address login limit of
// one test must not decide another's.
beforeEach(() => setDefaultIp(randomIp()));

// The running stack's config as the programs read it (later lines win).
function config() {
  const conf = {};
  for (const line of readFileSync(process.env.MYACCOUNT_CONFIG, 'utf8').split('\n')) {
    const m = /^\s*([\w.]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m && !line.trim().startsWith('#')) conf[m[1]] = m[2];
  }
  return conf;
}

const tokenHash = (t) => createHash('sha256').update(t).digest('base64');
const codeIn = (mail) => /(\d{3})-(\d{3})/.exec(mail.body).slice(1).join('');
// "$argon2id$v=19$m=8192,t=1,p=1$salt$hash" -> {m: 8192, t: 1}
const argon2Params = (h) => {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=\d+\$/.exec(h);
  assert.ok(m, 'an argon2id hash');
  return { m: Number(m[1]), t: Number(m[2]) };
};

// A config like the stack's with LINES appended (later keys win).
function configWith(lines) {
  const dir = mkdtempSync(path.join(tmpdir(), 'claims-conf-'));
  const file = path.join(dir, 'myaccount.conf');
  writeFileSync(file, `${readFileSync(process.env.MYACCOUNT_CONFIG, 'utf8')}\n${lines}\n`);
  return file;
}

test('a password hash made with other argon2 parameters is upgraded at the next sign-in', async () => {
  const conf = config();
  const want = { m: Number(conf.argon2_memlimit_kib ?? 65536), t: Number(conf.argon2_opslimit ?? 3) };
  const old = { m: want.m === 16384 ? 12288 : 16384, t: want.t === 2 ? 3 : 2 };
  // The real admin tool, reading a config with the old cost.
  const oldConf = configWith(`argon2_opslimit = ${old.t}\nargon2_memlimit_kib = ${old.m}`);
  const name = `argon${process.pid}${Date.now().toString(36)}`;
  const password = `pw-old-${Math.random().toString(36).slice(2)}`;
  recordSecret('password', password);
  execFileSync(ADMIN, ['create-user', name, `${name}@example.org`], {
    input: `${password}\n`, env: { ...process.env, MYACCOUNT_CONFIG: oldConf },
  });
  const before = db('user', name).services.password.argon2;
  assert.deepEqual(argon2Params(before), old, 'stored with the old parameters');

  const wrong = await api('POST', '/api/v1/login', { json: { user: name, password: `${password}-wrong` } });
  assert.equal(wrong.status, 401);
  assert.equal(db('user', name).services.password.argon2, before, 'a failed sign-in changes nothing');

  const user = { username: name, password };
  await login(user);
  const after = db('user', name).services.password.argon2;
  assert.deepEqual(argon2Params(after), want, 'now the configured parameters');
  await login(user);  // the upgraded hash still verifies, by plain password and by digest
  const digest = await api('POST', '/api/v1/login', {
    json: { user: name, password: { digest: sha256hex(password), algorithm: 'sha-256' } },
  });
  assert.equal(digest.status, 200, digest.text);
  assert.equal(db('user', name).services.password.argon2, after, 'rehashed once, not at every sign-in');
});

test('a session ends after session_days, checked in the query', async () => {
  const u = createUser('sessdays');
  const days = Number(config().session_days ?? 90);
  const t0 = Date.now();
  const auth = await login(u);
  const stored = db('token', tokenHash(auth.authToken));
  assert.equal(stored.type, 'session');
  assert.ok(Math.abs(stored.expiresAt - (t0 + days * 86400000)) < 60000,
    `expiresAt is now + ${days} days (within a minute)`);
  assert.equal((await api('GET', '/api/v1/me', { auth })).status, 200);

  // Only expiresAt moves into the past; the TTL clean-up field stays ahead.
  assert.equal(db('expire-token', tokenHash(auth.authToken)), true);
  assert.ok(db('token', tokenHash(auth.authToken)).purgeAt > Date.now(), 'the document is still there');
  const me = await api('GET', '/api/v1/me', { auth });
  assert.equal(me.status, 401, me.text);
  assert.equal(me.json.status, 'error');
  const cookie = await api('GET', '/api/v1/me', { headers: { Cookie: `rc_session=${auth.authToken}` } });
  assert.equal(cookie.status, 401, 'nor as a cookie');
  const resume = await api('POST', '/api/v1/login', { json: { resume: auth.authToken } });
  assert.equal(resume.status, 401, 'nor by resume');
});

test('at most 5 new email codes per user per hour', async () => {
  const u = createUser('mailcap');
  const to = u.email.toLowerCase();
  db('set-email2fa', u.username, 'true');
  for (let i = 0; i < 7; i++) {
    const r = await api('POST', '/api/v1/users.2fa.sendEmailCode', { json: { emailOrUsername: u.username } });
    assert.equal(r.status, 200, r.text);
  }
  // Whatever is still queued (a mail server hiccup, or a sender that mails
  // after answering) is sent now, so the count below is the final one.
  spawnSync(ADMIN, ['run-queue'], { env: process.env });
  await waitForMails(to, 6, 3000);  // waits the full time unless a sixth arrives
  assert.equal(mailsTo(to).length, 5, 'five mails, not seven');
  assert.equal(db('mail-queue', to).length, 5, 'five queued, not seven');
});

test('a code dies after 5 wrong guesses, even with the per-user limiter out of the way', async () => {
  // guesses(n): a fresh user, n wrong guesses, then the right code.
  async function rightCodeAfter(wrongGuesses) {
    const u = createUser('guess');
    db('set-email2fa', u.username, 'true');
    const c = { user: u.username, password: u.password };
    const first = await api('POST', '/api/v1/login', { json: c });
    assert.equal(first.json?.error, 'totp-required', first.text);
    const code = codeIn((await waitForMails(u.email.toLowerCase(), 1))[0]);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < wrongGuesses; i++) {
      assert.ok(db('clear-user-limits', u.id) >= 0);
      const r = await api('POST', '/api/v1/login', { json: { ...c, code: wrong } });
      assert.equal(r.status, 401);
      assert.equal(r.json.error, 'totp-invalid', `guess ${i + 1} is judged by the code, not the limiter`);
    }
    db('clear-user-limits', u.id);
    return api('POST', '/api/v1/login', { json: { ...c, code } });
  }
  const four = await rightCodeAfter(4);
  assert.equal(four.status, 200, `after 4 wrong guesses the code still works: ${four.text}`);
  const five = await rightCodeAfter(5);
  assert.equal(five.status, 401, 'after 5 wrong guesses even the right code is refused');
  assert.equal(five.json.data, undefined);
});

test('myaccount-admin reset-2fa: sign-in needs no code afterwards; sessions are kept', async () => {
  const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
  const u = createUser('reset2fa');
  const before = await login(u);  // a session from before 2FA was set up
  db('set-totp', u.username, SECRET, sha256hex('QRST2345'));
  db('set-email2fa', u.username, 'true');
  const challenged = await api('POST', '/api/v1/login', { json: { user: u.username, password: u.password } });
  assert.equal(challenged.status, 401);
  assert.equal(challenged.json.error, 'totp-required');
  assert.deepEqual(challenged.json.details.availableMethods, ['totp', 'email']);

  const out = execFileSync(ADMIN, ['reset-2fa', u.username], { encoding: 'utf8', env: process.env });
  assert.match(out, /two-factor authentication switched off/);
  const signIn = await api('POST', '/api/v1/login', { json: { user: u.username, password: u.password } });
  assert.equal(signIn.status, 200, signIn.text);
  assert.notEqual(signIn.json.data.me.services?.totp?.enabled, true);
  const stored = db('user', u.username).services;
  assert.equal(stored.totp.secret, undefined, 'the TOTP secret is gone');
  assert.equal(stored.totp.hashedBackup, undefined, 'and the backup codes');
  assert.equal(stored.email2fa.enabled, false);
  // The README revokes sessions on `disable` only; reset-2fa keeps them.
  assert.equal((await api('GET', '/api/v1/me', { auth: before })).status, 200);
  const bad = spawnSync(ADMIN, ['reset-2fa', `nobody-${Date.now()}`], { encoding: 'utf8', env: process.env });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /no user named/);
});

test('a broken config answers a clear 500 naming no secret, and the log names the cause', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'claims-broken-'));
  const tag = Date.now().toString(36);
  const secrets = { db: `dbpw${tag}x`, smtp: `smtppw${tag}y`, uri: `uripw${tag}z` };
  const cases = [
    { why: 'a bad line', cause: ':3:', lines: [
      `mongodb_uri = mongodb://admin:${secrets.db}@127.0.0.1:9/`, `smtp_password = ${secrets.smtp}`, 'session_days = ninety'] },
    // libmongoc's own message quotes the password of this URI.
    { why: 'a URI libmongoc refuses', cause: 'mongodb_uri: ', lines: [
      `mongodb_uri = mongodb://admin:x:${secrets.uri}@127.0.0.1:9/`, `smtp_password = ${secrets.smtp}`,
      `secret_key = ${randomBytes(32).toString('hex')}`] },
  ];
  const programs = readdirSync(path.join(TOP, 'build/cgi-bin')).filter((f) => !f.includes('.'));
  assert.ok(programs.length >= 3);
  for (const [i, c] of cases.entries()) {
    const file = path.join(dir, `myaccount-${i}.conf`);
    writeFileSync(file, c.lines.join('\n'));
    for (const prog of programs) {
      const r = spawnSync(path.join(TOP, 'build/cgi-bin', prog), [], {
        env: {
          MYACCOUNT_CONFIG: file, GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: 'GET',
          REQUEST_URI: '/api/v1/me', SCRIPT_NAME: '/api/v1/me', QUERY_STRING: '', REMOTE_ADDR: '127.0.0.1',
        },
        encoding: 'utf8',
      });
      const [head, body] = r.stdout.split(/\r?\n\r?\n/);
      assert.match(head, /^Status: 500\b/m, `${prog}, ${c.why}: ${r.stdout}`);
      assert.match(head, /^Content-Type: application\/json/mi);
      const json = JSON.parse(body);
      assert.equal(json.success, false);
      assert.match(json.error, /misconfigured/);
      assert.ok(r.stderr.includes(c.cause), `${prog}, ${c.why}: the log names the cause: ${r.stderr}`);
      for (const s of Object.values(secrets)) {
        assert.ok(!r.stdout.includes(s), `${prog}, ${c.why}: no config secret in the answer`);
        assert.ok(!r.stderr.includes(s), `${prog}, ${c.why}: no config secret in the log`);
      }
    }
  }
});
