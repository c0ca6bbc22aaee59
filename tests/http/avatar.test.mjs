// avatar.test.mjs - GET /avatar/<username> through a real web server: the
// avatarUrl that /me advertises answers an image (never a 404), with an
// ETag that revalidates to 304, a public cache lifetime, HEAD without a body,
// and the name's character escaped into the SVG.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, createUser, login } from './lib.mjs';

test('the avatarUrl of /me answers an image, not a 404', async () => {
  const u = createUser('face');
  const me = (await api('GET', '/api/v1/me', { auth: await login(u) })).json;
  const url = new URL(me.avatarUrl);
  assert.equal(url.pathname, `/avatar/${u.username}`);
  const r = await api('GET', url.pathname);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^image\/svg\+xml(; charset=utf-8)?$/);
  assert.match(r.text, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>.*<\/svg>$/);
  assert.match(r.text, new RegExp(`>${u.username[0].toUpperCase()}</text>`), 'the initial, upper-cased');
  assert.equal(r.headers.get('cache-control'), 'public, max-age=3600');
  assert.match(r.headers.get('content-security-policy'), /default-src 'none'/, 'nothing in it may run');
});

test('an avatar revalidates by its ETag (304) and HEAD sends no body', async () => {
  const first = await api('GET', '/avatar/someone?size=40&_=1');
  const etag = first.headers.get('etag');
  assert.match(etag, /^"[^"]+"$/);
  const again = await api('GET', '/avatar/someone', { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  assert.equal(again.text, '');
  const other = await api('GET', '/avatar/someone', { headers: { 'If-None-Match': '"nope", W/"other"' } });
  assert.equal(other.status, 200);
  const head = await api('HEAD', '/avatar/someone');
  assert.equal(head.status, 200);
  assert.equal(head.text, '');
  assert.equal(head.headers.get('etag'), etag);
  assert.notEqual((await api('GET', '/avatar/someone-else')).headers.get('etag'), etag, 'each name its own');
});

test('the name is text in the picture: markup is escaped, any character is one', async () => {
  const markup = await api('GET', `/avatar/${encodeURIComponent('<script>')}`);
  assert.equal(markup.status, 200);
  assert.ok(markup.text.includes('>&lt;</text>'), markup.text);
  assert.ok(!markup.text.includes('<script'), 'no markup from the name');
  const emoji = await api('GET', `/avatar/${encodeURIComponent('\u{1F600}joy')}`);
  assert.ok(emoji.text.includes('>\u{1F600}</text>'), 'a four-byte character stays whole');
});

test('an avatar path that names nobody answers a JSON 404', async () => {
  // Malformed escapes and bytes that are no text: some web servers refuse
  // them themselves (400); what reaches the program answers a JSON 404.
  for (const p of ['/avatar/%ff%fe', '/avatar/a%2Fb', '/avatar/%C3', '/avatar/%zz']) {
    const r = await api('GET', p);
    assert.ok([400, 404].includes(r.status), `${p}: ${r.status} ${r.text}`);
    if (r.status === 404) assert.equal(r.json.success, false, `${p}: ${r.text}`);
  }
  const ours = await api('GET', '/avatar/a%2Fb');
  assert.equal(ours.status, 404, 'a name with a slash is nobody');
});
