#!/usr/bin/python3
"""no-secrets.py SECRETS_FILE STACK_LOG_DIR TEST_LOG_DIR - the README's
"logs never contain passwords, tokens, codes or their hashes", checked after
every suite ran: each secret the tests recorded (tests/http/lib.mjs
recordSecret: "kind<TAB>value" lines), and its hex SHA-256 and base64
SHA-256 (what passwords and tokens are hashed to), is looked for in

  - every file under STACK_LOG_DIR: the programs' stderr, fcgiwrap's and
    lighttpd's CGI stderr, the web servers' error and access logs;
  - the "# ..." lines of the node suites' logs in TEST_LOG_DIR, which is
    where the stderr of programs the tests ran themselves (the admin tool,
    a CGI run by hand) ends up.

A failure names the log file and the kind of secret, never the secret.
Values with fewer than 4 distinct characters ("000000") are test filler,
not secrets. Six-digit codes are matched as whole numbers after each line's
timestamp, pid and size fields are stripped, which would otherwise match
by chance. Prints "N passed, N failed"."""
import base64
import hashlib
import os
import re
import subprocess
import sys
import tempfile

MIN_LEN = 8              # shorter values (but codes) are not secrets: "nope"
CODE = re.compile(r'^\d{6}$')

# Line prefixes and fields made of numbers that are not codes.
NOISE = [
    re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \S+\[\d+\] \w+: '),       # ours (lib/log.c)
    re.compile(r'^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[\w+\] \d+#\d+: (\*\d+ )?'),  # nginx
    re.compile(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d: \([^)]*\) '),               # lighttpd
    re.compile(r'\[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\]'),             # access log time
    re.compile(r'" \d{3} \d+ '),                                              # access log status, size
    re.compile(r'duration_ms:? [\d.]+'),                                      # node's TAP
]
TAP_SUMMARY = re.compile(r'^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ')


def derived(value):
    """VALUE and what the code may have hashed it to."""
    digest = hashlib.sha256(value.encode()).digest()
    return [value, digest.hex(), base64.b64encode(digest).decode()]


def read_secrets(path):
    """{searched string: kind} for long secrets, {code: kind} for codes."""
    long_ones, codes = {}, {}
    with open(path, encoding='utf-8', errors='replace') as f:
        for line in f:
            kind, _, value = line.rstrip('\n').partition('\t')
            if len(set(value)) < 4:
                continue
            digits = re.sub(r'\D', '', value) if re.fullmatch(r'\d{3}-?\d{3}', value) else None
            if digits:
                codes[digits] = kind
                value = digits
            elif len(value) < MIN_LEN:
                continue
            for form in derived(value):
                long_ones.setdefault(form, kind if form == value else f'{kind} (hashed)')
    # Codes are searched as whole numbers, not as substrings.
    for c in codes:
        long_ones.pop(c, None)
    return long_ones, codes


def logs(stack_dir, test_dir):
    """(path, text to search) for every log."""
    for root, _, files in os.walk(stack_dir):
        for name in sorted(files):
            p = os.path.join(root, name)
            with open(p, encoding='utf-8', errors='replace') as f:
                yield p, f.read()
    for name in sorted(os.listdir(test_dir)):
        if name.endswith('.log') and name != 'no-secrets.log':
            p = os.path.join(test_dir, name)
            with open(p, encoding='utf-8', errors='replace') as f:
                lines = [l for l in f if l.startswith('# ') and not TAP_SUMMARY.match(l)]
            yield p, ''.join(lines)


def find(text, long_ones, codes, patterns_file):
    """{kind: count} of the secrets in TEXT."""
    found = {}
    if text and long_ones:
        out = subprocess.run(['grep', '-a', '-o', '-F', '-f', patterns_file],
                             input=text.encode(), stdout=subprocess.PIPE, check=False).stdout
        for hit in out.decode(errors='replace').splitlines():
            kind = long_ones.get(hit, 'secret')
            found[kind] = found.get(kind, 0) + 1
    for line in text.splitlines():
        for noise in NOISE:
            line = noise.sub(' ', line)
        for m in re.finditer(r'(?<!\d)(\d{3})-?(\d{3})(?!\d)', line):
            kind = codes.get(m.group(1) + m.group(2))
            if kind:
                found[kind] = found.get(kind, 0) + 1
    return found


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.split('\n')[0])
    secrets_file, stack_dir, test_dir = sys.argv[1:]
    passed = failed = 0
    if not os.path.exists(secrets_file):
        print(f'FAIL no secrets were recorded ({secrets_file} is missing): the check would prove nothing')
        print('0 passed, 1 failed')
        return 1
    long_ones, codes = read_secrets(secrets_file)
    with tempfile.NamedTemporaryFile('w', prefix='no-secrets-', suffix='.txt') as pat:
        os.chmod(pat.name, 0o600)
        pat.write(''.join(f'{s}\n' for s in long_ones))
        pat.flush()
        # The search itself must work: a line made of a recorded secret is found.
        probe = next(iter(long_ones), None) or next(iter(codes), None)
        if probe and find(f'x {probe} y\n', long_ones, codes, pat.name):
            passed += 1
            print(f'ok the search finds a recorded secret ({len(long_ones)} strings, {len(codes)} codes)')
        else:
            failed += 1
            print('FAIL the search does not find a recorded secret (or none was recorded)')
        for path, text in logs(stack_dir, test_dir):
            found = find(text, long_ones, codes, pat.name)
            if found:
                failed += 1
                what = ', '.join(f'{kind} x{n}' for kind, n in sorted(found.items()))
                print(f'FAIL {path} holds secrets the tests used: {what}')
            else:
                passed += 1
                print(f'ok {path}')
    print(f'{passed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
