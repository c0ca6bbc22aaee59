#!/usr/bin/python3
"""tty.py - the admin tool's password prompt on a real terminal (a pty):
echo is off while a password is typed and back on afterwards on every path
(done, mistyped, Ctrl-C at either prompt, SIGTERM, SIGHUP), and the typed
password never appears on the screen. Needs $ADMIN and $MYACCOUNT_CONFIG (a
running database, as tests/run.sh provides). Prints "N passed, N failed"."""
import fcntl
import os
import select
import signal
import subprocess
import sys
import termios
import time

ADMIN = os.environ.get('ADMIN') or os.path.join(os.path.dirname(__file__), '../../build/bin/myaccount-admin')
passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
        print(f'ok {what}')
    else:
        failed += 1
        print(f'FAIL {what}')


class Terminal:
    """The admin tool on the slave side of a fresh pty, as its controlling
    terminal; we keep the slave open to read its settings afterwards."""

    def __init__(self, *args):
        self.master, self.slave = os.openpty()
        self.screen = b''

        def controlling_tty():
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen([ADMIN, *args], stdin=self.slave, stdout=self.slave,
                                     stderr=self.slave, start_new_session=True,
                                     preexec_fn=controlling_tty, env=os.environ)

    def read_until(self, text, seconds=10):
        """Reads the screen until TEXT shows (True) or SECONDS pass."""
        until = time.monotonic() + seconds
        while text.encode() not in self.screen and time.monotonic() < until:
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    self.screen += os.read(self.master, 4096)
                except OSError:
                    break
        return text.encode() in self.screen

    def type(self, text):
        """Types TEXT once echo is off (the prompt asks for a password)."""
        until = time.monotonic() + 5
        while self.echo() and time.monotonic() < until:
            time.sleep(0.02)
        os.write(self.master, text.encode())

    def echo(self):
        return bool(termios.tcgetattr(self.slave)[3] & termios.ECHO)

    def wait(self, seconds=20):
        try:
            rc = self.proc.wait(seconds)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.read_until('\0', 0.3)   # whatever is left on the screen
        return rc

    def stty(self):
        """`stty -a` on this terminal, as an admin would run it afterwards."""
        return subprocess.run(['stty', '-a'], stdin=self.slave, capture_output=True, text=True).stdout

    def close(self):
        os.close(self.master)
        os.close(self.slave)


def user_exists(name):
    return subprocess.run([ADMIN, 'user-exists', name], capture_output=True).returncode == 0


def echo_on_in_stty(t):
    words = t.stty().split()
    return 'echo' in words and '-echo' not in words


def interrupted(case, keys, sig=None, prompt='Password: '):
    """Starts create-user, types KEYS at the first prompt (to reach PROMPT),
    then Ctrl-C (or sends SIG): the tool dies of the signal, echo is back."""
    name = f'tty{case}{os.getpid()}{int(time.time() * 1000) % 10 ** 8}'
    t = Terminal('create-user', name, f'{name}@example.org')
    check(t.read_until('Password: '), f'{case}: the prompt shows')
    if keys:
        t.type(keys)
    check(t.read_until(prompt), f'{case}: at the prompt "{prompt.strip()}"')
    time.sleep(0.2)
    check(not t.echo(), f'{case}: echo is off while the password is typed')
    if sig is None:
        t.type('\x03')
        sig = signal.SIGINT
    else:
        t.proc.send_signal(sig)
    rc = t.wait()
    check(rc == -sig, f'{case}: the tool ends by the signal (exit {rc})')
    check(t.echo(), f'{case}: echo is on again afterwards')
    check(echo_on_in_stty(t), f'{case}: `stty -a` shows echo')
    check(not user_exists(name), f'{case}: no user was created')
    t.close()


def completed():
    """A whole create-user at the terminal: the password is not shown."""
    name = f'ttyok{os.getpid()}{int(time.time() * 1000) % 10 ** 8}'
    password = f'tty-pass-{os.getpid()}-{int(time.time())}'
    secrets = os.environ.get('SECRETS_FILE')
    if secrets:
        with open(secrets, 'a') as f:
            f.write(f'password\t{password}\n')
    t = Terminal('create-user', name, f'{name}@example.org')
    t.read_until('Password: ')
    t.type(password + '\r')
    check(t.read_until('Again: '), 'done: asks again')
    t.type(password + '\r')
    rc = t.wait()
    check(rc == 0, f'done: create-user succeeds (exit {rc}): {t.screen[-200:]!r}')
    check(password.encode() not in t.screen, 'done: the password never showed on the screen')
    check(t.echo() and echo_on_in_stty(t), 'done: echo is on again')
    check(user_exists(name), 'done: the user exists')
    t.close()


def mistyped():
    name = f'ttybad{os.getpid()}{int(time.time() * 1000) % 10 ** 8}'
    t = Terminal('create-user', name, f'{name}@example.org')
    t.read_until('Password: ')
    t.type('first-password-1\r')
    t.read_until('Again: ')
    t.type('other-password-2\r')
    rc = t.wait()
    check(rc == 1 and b'differ' in t.screen, f'mistyped: refused (exit {rc})')
    check(t.echo() and echo_on_in_stty(t), 'mistyped: echo is on again')
    check(not user_exists(name), 'mistyped: no user was created')
    t.close()


def main():
    if not os.environ.get('MYACCOUNT_CONFIG'):
        print('FAIL MYACCOUNT_CONFIG is not set (run through tests/run.sh)\n0 passed, 1 failed')
        return 1
    interrupted('ctrl-c', '')
    interrupted('ctrl-c-again', 'some-password-1\r', prompt='Again: ')
    interrupted('sigterm', '', sig=signal.SIGTERM)
    interrupted('sighup', '', sig=signal.SIGHUP)
    completed()
    mistyped()
    print(f'{passed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
