// seclog.test.mjs - the security log (what is recorded, paging, expiry, no
// secrets) and new-sign-in notices: one mail for a device not seen before,
// none for a repeat or the account's first device, and the "this was not
// me" link that ends every session once.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, createUser, login, db, mailsTo, waitForMails, randomIp, sha256hex as sha } from './lib.mjs';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const SAFARI = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 ' +
  '(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

const signIn = (user, ua, ip, password = user.password) => api('POST', '/api/v1/login', {
  json: { user: user.username, password },
  headers: { 'User-Agent': ua, 'X-Forwarded-For': ip },
});
const notices = (user) => mailsTo(user.email.toLowerCase()).filter((m) => /New sign-in/.test(m.subject));
const linkIn = (mail) => /#\/not-me\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/.exec(mail.body)[1];
const events = async (auth, query = '') => {
  const r = await api('GET', `/api/v1/securityLog.list${query}`, { auth });
  assert.equal(r.status, 200, r.text);
  return r.json;
};
// Mail goes out through the queue; give a wrong extra mail time to arrive.
const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));

let ada;
before(() => { ada = createUser('seclog'); });

test('the first device of an account is learnt silently; a new one gets exactly one notice', async () => {
  const home = randomIp();
  assert.equal((await signIn(ada, 'curl/8.1.2', home)).status, 200);
  assert.equal((await signIn(ada, 'curl/8.1.2', home)).status, 200);
  await settle();
  assert.equal(notices(ada).length, 0, 'no notice for the first device nor its repeat');

  const away = randomIp();
  // Five sign-ins from the same new device at once: it is new only once.
  const rs = await Promise.all(Array.from({ length: 5 }, () => signIn(ada, FIREFOX, away)));
  rs.forEach((r) => assert.equal(r.status, 200, r.text));
  const mails = await waitForMails(ada.email.toLowerCase(), 1);
  await settle();
  assert.equal(notices(ada).length, 1, 'one notice for five parallel sign-ins');
  const [mail] = notices(ada);
  assert.ok(mails.length >= 1);
  assert.match(mail.body, /Firefox 128, Linux/, 'the device is named');
  assert.ok(mail.body.includes(away), 'the address is shown');
  assert.match(mail.body, /#\/not-me\//);

  assert.equal((await signIn(ada, FIREFOX, away)).status, 200);
  await settle();
  assert.equal(notices(ada).length, 1, 'a repeat sign-in sends none');
});

test('the log records sign-ins, failures and tokens, newest first, without secrets', async () => {
  const ip = randomIp();
  const bad = await signIn(ada, 'curl/8.1.2', ip, 'wrong-password');
  assert.equal(bad.status, 401);
  const auth = await login(ada);
  const made = await api('POST', '/api/v1/users.generatePersonalAccessToken', {
    auth, json: { tokenName: 'ci-bot' }, headers: { 'x-2fa-code': sha(ada.password), 'x-2fa-method': 'password' },
  });
  assert.equal(made.status, 200, made.text);
  const removed = await api('POST', '/api/v1/users.removePersonalAccessToken', {
    auth, json: { tokenName: 'ci-bot' }, headers: { 'x-2fa-code': sha(ada.password), 'x-2fa-method': 'password' },
  });
  assert.equal(removed.status, 200, removed.text);
  assert.equal((await api('POST', '/api/v1/users.logoutOtherClients', { auth, json: {} })).status, 200);

  const page = await events(auth);
  const names = page.events.map((e) => e.event);
  assert.deepEqual(names.slice(0, 3), ['sessions.revoked', 'token.removed', 'token.created']);
  assert.equal(page.events[0].detail, 'others');
  assert.equal(page.events[1].detail, 'ci-bot');
  const failed = page.events.find((e) => e.event === 'login.failed');
  assert.equal(failed.detail, 'password');
  assert.equal(failed.ip, ip);
  const ok = page.events.find((e) => e.event === 'login');
  assert.equal(ok.detail, 'password');
  for (let i = 1; i < page.events.length; i++)
    assert.ok(Date.parse(page.events[i - 1].at) >= Date.parse(page.events[i].at), 'newest first');

  const stored = JSON.stringify(db('security-log', ada.id));
  for (const secret of [made.json.token, auth.authToken, ada.password, sha(ada.password)])
    assert.ok(!stored.includes(secret), 'no secret is stored in the log');
  assert.ok(!JSON.stringify(page).includes(made.json.token));
});

test('the log is paged and checks its query', async () => {
  const auth = await login(ada);
  const all = await events(auth, '?count=100');
  assert.ok(all.total >= 8, `total ${all.total}`);
  const first = await events(auth, '?count=2');
  const second = await events(auth, '?count=2&offset=2&cacheBuster=1');
  assert.equal(first.events.length, 2);
  assert.deepEqual([...first.events, ...second.events], all.events.slice(0, 4));
  assert.equal(first.total, all.total);
  for (const q of ['?count=0', '?count=101', '?offset=-1', '?count=many']) {
    const r = await api('GET', `/api/v1/securityLog.list${q}`, { auth });
    assert.equal(r.status, 400, q);
    assert.equal(r.json.success, false);
  }
  assert.equal((await api('GET', '/api/v1/securityLog.list')).status, 401);
});

test('expired events are not listed even before the clean-up runs', async () => {
  const bea = createUser('seclogx');
  const auth = await login(bea);
  assert.ok((await events(auth)).total >= 1);
  db('age-security-log', bea.id);
  const after = await events(auth);
  assert.equal(after.total, 0);
  assert.deepEqual(after.events, []);
});

test('"this was not me" ends every session and the tokens made since, once', async () => {
  const cy = createUser('seclogn');
  const home = randomIp();
  const mine = (await signIn(cy, 'curl/8.1.2', home)).json.data;
  const headers = { 'x-2fa-code': sha(cy.password), 'x-2fa-method': 'password' };
  const auth = { userId: mine.userId, authToken: mine.authToken };
  const older = await api('POST', '/api/v1/users.generatePersonalAccessToken', { auth, json: { tokenName: 'before' }, headers });
  assert.equal(older.status, 200, older.text);
  await new Promise((resolve) => setTimeout(resolve, 20));

  const thief = (await signIn(cy, SAFARI, randomIp())).json.data;
  const thiefAuth = { userId: thief.userId, authToken: thief.authToken };
  const planted = await api('POST', '/api/v1/users.generatePersonalAccessToken', { auth: thiefAuth, json: { tokenName: 'planted' }, headers });
  assert.equal(planted.status, 200, planted.text);
  await waitForMails(cy.email.toLowerCase(), 1);
  const [mail] = notices(cy);
  assert.match(mail.body, /Safari 17, iOS/);
  const token = linkIn(mail);

  const wrong = await api('POST', '/api/v1/signin.notMe', { json: { token: token.slice(0, -2) + (token.endsWith('A') ? 'BB' : 'AA') } });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.json.errorType, 'error-not-me-link-invalid');

  const uses = await Promise.all([1, 2, 3].map(() => api('POST', '/api/v1/signin.notMe', { json: { token } })));
  assert.deepEqual(uses.map((r) => r.status).sort(), [200, 400, 400], 'the link works once');

  for (const a of [auth, thiefAuth])
    assert.equal((await api('GET', '/api/v1/me', { auth: a })).status, 401, 'every session ended');
  const userId = cy.id;
  const pat = (t) => ({ userId, authToken: t });
  assert.equal((await api('GET', '/api/v1/me', { auth: pat(planted.json.token) })).status, 401, 'the planted token is gone');
  assert.equal((await api('GET', '/api/v1/me', { auth: pat(older.json.token) })).status, 200, 'older tokens stay');

  // The disowned device is new again next time.
  assert.equal((await signIn(cy, SAFARI, randomIp())).status, 200);
  await waitForMails(cy.email.toLowerCase(), 2);
  assert.equal(notices(cy).length, 2);

  for (const body of [{}, { token: '' }, { token: 7 }, { token: 'x'.repeat(200) }]) {
    const r = await api('POST', '/api/v1/signin.notMe', { json: body });
    assert.equal(r.status, 400, JSON.stringify(body));
  }
});

test('a user who turned login detection mails off gets none', async () => {
  const di = createUser('seclogq');
  const first = await signIn(di, 'curl/8.1.2', randomIp());
  assert.equal(first.status, 200);
  const auth = { userId: first.json.data.userId, authToken: first.json.data.authToken };
  const r = await api('POST', '/api/v1/users.setPreferences', { auth, json: { data: { receiveLoginDetectionEmail: false } } });
  assert.equal(r.status, 200, r.text);
  assert.equal((await signIn(di, FIREFOX, randomIp())).status, 200);
  await settle();
  assert.equal(notices(di).length, 0);
});
