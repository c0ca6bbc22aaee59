// email-change.test.mjs - the address through users.updateOwnBasicInfo (its
// email field; the second factor is the current password for a user
// without 2FA): stored lower-cased and unverified, the verification link to
// the new address (followed through the real SMTP sink), a notice to the old
// one; another account's address refused without regard to case, also when
// several accounts race for one address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, createUser, login, mailsTo, waitForMails, randomIp, recordSecret, sha256hex } from './lib.mjs';
import { mimeParts, py } from './mail-lib.mjs';

const change = (user, auth, email) => api('POST', '/api/v1/users.updateOwnBasicInfo', {
  auth, json: { data: { email, currentPassword: sha256hex(user.password) } } });
const stored = (user) => JSON.parse(py(`print(json.dumps(db.users.find_one({'_id': ${JSON.stringify(user.id)}})['emails']))`));
const fresh = (tag) => `${tag}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}@Example.NET`;

async function mailWithSubject(address, subject) {
  for (let i = 0; i < 60; i++) {
    const m = mailsTo(address).find((x) => x.subject === subject);
    if (m) return m;
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

test('a new address: stored lower-cased and unverified, verified by its mailed link; the old address is told', async () => {
  const u = createUser('ecok');
  const old = u.email.toLowerCase();
  const auth = await login(u);
  const next = fresh('new');
  const r = await change(u, auth, next);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(stored(u), [{ address: next.toLowerCase(), verified: false }]);

  const verify = await mailWithSubject(next.toLowerCase(), 'Verify your email address');
  assert.ok(verify, 'the verification mail went to the new address');
  const m = /\/#\/verify-email\/([A-Za-z0-9_-]{43})\b/.exec(mimeParts(verify).text.body);
  assert.ok(m);
  recordSecret('auth-token', m[1]);
  const notice = await mailWithSubject(old, 'Your email address was changed');
  assert.ok(notice, 'a notice to the old address');
  assert.ok(mimeParts(notice).text.body.includes(next.toLowerCase()), 'naming the new one');

  const v = await api('POST', '/api/v1/users.verifyEmail', { json: { token: m[1] } });
  assert.equal(v.status, 200, v.text);
  assert.deepEqual(stored(u), [{ address: next.toLowerCase(), verified: true }]);
  const log = JSON.parse(py(`print(json.dumps([d['event'] for d in db.security_log.find({'userId': ${JSON.stringify(u.id)}})]))`));
  assert.ok(log.includes('email.changed') && log.includes('email.verified'), log.join());
  // Signing in by the new address works, by the old one no longer.
  assert.equal((await api('POST', '/api/v1/login', { json: { user: next.toUpperCase(), password: u.password } })).status, 200);
  assert.equal((await api('POST', '/api/v1/login', { json: { user: old, password: u.password } })).status, 401);
});

test('another account\'s address, in any case, is refused and nothing changes', async () => {
  const a = createUser('ecdupa');
  const b = createUser('ecdupb');
  const auth = await login(a);
  const before = stored(a);
  const r = await change(a, auth, b.email.toUpperCase());
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.errorType, 'error-field-unavailable');
  assert.deepEqual(stored(a), before);
});

test('the same address again (other case) changes nothing and mails nothing', async () => {
  const u = createUser('ecsame');
  const auth = await login(u);
  const r = await change(u, auth, u.email.toUpperCase());
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(stored(u), [{ address: u.email.toLowerCase(), verified: true }]);
  await new Promise((res) => setTimeout(res, 1000));
  assert.equal(mailsTo(u.email.toLowerCase()).length, 0);
});

test('accounts racing for one address: exactly one gets it', async () => {
  const users = Array.from({ length: 4 }, (_, i) => createUser(`ecrace${i}`));
  const auths = await Promise.all(users.map((u) => login(u)));
  const target = fresh('race');
  const answers = await Promise.all(users.map((u, i) => change(u, auths[i], target)));
  assert.equal(answers.filter((r) => r.status === 200).length, 1, answers.map((r) => r.text).join('\n'));
  for (const r of answers.filter((x) => x.status !== 200)) assert.equal(r.json.errorType, 'error-field-unavailable');
  const holders = JSON.parse(py(`print(json.dumps(db.users.count_documents({'emails.address': ${JSON.stringify(target.toLowerCase())}})))`));
  assert.equal(holders, 1);
});

test('CR/LF or a non-address in the email field is refused before anything is written', async () => {
  const u = createUser('ecinj');
  const auth = await login(u);
  for (const email of ['x@evil.example\r\nBcc: spy4@evil.example', 'not-an-address', 'a b@c.de']) {
    const r = await change(u, auth, email);
    assert.equal(r.status, 400, email);
    assert.equal(r.json.errorType, 'invalid-params');
  }
  assert.deepEqual(stored(u), [{ address: u.email.toLowerCase(), verified: true }]);
  assert.equal(mailsTo('spy4@evil.example').length, 0);
});

test('a change ends a reset link mailed to the old address', async () => {
  const u = createUser('eclink');
  const old = u.email.toLowerCase();
  const auth = await login(u);
  await api('POST', '/api/v1/users.forgotPassword', { json: { email: u.email }, headers: { 'X-Forwarded-For': randomIp() } });
  const mail = await mailWithSubject(old, 'Reset your password');
  assert.ok(mail);
  const token = /\/#\/reset-password\/([A-Za-z0-9_-]{43})/.exec(mail.body)[1];
  recordSecret('auth-token', token);
  assert.equal((await change(u, auth, fresh('moved'))).status, 200);
  const r = await api('POST', '/api/v1/users.resetPassword', { json: { token, newPassword: 'Zq7!unused-Wm-4711' } });
  assert.equal(r.json.errorType, 'error-invalid-token');
  await waitForMails(old, 2);
});
