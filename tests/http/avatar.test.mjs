// avatar.test.mjs - avatars through a real web server. GET /avatar/<username>:
// the avatarUrl that /me advertises answers an image (never a 404), with an
// ETag that revalidates to 304, a public cache lifetime, HEAD without a body,
// and the name's character escaped into the SVG. users.setAvatar and
// resetAvatar: every upload type resized, metadata stripped, hostile images
// refused or neutralised, and avatarUrl fetches that reach no address of the
// server's own networks, whatever the spelling.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { api, BASE, createUser, login } from './lib.mjs';
import {
  comSegment, exifSegment, fixture, getBytes, imageSize, jpegMarkers, jpegWith, png, pngChunk, runAvatarCgi, uploadAvatar,
} from './avatar-lib.mjs';

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

// ---- Uploaded and fetched avatars (users.setAvatar, users.resetAvatar) ----

const SIZE = 200;   // avatar_size's default, Rocket.Chat's Accounts_AvatarSize

async function me(auth) {
  return (await api('GET', '/api/v1/me', { auth })).json;
}

async function freshUser(prefix = 'av') {
  const u = createUser(prefix);
  return { u, auth: await login(u) };
}

// The stored avatar of U as served: by name and by id alike.
async function served(u) {
  const byName = await getBytes(`/avatar/${u.username}`);
  const byId = await getBytes(`/avatar/uid/${u.id}`);
  assert.equal(byName.status, 200);
  assert.ok(byName.bytes.equals(byId.bytes), '/avatar/uid/<id> serves the same image');
  assert.equal(byName.headers.get('etag'), byId.headers.get('etag'));
  return byName;
}

test('PNG, JPEG, GIF and WebP uploads become a square of the admin\'s size, each with a new ETag', async () => {
  const { u, auth } = await freshUser();
  const etags = new Set();
  for (const [file, type] of [['avatar.png', 'image/png'], ['avatar.jpg', 'image/jpeg'],
    ['avatar.gif', 'image/png'], ['avatar.webp', 'image/png']]) {
    const r = await uploadAvatar(auth, fixture(file), file, 'application/octet-stream');
    assert.equal(r.status, 200, `${file}: ${r.text}`);
    assert.deepEqual(r.json, { success: true });
    const got = await served(u);
    assert.equal(got.headers.get('content-type'), type, file);
    assert.deepEqual(imageSize(got.bytes), [SIZE, SIZE], `${file} is ${SIZE}x${SIZE}`);
    assert.match(got.headers.get('content-security-policy'), /default-src 'none'/);
    assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(got.headers.get('cache-control'), 'public, max-age=3600');
    const user = await me(auth);
    assert.equal(got.headers.get('etag'), `"${user.avatarETag}"`, 'the ETag is the user\'s avatarETag');
    assert.equal(user.avatarOrigin, 'rest', 'Rocket.Chat\'s origin of a REST upload');
    etags.add(user.avatarETag);
  }
  assert.equal(etags.size, 4, 'every new picture has a new ETag');
});

test('an uploaded avatar revalidates to 304, and a new upload or a reset changes the ETag', async () => {
  const { u, auth } = await freshUser();
  assert.equal((await uploadAvatar(auth, fixture('avatar.png'))).status, 200);
  const first = await served(u);
  const etag = first.headers.get('etag');
  const again = await getBytes(`/avatar/${u.username}`, { 'If-None-Match': etag });
  assert.equal(again.status, 304);
  assert.equal(again.bytes.length, 0);
  assert.equal((await getBytes(`/avatar/uid/${u.id}`, { 'If-None-Match': `W/${etag}` })).status, 304);
  const head = await fetch(`${BASE}/avatar/${u.username}`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('etag'), etag);
  assert.equal(head.headers.get('content-type'), 'image/png');
  assert.equal((await head.arrayBuffer()).byteLength, 0, 'HEAD sends no body');
  assert.equal((await uploadAvatar(auth, fixture('avatar.jpg'))).status, 200);
  const changed = await getBytes(`/avatar/${u.username}`, { 'If-None-Match': etag });
  assert.equal(changed.status, 200, 'the old ETag no longer matches');
  assert.notEqual(changed.headers.get('etag'), etag);
  const r = await api('POST', '/api/v1/users.resetAvatar', { auth, json: {} });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { success: true });
  const reset = await getBytes(`/avatar/${u.username}`, { 'If-None-Match': changed.headers.get('etag') });
  assert.equal(reset.status, 200);
  assert.match(reset.headers.get('content-type'), /^image\/svg\+xml/);
  assert.notEqual(reset.headers.get('etag'), changed.headers.get('etag'));
  const user = await me(auth);
  assert.equal(user.avatarETag, undefined, 'no avatarETag after a reset');
  assert.equal(user.avatarOrigin, undefined);
});

test('whether a name is taken does not show: no upload and nobody get the same kind of answer', async () => {
  const { u } = await freshUser('shape');
  const taken = await getBytes(`/avatar/${u.username}`);
  const free = await getBytes(`/avatar/${u.username}x`);
  for (const r of [taken, free]) assert.equal(r.status, 200);
  const names = (r) => [...r.headers.keys()].filter((k) => k !== 'date').sort().join();
  assert.equal(names(taken), names(free), 'the same headers');
  for (const h of ['content-type', 'cache-control', 'content-security-policy']) {
    assert.equal(taken.headers.get(h), free.headers.get(h), h);
  }
  assert.equal(taken.bytes.toString().replace(/fill="#[0-9a-f]+"/, ''), free.bytes.toString().replace(/fill="#[0-9a-f]+"/, ''),
    'the same picture but for the colour (from the name)');
  const unknownId = await getBytes('/avatar/uid/NoSuchUserId12345');
  assert.equal(unknownId.status, 200);
  assert.match(unknownId.headers.get('content-type'), /^image\/svg\+xml/);
});

test('metadata is gone: EXIF with GPS and comments of a JPEG, text chunks of a PNG', async () => {
  const { u, auth } = await freshUser();
  const marker = 'GPS-home-52.5200N-13.4050E';
  const jpeg = jpegWith(fixture('avatar.jpg'), exifSegment(marker), comSegment(`comment ${marker}`));
  assert.ok(jpegMarkers(jpeg).includes(0xe1), 'the upload carries EXIF');
  assert.equal((await uploadAvatar(auth, jpeg, 'gps.jpg', 'image/jpeg')).status, 200);
  let got = await served(u);
  assert.equal(got.headers.get('content-type'), 'image/jpeg');
  const markers = jpegMarkers(got.bytes);
  assert.ok(!markers.includes(0xe1), 'no APP1 (EXIF, XMP)');
  assert.ok(!markers.includes(0xfe), 'no comment');
  for (const s of ['Exif', marker, 'gd-jpeg', 'CREATOR']) assert.ok(!got.bytes.includes(s), `no "${s}"`);

  const text = Buffer.concat([Buffer.from('Comment\0', 'latin1'), Buffer.from(marker)]);
  const p = png(40, 30, { extra: [pngChunk('tEXt', text), pngChunk('eXIf', exifSegment(marker).subarray(10))] });
  assert.equal((await uploadAvatar(auth, p, 'text.png', 'image/png')).status, 200);
  got = await served(u);
  assert.equal(got.headers.get('content-type'), 'image/png');
  for (const s of ['tEXt', 'eXIf', marker]) assert.ok(!got.bytes.includes(s), `no "${s}"`);
  assert.deepEqual(imageSize(got.bytes), [SIZE, SIZE]);
});

test('content that is no image of ours is refused by what it is, not by what it says (415)', async () => {
  const { auth } = await freshUser();
  const cases = [
    ['<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 'x.svg', 'image/svg+xml'],
    ['<html><script>alert(1)</script></html>', 'x.png', 'image/png'],
    ['BM' + 'x'.repeat(100), 'x.bmp', 'image/bmp'],
    ['%PDF-1.4 not an image', 'x.jpg', 'image/jpeg'],
  ];
  for (const [body, name, type] of cases) {
    const r = await uploadAvatar(auth, Buffer.from(body), name, type);
    assert.equal(r.status, 415, `${name}: ${r.text}`);
    assert.equal(r.json.success, false);
  }
  assert.equal((await me(auth)).avatarETag, undefined, 'nothing stored');
});

test('truncated and corrupt images are refused (400 error-invalid-image), nothing stored', async () => {
  const { auth } = await freshUser();
  const jpg = fixture('avatar.jpg'), pngFile = fixture('avatar.png'), gif = fixture('avatar.gif');
  const webp = fixture('avatar.webp');
  const cases = [
    ['half a JPEG', jpg.subarray(0, Math.floor(jpg.length / 2))],
    ['a JPEG without its end', jpg.subarray(0, jpg.length - 40)],
    ['half a PNG', pngFile.subarray(0, Math.floor(pngFile.length / 2))],
    ['a PNG header alone', pngFile.subarray(0, 33)],
    ['half a WebP', webp.subarray(0, Math.floor(webp.length / 2))],
    ['a GIF without its pixels', gif.subarray(0, 20)],
    ['a PNG with a broken checksum', Buffer.concat([pngFile.subarray(0, 29), Buffer.from([0, 0, 0, 0]), pngFile.subarray(33)])],
    // Thousands of progressive scans would each be decoded over the whole
    // picture: more than a hundred are refused before decoding.
    ['a JPEG of 150 more scans', Buffer.concat([jpg.subarray(0, -2),
      Buffer.alloc(150 * 10, Buffer.from([0xff, 0xda, 0, 8, 1, 1, 0, 0, 0x3f, 0])), jpg.subarray(-2)])],
  ];
  for (const [what, bytes] of cases) {
    const r = await uploadAvatar(auth, bytes, 'x.img');
    assert.equal(r.status, 400, `${what}: ${r.status} ${r.text}`);
    assert.equal(r.json.errorType, 'error-invalid-image', what);
  }
  assert.equal((await me(auth)).avatarETag, undefined, 'nothing stored');
});

test('a small file declaring a huge picture is refused from its header, before decoding (413)', async () => {
  const { auth } = await freshUser();
  const gif = Buffer.from(fixture('avatar.gif'));
  gif.writeUInt16LE(65535, 6); gif.writeUInt16LE(65535, 8);
  const vp8x = Buffer.alloc(30);
  vp8x.write('RIFF', 0); vp8x.writeUInt32LE(22, 4); vp8x.write('WEBPVP8X', 8); vp8x.writeUInt32LE(10, 16);
  vp8x.writeUIntLE(49999, 24, 3); vp8x.writeUIntLE(49999, 27, 3);
  const cases = [['PNG', png(50000, 50000, { rows: 1 })], ['GIF', gif], ['WebP', vp8x]];
  for (const [what, bytes] of cases) {
    assert.ok(bytes.length < 4096, `${what} is small`);
    const started = Date.now();
    const r = await uploadAvatar(auth, bytes, 'bomb');
    assert.equal(r.status, 413, `${what}: ${r.text}`);
    assert.match(r.json.error, /more than \d+ pixels/);
    assert.ok(Date.now() - started < 3000, `${what} refused at once`);
  }
  assert.equal((await me(auth)).avatarETag, undefined, 'nothing stored');
});

test('a GIF that is also HTML and script is stored as a clean PNG, served so no browser runs it', async () => {
  const { u, auth } = await freshUser();
  const gif = fixture('avatar.gif');
  const script = '<html><body><script>alert(document.cookie)</script></body></html>';
  // A comment extension after the header and the script after the trailer:
  // still a GIF to a decoder, an HTML page to a sniffing browser.
  const comment = Buffer.concat([Buffer.from([0x21, 0xfe, script.length]), Buffer.from(script), Buffer.from([0])]);
  const headerEnd = 13 + 3 * 2 ** ((gif[10] & 7) + 1);
  const polyglot = Buffer.concat([gif.subarray(0, headerEnd), comment, gif.subarray(headerEnd), Buffer.from(script)]);
  const r = await uploadAvatar(auth, polyglot, 'page.html', 'text/html');
  assert.equal(r.status, 200, r.text);
  const got = await served(u);
  assert.equal(got.headers.get('content-type'), 'image/png');
  assert.ok(!got.bytes.includes('<script') && !got.bytes.includes('alert'), 'no script survives');
  assert.match(got.headers.get('content-security-policy'), /default-src 'none'/);
  assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
});

test('an upload over avatar_max_bytes answers 413 and stores nothing', async () => {
  const { auth } = await freshUser();
  const big = Buffer.concat([fixture('avatar.png'), Buffer.alloc(5 * 1024 * 1024 + 1)]);
  const r = await uploadAvatar(auth, big, 'big.png', 'image/png');
  assert.equal(r.status, 413, r.text);
  assert.equal(r.json.success, false);
  assert.equal((await me(auth)).avatarETag, undefined);
});

test('Rocket.Chat\'s refusals: no image, another user, the admin switch', async () => {
  const { auth } = await freshUser();
  const other = createUser('other');
  let r = await api('POST', '/api/v1/users.setAvatar', { auth, json: {} });
  assert.equal(r.status, 400);
  assert.match(r.json.error, /^The 'image' param is required/);
  r = await uploadAvatar(auth, fixture('avatar.png'), 'a.png', 'image/png', { userId: other.id });
  assert.equal(r.status, 400);
  assert.equal(r.json.errorType, 'error-not-allowed');
  assert.match(r.json.error, /^Change avatar is not allowed/);
  assert.deepEqual(r.json.details, { method: 'users.setAvatar' });
  r = await api('POST', '/api/v1/users.resetAvatar', { auth, json: { username: other.username } });
  assert.equal(r.json.errorType, 'error-not-allowed');
  assert.match(r.json.error, /^Reset avatar is not allowed/);
  r = await api('POST', '/api/v1/users.setAvatar', { auth, json: { avatarUrl: 'x'.repeat(2049) } });
  assert.equal(r.status, 400);
  assert.equal(r.json.errorType, 'invalid-params');
  r = await api('POST', '/api/v1/users.setAvatar', { auth, json: { avatarUrl: 42 } });
  assert.equal(r.json.errorType, 'invalid-params');
  r = await api('POST', '/api/v1/users.setAvatar', { json: { avatarUrl: 'http://example.org/a.png' } });
  assert.equal(r.status, 401);
  const off = await runAvatarCgi({ uri: '/api/v1/users.resetAvatar', json: {}, auth, extraConf: 'allow_avatar_change = false' });
  assert.equal(off.status, 400, off.raw);
  assert.equal(off.json.errorType, 'error-not-allowed');
  const noFetch = await runAvatarCgi({ uri: '/api/v1/users.setAvatar', json: { avatarUrl: 'http://127.0.0.2/a.png' }, auth,
    extraConf: 'avatar_url_fetch = false' });
  assert.equal(noFetch.json.errorType, 'error-not-allowed', noFetch.raw);
});

test('parallel uploads and resets leave the user\'s avatarETag naming the stored image', async () => {
  const { u, auth } = await freshUser();
  const files = ['avatar.png', 'avatar.gif', 'avatar.jpg', 'avatar.webp', 'avatar.png', 'avatar.jpg'];
  const results = await Promise.all([
    ...files.map((f) => uploadAvatar(auth, fixture(f), f)),
    api('POST', '/api/v1/users.resetAvatar', { auth, json: {} }),
  ]);
  for (const r of results) assert.equal(r.status, 200, r.text);
  const user = await me(auth);
  const got = await getBytes(`/avatar/${u.username}`);
  if (user.avatarETag === undefined) {
    assert.match(got.headers.get('content-type'), /^image\/svg\+xml/, 'the reset won: no image');
  } else {
    assert.equal(got.headers.get('etag'), `"${user.avatarETag}"`, 'the user and the stored row agree');
    assert.equal((await getBytes(`/avatar/${u.username}`, { 'If-None-Match': `"${user.avatarETag}"` })).status, 304);
  }
});

// ---- avatarUrl: fetching, and no server-side request forgery ----
//
// The test config allows 127.0.0.2 (avatar_fetch_allow_networks) as the
// stand-in for a public image server. Every other loopback address is
// the server's own: a listener on all of them counts what gets through.

async function listen(host, handler) {
  const server = http.createServer(handler);
  await new Promise((resolve) => server.listen(0, host, resolve));
  return { server, port: server.address().port };
}

let publicSrv, victim, victimHits = 0;

before(async () => {
  victim = await listen('::', (req, res) => { victimHits++; res.end('internal'); });
  publicSrv = await listen('127.0.0.2', (req, res) => {
    const url = new URL(req.url, 'http://x');
    const routes = {
      '/ok.png': () => { res.setHeader('Content-Type', 'image/png'); res.end(fixture('avatar.png')); },
      '/photo': () => { res.setHeader('Content-Type', 'image/jpeg; charset=binary'); res.end(fixture('avatar.jpg')); },
      '/page': () => { res.setHeader('Content-Type', 'text/html'); res.end('<html></html>'); },
      '/lying': () => { res.setHeader('Content-Type', 'image/png'); res.end('<html><script>alert(1)</script></html>'); },
      '/missing': () => { res.statusCode = 404; res.end(); },
      '/big': () => {
        res.setHeader('Content-Type', 'image/png');
        res.write(fixture('avatar.png'));
        res.end(Buffer.alloc(6 * 1024 * 1024));
      },
      '/redirect': () => { res.statusCode = 302; res.setHeader('Location', url.searchParams.get('to')); res.end(); },
    };
    (routes[url.pathname] ?? routes['/missing'])();
  });
});

after(() => { victim.server.close(); publicSrv.server.close(); });

const pub = (p) => `http://127.0.0.2:${publicSrv.port}${p}`;

async function setUrl(auth, avatarUrl) {
  return api('POST', '/api/v1/users.setAvatar', { auth, json: { avatarUrl } });
}

test('an avatarUrl on an allowed server is fetched, resized and stored', async () => {
  const { u, auth } = await freshUser();
  let r = await setUrl(auth, pub('/ok.png'));
  assert.equal(r.status, 200, r.text);
  let got = await served(u);
  assert.deepEqual(imageSize(got.bytes), [SIZE, SIZE]);
  assert.equal((await me(auth)).avatarOrigin, 'url');
  r = await api('POST', '/api/v1/users.setAvatar', { auth, form: { avatarUrl: pub(`/redirect?to=${encodeURIComponent(pub('/photo'))}`) } });
  assert.equal(r.status, 200, `a form body and a redirect to the same server: ${r.text}`);
  got = await served(u);
  assert.equal(got.headers.get('content-type'), 'image/jpeg');
});

test('an avatarUrl that is not an image, missing, lying or too large is refused', async () => {
  const { auth } = await freshUser();
  const cases = [
    ['/page', 400, 'error-avatar-invalid-url'],
    ['/missing', 400, 'error-avatar-invalid-url'],
    ['/lying', 415, 'error-unsupported-media-type'],
    ['/big', 413, 'error-too-large'],
  ];
  for (const [p, status, type] of cases) {
    const r = await setUrl(auth, pub(p));
    assert.equal(r.status, status, `${p}: ${r.text}`);
    assert.equal(r.json.errorType, type, p);
  }
  const r = await setUrl(auth, 'http://no-such-host.invalid/a.png');
  assert.equal(r.json.errorType, 'error-avatar-url-handling', r.text);
  assert.equal((await me(auth)).avatarETag, undefined, 'nothing stored');
});

test('SSRF: loopback in every spelling, private, link-local and metadata addresses are never contacted', async () => {
  const { auth } = await freshUser();
  const p = victim.port;
  const direct = [
    `http://127.0.0.1:${p}/`, `http://2130706433:${p}/`, `http://0177.0.0.1:${p}/`, `http://0x7f.1:${p}/`,
    `http://0x7f000001:${p}/`, `http://127.1:${p}/`, `http://127.000.000.001:${p}/`, `http://[::1]:${p}/`,
    `http://[::ffff:127.0.0.1]:${p}/`, `http://[::ffff:7f00:1]:${p}/`, `http://[0:0:0:0:0:ffff:127.0.0.1]:${p}/`,
    `http://localhost:${p}/`, `http://LocalHost:${p}/`, `http://0.0.0.0:${p}/`, `http://0:${p}/`, `http://[::]:${p}/`,
    `https://127.0.0.1:${p}/`, `http://user:pw@127.0.0.1:${p}/`,
    'http://10.0.0.1/', 'http://172.16.0.1/', 'http://192.168.0.1/', 'http://100.64.0.1/',
    'http://169.254.169.254/latest/meta-data/', 'http://[fd00::1]/', 'http://[fe80::1]/',
    'http://[::ffff:169.254.169.254]/', 'http://224.0.0.1/', 'http://255.255.255.255/',
  ];
  const redirects = [`http://127.0.0.1:${p}/`, `http://localhost:${p}/`, `http://[::1]:${p}/`,
    `http://2130706433:${p}/`, 'http://169.254.169.254/latest/meta-data/', 'http://10.1.2.3/']
    .map((to) => pub(`/redirect?to=${encodeURIComponent(to)}`));
  let auth2 = auth;
  for (const [i, url] of [...direct, ...redirects].entries()) {
    if (i > 0 && i % 15 === 0) auth2 = (await freshUser()).auth;   // under the per-user fetch limit
    const r = await setUrl(auth2, url);
    assert.equal(r.status, 400, `${url}: ${r.text}`);
    assert.equal(r.json.errorType, 'error-avatar-invalid-url', `${url}: ${r.text}`);
    assert.match(r.json.error, /the server's address is not public/, `${url} refused for its address`);
  }
  assert.equal(victimHits, 0, 'nothing reached the server\'s own addresses');
  assert.equal((await me(auth)).avatarETag, undefined, 'nothing stored');
});

test('SSRF: only http and https, redirects included', async () => {
  const { auth } = await freshUser();
  const p = victim.port;
  const urls = ['file:///etc/passwd', `gopher://127.0.0.2:${publicSrv.port}/_GET`, `ftp://127.0.0.2:${publicSrv.port}/a.png`,
    `dict://127.0.0.1:${p}/`, 'data:image/png;base64,iVBORw0KGgo=', 'javascript:alert(1)', '/relative.png',
    `//127.0.0.2:${publicSrv.port}/ok.png`, 'ldap://127.0.0.1/', `telnet://127.0.0.1:${p}`,
    ...['file:///etc/passwd', `gopher://127.0.0.1:${p}/_x`, `ftp://127.0.0.1:${p}/`, `dict://127.0.0.2:${publicSrv.port}/`]
      .map((to) => pub(`/redirect?to=${encodeURIComponent(to)}`))];
  for (const url of urls) {
    const r = await setUrl(auth, url);
    assert.equal(r.status, 400, `${url}: ${r.text}`);
    assert.equal(r.json.errorType, 'error-avatar-invalid-url', `${url}: ${r.text}`);
    assert.match(r.json.error, /only http and https/, url);
  }
  assert.equal(victimHits, 0);
});

test('avatarUrl fetches are limited per user (20 in 10 minutes, then 429)', async () => {
  const { auth } = await freshUser();
  for (let i = 0; i < 20; i++) {
    const r = await setUrl(auth, `http://127.0.0.1:${victim.port}/${i}`);
    assert.equal(r.json.errorType, 'error-avatar-invalid-url', r.text);
  }
  const r = await setUrl(auth, pub('/ok.png'));
  assert.equal(r.status, 429, r.text);
  assert.equal(r.json.errorType, 'error-too-many-requests');
  assert.ok(Number(r.headers.get('retry-after')) > 0);
  assert.equal((await uploadAvatar(auth, fixture('avatar.png'))).status, 200, 'uploads are not fetches');
  assert.equal(victimHits, 0);
});

test('the private-address switch opens intranet ranges, never loopback or metadata; no list, no test server', async () => {
  const { auth } = await freshUser();
  const run = (avatarUrl, extraConf) => runAvatarCgi({ uri: '/api/v1/users.setAvatar', json: { avatarUrl }, auth,
    extraConf: `avatar_fetch_timeout_ms = 300\n${extraConf}` });
  const notPublic = /the server's address is not public/;
  // With the switch on, 10.255.255.1 is tried (whatever is or is not there
  // answers); with it off it is refused for its address.
  let r = await run('http://10.255.255.1/a.png', 'avatar_fetch_allow_private = true');
  assert.equal(r.status, 400, r.raw);
  assert.doesNotMatch(r.json?.error, notPublic, r.raw);
  r = await run('http://10.255.255.1/a.png', 'avatar_fetch_allow_private = false');
  assert.match(r.json?.error, notPublic, r.raw);
  for (const url of [`http://127.0.0.1:${victim.port}/`, 'http://169.254.169.254/', `http://[::1]:${victim.port}/`]) {
    r = await run(url, 'avatar_fetch_allow_private = true');
    assert.match(r.json?.error, notPublic, `${url}: ${r.raw}`);
  }
  r = await run(pub('/ok.png'), 'avatar_fetch_allow_networks =');
  assert.match(r.json?.error, notPublic, `without the list 127.0.0.2 is loopback too: ${r.raw}`);
  r = await run(pub('/ok.png'), 'avatar_fetch_allow_networks = 127.0.0.0/8');
  assert.equal(r.status, 200, `a listed network is the admin's decision: ${r.raw}`);
  assert.equal(victimHits, 0);
});

test('the admin\'s avatar_size and avatar_max_pixels are what the stored image and the refusal follow', async () => {
  const { u, auth } = await freshUser();
  let r = await runAvatarCgi({ uri: '/api/v1/users.setAvatar', json: { avatarUrl: pub('/photo') }, auth, extraConf: 'avatar_size = 64' });
  assert.equal(r.status, 200, r.raw);
  const got = await served(u);
  assert.deepEqual(imageSize(got.bytes), [64, 64], 'resized to the configured 64 px');
  r = await runAvatarCgi({ uri: '/api/v1/users.setAvatar', json: { avatarUrl: pub('/photo') }, auth, extraConf: 'avatar_max_pixels = 9000' });
  assert.equal(r.status, 413, `120 x 80 is more than 9000 pixels: ${r.raw}`);
  r = await runAvatarCgi({ uri: '/api/v1/users.setAvatar', json: { avatarUrl: pub('/photo') }, auth, extraConf: 'avatar_max_bytes = 2000' });
  assert.equal(r.status, 413, `the 2281-byte photo is over 2000 bytes: ${r.raw}`);
  assert.deepEqual(imageSize((await served(u)).bytes), [64, 64], 'the refusals changed nothing');
});
