// email2fa.test.mjs - email as second factor: the code is mailed through a
// real SMTP server, reused while live, single-use, limited; resend; and no
// mail is lost while the SMTP server is down (queue + worker).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { api, createUser, login, db, waitForMails, mailsTo, ADMIN, TOP } from './lib.mjs';
import { mimeParts, waitForQueue } from './mail-lib.mjs';

const codeIn = (mail) => /(\d{3})-(\d{3})/.exec(mail.body).slice(1).join('');

let quinn, address;
before(() => {
  quinn = createUser('quinn');
  address = quinn.email.toLowerCase();
  db('set-email2fa', quinn.username, 'true');
});
const creds = () => ({ user: quinn.username, password: quinn.password });

test('login mails a code; the code signs in once', async () => {
  const r = await api('POST', '/api/v1/login', { json: creds() });
  assert.equal(r.status, 401);
  assert.equal(r.json.error, 'totp-required');
  assert.equal(r.json.details.method, 'email');
  assert.equal(r.json.details.codeGenerated, true);
  assert.equal(r.json.details.emailOrUsername, quinn.username);
  assert.ok(Date.parse(r.json.details.codeExpires) > Date.now() + 50 * 60 * 1000, 'valid for about an hour');
  const mails = await waitForMails(address, 1);
  assert.equal(mails.length, 1);
  assert.equal(mails[0].subject, 'Authentication code');
  assert.match(mails[0].head, /^Content-Type: multipart\/alternative; boundary="/mi);
  const parts = mimeParts(mails[0]);
  assert.match(parts.text.head, /^Content-Type: text\/plain; charset=utf-8/mi);
  assert.match(parts.html.head, /^Content-Type: text\/html; charset=utf-8/mi);
  const code = codeIn(mails[0]);
  assert.ok(parts.html.body.includes(`<strong>${code.slice(0, 3)}-${code.slice(3)}</strong>`), 'the HTML part shows the code');
  assert.ok(!r.text.includes(code), 'the code is only in the mail');

  const again = await api('POST', '/api/v1/login', { json: creds() });
  assert.equal(again.json.details.codeGenerated, false, 'a live code is reused, not mailed again');

  const ok = await api('POST', '/api/v1/login', { json: { ...creds(), code: `${code.slice(0, 3)}-${code.slice(3)}` } });
  assert.equal(ok.status, 200, ok.text);
  const reuse = await api('POST', '/api/v1/login', { json: { ...creds(), code } });
  assert.equal(reuse.status, 401, 'used up');
  assert.notEqual(reuse.json.error, undefined);
});

test('sendEmailCode mails a fresh code and never tells whether the user exists', async () => {
  const before = mailsTo(address).length;
  const r = await api('POST', '/api/v1/users.2fa.sendEmailCode', { json: { emailOrUsername: quinn.username } });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { success: true });
  assert.equal((await waitForMails(address, before + 1)).length, before + 1);
  const ghost = await api('POST', '/api/v1/users.2fa.sendEmailCode', { json: { emailOrUsername: 'ghost-' + Date.now() } });
  assert.equal(ghost.status, 200);
  assert.deepEqual(ghost.json, { success: true });
  // A stale session cookie (the SPA after a session ended) does not get in the way.
  const stale = await api('POST', '/api/v1/users.2fa.sendEmailCode', {
    json: { emailOrUsername: quinn.username }, headers: { Cookie: `rc_session=${'s'.repeat(43)}` },
  });
  assert.equal(stale.status, 200, stale.text);
  const missing = await api('POST', '/api/v1/users.2fa.sendEmailCode', { json: {} });
  assert.equal(missing.status, 400);
  assert.equal(missing.json.errorType, 'error-parameter-required');
  const bad = await api('POST', '/api/v1/users.2fa.sendEmailCode', { json: { emailOrUsername: 5 } });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.errorType, 'invalid-params');
});

test("the mail speaks the user's language", async () => {
  const u = createUser('yara');
  const auth = await login(u);
  const set = await api('POST', '/api/v1/users.setPreferences', { auth, json: { data: { language: 'de' } } });
  assert.equal(set.status, 200, set.text);
  db('set-email2fa', u.username, 'true');
  await api('POST', '/api/v1/login', { json: { user: u.username, password: u.password } });
  const mail = (await waitForMails(u.email.toLowerCase(), 1))[0];
  assert.equal(mail.subject, 'Anmeldecode');
  assert.match(mail.body, /Hier ist dein Anmeldecode/);
  assert.match(mail.body, /\d{3}-\d{3}/);
});

test('wrong email codes use the code up', async () => {
  const u = createUser('rita');
  db('set-email2fa', u.username, 'true');
  const c = { user: u.username, password: u.password };
  await api('POST', '/api/v1/login', { json: c });
  const mail = (await waitForMails(u.email.toLowerCase(), 1))[0];
  let last;
  for (let i = 0; i < 5; i++) last = await api('POST', '/api/v1/login', { json: { ...c, code: '000000' } });
  assert.equal(last.status, 401);
  const right = await api('POST', '/api/v1/login', { json: { ...c, code: codeIn(mail) } });
  assert.equal(right.status, 401, 'after 5 wrong guesses even the right code fails');
  assert.equal(right.json.error, 'totp-max-attempts');
});

test('SMTP down: the mail is queued, not lost; the worker sends it later', async () => {
  const u = createUser('sven');
  db('set-email2fa', u.username, 'true');
  const to = u.email.toLowerCase();
  // The real auth program as CGI, with an SMTP server that is not there.
  const dir = mkdtempSync(path.join(tmpdir(), 'smtp-down-'));
  const conf = path.join(dir, 'myaccount.conf');
  writeFileSync(conf, readFileSync(process.env.MYACCOUNT_CONFIG, 'utf8') + '\nsmtp_url = smtp://127.0.0.1:9\n');
  const body = JSON.stringify({ emailOrUsername: u.username });
  const out = execFileSync(path.join(TOP, 'build/cgi-bin/auth'), [], {
    env: {
      MYACCOUNT_CONFIG: conf, REQUEST_METHOD: 'POST', REQUEST_URI: '/api/v1/users.2fa.sendEmailCode',
      CONTENT_TYPE: 'application/json', CONTENT_LENGTH: String(body.length), REMOTE_ADDR: '127.0.0.1',
    },
    input: body, encoding: 'utf8',
  });
  assert.match(out, /^Status: 200/, 'the caller is not told about the mail server');
  // The request only queued the job; the sender it started tried and failed.
  const queued = await waitForQueue(to, (q) => q.length === 1 && q[0].attempts === 1 && q[0].state === 'queued', 20000);
  assert.equal(queued.length, 1, JSON.stringify(queued));
  assert.equal(queued[0].state, 'queued');
  assert.equal(queued[0].attempts, 1);
  assert.equal(mailsTo(to).length, 0);
  // Its retry is not due yet; make it due, as time passing would, and run the worker.
  execFileSync('/usr/bin/python3', ['-c', `
import pymongo, os, datetime
from importlib.machinery import SourceFileLoader
t = SourceFileLoader('dbtool', '${path.join(TOP, 'tests/http/dbtool.py')}').load_module()
t.database().mail_queue.update_many({'to': '${to}'}, {'$set': {'nextAttemptAt': datetime.datetime.utcnow()}})
`], { env: process.env });
  const worker = execFileSync(ADMIN, ['run-queue'], { encoding: 'utf8', env: process.env });
  assert.match(worker, /\b[1-9]\d* sent/);   // the queue is shared: other due items may go too
  const mails = await waitForMails(to, 1);
  assert.equal(mails.length, 1);
  assert.equal(mails[0].subject, 'Authentication code');
  const after = db('mail-queue', to);
  assert.equal(after[0].state, 'sent');
  assert.equal(after[0].message, undefined, 'the text (with its code) is dropped once sent');
});
