// The web server in front of the programs, in whichever of the four modes
// BASE_URL is: its own errors are Rocket.Chat JSON, HEAD works on every GET
// route, the FastCGI sockets are closed to other users, gen-config.sh --check
// agrees with what a real server does, and https set-ups send HSTS.
// Servers this file starts itself listen on a spare port (the highest port of
// TARGETS + 5) with configs under STATE_DIR/conf/, so `stack.sh stop` would
// stop a leftover too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { TOP, BASE, api, createUser, login } from './lib.mjs';

const STATE_DIR = process.env.STATE_DIR ?? path.join(TOP, 'build/test-run');
const PORT = Number(new URL(BASE).port);
const TARGETS = (process.env.TARGETS ?? `nginx-fastcgi:${PORT}`).split(/\s+/).filter(Boolean);
const [SERVER, MODE] = (TARGETS.find((t) => t.endsWith(`:${PORT}`)) ?? `nginx-fastcgi:${PORT}`)
  .replace(/:\d+$/, '').split('-');
const SPARE = Math.max(...TARGETS.map((t) => Number(t.split(':').pop()))) + 5;
const GEN = path.join(TOP, 'deploy/gen-config.sh');
const STACK = path.join(TOP, 'deploy/stack.sh');
const SERVED_CONF = path.join(STATE_DIR, 'conf', `${SERVER}-${MODE}-${PORT}.conf`);

// What stack.sh start recorded (BINDIR, WWW, RUN_USER).
const stackEnv = Object.fromEntries(execFileSync('bash', ['-c', `. "$1/stack.env" && printf '%s\\0' "$BINDIR" "$WWW" "$RUN_USER"`, '-', STATE_DIR],
  { encoding: 'utf8' }).split('\0').slice(0, 3).map((v, i) => [['BINDIR', 'WWW', 'RUN_USER'][i], v]));

const curl = (...args) => spawnSync('curl', ['-s', '-k', '--max-time', '10', ...args], { encoding: 'utf8' });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Parses `curl -i` output into {status, headers (lower-case names), body}.
function parseCurl(out) {
  const text = out.stdout.replace(/\r/g, '');
  const split = text.indexOf('\n\n');
  const head = text.slice(0, split).split('\n');
  const headers = {};
  for (const line of head.slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status: Number(head[0].split(' ')[1]), headers, body: text.slice(split + 2) };
}

// gen-config.sh with the stack's own settings; extra options appended.
function genConfig(port, ...extra) {
  return execFileSync(GEN, ['--server', SERVER, '--mode', MODE, '--port', String(port), '--listen', '127.0.0.1',
    '--bindir', stackEnv.BINDIR, '--www', stackEnv.WWW, '--statedir', STATE_DIR,
    '--sockdir', path.join(STATE_DIR, 'sock'), '--conf', path.join(STATE_DIR, 'myaccount.conf'),
    ...(stackEnv.RUN_USER ? ['--user', stackEnv.RUN_USER] : []), ...extra], { encoding: 'utf8' });
}

// Starts SERVER with config text CONF (listening on SPARE); returns stop().
async function startServer(conf, scheme = 'http') {
  const file = path.join(STATE_DIR, 'conf', `test-${SERVER}-${MODE}-${SPARE}.conf`);
  const log = path.join(STATE_DIR, 'log', `${SERVER}-${SPARE}-error.log`);
  fs.mkdirSync(path.join(STATE_DIR, 'tmp', `${SERVER}-${SPARE}`), { recursive: true });
  fs.writeFileSync(file, conf);
  if (SERVER === 'nginx') {
    execFileSync('/usr/sbin/nginx', ['-p', `${STATE_DIR}/`, '-e', log, '-c', file]);
  } else {
    const logs = [log, ...['access', 'cgi-stderr'].map((k) => path.join(STATE_DIR, 'log', `lighttpd-${SPARE}-${k}.log`))];
    for (const l of logs) fs.appendFileSync(l, '');
    if (stackEnv.RUN_USER && !stackEnv.RUN_USER.startsWith('root')) {
      execFileSync('chown', [stackEnv.RUN_USER, ...logs, path.join(STATE_DIR, 'tmp', `${SERVER}-${SPARE}`)]);
    }
    execFileSync('/usr/sbin/lighttpd', ['-f', file]);
  }
  const pidFile = path.join(STATE_DIR, 'pids', `${SERVER}-${SPARE}.pid`);
  for (let i = 0; i < 100; i++) {
    if (curl('-o', '/dev/null', '-w', '%{http_code}', `${scheme}://127.0.0.1:${SPARE}/api/info`).stdout === '200') break;
    await sleep(100);
  }
  return async () => {
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100; i++) {
      try { process.kill(pid, 0); } catch { return; }
      await sleep(100);
    }
    process.kill(pid, 'SIGKILL');
  };
}

let auth;
before(async () => {
  auth = await login(createUser('srv'));
});

test('a body over the server limit answers 413 in Rocket.Chat JSON, from the server itself', () => {
  const big = path.join(STATE_DIR, 'tmp', 'body-13m');
  fs.writeFileSync(big, Buffer.alloc(13 * 1024 * 1024, 0x20));
  const r = parseCurl(curl('-i', '-X', 'POST', '-H', 'Content-Type: application/json', '--data-binary', `@${big}`,
    `${BASE}/api/v1/users.setPreferences`));
  fs.rmSync(big);
  assert.equal(r.status, 413);
  assert.match(r.headers['content-type'], /^application\/json/);
  const json = JSON.parse(r.body);
  assert.equal(json.success, false);
  assert.equal(json.errorType, 'error-too-large');
  assert.match(json.error, /too large/);
});

test('a FastCGI program that is down answers 502/503 in Rocket.Chat JSON', { skip: MODE !== 'fastcgi' && 'plain CGI: no program process to stop' }, async () => {
  const pidFile = path.join(STATE_DIR, 'pids', 'prog-preferences.pid');
  const pids = fs.readFileSync(pidFile, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  try {
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    await sleep(300);
    const r = await api('GET', '/api/v1/users.getPreferences', { auth });
    assert.ok(r.status === 502 || r.status === 503, `status ${r.status}`);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    assert.equal(r.json?.success, false, r.text);
    assert.equal(typeof r.json.error, 'string');
    // Programs still up answer as before.
    assert.equal((await api('GET', '/api/v1/me', { auth })).status, 200);
  } finally {
    execFileSync(STACK, ['restart-programs', 'preferences'], { env: { ...process.env, STATE_DIR } });
  }
  // lighttpd leaves a backend it could not reach disabled for a second.
  let back;
  for (let i = 0; i < 50; i++) {
    back = await api('GET', '/api/v1/users.getPreferences', { auth });
    if (back.status === 200) break;
    await sleep(100);
  }
  assert.equal(back.status, 200, back.text);
});

test('the programs\' own error answers pass through the server untouched', async () => {
  const r = await api('GET', '/api/v1/no-such-route', { auth });
  assert.equal(r.status, 404);
  assert.equal(r.json.success, false);
});

// Every exact GET route of every program, from the programs' own --routes.
function getRoutes() {
  const routes = [];
  for (const prog of execFileSync(GEN, ['--bindir', stackEnv.BINDIR, '--list-programs'], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
    for (const line of execFileSync(path.join(stackEnv.BINDIR, prog), ['--routes'], { encoding: 'utf8' }).split('\n')) {
      const [method, p] = line.trim().split(/\s+/);
      if (method === 'GET' && p && !p.endsWith('*')) routes.push(p);
    }
  }
  return routes;
}

// GET routes that change state (Rocket.Chat's deprecated GET logout): HEAD
// must not run them, and a GET here would end the session the loop uses.
const STATE_CHANGING_GETS = new Set(['/api/v1/logout',
  // My Data: a GET that queues an export, as Rocket.Chat's.
  '/api/v1/users.requestDataDownload']);

test('HEAD on every GET route answers as GET does, without a body', async () => {
  const routes = getRoutes();
  assert.ok(routes.includes('/api/v1/me'), routes.join(' '));
  for (const p of STATE_CHANGING_GETS) {
    assert.ok(routes.includes(p), `${p} is served`);
    assert.equal((await api('HEAD', p, { auth })).status, 405, `HEAD ${p} does not run it`);
    assert.equal((await api('GET', '/api/v1/me', { auth })).status, 200, `HEAD ${p} left the session alone`);
  }
  for (const p of routes.filter((r) => !STATE_CHANGING_GETS.has(r))) {
    for (const who of [auth, null]) {
      const get = await api('GET', p, who ? { auth: who } : {});
      const head = await api('HEAD', p, who ? { auth: who } : {});
      assert.equal(head.status, get.status, `HEAD ${p}`);
      assert.equal(head.text, '', `HEAD ${p} has no body`);
      assert.equal(head.headers.get('content-type'), get.headers.get('content-type'), `HEAD ${p} content type`);
      assert.equal(head.headers.get('cache-control'), get.headers.get('cache-control'), `HEAD ${p} cache-control`);
    }
  }
});

test('FastCGI sockets are closed to other users (mode 0660 in a 0750 directory)', () => {
  const dir = path.join(STATE_DIR, 'sock');
  assert.equal(fs.statSync(dir).mode & 0o777, 0o750);
  const socks = fs.readdirSync(dir).filter((f) => f.endsWith('.sock'));
  assert.ok(socks.length > 0);
  for (const s of socks) assert.equal(fs.statSync(path.join(dir, s)).mode & 0o007, 0, `${s} is open to others`);
});

test('gen-config.sh --check passes the served config, and what it refuses a real server gets wrong', async () => {
  const ok = spawnSync(GEN, ['--check', SERVED_CONF, '--bindir', stackEnv.BINDIR], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^ok: /);

  // The same config with one route of preferences sent to auth instead.
  const route = '/api/v1/users.getPreferences';
  const served = fs.readFileSync(SERVED_CONF, 'utf8');
  const broken = served.split('\n').map((line) => (line.includes(`${route}"`) || line.includes(` ${route} `)
    ? line.replace(/(myaccount_|\/|program )preferences\b/g, '$1auth') : line)).join('\n')
    .replaceAll(String(PORT), String(SPARE));
  assert.notEqual(broken, served.replaceAll(String(PORT), String(SPARE)), 'the route line was found');
  const brokenFile = path.join(STATE_DIR, 'conf', 'broken.conf');
  fs.writeFileSync(brokenFile, broken);
  const bad = spawnSync(GEN, ['--check', brokenFile, '--bindir', stackEnv.BINDIR], { encoding: 'utf8' });
  assert.equal(bad.status, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, new RegExp(`^wrong: GET ${route.replaceAll('.', '\\.')} \\(preferences\\)`, 'm'));
  assert.equal(bad.stdout.trim().split('\n').length, 1, bad.stdout);

  // A real server with that config indeed sends the route to auth (its
  // fallback 404) while the served one reaches preferences.
  assert.equal((await api('GET', route, { auth })).status, 200);
  const stop = await startServer(broken);
  try {
    const r = parseCurl(curl('-i', '-H', `X-User-Id: ${auth.userId}`, '-H', `X-Auth-Token: ${auth.authToken}`,
      `http://127.0.0.1:${SPARE}${route}`));
    assert.equal(r.status, 404, r.body);
    const me = parseCurl(curl('-i', '-H', `X-User-Id: ${auth.userId}`, '-H', `X-Auth-Token: ${auth.authToken}`,
      `http://127.0.0.1:${SPARE}/api/v1/me`));
    assert.equal(me.status, 200, me.body);
  } finally {
    await stop();
  }
});

test('an https set-up sends HSTS on API and static answers; the http one does not', async () => {
  const dir = path.join(STATE_DIR, 'tmp', 'tls');
  fs.mkdirSync(dir, { recursive: true });
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  if (!fs.existsSync(key)) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
      '-keyout', key, '-out', cert], { stdio: 'ignore' });
  }
  for (const p of ['/api/info', '/index.html']) {
    assert.equal(parseCurl(curl('-i', `${BASE}${p}`)).headers['strict-transport-security'], undefined, p);
  }
  const conf = genConfig(SPARE, '--tls-cert', cert, '--tls-key', key);
  const stop = await startServer(conf, 'https');
  try {
    for (const p of ['/api/info', '/index.html', '/', '/js/app.js', '/api/v1/no-such-route']) {
      const r = parseCurl(curl('-i', `https://127.0.0.1:${SPARE}${p}`));
      assert.ok(r.status > 0, p);
      assert.equal(r.headers['strict-transport-security'], 'max-age=31536000', `${p} (${r.status})`);
    }
  } finally {
    await stop();
  }
});

after(() => {
  fs.rmSync(path.join(STATE_DIR, 'conf', 'broken.conf'), { force: true });
});
