// The SPA's own SHA-256 (www/js/sha256.js), used where the page has no
// WebCrypto (plain http on a LAN: not a secure context), checked against
// node:crypto; and the sign-in screen, with WebCrypto taken away, still sends
// the digest, never the typed password (issue 8: keep a tested fallback and
// always send the digest).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_PASSWORD, DEMO_USER, en, openPage, useBrowser } from './lib.mjs';

const SOURCE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../www/js/sha256.js');
// www/ has no package.json saying "module": load the file as the browser does, as a module.
const sha = await import(`data:text/javascript,${encodeURIComponent(fs.readFileSync(SOURCE, 'utf8'))}`);
const hex = (bytes) => Buffer.from(bytes).toString('hex');
const nodeHex = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');
const browser = useBrowser();

test('sha256Bytes matches node:crypto for every length around the block and padding edges', () => {
  // 55/56 and 119/120 bytes change how many padding blocks follow; 64/128 are whole blocks.
  for (let length = 0; length <= 300; length += 1) {
    const bytes = crypto.randomBytes(length);
    assert.equal(hex(sha.sha256Bytes(bytes)), nodeHex(bytes), `${length} random bytes`);
  }
  for (const fill of [0x00, 0xff, 0x80]) {
    const bytes = new Uint8Array(200).fill(fill);
    assert.equal(hex(sha.sha256Bytes(bytes)), nodeHex(bytes), `200 bytes of ${fill}`);
  }
});

test('sha256Bytes matches the FIPS 180-4 examples and a long input', () => {
  const text = (s) => new TextEncoder().encode(s);
  assert.equal(hex(sha.sha256Bytes(text(''))), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(hex(sha.sha256Bytes(text('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(hex(sha.sha256Bytes(text('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))),
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  const big = crypto.randomBytes(1 << 20);
  assert.equal(hex(sha.sha256Bytes(big)), nodeHex(big), '1 MiB');
});

test('sha256Hex hashes the UTF-8 bytes of a text, with and without WebCrypto', async () => {
  const samples = ['', 'browser-pass-1', 'pässwörd', '密码🔑', 'a'.repeat(1000), '\u0000\uffff'];
  for (const sample of samples) {
    const expected = crypto.createHash('sha256').update(sample, 'utf8').digest('hex');
    assert.equal(await sha.sha256Hex(sample), expected, `WebCrypto: ${JSON.stringify(sample.slice(0, 20))}`);
    assert.equal(hex(sha.sha256Bytes(new TextEncoder().encode(sample))), expected, `fallback: ${JSON.stringify(sample.slice(0, 20))}`);
  }
});

test('without WebCrypto (not a secure context) sign-in sends the digest, not the password, and works', async () => {
  const { context, page, problems } = await openPage(browser());
  // What a plain-http page sees: crypto.subtle is undefined outside secure contexts.
  await page.addInitScript(() => {
    Object.defineProperty(Crypto.prototype, 'subtle', { get: () => undefined, configurable: true });
  });
  const sent = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/api/v1/login')) sent.push(request.postData() || '');
  });
  await page.goto('/');
  assert.equal(await page.evaluate(() => globalThis.crypto.subtle), undefined);
  await page.getByLabel(en['signin.user']).fill(DEMO_USER);
  await page.getByLabel(en['signin.password'], { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: en['signin.submit'], exact: true }).click();
  await page.locator('nav .nav-link').first().waitFor();

  assert.equal(sent.length, 1);
  assert.ok(!sent[0].includes(DEMO_PASSWORD), 'the typed password is not in the request');
  assert.deepEqual(JSON.parse(sent[0]).password, {
    digest: crypto.createHash('sha256').update(DEMO_PASSWORD).digest('hex'),
    algorithm: 'sha-256',
  });
  assert.deepEqual(problems, []);
  await context.close();
});
