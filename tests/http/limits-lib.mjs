// limits-lib.mjs - helpers of the limits*.test.mjs files: bursts of
// requests on connections of their own, the rate-limit key of a subject,
// and direct database access for state the API does not show.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

// POSTs JSON on a connection of its own (no keep-alive pool), so a burst
// never reuses a socket the web server is just closing for idleness.
// Resolves {status, headers (a Headers), json, text}.
export function freshPost(urlPath, json, headers = {}) {
  const body = JSON.stringify(json);
  return new Promise((resolve, reject) => {
    const req = http.request(BASE + urlPath, {
      method: 'POST', agent: false,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Connection: 'close', ...headers },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let parsed = null;
        try { parsed = JSON.parse(text); } catch { /* not JSON; tests check */ }
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) for (const one of [v].flat()) h.append(k, one);
        resolve({ status: res.statusCode, headers: h, json: parsed, text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

// The _id lib/ratelimit.c gives SUBJECT's counter in SCOPE.
export const keyOf = (scope, subject) => `${scope}:${createHash('sha256').update(subject).digest('base64url')}`;

// Runs CODE (Python, with `db` bound to the test database) and returns
// what it printed.
export function pyDb(code) {
  return execFileSync('/usr/bin/python3', ['-c', `import sys, json\nsys.path.insert(0, ${JSON.stringify(here)})\n` +
    `from dbtool import database\ndb = database()\n${code}`], { encoding: 'utf8', env: process.env }).trim();
}

// Puts the next allowed attempt of counter ID an hour away, as a long
// series of failures would, so a check right after cannot race the short
// first delay.
export const holdOff = (id) => pyDb(`import datetime\n` +
  `db.ratelimits.update_one({'_id': ${JSON.stringify(id)}}, {'$set': {'nextAt': datetime.datetime.utcnow() + datetime.timedelta(hours=1)}})`);
