// email.test.mjs - address verification: users.sendConfirmationEmail mails
// a single-use link through the real SMTP sink (only to the caller's own
// unverified address, whatever is asked: no account enumeration), and
// users.verifyEmail (ours) confirms it: single use under parallel claims,
// expiry, rate limits, refused input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { api, createUser, login, mailsTo, waitForMails, randomIp, recordSecret } from './lib.mjs';
import { mimeParts, py } from './mail-lib.mjs';

const SUBJECT = 'Verify your email address';
const addressOf = (u) => u.email.toLowerCase();
const verifyMails = (address) => mailsTo(address).filter((m) => m.subject === SUBJECT);

function unverify(user) {
  py(`db.users.update_one({'username': ${JSON.stringify(user.username)}}, {'$set': {'emails.0.verified': False}})`);
}
const verified = (user) => JSON.parse(py(`print(json.dumps(db.users.find_one({'username': ${JSON.stringify(user.username)}})['emails'][0]['verified']))`));
function clearConfirmLimit(user) {
  py(`db.ratelimits.delete_many({'_id': t.limit_key('confirm-mail', ${JSON.stringify(user.id)})})`);
}

// Asks for a verification mail for USER (signed in as AUTH) and returns the
// token of the link that arrives.
async function verifyToken(user, auth) {
  const address = addressOf(user);
  clearConfirmLimit(user);
  const had = verifyMails(address).length;
  const r = await api('POST', '/api/v1/users.sendConfirmationEmail', { auth, json: { email: user.email } });
  assert.equal(r.status, 200, r.text);
  await waitForMails(address, had + 1);
  let mails = verifyMails(address);
  for (let i = 0; i < 50 && mails.length <= had; i++) {
    await new Promise((res) => setTimeout(res, 100));
    mails = verifyMails(address);
  }
  assert.ok(mails.length > had, 'the verification mail arrived');
  const parts = mimeParts(mails[mails.length - 1]);
  const m = /\/#\/verify-email\/([A-Za-z0-9_-]{43})\b/.exec(parts.text.body);
  assert.ok(m, 'the text part carries the link into the SPA');
  assert.ok(parts.html.body.includes(m[0]), 'the HTML part too');
  assert.ok(parts.text.body.includes(address), 'it names the address');
  recordSecret('auth-token', m[1]);
  return m[1];
}
const verify = (token, ip = randomIp()) =>
  api('POST', '/api/v1/users.verifyEmail', { json: { token }, headers: { 'X-Forwarded-For': ip } });

test('sendConfirmationEmail: signed in only; bad input on the field is refused', async () => {
  const anon = await api('POST', '/api/v1/users.sendConfirmationEmail', { json: { email: 'a@b.cd' } });
  assert.equal(anon.status, 401);
  const u = createUser('emin');
  const auth = await login(u);
  for (const json of [{}, { email: '' }, { email: 5 }, { email: null }, { email: 'nope' }, { email: 'a@b.cd\r\nBcc: x@evil.example' },
    { email: 'a@b.cd', more: 1 }, { email: `${'a'.repeat(250)}@b.cd` }]) {
    const r = await api('POST', '/api/v1/users.sendConfirmationEmail', { auth, json });
    assert.equal(r.status, 400, JSON.stringify(json).slice(0, 60));
    assert.equal(r.json.errorType, 'invalid-params');
  }
});

test('verification round trip: the mailed link verifies the address once', async () => {
  const u = createUser('emrt');
  unverify(u);
  const auth = await login(u);
  const me = await api('GET', '/api/v1/me', { auth });
  assert.equal(me.json.emails[0].verified, false);
  const token = await verifyToken(u, auth);
  const r = await verify(token);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { success: true });
  assert.equal(verified(u), true);
  const again = await verify(token);
  assert.equal(again.status, 400);
  assert.equal(again.json.errorType, 'error-invalid-token', 'single use');
  const log = JSON.parse(py(`print(json.dumps([d['event'] for d in db.security_log.find({'userId': ${JSON.stringify(u.id)}})]))`));
  assert.ok(log.includes('email.verified'), log.join());
});

test('sendConfirmationEmail never tells whose an address is, and mails only the caller\'s own unverified one', async () => {
  const asker = createUser('emask');
  const other = createUser('emoth');
  unverify(other);
  const auth = await login(asker);
  for (const email of [other.email, `nobody-${Date.now()}@example.org`, asker.email]) {
    const r = await api('POST', '/api/v1/users.sendConfirmationEmail', { auth, json: { email } });
    assert.equal(r.status, 200, email);
    assert.deepEqual(r.json, { success: true });
  }
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(verifyMails(addressOf(other)).length, 0, 'another user\'s address gets nothing (Rocket.Chat would mail it)');
  assert.equal(verifyMails(addressOf(asker)).length, 0, 'an address already verified gets nothing');
});

test('sendConfirmationEmail: five mails an hour per user, then 429', async () => {
  const u = createUser('emrl');
  unverify(u);
  const auth = await login(u);
  const answers = await Promise.all(Array.from({ length: 8 }, () =>
    api('POST', '/api/v1/users.sendConfirmationEmail', { auth, json: { email: u.email } })));
  assert.equal(answers.filter((r) => r.status === 200).length, 5, answers.map((r) => r.status).join());
  const refused = answers.find((r) => r.status === 429);
  assert.equal(refused.json.errorType, 'error-too-many-requests');
  assert.ok(Number(refused.headers.get('retry-after')) > 0);
});

test('verifyEmail: N parallel uses of one link: exactly one wins', async () => {
  const u = createUser('empar');
  unverify(u);
  const token = await verifyToken(u, await login(u));
  const answers = await Promise.all(Array.from({ length: 6 }, () => verify(token)));
  assert.equal(answers.filter((r) => r.status === 200).length, 1, answers.map((r) => r.status).join());
  for (const r of answers.filter((x) => x.status !== 200)) assert.equal(r.json.errorType, 'error-invalid-token');
});

test('verifyEmail: expired links, replaced links and links for an address no longer held are refused', async () => {
  const u = createUser('emexp');
  unverify(u);
  const auth = await login(u);
  const first = await verifyToken(u, auth);
  const second = await verifyToken(u, auth);
  assert.equal((await verify(first)).json.errorType, 'error-invalid-token', 'a newer link replaced it');
  py(`db.email_codes.update_many({'userId': ${JSON.stringify(u.id)}, 'purpose': 'verify-email'},
      {'$set': {'expiresAt': now - datetime.timedelta(minutes=1)}})`);
  assert.equal((await verify(second)).json.errorType, 'error-invalid-token', 'expired');
  const third = await verifyToken(u, auth);
  py(`db.users.update_one({'_id': ${JSON.stringify(u.id)}}, {'$set': {'emails.0.address': 'moved-${Date.now()}@example.org'}})`);
  assert.equal((await verify(third)).json.errorType, 'error-invalid-token', 'the address changed since');
  assert.equal(verified(u), false);
});

test('verifyEmail: bad input is refused; wrong tokens are rate limited per address', async () => {
  for (const json of [{}, { token: '' }, { token: 5 }, { token: 'x'.repeat(129) }, { token: 'a\nb' }, { token: 'x', more: 1 }]) {
    const r = await api('POST', '/api/v1/users.verifyEmail', { json });
    assert.equal(r.status, 400, JSON.stringify(json).slice(0, 60));
    assert.equal(r.json.errorType, 'invalid-params');
  }
  const ip = randomIp();
  const answers = await Promise.all(Array.from({ length: 33 }, () => verify(randomBytes(32).toString('base64url'), ip)));
  assert.equal(answers.filter((r) => r.json.errorType === 'error-invalid-token').length, 30);
  assert.equal(answers.filter((r) => r.status === 429).length, 3);
});

test('the verification mail carries no injected header from the name', async () => {
  const u = createUser('eminj');
  unverify(u);
  py(`db.users.update_one({'username': ${JSON.stringify(u.username)}}, {'$set': {'name': 'Mal\\r\\nBcc: spy2@evil.example\\r\\n\\r\\nfake body'}})`);
  await verifyToken(u, await login(u));
  const mail = verifyMails(addressOf(u))[0];
  assert.doesNotMatch(mail.head, /^Bcc:/mi);
  assert.equal(mailsTo('spy2@evil.example').length, 0);
  assert.match(mimeParts(mail).text.body, /Hello Mal\?\?Bcc: spy2@evil\.example\?\?\?\?fake body,/, 'control characters shown as ?');
});
