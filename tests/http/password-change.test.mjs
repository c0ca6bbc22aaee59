// password-change.test.mjs - the password through users.updateOwnBasicInfo
// (its newPassword field; the second factor is the current password for a
// user without 2FA): the policy and zxcvbn refuse and change nothing, "same
// as current" and the history, and a change signs out every other session
// (personal access tokens stay), ends a pending reset link, mails a notice
// and writes the security log. The test config turns the policy and a
// history of 3 on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { api, createUser, login, mailsTo, waitForMails, randomIp, recordSecret, sha256hex } from './lib.mjs';
import { mimeParts, py } from './mail-lib.mjs';

const CHANGED_SUBJECT = 'Your password was changed';

// A password every rule and zxcvbn accept (the k's break runs: four equal
// hex digits in a row would break the repeat rule).
function goodPassword() {
  const p = `Zq7!${randomBytes(6).toString('hex').match(/../g).join('k')}-Wm`;
  recordSecret('password', p);
  return p;
}
const addressOf = (u) => u.email.toLowerCase();

// Changes USER's password (signed in as AUTH) from CURRENT to NEXT.
const change = (auth, current, next) => api('POST', '/api/v1/users.updateOwnBasicInfo', {
  auth, json: { data: { newPassword: next, currentPassword: sha256hex(current) } } });
// A change that must succeed.
async function changed(auth, current, next) {
  const r = await change(auth, current, next);
  assert.equal(r.status, 200, r.text);
}
const signsIn = async (user, password) =>
  (await api('POST', '/api/v1/login', { json: { user: user.username, password } })).status === 200;

test('policy and strength refusals change nothing', async () => {
  const u = createUser('pcpol');
  const auth = await login(u);
  const policy = await change(auth, u.password, 'short');
  assert.equal(policy.status, 400, policy.text);
  assert.equal(policy.json.errorType, 'error-password-policy-not-met');
  assert.deepEqual(policy.json.details.reasons.map((r) => r.error).sort(), [
    'error-password-policy-not-met-minLength', 'error-password-policy-not-met-oneNumber',
    'error-password-policy-not-met-oneSpecial', 'error-password-policy-not-met-oneUppercase']);
  const weak = await change(auth, u.password, 'Password1!');
  assert.equal(weak.json.errorType, 'error-password-too-weak');
  assert.equal(weak.json.details.ok, false);
  assert.match(weak.json.error, /too easy to guess.*\[error-password-too-weak\]$/);
  const own = await change(auth, u.password, `${u.username}1!A`);
  assert.equal(own.json.errorType, 'error-password-too-weak', 'the username is a guessable word');
  assert.ok(await signsIn(u, u.password), 'the old password still works');
  assert.equal((await api('GET', '/api/v1/me', { auth })).status, 200);
});

test('a change keeps the caller\'s session and personal access tokens, signs out the rest, mails a notice', async () => {
  const u = createUser('pcok');
  const auth = await login(u);
  const other = await login(u);
  const pat = await api('POST', '/api/v1/users.generatePersonalAccessToken', {
    auth, json: { tokenName: 'ci' }, headers: { 'x-2fa-code': sha256hex(u.password), 'x-2fa-method': 'password' } });
  assert.equal(pat.status, 200, pat.text);
  const next = goodPassword();
  const r = await change(auth, u.password, next);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.success, true);
  assert.ok(!JSON.stringify(r.json).includes('argon2'), 'no secret in the answer');
  assert.equal((await api('GET', '/api/v1/me', { auth })).status, 200, 'the caller stays signed in');
  assert.equal((await api('GET', '/api/v1/me', { auth: other })).status, 401, 'other sessions end');
  assert.equal((await api('GET', '/api/v1/me', { auth: { userId: u.id, authToken: pat.json.token } })).status, 200, 'PATs stay');
  assert.ok(!(await signsIn(u, u.password)));
  assert.ok(await signsIn(u, next));
  const notice = (await waitForMails(addressOf(u), 1)).filter((m) => m.subject === CHANGED_SUBJECT);
  assert.equal(notice.length, 1);
  const text = mimeParts(notice[0]).text.body;
  assert.match(text, /Every other session was signed out/);
  assert.match(text, /\d+\.\d+\.\d+\.\d+/, 'it says from which address');
  const log = JSON.parse(py(`print(json.dumps([d['event'] for d in db.security_log.find({'userId': ${JSON.stringify(u.id)}})]))`));
  assert.ok(log.includes('password.changed'), log.join());
});

test('same as current, then the history (3) refuses recent passwords; older ones are allowed again', async () => {
  const u = createUser('pchist');
  const auth = await login(u);
  const [p1, p2, p3, p4] = [goodPassword(), goodPassword(), goodPassword(), goodPassword()];
  await changed(auth, u.password, p1);
  const same = await change(auth, p1, p1);
  assert.equal(same.json.errorType, 'error-password-same-as-current');
  await changed(auth, p1, p2);
  const back = await change(auth, p2, p1);
  assert.equal(back.json.errorType, 'error-password-in-history');
  await changed(auth, p2, p3);
  await changed(auth, p3, p4);
  // Kept now: p2, p3 (history) and p4 (current); p1 fell off.
  assert.equal((await change(auth, p4, p2)).json.errorType, 'error-password-in-history');
  assert.equal((await change(auth, p4, p1)).status, 200, 'older than the history: allowed');
});

test('a change ends a pending reset link', async () => {
  const u = createUser('pclink');
  const auth = await login(u);
  await api('POST', '/api/v1/users.forgotPassword', { json: { email: u.email }, headers: { 'X-Forwarded-For': randomIp() } });
  let token = null;
  for (let i = 0; i < 50 && !token; i++) {
    const m = mailsTo(addressOf(u)).map((x) => /\/#\/reset-password\/([A-Za-z0-9_-]{43})/.exec(x.body)).find(Boolean);
    if (m) token = m[1];
    else await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(token, 'the reset mail arrived');
  recordSecret('auth-token', token);
  assert.equal((await change(auth, u.password, goodPassword())).status, 200);
  const r = await api('POST', '/api/v1/users.resetPassword', { json: { token, newPassword: goodPassword() } });
  assert.equal(r.json.errorType, 'error-invalid-token');
});

test('the notice carries no injected header from the name', async () => {
  const u = createUser('pcinj');
  py(`db.users.update_one({'username': ${JSON.stringify(u.username)}}, {'$set': {'name': 'Eve\\r\\nBcc: spy3@evil.example'}})`);
  const auth = await login(u);
  assert.equal((await change(auth, u.password, goodPassword())).status, 200);
  const mail = (await waitForMails(addressOf(u), 1)).find((m) => m.subject === CHANGED_SUBJECT);
  assert.ok(mail);
  assert.doesNotMatch(mail.head, /^Bcc:/mi);
  assert.equal(mailsTo('spy3@evil.example').length, 0);
});
