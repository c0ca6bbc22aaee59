// admin.test.mjs - myaccount-admin as an administrator uses it: clear
// messages, exit codes, and effects visible through the real API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { api, createUser, login, ADMIN } from './lib.mjs';

const admin = (args, input = '') => spawnSync(ADMIN, args, { input, encoding: 'utf8', env: process.env });

test('usage errors exit 2 and say how to use it', () => {
  const none = admin([]);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /usage: myaccount-admin COMMAND/);
  const unknown = admin(['frobnicate']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  assert.equal(admin(['--help']).status, 0);
  assert.match(admin(['--version']).stdout, /myaccount-admin \(myaccount\) \d+\.\d+\.\d+/);
});

test('create-user refuses bad names, bad emails, short passwords and duplicates', () => {
  const u = createUser('tina');
  const cases = [
    [['create-user', 'bad name', 'x@example.org'], 'long-enough-pw\n', /not a valid username/],
    [['create-user', 'okname' + Date.now(), 'not-an-email'], 'long-enough-pw\n', /not a valid email/],
    [['create-user', 'okname' + Date.now(), 'ok@example.org'], 'short\n', /must be 8 to \d+ characters/],
    [['create-user', u.username, 'other' + Date.now() + '@example.org'], 'long-enough-pw\n', /already taken/],
    [['create-user', 'other' + Date.now(), u.email], 'long-enough-pw\n', /already taken/],
    [['create-user', 'x'], '', /usage: create-user/],
  ];
  for (const [args, input, message] of cases) {
    const r = admin(args, input);
    assert.equal(r.status, 1, args.join(' '));
    assert.match(r.stderr, message);
  }
});

test('disable blocks sign-in and revokes every token; enable allows sign-in again', async () => {
  const u = createUser('uwe');
  const t = await login(u);
  const d = admin(['disable', u.username]);
  assert.equal(d.status, 0, d.stderr);
  assert.equal((await api('GET', '/api/v1/me', { auth: t })).status, 401);
  const wrong = await api('POST', '/api/v1/login', { json: { user: u.username, password: 'not-' + u.password } });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.json.error, 'Unauthorized', 'a wrong password says nothing about the account');
  const denied = await api('POST', '/api/v1/login', { json: { user: u.username, password: u.password } });
  assert.equal(denied.status, 401);
  assert.equal(denied.json.error, 'error-user-is-not-activated', 'the right password learns it is switched off, as Rocket.Chat');
  assert.match(admin(['list-users']).stdout, new RegExp(`${u.username}\\s+\\S+\\s+no`));
  assert.equal(admin(['enable', u.username]).status, 0);
  assert.equal((await api('POST', '/api/v1/login', { json: { user: u.username, password: u.password } })).status, 200);
  assert.equal(admin(['disable', 'no-such-user-' + Date.now()]).status, 1);
});

test('set-password changes the password and signs out sessions', async () => {
  const u = createUser('vera');
  const t = await login(u);
  const r = admin(['set-password', u.username], 'brand-new-password\n');
  assert.equal(r.status, 0, r.stderr);
  assert.equal((await api('GET', '/api/v1/me', { auth: t })).status, 401);
  assert.equal((await api('POST', '/api/v1/login', { json: { user: u.username, password: u.password } })).status, 401);
  assert.equal((await api('POST', '/api/v1/login', { json: { user: u.username, password: 'brand-new-password' } })).status, 200);
});

test('user-exists answers by exit code; init-db can run again', () => {
  const u = createUser('walt');
  assert.equal(admin(['user-exists', u.username]).status, 0);
  assert.equal(admin(['user-exists', 'nobody-' + Date.now()]).status, 1);
  const again = admin(['init-db']);
  assert.equal(again.status, 0, again.stderr);
});

test('a broken config file is named with its line', () => {
  const r = spawnSync(ADMIN, ['list-users'], { encoding: 'utf8', env: { ...process.env, MYACCOUNT_CONFIG: '/nonexistent/x.conf' } });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /\/nonexistent\/x\.conf: No such file/);
});
