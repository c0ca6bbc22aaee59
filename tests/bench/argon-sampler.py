#!/usr/bin/python3
# argon-sampler.py EXE KIB - samples every process whose executable is EXE
# until its stdin closes (or 120 s): the sum of their RSS and PSS, how many
# there are, and the argon2id memory in use (libsodium maps it as one
# anonymous region of KIB per running hash); prints the peaks as JSON.
# Used by tests/http/limits-hashing.test.mjs and `make bench`.
import json, os, select, sys, time
exe, kib = sys.argv[1], int(sys.argv[2])
peak = {'rssKib': 0, 'pssKib': 0, 'argonKib': 0, 'hashing': 0, 'procs': 0, 'samples': 0}
def argon(pid):
    total = 0; anon = False; size = 0
    with open('/proc/%s/smaps' % pid) as f:
        for line in f:
            p = line.split()
            if p and '-' in p[0] and not p[0].endswith(':'):
                anon = len(p) == 5; size = 0
            elif p and p[0] == 'Size:':
                size = int(p[1])
            elif p and p[0] == 'Rss:' and anon and size >= kib:
                total += int(p[1])
    return total
print('ready', flush=True)
until = time.time() + 120
while time.time() < until and not select.select([sys.stdin], [], [], 0)[0]:
    rss = pss = procs = 0
    candidates = []
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            if os.readlink('/proc/%s/exe' % pid) != exe:
                continue
            status = open('/proc/%s/status' % pid).read()
            fields = dict(l.split(':', 1) for l in status.splitlines() if ':' in l)
            procs += 1
            rss += int(fields.get('VmRSS', '0 kB').split()[0])
            for l in open('/proc/%s/smaps_rollup' % pid):
                if l.startswith('Pss:'):
                    pss += int(l.split()[1])
            if int(fields.get('RssAnon', '0 kB').split()[0]) >= kib // 2:
                candidates.append(pid)
        except (OSError, ValueError):
            continue
    # The walk above takes a while; hashes it saw may have ended and others
    # begun. Look at the candidates again, back to back, and count those
    # hashing in both looks.
    found = {}
    for _ in range(2):
        now = {}
        for pid in candidates:
            try:
                a = argon(pid)
            except (OSError, ValueError):
                a = 0
            if a:
                now[pid] = a
        found = now if not found else {p: a for p, a in now.items() if p in found}
        if not found:
            break
    mem, hashing = sum(found.values()), len(found)
    peak['samples'] += 1
    for k, v in (('rssKib', rss), ('pssKib', pss), ('argonKib', mem), ('hashing', hashing), ('procs', procs)):
        peak[k] = max(peak[k], v)
print(json.dumps(peak), flush=True)
