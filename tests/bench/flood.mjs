// flood.mjs BASE EXE KIB [N] - `make bench`'s memory check: N (150)
// parallel sign-ins of unknown accounts, each from its own address, while
// tests/bench/argon-sampler.py watches the EXE processes; prints one line
// with the answers and the peaks (argon2id memory, RSS, PSS, processes).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [base, exe, kib, count = '150'] = process.argv.slice(2);
const here = path.dirname(fileURLToPath(import.meta.url));
const sampler = spawn('/usr/bin/python3', [path.join(here, 'argon-sampler.py'), exe, kib],
  { stdio: ['pipe', 'pipe', 'inherit'] });
let out = '';
sampler.stdout.on('data', (d) => { out += d; });
await new Promise((resolve) => sampler.stdout.on('data', () => out.includes('ready') && resolve()));

const n = Number(count);
const t0 = Date.now();
const statuses = await Promise.all(Array.from({ length: n }, (_, i) => fetch(`${base}/api/v1/login`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': `10.${(i >> 8) & 255}.${i & 255}.7` },
  body: JSON.stringify({ user: `flood${i}-${t0}`, password: 'not-the-password' }),
}).then((r) => r.status, () => 'refused')));
const ms = Date.now() - t0;
const peak = await new Promise((resolve) => {
  sampler.on('close', () => resolve(JSON.parse(out.trim().split('\n').at(-1))));
  sampler.stdin.end('stop\n');
});
const tally = {};
for (const s of statuses) tally[s] = (tally[s] ?? 0) + 1;
console.log(`${n} sign-ins in ${ms} ms ${JSON.stringify(tally)}: peak argon2id ${peak.argonKib} KiB ` +
  `(${peak.hashing} hashing at once), ${peak.procs} processes, RSS ${Math.round(peak.rssKib / 1024)} MiB, ` +
  `PSS ${Math.round(peak.pssKib / 1024)} MiB`);
