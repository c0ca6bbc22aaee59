// mail-lib.mjs - helpers of the mail tests: MIME parts of a received mail,
// waiting for the queue, changing queue items through the real protocol.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { db, TOP } from './lib.mjs';

// {text: {head, body}, html: {head, body}} of a multipart/alternative mail;
// the HTML part's base64 decoded.
export function mimeParts(mail) {
  const boundary = /boundary="([^"]+)"/i.exec(mail.head)?.[1];
  if (!boundary) throw new Error('not a multipart mail');
  const parts = {};
  for (const chunk of mail.raw.split(`--${boundary}`).slice(1)) {
    if (chunk.startsWith('--')) break;
    const [head, ...rest] = chunk.replace(/^\r?\n/, '').split(/\r?\n\r?\n/);
    let body = rest.join('\r\n\r\n');
    if (/^Content-Transfer-Encoding: base64/mi.test(head)) body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    const kind = /^Content-Type: text\/(plain|html)/mi.exec(head)?.[1];
    parts[kind === 'plain' ? 'text' : kind] = { head, body };
  }
  return parts;
}

// Runs PYTHON with `db` bound to the test database (pymongo).
export function py(code) {
  return execFileSync('/usr/bin/python3', ['-c', `
import datetime, json
from importlib.machinery import SourceFileLoader
t = SourceFileLoader('dbtool', ${JSON.stringify(path.join(TOP, 'tests/http/dbtool.py'))}).load_module()
db = t.database()
now = datetime.datetime.utcnow()
${code}
`], { encoding: 'utf8', env: process.env });
}

// Waits (bounded) until the queue items to TO satisfy OK; returns them.
export async function waitForQueue(to, ok, ms = 10000) {
  const until = Date.now() + ms;
  for (;;) {
    const q = db('mail-queue', to) ?? [];
    if (ok(q) || Date.now() > until) return q;
    await new Promise((r) => setTimeout(r, 100));
  }
}
