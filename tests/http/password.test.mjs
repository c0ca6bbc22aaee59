// password.test.mjs - the password outside the profile form: the policy
// (pw.getPolicy, pw.getPolicyReset), the strength estimate (ours,
// pw.strength), and forgot password: users.forgotPassword mails a
// single-use link through the real SMTP sink, users.resetPassword (ours)
// follows it. The test config turns the policy and a history of 3 on.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { api, createUser, login, db, mailsTo, waitForMails, randomIp, recordSecret, sha256hex } from './lib.mjs';
import { mimeParts, py } from './mail-lib.mjs';

const POLICY = {
  enabled: true,
  policy: [
    ['get-password-policy-minLength', { minLength: 8 }],
    ['get-password-policy-maxLength', { maxLength: 256 }],
    ['get-password-policy-forbidRepeatingCharacters'],
    ['get-password-policy-forbidRepeatingCharactersCount', { forbidRepeatingCharactersCount: 3 }],
    ['get-password-policy-mustContainAtLeastOneLowercase'],
    ['get-password-policy-mustContainAtLeastOneUppercase'],
    ['get-password-policy-mustContainAtLeastOneNumber'],
    ['get-password-policy-mustContainAtLeastOneSpecialCharacter'],
  ],
};
const RESET_SUBJECT = 'Reset your password';
const CHANGED_SUBJECT = 'Your password was changed';

// A password every rule and zxcvbn accept (the k's break runs: four equal
// hex digits in a row would break the repeat rule).
function goodPassword() {
  const p = `Zq7!${randomBytes(6).toString('hex').match(/../g).join('k')}-Wm`;
  recordSecret('password', p);
  return p;
}
const addressOf = (u) => u.email.toLowerCase();
const withSubject = (mails, s) => mails.filter((m) => m.subject === s);
const reasonsOf = (r) => r.json.details.reasons.map((x) => x.error).sort();

// Lets ADDRESS ask for reset mails again (its hourly limit is small).
function clearForgotLimit(address) {
  py(`db.ratelimits.delete_many({'_id': t.limit_key('forgot-address', ${JSON.stringify(address)})})`);
}

// Asks for a reset link for USER from a fresh address; returns the token
// read from the mail that arrives (the text part's link).
async function resetToken(user, { record = true } = {}) {
  const address = addressOf(user);
  clearForgotLimit(address);
  const had = withSubject(mailsTo(address), RESET_SUBJECT).length;
  const r = await api('POST', '/api/v1/users.forgotPassword', { json: { email: user.email }, headers: { 'X-Forwarded-For': randomIp() } });
  assert.equal(r.status, 200, r.text);
  let mails = [];
  for (let i = 0; i < 50 && mails.length <= had; i++) {
    mails = withSubject(await waitForMails(address, 1, 200), RESET_SUBJECT);
    if (mails.length <= had) await new Promise((res) => setTimeout(res, 100));
  }
  assert.ok(mails.length > had, 'the reset mail arrived');
  const mail = mails[mails.length - 1];
  const parts = mimeParts(mail);
  const m = /\/#\/reset-password\/([A-Za-z0-9_-]{43})\b/.exec(parts.text.body);
  assert.ok(m, 'the text part carries the link into the SPA');
  assert.ok(parts.html.body.includes(m[0]), 'the HTML part too');
  if (record) recordSecret('auth-token', m[1]);
  return m[1];
}

const reset = (token, newPassword, ip = randomIp()) =>
  api('POST', '/api/v1/users.resetPassword', { json: { token, newPassword }, headers: { 'X-Forwarded-For': ip } });

let ann, annAuth;
before(async () => {
  ann = createUser('pwann');
  annAuth = await login(ann);
});

test('pw.getPolicy: signed in only; Rocket.Chat\'s shape with every rule the config turns on', async () => {
  const anon = await api('GET', '/api/v1/pw.getPolicy');
  assert.equal(anon.status, 401);
  const r = await api('GET', '/api/v1/pw.getPolicy', { auth: annAuth });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { ...POLICY, success: true });
});

test('pw.getPolicyReset: needs a live reset token; 401 for any other', async () => {
  const missing = await api('GET', '/api/v1/pw.getPolicyReset');
  assert.equal(missing.status, 400);
  assert.equal(missing.json.errorType, 'invalid-params');
  for (const token of ['x', 'A'.repeat(43), 'A'.repeat(129)]) {
    const r = await api('GET', `/api/v1/pw.getPolicyReset?token=${token}`);
    assert.ok(r.status === 401 || r.status === 400, `${token.length}: ${r.status}`);
    assert.equal(r.json.success, false);
  }
  const u = createUser('pwpol');
  // Not recorded as a secret on purpose: Rocket.Chat puts it in the query
  // string, which web servers log (README says so; our SPA never sends it
  // there). This link is removed right after.
  const token = await resetToken(u, { record: false });
  const r = await api('GET', `/api/v1/pw.getPolicyReset?token=${token}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { ...POLICY, success: true });
  // Gone (as after its use): 401. Deleted directly, so the token is sent nowhere else.
  py(`db.email_codes.delete_many({'userId': ${JSON.stringify(u.id)}})`);
  assert.equal((await api('GET', `/api/v1/pw.getPolicyReset?token=${token}`)).status, 401, 'used up');
});

test('pw.strength: the zxcvbn estimate and the unmet rules, for a signed-in caller', async () => {
  const anon = await api('POST', '/api/v1/pw.strength', { json: { password: 'whatever' } });
  assert.equal(anon.status, 401);

  const weak = await api('POST', '/api/v1/pw.strength', { auth: annAuth, json: { password: 'sunshine' } });
  assert.equal(weak.status, 200, weak.text);
  assert.equal(weak.json.score, 0);
  assert.equal(weak.json.ok, false);
  assert.equal(weak.json.minScore, 2);
  assert.ok(weak.json.patterns.includes('dictionary'), weak.text);
  assert.deepEqual(weak.json.reasons.map((x) => x.error).sort(), [
    'error-password-policy-not-met-oneNumber', 'error-password-policy-not-met-oneSpecial',
    'error-password-policy-not-met-oneUppercase']);

  const own = await api('POST', '/api/v1/pw.strength', { auth: annAuth, json: { password: ann.username } });
  assert.ok(own.json.patterns.includes('userWord'), 'the user\'s own name counts as guessable');
  assert.equal(own.json.ok, false);

  const strong = await api('POST', '/api/v1/pw.strength', { auth: annAuth, json: { password: goodPassword() } });
  assert.equal(strong.json.score, 4, strong.text);
  assert.equal(strong.json.ok, true);
  assert.deepEqual(strong.json.reasons, []);
  assert.equal(typeof strong.json.guessesLog10, 'number');

  const rep = await api('POST', '/api/v1/pw.strength', { auth: annAuth, json: { password: 'Aaaaa1!xyzQ' } });
  assert.ok(rep.json.reasons.some((x) => x.error === 'error-password-policy-not-met-repeatingCharacters'));
});

test('pw.strength: bad input on every field is refused', async () => {
  const cases = [
    [{}, 400], [{ password: '' }, 400], [{ password: 5 }, 400], [{ password: null }, 400],
    [{ password: 'x'.repeat(1025) }, 400], [{ password: 'ok', other: 1 }, 400],
    [{ password: 'ok', token: 5 }, 400], [{ password: 'ok', token: 'x'.repeat(129) }, 400],
  ];
  for (const [json, status] of cases) {
    const r = await api('POST', '/api/v1/pw.strength', { auth: annAuth, json });
    assert.equal(r.status, status, JSON.stringify(json).slice(0, 60));
    assert.equal(r.json.errorType, 'invalid-params');
  }
  const big = await api('POST', '/api/v1/pw.strength', { auth: annAuth, json: { password: 'x'.repeat(9000) } });
  assert.equal(big.status, 413);
  const form = await api('POST', '/api/v1/pw.strength', { auth: annAuth, form: { password: 'x' } });
  assert.equal(form.status, 415, 'JSON only');
});

test('pw.strength: with a reset token instead of a session; a wrong token is refused', async () => {
  const u = createUser('pwstr');
  const token = await resetToken(u);
  const r = await api('POST', '/api/v1/pw.strength', { json: { password: u.username + '1', token } });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.patterns.includes('userWord'), 'judged against the link\'s user');
  const bad = await api('POST', '/api/v1/pw.strength', { json: { password: 'x', token: 'B'.repeat(43) } });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.errorType, 'error-invalid-token');
});

test('pw.strength is rate limited per user', async () => {
  const u = createUser('pwrl');
  const auth = await login(u);
  const answers = [];
  for (let i = 0; i < 5; i++)
    answers.push(...await Promise.all(Array.from({ length: 25 }, () =>
      api('POST', '/api/v1/pw.strength', { auth, json: { password: 'a' } }))));
  const ok = answers.filter((r) => r.status === 200).length;
  assert.equal(ok, 120, 'at most 120 a minute');
  const refused = answers.find((r) => r.status === 429);
  assert.equal(refused.json.errorType, 'error-too-many-requests');
  assert.ok(refused.headers.get('x-ratelimit-limit'));
});

test('forgotPassword: the same answer for a known and an unknown address', async () => {
  const u = createUser('pwfg');
  const known = await api('POST', '/api/v1/users.forgotPassword', { json: { email: u.email } });
  const unknown = await api('POST', '/api/v1/users.forgotPassword', { json: { email: `nobody-${Date.now()}@example.org` } });
  assert.equal(known.status, 200);
  assert.equal(unknown.status, 200);
  assert.deepEqual(known.json, { success: true });
  assert.deepEqual(unknown.json, known.json);
  const mails = withSubject(await waitForMails(addressOf(u), 1), RESET_SUBJECT);
  assert.equal(mails.length, 1, 'only the known address gets a mail');
  assert.match(mails[0].body, /Hello Test /);
  const form = await api('POST', '/api/v1/users.forgotPassword', { form: { email: `nobody2-${Date.now()}@example.org` } });
  assert.equal(form.status, 200, 'form bodies too, as Rocket.Chat');
});

test('forgotPassword: bad input is refused', async () => {
  for (const json of [{}, { email: '' }, { email: 5 }, { email: 'not-an-address' }, { email: 'a@b.c\r\nBcc: x@evil.example' },
    { email: 'a@b.c', extra: 1 }, { email: `${'a'.repeat(250)}@b.cd` }]) {
    const r = await api('POST', '/api/v1/users.forgotPassword', { json });
    assert.equal(r.status, 400, JSON.stringify(json).slice(0, 60));
    assert.equal(r.json.errorType, 'invalid-params');
  }
});

test('forgotPassword: rate limited per address (known or not alike) and per source address', async () => {
  const u = createUser('pwfl');
  for (const email of [u.email, `ghost-${Date.now()}@example.org`]) {
    const answers = [];
    for (let i = 0; i < 4; i++)
      answers.push(await api('POST', '/api/v1/users.forgotPassword', { json: { email }, headers: { 'X-Forwarded-For': randomIp() } }));
    assert.deepEqual(answers.map((r) => r.status), [200, 200, 200, 429], email);
    assert.equal(answers[3].json.errorType, 'error-too-many-requests');
  }
  const ip = randomIp();
  const many = await Promise.all(Array.from({ length: 24 }, (_, i) =>
    api('POST', '/api/v1/users.forgotPassword', { json: { email: `flood${i}-${Date.now()}@example.org` }, headers: { 'X-Forwarded-For': ip } })));
  assert.equal(many.filter((r) => r.status === 200).length, 20, 'twenty an hour from one address');
  assert.equal(many.filter((r) => r.status === 429).length, 4);
});

test('forgotPassword: no link for an unverified address or a deactivated user', async () => {
  const u = createUser('pwuv');
  py(`db.users.update_one({'username': ${JSON.stringify(u.username)}}, {'$set': {'emails.0.verified': False}})`);
  const v = createUser('pwoff');
  py(`db.users.update_one({'username': ${JSON.stringify(v.username)}}, {'$set': {'active': False}})`);
  for (const x of [u, v])
    assert.equal((await api('POST', '/api/v1/users.forgotPassword', { json: { email: x.email } })).status, 200);
  // A known address's mail shows up within a second (the test above); give these longer.
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(mailsTo(addressOf(u)).length, 0);
  assert.equal(mailsTo(addressOf(v)).length, 0);
});

test('reset round trip: weak and policy-breaking passwords leave the link usable; success signs out everywhere but keeps PATs', async () => {
  const u = createUser('pwrt');
  const auth = await login(u);
  const other = await login(u);
  const pat = await api('POST', '/api/v1/users.generatePersonalAccessToken', {
    auth, json: { tokenName: 'ci' }, headers: { 'x-2fa-code': sha256hex(u.password), 'x-2fa-method': 'password' } });
  assert.equal(pat.status, 200, pat.text);
  const token = await resetToken(u);

  const weak = await reset(token, 'Password1!');
  assert.equal(weak.status, 400);
  assert.equal(weak.json.errorType, 'error-password-too-weak');
  assert.equal(weak.json.details.ok, false);
  const policy = await reset(token, 'abc');
  assert.equal(policy.json.errorType, 'error-password-policy-not-met');
  assert.deepEqual(reasonsOf(policy), ['error-password-policy-not-met-minLength', 'error-password-policy-not-met-oneNumber',
    'error-password-policy-not-met-oneSpecial', 'error-password-policy-not-met-oneUppercase']);
  assert.match(policy.json.error, /does not meet the server's password policy\. \[error-password-policy-not-met\]$/);

  const fresh = goodPassword();
  const ok = await reset(token, fresh);
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.json, { success: true });
  assert.equal((await api('GET', '/api/v1/me', { auth })).status, 401, 'signed out');
  assert.equal((await api('GET', '/api/v1/me', { auth: other })).status, 401, 'every session');
  const viaPat = await api('GET', '/api/v1/me', { auth: { userId: u.id, authToken: pat.json.token } });
  assert.equal(viaPat.status, 200, 'personal access tokens stay');
  const oldLogin = await api('POST', '/api/v1/login', { json: { user: u.username, password: u.password } });
  assert.equal(oldLogin.status, 401);
  const newLogin = await api('POST', '/api/v1/login', { json: { user: u.username, password: fresh } });
  assert.equal(newLogin.status, 200, 'the new password signs in');
  const again = await reset(token, goodPassword());
  assert.equal(again.json.errorType, 'error-invalid-token', 'single use');
  const notice = withSubject(await waitForMails(addressOf(u), 2), CHANGED_SUBJECT);
  assert.equal(notice.length, 1, 'a "password changed" notice');
  const log = py(`print(json.dumps([d['event'] for d in db.security_log.find({'userId': ${JSON.stringify(u.id)}})]))`);
  assert.ok(JSON.parse(log).includes('password.reset'), log);
});

test('reset: same as current, then the history refuses the last passwords', async () => {
  const u = createUser('pwhist');
  const p1 = goodPassword(), p2 = goodPassword();
  assert.equal((await reset(await resetToken(u), p1)).status, 200);
  const t = await resetToken(u);
  const same = await reset(t, p1);
  assert.equal(same.json.errorType, 'error-password-same-as-current');
  assert.equal((await reset(t, p2)).status, 200, 'the link survived the refusal');
  const back = await reset(await resetToken(u), p1);
  assert.equal(back.status, 400);
  assert.equal(back.json.errorType, 'error-password-in-history');
  const stored = db('user', u.username);
  assert.equal(stored.services.passwordHistory.length, 2, 'the original and p1');
});

test('reset: N parallel uses of one link: exactly one wins', async () => {
  const u = createUser('pwpar');
  const token = await resetToken(u);
  const answers = await Promise.all(Array.from({ length: 6 }, () => reset(token, goodPassword())));
  assert.equal(answers.filter((r) => r.status === 200).length, 1, answers.map((r) => r.status).join());
  for (const r of answers.filter((x) => x.status !== 200)) assert.equal(r.json.errorType, 'error-invalid-token');
});

test('reset: an expired link is refused; a newer link replaces the older', async () => {
  const u = createUser('pwexp');
  const first = await resetToken(u);
  const second = await resetToken(u);
  const stored = py(`print(json.dumps([d.get('hash', '')[:3] for d in db.email_codes.find({'userId': ${JSON.stringify(u.id)}})]))`);
  assert.deepEqual(JSON.parse(stored), ['k1:'], 'one live link, stored keyed-hashed only');
  assert.equal((await reset(first, goodPassword())).json.errorType, 'error-invalid-token', 'replaced');
  // Expired in the query's eyes (the TTL index may remove it any moment too).
  py(`db.email_codes.update_many({'userId': ${JSON.stringify(u.id)}, 'purpose': 'password-reset'},
      {'$set': {'expiresAt': now - datetime.timedelta(minutes=1)}})`);
  assert.equal((await reset(second, goodPassword())).json.errorType, 'error-invalid-token', 'expired');
});

test('resetPassword: bad input on every field; wrong tokens are rate limited per address', async () => {
  for (const json of [{}, { token: 'x' }, { newPassword: 'x' }, { token: 5, newPassword: 'x' }, { token: 'x', newPassword: 5 },
    { token: 'x'.repeat(129), newPassword: 'x' }, { token: 'x', newPassword: 'x'.repeat(1025) }, { token: 'x', newPassword: 'x', more: 1 },
    { token: 'a\nb', newPassword: 'x' }]) {
    const r = await api('POST', '/api/v1/users.resetPassword', { json });
    assert.equal(r.status, 400, JSON.stringify(json).slice(0, 60));
    assert.equal(r.json.errorType, 'invalid-params');
  }
  const ip = randomIp();
  const answers = await Promise.all(Array.from({ length: 34 }, () => reset(randomBytes(32).toString('base64url'), 'x', ip)));
  assert.equal(answers.filter((r) => r.json.errorType === 'error-invalid-token').length, 30);
  assert.equal(answers.filter((r) => r.status === 429).length, 4);
});

test('mails carry no injected headers: CR/LF in the name stays in the body', async () => {
  const u = createUser('pwinj');
  py(`db.users.update_one({'username': ${JSON.stringify(u.username)}}, {'$set': {'name': 'Eve\\r\\nBcc: spy@evil.example\\r\\nSubject: pwned'}})`);
  await resetToken(u);
  const mail = withSubject(mailsTo(addressOf(u)), RESET_SUBJECT)[0];
  assert.doesNotMatch(mail.head, /^Bcc:/mi);
  assert.equal(mail.head.match(/^Subject:/gmi).length, 1);
  assert.equal(mailsTo('spy@evil.example').length, 0);
  assert.doesNotMatch(mimeParts(mail).text.body, /\r?\nBcc: spy/);
});
