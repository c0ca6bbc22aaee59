// lib.mjs - shared helpers of the HTTP tests: real requests to BASE_URL
// (a real nginx or lighttpd in front of the programs), users made with the
// real admin tool, database state read through the real MongoDB protocol.
import { execFileSync } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHmac, randomBytes, createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const TOP = path.resolve(here, '../..');
export const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:18080';
export const ADMIN = process.env.ADMIN ?? path.join(TOP, 'build/bin/myaccount-admin');

// Each test run speaks from its own forwarded address (the web server is a
// trusted proxy in the test config), so per-IP login limits of one test do
// not leak into another.
export function randomIp() {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2] || 1}`;
}
let defaultIp = randomIp();

// Every secret a test handles is appended to $SECRETS_FILE (one
// "kind<TAB>value" line each), so the suite tests/logs/no-secrets.py can
// grep every log for it afterwards; it derives the hashes (hex SHA-256,
// base64 SHA-256) itself. Values a test made up to be wrong are recorded
// too: whatever a client sends as a password or code must not be logged.
export function recordSecret(kind, value) {
  const file = process.env.SECRETS_FILE;
  if (!file || typeof value !== 'string' || value === '' || /[\t\r\n]/.test(value)) return;
  appendFileSync(file, `${kind}\t${value}\n`, { mode: 0o600 });
}

// Request fields and headers that carry secrets, by kind.
const SECRET_FIELDS = { password: 'password', currentPassword: 'password', newPassword: 'password',
  digest: 'password-digest', code: 'code', resume: 'auth-token', token: 'auth-token' };
function recordFields(value) {
  if (value === null || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string' && SECRET_FIELDS[k]) recordSecret(SECRET_FIELDS[k], v);
    else recordFields(v);
  }
}
function recordRequest(headers, opts) {
  for (const [k, v] of Object.entries(headers)) {
    if (/^x-auth-token$/i.test(k)) recordSecret('auth-token', v);
    else if (/^x-2fa-code$/i.test(k)) recordSecret('code', v);
    else if (/^cookie$/i.test(k)) for (const m of String(v).matchAll(/rc_session=([^;\s]+)/g)) recordSecret('auth-token', m[1]);
  }
  let body = opts.json ?? opts.form;
  if (typeof body === 'string') { try { body = JSON.parse(body); } catch { body = null; } }
  recordFields(body);
}
function recordResponse(res, json) {
  for (const c of res.headers.getSetCookie?.() ?? []) {
    const m = /^rc_session=([^;]+)/.exec(c);
    if (m) recordSecret('auth-token', m[1]);
  }
  if (!json || typeof json !== 'object') return;
  recordSecret('auth-token', json.data?.authToken);
  recordSecret('personal-access-token', json.token);
  recordSecret('totp-secret', json.secret);
  for (const c of Array.isArray(json.codes) ? json.codes : []) recordSecret('backup-code', c);
}
export function setDefaultIp(ip) { defaultIp = ip; }

// fetch, sent again once when the server had closed the kept-alive connection
// before reading the request ("other side closed"): lighttpd ends idle
// connections after 5 s, and while a test blocks the event loop (execFileSync
// of the admin tool or python, slow on a loaded machine) fetch cannot retire
// the socket in time. (A program dying mid-request looks alike and would be
// asked twice; such tests expect a 502 from the web server, not a closed socket.)
async function fetchOnce(url, init) {
  try {
    return await fetch(url, init);
  } catch (e) {
    if (e?.cause?.code !== 'UND_ERR_SOCKET' || !/other side closed/.test(e.cause.message)) throw e;
    return fetch(url, init);
  }
}

// api('POST', '/api/v1/login', {json: {...}}) -> {status, headers, json, text}
export async function api(method, urlPath, opts = {}) {
  const headers = { 'X-Forwarded-For': defaultIp, ...(opts.headers ?? {}) };
  let body;
  if (opts.json !== undefined) {
    headers['Content-Type'] ??= 'application/json';
    body = typeof opts.json === 'string' ? opts.json : JSON.stringify(opts.json);
  } else if (opts.form !== undefined) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(opts.form).toString();
  } else if (opts.body !== undefined) {
    body = opts.body;
  }
  if (opts.auth) {
    headers['X-User-Id'] = opts.auth.userId;
    headers['X-Auth-Token'] = opts.auth.authToken;
  }
  recordRequest(headers, opts);
  const res = await fetchOnce(BASE + urlPath, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON; tests check */ }
  recordResponse(res, json);
  return { status: res.status, headers: res.headers, json, text };
}

let counter = 0;
// Creates a fresh user through the admin tool; returns its credentials.
export function createUser(prefix = 'u') {
  const tag = `${prefix}${process.pid}${Date.now().toString(36)}${counter++}`;
  const user = {
    username: tag,
    email: `${tag}@Example.ORG`,
    password: `pw-${randomBytes(6).toString('hex')}`,
    name: `Test ${tag}`,
  };
  recordSecret('password', user.password);
  const out = execFileSync(ADMIN, ['create-user', user.username, user.email, user.name],
    { input: `${user.password}\n`, encoding: 'utf8' });
  user.id = /\(id ([^)]+)\)/.exec(out)[1];
  return user;
}

// A sign-in refused before any password check: Rocket.Chat's 401 with
// error-login-blocked-for-user or -for-ip (and the rate-limit headers).
export const loginBlocked = (r) => r.status === 401 && /^error-login-blocked-for-(user|ip)$/.test(r.json?.error ?? '');
// A sign-in whose password was checked and was wrong.
export const loginWrong = (r) => r.status === 401 && r.json?.error === 'Unauthorized';

export async function login(user, extra = {}) {
  const r = await api('POST', '/api/v1/login', { json: { user: user.username, password: user.password }, ...extra });
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${r.text}`);
  return { userId: r.json.data.userId, authToken: r.json.data.authToken };
}

// Reads or changes database state for checks the API cannot show
// (e.g. "nothing was stored"), through pymongo over the wire protocol.
export function db(command, ...args) {
  if (command === 'set-totp') {
    const [, secret, ...backupHashes] = args;
    recordSecret('totp-secret', secret);
    backupHashes.forEach((h) => recordSecret('backup-code-hash', h));
  }
  const out = execFileSync('/usr/bin/python3', [path.join(here, 'dbtool.py'), command, ...args],
    { encoding: 'utf8', env: process.env });
  const result = out.trim() ? JSON.parse(out) : null;
  recordStored(result);
  return result;
}

// Hashes read back from the database (argon2 strings, stored backup codes).
function recordStored(value) {
  if (value === null || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if (k === 'argon2') recordSecret('password-hash', v);
    else if (k === 'hashedBackup' && Array.isArray(v)) v.forEach((h) => recordSecret('backup-code-hash', h));
    else if (k === 'secret' && typeof v === 'string') recordSecret('totp-secret', v);
    else recordStored(v);
  }
}

export const sha256hex = (s) => createHash('sha256').update(s).digest('hex');

// RFC 6238 TOTP (SHA-1, 6 digits, 30 s) for the 2FA tests.
export function totp(base32, time = Date.now() / 1000) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of base32.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counterBuf = Buffer.alloc(8);
  counterBuf.writeBigUInt64BE(BigInt(Math.floor(time / 30)));
  const h = createHmac('sha1', key).update(counterBuf).digest();
  const o = h[h.length - 1] & 15;
  const code = String((h.readUInt32BE(o) & 0x7fffffff) % 1e6).padStart(6, '0');
  recordSecret('totp-secret', base32);
  recordSecret('code', code);
  return code;
}

// Cookie jar for the SPA's cookie sessions.
export function cookiesFrom(res) {
  const jar = {};
  for (const c of res.headers.getSetCookie()) {
    const [pair, ...attrs] = c.split(';');
    const i = pair.indexOf('=');
    jar[pair.slice(0, i).trim()] = { value: pair.slice(i + 1), attrs: attrs.map((a) => a.trim()) };
  }
  return jar;
}

// Mail the server sent, as the real SMTP sink stored it (Maildir).
export function mailsTo(address) {
  const dir = path.join(process.env.MAILDIR ?? path.join(TOP, 'build/test-run/mail'), 'new');
  let files = [];
  try { files = readdirSync(dir); } catch { return []; }
  return files.map((f) => readFileSync(path.join(dir, f), 'utf8'))
    .filter((m) => new RegExp(`^To: <?${address.replace(/[.+]/g, '\\$&')}>?\\r?$`, 'mi').test(m))
    .map((raw) => {
      for (const m of raw.matchAll(/\b(\d{3})-(\d{3})\b/g)) recordSecret('code', m[1] + m[2]);
      const [head, ...rest] = raw.split(/\r?\n\r?\n/);
      const subject = /^Subject: (.*)$/mi.exec(head)?.[1]?.trim();
      return { raw, head, subject, body: rest.join('\n\n') };
    });
}

// Waits until COUNT mails to ADDRESS are there (the sink writes asynchronously).
export async function waitForMails(address, count, ms = 5000) {
  const until = Date.now() + ms;
  for (;;) {
    const m = mailsTo(address);
    if (m.length >= count || Date.now() > until) return m;
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Runs PROGRAM (build/cgi-bin/<name>) once as plain CGI, black-box as cgit's
// tests do: a copy of the stack's config plus EXTRA_CONF lines, the CGI
// variables of one request. Returns {status, headers, json, raw}.
export function runCgi(program, { method = 'GET', uri, body, extraConf = '', env = {} }) {
  const dir = mkdtempSync(path.join(tmpdir(), `cgi-${program}-`));
  const conf = path.join(dir, 'myaccount.conf');
  writeFileSync(conf, readFileSync(process.env.MYACCOUNT_CONFIG, 'utf8') + `\n${extraConf}\n`);
  const raw = execFileSync(path.join(TOP, 'build/cgi-bin', program), [], {
    env: {
      MYACCOUNT_CONFIG: conf, REQUEST_METHOD: method, REQUEST_URI: uri, REMOTE_ADDR: '127.0.0.1',
      GATEWAY_INTERFACE: 'CGI/1.1',
      ...(body === undefined ? {} : { CONTENT_TYPE: 'application/json', CONTENT_LENGTH: String(Buffer.byteLength(body)) }),
      ...env,
    },
    input: body ?? '', encoding: 'utf8',
  });
  const split = raw.indexOf('\r\n\r\n');
  let json = null;
  try { json = JSON.parse(raw.slice(split + 4)); } catch { /* not JSON; tests check */ }
  return { status: Number(/^Status: (\d+)/.exec(raw)?.[1]), headers: raw.slice(0, split), json, raw };
}
