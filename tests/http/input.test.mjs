// input.test.mjs - what a request body and its headers may be, through a
// real web server: strict JSON (RFC 8259, no \u0000 in keys; in strings the
// field validator refuses it),
// the client address behind a trusted proxy that appends its own
// X-Forwarded-For line, and user text longer than a fixed buffer (4-byte
// characters in token names and login names).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { api, BASE, createUser, login, randomIp, sha256hex } from './lib.mjs';

let una, unaAuth;
before(async () => {
  una = createUser('una');
  unaAuth = await login(una);
});

const setPrefs = (json) => api('POST', '/api/v1/users.setPreferences', { auth: unaAuth, json });

test('bodies that are not strict JSON answer 400 and change nothing', async () => {
  const before = (await api('GET', '/api/v1/users.getPreferences', { auth: unaAuth })).json;
  const bad = [
    ["{'data':{}}", 'single-quoted key'],
    ['{"data":{"useEmojis":\'x\'}}', 'single-quoted value'],
    ['{"data\\u0000junk":{"useEmojis":false}}', '\\u0000 in a key (json-c would cut it to "data")'],
    ['{"data":{"idleTimeLimit":NaN}}', 'NaN'],
    ['{"data":{"idleTimeLimit":Infinity}}', 'Infinity'],
    ['{"data":{"fontSize":"\t"}}', 'raw control character in a string'],
    ['{"data":{"useEmojis":false},}', 'trailing comma'],
    ['{"data":{"useEmojis":false}} x', 'data after the object'],
  ];
  for (const [body, what] of bad) {
    const r = await setPrefs(body);
    assert.equal(r.status, 400, `${what}: ${r.text}`);
    assert.equal(r.json.success, false, what);
    assert.match(r.json.error, /not valid JSON/, what);
  }
  // A NUL in a string value is the field validator's to refuse, by name.
  const nul = await setPrefs('{"data":{"fontSize":"a\\u0000b"}}');
  assert.equal(nul.status, 400, nul.text);
  assert.equal(nul.json.errorType, 'invalid-params');
  assert.match(nul.json.error, /fontSize/);
  const after = (await api('GET', '/api/v1/users.getPreferences', { auth: unaAuth })).json;
  assert.deepEqual(after, before, 'nothing from a refused body was stored');
  const ok = await setPrefs('{"data":{"useEmojis":false}}');
  assert.equal(ok.status, 200, ok.text);
});

test('the message says where the JSON is wrong', async () => {
  const r = await setPrefs("{'data':{}}");
  assert.match(r.json.error, /^the body is not valid JSON: a string \(in double quotes\) was expected \(at byte 1\)/);
});

test('a route that takes no multipart body says which kinds it takes (415)', async () => {
  const form = new FormData();
  form.append('data[useEmojis]', 'false');
  const r = await fetch(BASE + '/api/v1/users.setPreferences', {
    method: 'POST', body: form, headers: { 'X-User-Id': unaAuth.userId, 'X-Auth-Token': unaAuth.authToken },
  });
  const json = await r.json();
  assert.equal(r.status, 415, JSON.stringify(json));
  assert.match(json.error, /^send the body as application\/json or application\/x-www-form-urlencoded/);
});

// Two X-Forwarded-For header lines in one request (fetch joins them, so
// node:http sends them as they are). Resolves with the JSON answer.
function rawRequest(method, urlPath, headers, body = '') {
  return new Promise((resolve, reject) => {
    const u = new URL(BASE + urlPath);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method,
      headers: { 'Content-Length': Buffer.byteLength(body), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function sessionIp(authToken) {
  const list = await api('GET', '/api/v1/sessions/list', { auth: { userId: una.id, authToken } });
  return list.json.sessions.find((s) => s.current).ip;
}

test("a proxy's own X-Forwarded-For line wins over the client's (two header lines)", async () => {
  // 127.0.0.1 (this test) is the trusted proxy; the client claims 6.6.6.6
  // in its own line, the proxy appends the address it saw as a second line.
  const real = randomIp();
  const r = await rawRequest('POST', '/api/v1/login', {
    'Content-Type': 'application/json', 'X-Forwarded-For': ['6.6.6.6', real],
  }, JSON.stringify({ user: una.username, password: una.password }));
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.equal(await sessionIp(r.json.data.authToken), real);
});

test('X-Forwarded-For as one comma list: the rightmost untrusted hop', async () => {
  const real = randomIp();
  const r = await api('POST', '/api/v1/login', {
    json: { user: una.username, password: una.password },
    headers: { 'X-Forwarded-For': `6.6.6.6, ${real}, 127.0.0.1` },
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(await sessionIp(r.json.data.authToken), real);
});

test('a 64-character token name of 4-byte characters works; two differing in the last both create', async () => {
  const pw2fa = { 'x-2fa-method': 'password', 'x-2fa-code': sha256hex(una.password) };
  const stem = '\u{1F600}'.repeat(63);
  for (const last of ['\u{1F601}', '\u{1F602}']) {
    const r = await api('POST', '/api/v1/users.generatePersonalAccessToken', {
      auth: unaAuth, json: { tokenName: stem + last }, headers: pw2fa,
    });
    assert.equal(r.status, 200, r.text);
  }
  const list = await api('GET', '/api/v1/users.getPersonalAccessTokens', { auth: unaAuth });
  const names = list.json.tokens.map((t) => t.name).filter((n) => n.startsWith(stem));
  assert.deepEqual(names.sort(), [stem + '\u{1F601}', stem + '\u{1F602}']);
  const again = await api('POST', '/api/v1/users.generatePersonalAccessToken', {
    auth: unaAuth, json: { tokenName: stem + '\u{1F601}' }, headers: pw2fa,
  });
  assert.equal(again.status, 400, 'the same name still collides');
});

test('a long multi-byte login name answers 401, not 500', async () => {
  // A tag of its own per name and run: each has its own login allowance.
  const tag = () => Math.random().toString(36).slice(2, 8);
  for (const user of [tag() + '\u{1F600}'.repeat(248), tag() + '\u{1F600}'.repeat(234) + '@example.org', tag() + 'é'.repeat(248)]) {
    const r = await api('POST', '/api/v1/login', { json: { user, password: 'wrong-password' } });
    assert.equal(r.status, 401, r.text);
    assert.equal(r.json.error, 'Unauthorized');
  }
});

test('a long multi-byte User-Agent is stored whole characters, valid UTF-8', async () => {
  const agent = 'Agent/1.0 ' + '\u{1F600}'.repeat(100);
  const r = await api('POST', '/api/v1/login', {
    // Header values travel as bytes: the UTF-8 bytes, each as one latin1 character.
    json: { user: una.username, password: una.password }, headers: { 'User-Agent': Buffer.from(agent).toString('latin1') },
  });
  assert.equal(r.status, 200, r.text);
  const list = await api('GET', '/api/v1/sessions/list', { auth: { userId: una.id, authToken: r.json.data.authToken } });
  const ua = list.json.sessions.find((s) => s.current).userAgent;
  assert.ok(ua.length > 10 && agent.startsWith(ua), `a prefix of whole characters: ${ua}`);
  assert.ok(!ua.includes('\uFFFD'), 'no character cut in half');
});
