// avatar-lib.mjs - helpers of avatar.test.mjs: images built byte by byte
// (for what no encoder would write: EXIF with GPS, declared sizes no file
// has, polyglots), their sizes read from the headers, uploads, and the
// avatar program run once as plain CGI with config lines of its own, in a
// child process (the test's own servers must answer meanwhile).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { api, BASE, TOP } from './lib.mjs';

export const fixture = (name) => readFileSync(path.join(TOP, 'tests/http/fixtures', name));

// POSTs users.setAvatar with the multipart file part IMAGE.
export function uploadAvatar(auth, bytes, filename = 'a.bin', type = 'application/octet-stream', extra = {}) {
  const form = new FormData();
  for (const [k, v] of Object.entries(extra)) form.append(k, v);
  form.append('image', new Blob([bytes], { type }), filename);
  return api('POST', '/api/v1/users.setAvatar', { auth, body: form });
}

// GET PATH with the body as bytes.
export async function getBytes(urlPath, headers = {}) {
  const res = await fetch(BASE + urlPath, { headers });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

// Width and height from a PNG's IHDR or a JPEG's start-of-frame.
export function imageSize(b) {
  if (b.subarray(1, 4).toString() === 'PNG') return [b.readUInt32BE(16), b.readUInt32BE(20)];
  for (let i = 2; i + 9 < b.length;) {
    const m = b[i + 1];
    if (m >= 0xc0 && m <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(m)) return [b.readUInt16BE(i + 7), b.readUInt16BE(i + 5)];
    i += 2 + b.readUInt16BE(i + 2);
  }
  return null;
}

// The JPEG's segment markers before its scan (0xe1 is APP1, EXIF's).
export function jpegMarkers(b) {
  const out = [];
  for (let i = 2; i + 4 <= b.length && b[i] === 0xff && b[i + 1] !== 0xda; i += 2 + b.readUInt16BE(i + 2)) out.push(b[i + 1]);
  return out;
}

// An APP1 EXIF segment: IFD0 with an ImageDescription (TEXT) and a GPS
// IFD holding GPSLatitudeRef "N" and GPSLatitude 52/1 31/1 0/1.
export function exifSegment(text) {
  const desc = Buffer.from(`${text}\0`);
  const tiff = Buffer.alloc(8 + 2 + 2 * 12 + 4 + 2 + 2 * 12 + 4 + 24 + desc.length);
  let o = 0;
  tiff.write('II', 0); tiff.writeUInt16LE(42, 2); tiff.writeUInt32LE(8, 4); o = 8;
  const gpsAt = 8 + 2 + 24 + 4, ratAt = gpsAt + 2 + 24 + 4, descAt = ratAt + 24;
  tiff.writeUInt16LE(2, o); o += 2;
  for (const [tag, type, count, value] of [[0x010e, 2, desc.length, descAt], [0x8825, 4, 1, gpsAt]]) {
    tiff.writeUInt16LE(tag, o); tiff.writeUInt16LE(type, o + 2); tiff.writeUInt32LE(count, o + 4); tiff.writeUInt32LE(value, o + 8); o += 12;
  }
  tiff.writeUInt32LE(0, o); o += 4;
  tiff.writeUInt16LE(2, o); o += 2;
  tiff.writeUInt16LE(1, o); tiff.writeUInt16LE(2, o + 2); tiff.writeUInt32LE(2, o + 4); tiff.write('N\0', o + 8); o += 12;
  tiff.writeUInt16LE(2, o); tiff.writeUInt16LE(5, o + 2); tiff.writeUInt32LE(3, o + 4); tiff.writeUInt32LE(ratAt, o + 8); o += 12;
  tiff.writeUInt32LE(0, o); o += 4;
  for (const [n, d] of [[52, 1], [31, 1], [0, 1]]) { tiff.writeUInt32LE(n, o); tiff.writeUInt32LE(d, o + 4); o += 8; }
  desc.copy(tiff, o);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const head = Buffer.from([0xff, 0xe1, 0, 0]);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([head, body]);
}

// JPEG with SEGMENTS inserted right after its start-of-image marker.
export const jpegWith = (jpeg, ...segments) => Buffer.concat([jpeg.subarray(0, 2), ...segments, jpeg.subarray(2)]);

export function comSegment(text) {
  const t = Buffer.from(text);
  const head = Buffer.from([0xff, 0xfe, 0, 0]);
  head.writeUInt16BE(t.length + 2, 2);
  return Buffer.concat([head, t]);
}

function crc32(buf) {
  let c, crc = 0xffffffff;
  for (const byte of buf) {
    c = (crc ^ byte) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export function pngChunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

// A grey PNG of W x H (8-bit greyscale) with EXTRA chunks before its
// pixels; ROWS limits the rows actually encoded (a lying header).
export function png(w, h, { extra = [], rows = h } = {}) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 0;
  const raw = Buffer.alloc(Math.min(rows, h) * (w + 1), 0x80);
  for (let y = 0; y < Math.min(rows, h); y++) raw[y * (w + 1)] = 0;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr),
    ...extra, pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))]);
}

// Runs build/cgi-bin/avatar once as plain CGI: the stack's config plus
// EXTRA_CONF lines, a JSON body, the caller's credentials.
export function runAvatarCgi({ uri, json, auth, extraConf = '' }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'cgi-avatar-'));
  const conf = path.join(dir, 'myaccount.conf');
  writeFileSync(conf, readFileSync(process.env.MYACCOUNT_CONFIG, 'utf8') + `\n${extraConf}\n`);
  const body = JSON.stringify(json);
  const child = spawn(path.join(TOP, 'build/cgi-bin/avatar'), [], {
    env: {
      MYACCOUNT_CONFIG: conf, REQUEST_METHOD: 'POST', REQUEST_URI: uri, REMOTE_ADDR: '127.0.0.1',
      GATEWAY_INTERFACE: 'CGI/1.1', CONTENT_TYPE: 'application/json', CONTENT_LENGTH: String(Buffer.byteLength(body)),
      HTTP_X_USER_ID: auth.userId, HTTP_X_AUTH_TOKEN: auth.authToken,
    },
  });
  child.stdin.end(body);
  let raw = '';
  child.stdout.on('data', (d) => { raw += d; });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', () => {
      const split = raw.indexOf('\r\n\r\n');
      let parsed = null;
      try { parsed = JSON.parse(raw.slice(split + 4)); } catch { /* tests check */ }
      resolve({ status: Number(/^Status: (\d+)/.exec(raw)?.[1]), json: parsed, raw });
    });
  });
}
