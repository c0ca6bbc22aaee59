// security-lib.mjs - helpers of the security tests: TOTP codes from the
// two independent tools a user's authenticator stands in for (oathtool and
// python3-pyotp), Meteor's method.call envelope, enrolment in one go.
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { api as rawApi, recordSecret } from './lib.mjs';

// lib.mjs's api(), once more when the request went out on a pooled
// connection the web server had already closed (lighttpd closes idle
// keep-alive connections after 5 s; a test blocked in a synchronous child
// process does not see that happen). The server never read that request,
// so sending it again is safe.
export async function api(...args) {
  try {
    return await rawApi(...args);
  } catch (e) {
    if (e.cause?.code !== 'UND_ERR_SOCKET') throw e;
    return rawApi(...args);
  }
}

const step = () => Math.floor(Date.now() / 1000 / 30);

// The code of SECRET at step now + OFFSET, by oathtool.
export function oathCode(secret, offset = 0) {
  recordSecret('totp-secret', secret);
  const code = execFileSync('oathtool', ['--totp', '-b', '-N', `@${(step() + offset) * 30 + 1}`, secret], { encoding: 'utf8' }).trim();
  recordSecret('code', code);
  return code;
}

// The same by pyotp, which also reads the otpauth URL as an app would.
export function pyotpCode(url, offset = 0) {
  const code = execFileSync('/usr/bin/python3', ['-c', `
import sys, pyotp
t = pyotp.parse_uri(sys.argv[1])
print(t.at(int(sys.argv[2])))
`, url, String((step() + offset) * 30 + 1)], { encoding: 'utf8' }).trim();
  recordSecret('code', code);
  return code;
}

// Waits for the start of a fresh step when less than MARGIN seconds of
// this one are left, so a test's codes do not straddle two steps.
export async function freshStep(margin = 8) {
  const left = 30 - (Date.now() / 1000) % 30;
  if (left < margin) await new Promise((r) => setTimeout(r, left * 1000 + 200));
}

let callId = 0;
// POST /api/v1/method.call/<name> as Rocket.Chat's web client sends it;
// resolves to {status, outer, inner} (inner: the parsed DDP answer).
export async function methodCall(auth, name, params = [], { anon = false, headers, raw } = {}) {
  const id = String(++callId);
  const message = raw ?? JSON.stringify({ msg: 'method', id, method: name, params });
  const r = await api('POST', `/api/v1/${anon ? 'method.callAnon' : 'method.call'}/${encodeURIComponent(name)}`,
    { auth, json: { message }, headers });
  let inner = null;
  try { inner = JSON.parse(r.json?.message); } catch { /* checked by the tests */ }
  if (inner?.result?.secret) recordSecret('totp-secret', inner.result.secret);
  for (const c of inner?.result?.codes ?? []) recordSecret('backup-code', c);
  return { status: r.status, outer: r.json, inner, id, text: r.text };
}

// Enrols AUTH's user over REST; returns {secret, url, codes}.
export async function enrol(auth) {
  await freshStep();
  const e = await api('POST', '/api/v1/users.totp.enable', { auth, json: {} });
  assert.equal(e.status, 200, e.text);
  const v = await api('POST', '/api/v1/users.totp.validate', { auth, json: { code: oathCode(e.json.secret, -1) } });
  assert.equal(v.status, 200, v.text);
  return { secret: e.json.secret, url: e.json.url, codes: v.json.codes };
}

// lib.mjs's login() through the api() above.
export async function login(user, extra = {}) {
  const r = await api('POST', '/api/v1/login', { json: { user: user.username, password: user.password }, ...extra });
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${r.text}`);
  return { userId: r.json.data.userId, authToken: r.json.data.authToken };
}
