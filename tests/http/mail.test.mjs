// mail.test.mjs - the mail queue under concurrency and failure: items are
// claimed with a lease (never sent twice, however many senders run; a
// crashed sender's item goes out after its lease); what is stored and
// when it goes; mail errors answered as mail errors; the programs never
// talk SMTP; sendEmailCode takes as long for an unknown user as a known.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { api, createUser, db, waitForMails, mailsTo, randomIp, ADMIN, TOP } from './lib.mjs';
import { mimeParts, py, waitForQueue } from './mail-lib.mjs';

const run = promisify(execFile);

test('parallel senders and the immediate send deliver each mail exactly once', async () => {
  const users = Array.from({ length: 6 }, () => createUser('par'));
  for (const u of users) db('set-email2fa', u.username, 'true');
  // Four cron workers racing the senders the requests start.
  const workers = Array.from({ length: 4 }, async () => {
    for (let i = 0; i < 6; i++) {
      await run(ADMIN, ['run-queue'], { env: process.env }).catch(() => {});
    }
  });
  const requests = users.map((u) => api('POST', '/api/v1/users.2fa.sendEmailCode', {
    json: { emailOrUsername: u.username }, headers: { 'X-Forwarded-For': randomIp() },
  }));
  const answers = await Promise.all(requests);
  for (const r of answers) assert.equal(r.status, 200, r.text);
  await Promise.all(workers);
  await run(ADMIN, ['run-queue'], { env: process.env }).catch(() => {});
  for (const u of users) {
    const to = u.email.toLowerCase();
    await waitForMails(to, 1);
    await new Promise((r) => setTimeout(r, 300));   // a duplicate would arrive by now
    assert.equal(mailsTo(to).length, 1, `exactly one mail to ${to}`);
    const q = db('mail-queue', to);
    assert.equal(q.length, 1);
    assert.equal(q[0].state, 'sent');
    assert.equal(q[0].attempts, 1, 'claimed once');
  }
});

// A message item as a sender left it: RFC 5322 text, claimed or not.
function plant(to, fields) {
  const id = `t${Date.now()}${Math.random().toString(36).slice(2, 8)}`;
  const msg = `From: x <noreply@example.org>\r\nTo: <${to}>\r\nSubject: planted ${id}\r\n\r\nhello\r\n`;
  py(`
f = json.loads(${JSON.stringify(JSON.stringify(fields))})
doc = {'_id': '${id}', 'kind': 'message', 'to': '${to}', 'message': ${JSON.stringify(msg)},
       'attempts': 1, 'createdAt': now, 'nextAttemptAt': now - datetime.timedelta(minutes=5),
       'purgeAt': now + datetime.timedelta(days=1)}
for k, v in f.items():
    doc[k] = now + datetime.timedelta(seconds=v) if k.endswith('At') or k == 'leaseUntil' else v
db.mail_queue.insert_one(doc)
`);
  return id;
}

test("a crashed sender's mail is sent after its lease, a live lease is respected", async () => {
  const to = `crash${Date.now()}@example.org`;
  plant(to, { state: 'sending', leaseUntil: -10, claim: 'dead-sender' });
  const live = `live${Date.now()}@example.org`;
  plant(live, { state: 'sending', leaseUntil: 100, claim: 'busy-sender' });
  execFileSync(ADMIN, ['run-queue'], { env: process.env });
  assert.equal((await waitForMails(to, 1)).length, 1, 'the abandoned item went out');
  const q = db('mail-queue', to);
  assert.equal(q[0].state, 'sent');
  assert.equal(q[0].attempts, 2, 'the dead sender\'s try counts');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(mailsTo(live).length, 0, 'an item under a live lease is left alone');
  assert.equal(db('mail-queue', live)[0].state, 'sending');
  py(`db.mail_queue.delete_many({'to': '${live}'})`);   // no later run sends it
});

test('what the queue keeps: no body once sent or stale, finished items purged', async () => {
  const stale = `stale${Date.now()}@example.org`;
  plant(stale, { state: 'queued', expiresAt: -1 });
  const old = `old${Date.now()}@example.org`;
  plant(old, { state: 'sent', purgeAt: -60 });
  const out = execFileSync(ADMIN, ['run-queue'], { encoding: 'utf8', env: process.env });
  assert.match(out, /\d+ purged/);   // another mode's worker (or the TTL index) may have been first
  const s = py(`print(json.dumps(db.mail_queue.find_one({'to': '${stale}'}), default=str))`);
  const doc = JSON.parse(s);
  assert.equal(doc.state, 'expired');
  assert.equal(doc.message, undefined, 'a stale code is dropped unsent');
  assert.ok(doc.purgeAt, 'and purged later');
  assert.equal(mailsTo(stale).length, 0);
  assert.equal(py(`print(db.mail_queue.count_documents({'to': '${old}'}))`).trim(), '0', 'past purgeAt: gone');

  // A code request: the typed name is dropped once resolved.
  const ghost = `ghost-${Date.now()}`;
  const r = await api('POST', '/api/v1/users.2fa.sendEmailCode', { json: { emailOrUsername: ghost } });
  assert.equal(r.status, 200);
  let job;
  for (let i = 0; i < 50; i++) {
    job = JSON.parse(py(`print(json.dumps(db.mail_queue.find_one({'kind': 'code-request', 'createdAt': {'$gte': now - datetime.timedelta(seconds=30)}, '$or': [{'who': '${ghost}'}, {'state': 'sent'}]}, sort=[('createdAt', -1)]), default=str))`));
    if (job?.state === 'sent') break;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(job.state, 'sent');
  assert.equal(job.who, undefined, 'the typed name is not kept');
});

test('a mail that cannot be made answers the mail error, not "database unavailable"', () => {
  const u = createUser('nomail');
  db('set-email2fa', u.username, 'true');
  const dir = mkdtempSync(path.join(tmpdir(), 'mail-bad-'));
  const conf = path.join(dir, 'myaccount.conf');
  writeFileSync(conf, readFileSync(process.env.MYACCOUNT_CONFIG, 'utf8') + '\nsmtp_from = not an address\n');
  const body = JSON.stringify({ user: u.username, password: u.password });
  const res = execFileSync(path.join(TOP, 'build/cgi-bin/auth'), [], {
    env: {
      MYACCOUNT_CONFIG: conf, REQUEST_METHOD: 'POST', REQUEST_URI: '/api/v1/login',
      CONTENT_TYPE: 'application/json', CONTENT_LENGTH: String(body.length), REMOTE_ADDR: randomIp(),
    },
    input: body, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'],
  });
  assert.match(res, /^Status: 503/);
  const json = JSON.parse(res.slice(res.indexOf('\r\n\r\n') + 4));
  assert.equal(json.errorType, 'error-email-send-failed');
});

// (The avatar program links libcurl to fetch an avatarUrl, lib/fetch.c;
// it holds no SMTP code either.)
test('no program but the admin tool sends mail; none but it and the avatar program references libcurl', () => {
  const dir = path.join(TOP, 'build/cgi-bin');
  for (const f of readdirSync(dir).filter((n) => !n.includes('.'))) {
    const syms = execFileSync('nm', ['-u', path.join(dir, f)], { encoding: 'utf8' });
    if (f !== 'avatar') assert.ok(!/\bcurl_/.test(syms), `${f} references curl_*`);
    assert.ok(!/\bsmtp_deliver\b/.test(execFileSync('nm', [path.join(dir, f)], { encoding: 'utf8' })), `${f} holds the SMTP code`);
  }
  assert.match(execFileSync('nm', ['-u', ADMIN], { encoding: 'utf8' }), /\bcurl_easy_perform\b/);
});

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

// One round: four requests for each of five fresh users (each stays under
// the per-user limit of 5 codes an hour, so each known request would do
// the full work), interleaved with as many for names nobody has.
async function timingRound() {
  const users = Array.from({ length: 5 }, () => createUser('timing'));
  for (const u of users) db('set-email2fa', u.username, 'true');
  const time = async (who) => {
    const send = () => api('POST', '/api/v1/users.2fa.sendEmailCode', {
      json: { emailOrUsername: who }, headers: { 'X-Forwarded-For': randomIp() },
    });
    let t0 = process.hrtime.bigint(), r;
    try {
      r = await send();
    } catch (e) {
      // A reset keep-alive connection on a loaded machine (seen once under
      // lighttpd, no request reached it): say so and measure a fresh try.
      console.log(`# sendEmailCode: ${e.message} (${e.cause?.code ?? e.cause}); trying again`);
      t0 = process.hrtime.bigint();
      r = await send();
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { success: true });
    return ms;
  };
  await time(`warm-${Date.now()}`);
  const known = [], unknown = [];
  for (let i = 0; i < 20; i++) {
    // Interleaved, so a slow moment of the machine hits both alike; by
    // username and by email alike.
    const u = users[i % 5];
    known.push(await time(i % 2 ? u.username : u.email));
    unknown.push(await time(i % 2 ? `nobody-${Date.now()}-${i}` : `nobody${Date.now()}${i}@example.org`));
  }
  return { users, known: median(known), unknown: median(unknown) };
}

test('sendEmailCode takes as long for an unknown user as for a known one, and the code arrives', async () => {
  // A shared, loaded machine can spoil one round; a real difference (the
  // old synchronous SMTP session: 33 against 17 ms) shows in every round.
  const rounds = [];
  let r;
  for (let i = 0; i < 3; i++) {
    r = await timingRound();
    const tolerance = Math.max(3, 0.25 * r.unknown);
    rounds.push(`known ${r.known.toFixed(2)} ms, unknown ${r.unknown.toFixed(2)} ms (tolerance ${tolerance.toFixed(2)})`);
    console.log(`# sendEmailCode medians: ${rounds.at(-1)}`);
    if (Math.abs(r.known - r.unknown) <= tolerance) break;
  }
  // Under SANITIZE=1 every fork of the sender copies ASan's huge shadow
  // mappings, so times say more about the sanitizer than about us: judged in
  // the normal pass, reported here (the codes must arrive in both).
  if (process.env.SANITIZE !== '1')
    assert.ok(rounds.length < 3 || Math.abs(r.known - r.unknown) <= Math.max(3, 0.25 * r.unknown), rounds.join('; '));
  for (const u of r.users) {
    const mails = await waitForMails(u.email.toLowerCase(), 4, 15000);
    assert.equal(mails.length, 4, 'every code arrives');
    assert.match(mimeParts(mails.at(-1)).text.body, /\d{3}-\d{3}/);
  }
});

test('the answer never waits for the sender, which gets the queued ids and the config', async () => {
  // A sender that takes its time and says what it was given. Under plain
  // CGI the web server reads stdout and stderr through pipes; the answer is
  // complete only when every writer closed them (fcgiwrap waits for both).
  const dir = mkdtempSync(path.join(tmpdir(), 'slow-sender-'));
  const sender = path.join(dir, 'sender.sh');
  const said = path.join(dir, 'said');
  writeFileSync(sender, `#!/bin/sh\necho "$@" "config=$MYACCOUNT_CONFIG" > ${said}.tmp; mv ${said}.tmp ${said}\nsleep 4\n`, { mode: 0o755 });
  const conf = path.join(dir, 'myaccount.conf');
  writeFileSync(conf, readFileSync(process.env.MYACCOUNT_CONFIG, 'utf8') + `\nmail_sender = ${sender}\n`);
  const body = JSON.stringify({ emailOrUsername: `someone-${Date.now()}` });
  const t0 = Date.now();
  const out = execFileSync(path.join(TOP, 'build/cgi-bin/auth'), [], {
    env: {
      MYACCOUNT_CONFIG: conf, REQUEST_METHOD: 'POST', REQUEST_URI: '/api/v1/users.2fa.sendEmailCode',
      CONTENT_TYPE: 'application/json', CONTENT_LENGTH: String(body.length), REMOTE_ADDR: randomIp(),
    },
    input: body, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'],
  });
  const took = Date.now() - t0;
  assert.match(out, /^Status: 200/);
  assert.ok(took < 3000, `the CGI's pipes were let go at once (${took} ms)`);
  let words = '';
  for (let i = 0; i < 50 && !words; i++) {
    try { words = readFileSync(said, 'utf8').trim(); } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
  assert.match(words, new RegExp(`^send-mail [A-Za-z0-9]{17} config=${conf.replace(/[.]/g, '\\.')}$`));
});

test('the admin tool takes exactly the addresses mail can be sent to', () => {
  const tag = `v${process.pid}${Date.now().toString(36)}`;
  const tryCreate = (email, n) => {
    try {
      execFileSync(ADMIN, ['create-user', `${tag}${n}`, email], { input: 'pw-long-enough-1\n', encoding: 'utf8', stdio: 'pipe' });
      return true;
    } catch (e) {
      assert.match(String(e.stderr), /not a valid email address/);
      return false;
    }
  };
  // Before, the admin tool took the first two (mail to them can never be
  // built) and refused the last (which the mailer sends to).
  assert.equal(tryCreate(`${tag}@ex\u00e4mple.org`, 1), false, 'non-ASCII domain');
  assert.equal(tryCreate(`${tag}(x)@example.org`, 2), false, 'comment characters');
  assert.equal(tryCreate(`${tag}@localhost`, 3), true, 'a dotless domain the mailer accepts');
});
