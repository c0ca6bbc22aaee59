#!/usr/bin/env bash
# tests/deploy/dev-run.sh - `make run` / deploy/dev-run.sh as a script uses
# them: started in the background, it prints its banner only once the demo
# user can sign in (the test signs in the moment the banner appears), and
# SIGINT or SIGTERM stops everything it started: no process left, no port
# still open. Four ways: `make run` in its own process group (as a shell
# with job control runs a background job; Ctrl-C and `kill -INT %1` signal
# the group), and deploy/dev-run.sh started with `&` by this script (SIGINT
# then arrives ignored), each with SIGINT and with SIGTERM.
#
# Ports: PORT (TEST_PORT_BASE + 10), MONGO_PORT / SMTP_PORT (TEST_MONGO_PORT,
# TEST_SMTP_PORT): run it before the test stack starts. Prints "N passed, N failed".
set -u -o pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
export PORT=$((${TEST_PORT_BASE:-18080} + 10))
export MONGO_PORT=${TEST_MONGO_PORT:-27117} SMTP_PORT=${TEST_SMTP_PORT:-2625}
export STATE_DIR=$TOP/build/test-devrun
unset TARGETS EXTRA_CONF MYACCOUNT_CONFIG BINDIR
OUT=$STATE_DIR.out
passed=0 failed=0

ok() { echo "ok - $*"; passed=$((passed + 1)); }
fail() { echo "not ok - $*"; failed=$((failed + 1)); }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Pids of live processes that name STATE_DIR (every process the stack starts
# does, in its command line or its environment), this shell excepted.
ours() {
	local f pid
	for f in /proc/[0-9]*; do
		pid=${f#/proc/}
		[ "$pid" != $$ ] && [ "$pid" != "$BASHPID" ] || continue
		grep -qzF "$STATE_DIR/" "$f/cmdline" "$f/environ" 2>/dev/null || continue
		[ "$(cut -d' ' -f3 "$f/stat" 2>/dev/null)" = Z ] && continue
		echo "$pid"
	done
}

# wait_banner PID: the banner's password once it is printed, within 120 s.
wait_banner() {
	local i
	for i in $(seq 1 600); do
		if grep -q 'My Account is running at' "$OUT" 2>/dev/null; then
			sed -n 's/.*Demo login:  user "demo"  password "\([^"]*\)".*/\1/p' "$OUT"
			return 0
		fi
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}

# case NAME SIGNAL TARGET-KIND COMMAND...: start COMMAND, sign in at the
# banner, send SIGNAL (to the process group for "group", else to the pid),
# check that everything stopped.
run_case() {
	local name=$1 sig=$2 kind=$3 pid password code i left
	shift 3
	rm -f "$OUT"
	if [ "$kind" = group ]; then
		setsid "$@" >"$OUT" 2>&1 </dev/null &
	else
		"$@" >"$OUT" 2>&1 </dev/null &
	fi
	pid=$!
	if ! password=$(wait_banner "$pid") || [ -z "$password" ]; then
		fail "$name: no banner (output in $OUT)"
		sed 's/^/    | /' "$OUT" | tail -20
		kill -TERM "$pid" 2>/dev/null
		STATE_DIR=$STATE_DIR deploy/stack.sh stop >/dev/null 2>&1
		return
	fi
	code=$(printf '{"user":"demo","password":"%s"}' "$password" |
		curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/v1/login" \
			-H 'Content-Type: application/json' --data-binary @-)
	if [ "$code" = 200 ]; then ok "$name: signs in as soon as the banner shows"; else fail "$name: sign-in at the banner answered $code"; fi

	if [ "$kind" = group ]; then kill "-$sig" -- "-$pid"; else kill "-$sig" "$pid"; fi
	for i in $(seq 1 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		fail "$name: still running 30 s after SIG$sig"
		kill -TERM "$pid" 2>/dev/null
		STATE_DIR=$STATE_DIR deploy/stack.sh stop >/dev/null 2>&1
		return
	fi
	wait "$pid" 2>/dev/null
	left=$(ours | tr '\n' ' ')
	if [ -z "$left" ] && ! port_open "$PORT" && ! port_open "$MONGO_PORT" && ! port_open "$SMTP_PORT"; then
		ok "$name: SIG$sig stops everything (no process, no open port)"
	else
		fail "$name: after SIG$sig: processes [$left], ports open:$(for p in $PORT $MONGO_PORT $SMTP_PORT; do port_open $p && printf ' %s' $p; done)"
		STATE_DIR=$STATE_DIR deploy/stack.sh stop >/dev/null 2>&1
	fi
}

rm -rf "$STATE_DIR"
run_case "make run, Ctrl-C to its group" INT group make --no-print-directory run
run_case "make run, SIGTERM to make" TERM pid make --no-print-directory run
run_case "dev-run.sh &, SIGINT" INT pid deploy/dev-run.sh
run_case "dev-run.sh &, SIGTERM" TERM pid deploy/dev-run.sh
rm -rf "$STATE_DIR" "$OUT"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
