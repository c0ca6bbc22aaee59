// outage.test.mjs - stop the database under running FastCGI programs: they
// answer 503 with a clear message, quickly, and serve again once it is back,
// without being restarted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { api, createUser, login, TOP } from '../http/lib.mjs';

const stack = (cmd) => execFileSync(path.join(TOP, 'deploy/stack.sh'), [cmd], { encoding: 'utf8', env: process.env });
const programPids = () => {
  try {
    return execFileSync('pgrep', ['-f', path.join(TOP, 'build/cgi-bin/')], { encoding: 'utf8' })
      .trim().split('\n').sort().join(',');
  } catch { return ''; }
};

test('database down: 503 with a clear message; back: served again by the same processes', async (t) => {
  const user = createUser('outage');
  const token = await login(user);
  assert.equal((await api('GET', '/api/v1/me', { auth: token })).status, 200);
  const pids = programPids();
  assert.notEqual(pids, '', 'FastCGI programs are running');

  stack('stop-db');
  t.after(() => { try { stack('start-db'); } catch { /* already up */ } });
  for (const [method, p, opts] of [
    ['GET', '/api/v1/me', { auth: token }],
    ['POST', '/api/v1/login', { json: { user: user.username, password: user.password } }],
    ['GET', '/api/v1/sessions/list', { auth: token }],
    // Not a generated picture that caches for an hour in place of an upload.
    ['GET', `/avatar/${user.username}`, {}],
  ]) {
    const started = Date.now();
    const r = await api(method, p, opts);
    assert.equal(r.status, 503, `${p}: ${r.text}`);
    assert.equal(r.json.success, false);
    assert.equal(r.json.errorType, 'error-database-unavailable');
    assert.match(r.json.error, /database is unavailable/);
    assert.ok(Date.now() - started < 10000, 'answered within the server-selection timeout');
  }
  assert.equal((await api('GET', '/api/info')).status, 200, 'routes without the database still answer');

  stack('start-db');
  let status = 0;
  for (let i = 0; i < 60 && status !== 200; i++) {
    status = (await api('GET', '/api/v1/me', { auth: token })).status;
    if (status !== 200) await new Promise((r) => setTimeout(r, 500));
  }
  assert.equal(status, 200, 'served again after the database came back');
  assert.equal(programPids(), pids, 'the same FastCGI processes, not restarted');
});
