// info-features.test.mjs - GET /api/info's `features` carries the Profile
// page's switches (avatar URLs, profile changes, the status message, the
// invisible status): on by default through the real web server, and each
// one follows its config key (the auth program run with one key changed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, runCgi } from './lib.mjs';

const SWITCHES = {
  avatarUrlFetch: 'avatar_url_fetch',
  profileChange: 'allow_profile_change',
  statusMessageChange: 'allow_status_message_change',
  invisibleStatus: 'allow_invisible_status',
};

test('GET /api/info lists the Profile page switches, on by default', async () => {
  const r = await api('GET', '/api/info');
  assert.equal(r.status, 200);
  for (const name of Object.keys(SWITCHES)) assert.equal(r.json.features[name], true, name);
});

test('each Profile page switch follows its config key', () => {
  for (const [name, key] of Object.entries(SWITCHES)) {
    const r = runCgi('auth', { uri: '/api/info', extraConf: `${key} = false` });
    assert.equal(r.status, 200);
    const off = Object.entries(r.json.features).filter(([, on]) => on === false).map(([k]) => k);
    assert.ok(off.includes(name), `${key} = false turns ${name} off`);
    for (const other of Object.keys(SWITCHES)) if (other !== name) assert.equal(r.json.features[other], true, `${key} leaves ${other} on`);
  }
});
