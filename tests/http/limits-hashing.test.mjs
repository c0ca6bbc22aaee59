// limits-hashing.test.mjs - what password hashing costs the host and what
// its timing tells: a flood of sign-ins keeps argon2id memory within the
// host-wide cap (hash_concurrency x argon2_memlimit_kib, measured from
// /proc while it runs), and an unknown account takes as long as a wrong
// password (both pay one argon2id check; a refused attempt pays none); and
// a sign-in that finds every hashing slot taken (held by another process,
// as the programs share them) answers 503 after hash_wait_ms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createUser, randomIp, TOP, loginBlocked, loginWrong } from './lib.mjs';
import { freshPost, holdOff, keyOf } from './limits-lib.mjs';

const PER_USER = Number(process.env.LOGIN_MAX_PER_USER ?? 5);
const RUN = randomBytes(4).toString('hex');
const conf = readFileSync(process.env.MYACCOUNT_CONFIG, 'utf8');
const confLong = (key, dflt) => Number(new RegExp(`^${key}\\s*=\\s*(\\d+)\\s*$`, 'm').exec(conf)?.[1] ?? dflt);
// The last line of a key wins (the test extras come after the sample's).
const lastLong = (key, dflt) => {
  const all = [...conf.matchAll(new RegExp(`^${key}\\s*=\\s*(\\d+)\\s*$`, 'gm'))];
  return all.length ? Number(all.at(-1)[1]) : confLong(key, dflt);
};
const ARGON_KIB = lastLong('argon2_memlimit_kib', 65536);
const CAP = lastLong('hash_concurrency', 2);

// Under SANITIZE=1 the allocator is ASan's, which keeps freed blocks in
// quarantine: the memory the sampler sees is no longer argon2's alone, so the
// memory bound is checked in the normal pass only (the answers in both).
const MEMORY_MEASURED = process.env.SANITIZE !== '1';
// In MiB with a decimal: a log line must not carry a bare six-digit number,
// which the no-secrets check would take for a code the tests used.
const mib = (kib) => `${(kib / 1024).toFixed(1)} MiB`;
const memoryWithinCap = (t, peak) => {
  if (!MEMORY_MEASURED) {
    t.diagnostic(`not judged under ASan: ${mib(peak.argonKib)} in ${peak.hashing} processes seen`);
    return;
  }
  assert.ok(peak.hashing <= CAP, `${peak.hashing} hashes ran at once, cap ${CAP}`);
  assert.ok(peak.argonKib <= CAP * ARGON_KIB + 64, `${mib(peak.argonKib)} of argon2 memory, cap ${mib(CAP * ARGON_KIB)}`);
};

const attempt = (user, password, ip) => freshPost('/api/v1/login', { user, password }, { 'X-Forwarded-For': ip });

// The sampler of argon2id memory, shared with `make bench`.
const SAMPLER = path.join(TOP, 'tests/bench/argon-sampler.py');

function startSampler() {
  const exe = path.join(TOP, 'build/cgi-bin/auth');
  const p = spawn('/usr/bin/python3', [SAMPLER, exe, String(ARGON_KIB)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  p.stdout.on('data', (d) => { out += d; });
  const ready = new Promise((resolve) => p.stdout.on('data', () => out.includes('ready') && resolve()));
  const stop = () => new Promise((resolve) => {
    p.on('close', () => resolve(JSON.parse(out.trim().split('\n').at(-1))));
    p.stdin.end('stop\n');
  });
  return { ready, stop };
}

test('150 parallel sign-ins keep argon2id memory within the cap', async (t) => {
  const s = startSampler();
  await s.ready;
  const n = 150;
  const t0 = Date.now();
  // Every attempt from its own address against its own unknown account:
  // nothing is throttled, so every one of them needs a hash.
  const results = await Promise.all(Array.from({ length: n }, (_, i) => attempt(`flood${i}x${RUN}`, 'x-password', randomIp())));
  const ms = Date.now() - t0;
  const peak = await s.stop();
  const statuses = {};
  for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  t.diagnostic(`flood of ${n} sign-ins in ${(ms / 1000).toFixed(1)} s: ${JSON.stringify(statuses)}; peak argon2 ${mib(peak.argonKib)} ` +
    `in ${peak.hashing} hashes at once (cap ${CAP} x ${ARGON_KIB} KiB), peak RSS of all ${peak.procs} auth ` +
    `processes ${Math.round(peak.rssKib / 1024)} MiB (PSS ${Math.round(peak.pssKib / 1024)} MiB), ${peak.samples} samples`);
  for (const r of results) {
    assert.ok(r.status === 401 || r.status === 503, `${r.status} ${r.text}`);
    if (r.status === 503) {
      assert.equal(r.json.errorType, 'error-server-busy');
      assert.equal(r.headers.get('retry-after'), '1');
    }
  }
  assert.ok(statuses[401] >= 1, 'checks ran');
  assert.ok(peak.samples >= 3, 'the sampler saw the flood');
  memoryWithinCap(t, peak);
});

test('150 parallel sign-ins from one address hash at most the per-address allowance', async (t) => {
  const s = startSampler();
  await s.ready;
  const ip = randomIp();
  const results = await Promise.all(Array.from({ length: 150 }, (_, i) => attempt(`one${i}x${RUN}`, 'x', ip)));
  const peak = await s.stop();
  const checked = results.filter(loginWrong).length;
  t.diagnostic(`one address: ${checked} of 150 checked; peak argon2 ${mib(peak.argonKib)}, ` +
    `peak RSS ${Math.round(peak.rssKib / 1024)} MiB (PSS ${Math.round(peak.pssKib / 1024)} MiB) over ${peak.procs} processes`);
  assert.ok(results.every((r) => loginWrong(r) || loginBlocked(r) || r.status === 503));
  memoryWithinCap(t, peak);
});

// Holds every slot of the programs' hashing semaphore (the same System V
// set they meet in: key from SHA-256 of "myaccount-hash:<config>:<cap>")
// until its stdin closes; exiting gives the slots back through SEM_UNDO.
const HOLDER = String.raw`
import ctypes, hashlib, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
cap = int(sys.argv[2])
h = hashlib.sha256(('myaccount-hash:%s:%d' % (os.path.realpath(sys.argv[1]), cap)).encode()).digest()
key = (struct.unpack('<I', h[:4])[0] & 0x7fffffff) or 1
semid = libc.semget(key, 1, 0o600)
if semid < 0:
    print('no semaphore: errno %d' % ctypes.get_errno(), flush=True)
    sys.exit(1)
class Op(ctypes.Structure):
    _fields_ = [('num', ctypes.c_ushort), ('op', ctypes.c_short), ('flg', ctypes.c_short)]
SEM_UNDO = 0x1000
if libc.semop(semid, ctypes.byref(Op(0, -cap, SEM_UNDO)), 1) != 0:
    print('semop: errno %d' % ctypes.get_errno(), flush=True)
    sys.exit(1)
print('held', flush=True)
sys.stdin.read()
`;

test('no hashing slot within hash_wait_ms: 503 error-server-busy with Retry-After', async () => {
  const WAIT = lastLong('hash_wait_ms', 3000);
  await attempt(`prime${RUN}`, 'x', randomIp());   // the programs have made the set
  const holder = spawn('/usr/bin/python3', ['-c', HOLDER, process.env.MYACCOUNT_CONFIG, String(CAP)],
    { stdio: ['pipe', 'pipe', 'inherit'] });
  const said = await new Promise((resolve) => holder.stdout.once('data', (d) => resolve(String(d).trim())));
  assert.equal(said, 'held', said);
  try {
    const t0 = Date.now();
    const r = await attempt(`busy${RUN}`, 'x', randomIp());
    const ms = Date.now() - t0;
    assert.equal(r.status, 503, r.text);
    assert.equal(r.json.success, false);
    assert.equal(r.json.errorType, 'error-server-busy');
    assert.match(r.json.error, /busy/);
    assert.equal(r.headers.get('retry-after'), '1');
    assert.ok(ms >= WAIT * 0.9, `answered after the bounded wait (${ms} ms)`);
  } finally {
    const gone = new Promise((resolve) => holder.on('close', resolve));
    holder.stdin.end();
    await gone;
  }
  const after = await attempt(`busy${RUN}`, 'x', randomIp());
  assert.equal(after.status, 401, 'the slots came back when the holder exited');
});

const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
async function timed(f) {
  const t0 = process.hrtime.bigint();
  const r = await f();
  return { r, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

test('an unknown account takes as long as a wrong password', async (t) => {
  const rounds = 20;
  const users = Array.from({ length: Math.ceil(rounds / PER_USER) }, () => createUser('tm'));
  const locked = createUser('tmlock');
  for (let i = 0; i < PER_USER; i++) await attempt(locked.username, 'nope', randomIp());
  // Held off for the whole test, as a long series of failures would.
  holdOff(keyOf('login-user', `id:${locked.id}`));
  const wrong = [], unknown = [], refused = [];
  // Warm up each FastCGI process's connection first.
  for (let i = 0; i < 4; i++) await attempt(`warm${i}x${RUN}`, 'x', randomIp());
  for (let i = 0; i < rounds; i++) {
    const u = users[Math.floor(i / PER_USER)];
    const w = await timed(() => attempt(u.username, 'wrong-password', randomIp()));
    const x = await timed(() => attempt(`nobody${i}x${RUN}`, 'wrong-password', randomIp()));
    const b = await timed(() => attempt(locked.username, 'nope', randomIp()));
    assert.equal(w.r.status, 401, w.r.text);
    assert.equal(x.r.status, 401);
    assert.ok(loginBlocked(b.r), 'the baseline does no password work');
    assert.equal(w.r.text, x.r.text, 'the same answer');
    wrong.push(w.ms); unknown.push(x.ms); refused.push(b.ms);
  }
  const mw = median(wrong), mu = median(unknown), mb = median(refused);
  const hash = mw - mb;
  t.diagnostic(`medians: wrong password ${mw.toFixed(1)} ms, unknown account ${mu.toFixed(1)} ms, ` +
    `refused (no hash) ${mb.toFixed(1)} ms`);
  assert.ok(Math.abs(mu - mw) <= Math.max(0.5 * hash, 0) + 3,
    `unknown ${mu.toFixed(1)} ms vs wrong ${mw.toFixed(1)} ms (hash ~${hash.toFixed(1)} ms)`);
  assert.ok(mu - mb >= 0.5 * hash - 1, 'the unknown account pays the hash too');
});
