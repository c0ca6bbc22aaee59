#!/usr/bin/env bash
# dev-run.sh - what `make run` does after building: start the whole stack on
# 127.0.0.1 (nginx + FastCGI programs, the MongoDB stand-in, an SMTP sink),
# prepare the database, create a demo user once, check that the demo user can
# sign in, then print the URL and the demo login (so a script can wait for
# that banner and sign in at once), and stop everything on Ctrl-C, SIGINT or
# SIGTERM, also when started in the background.
#
# Environment: PORT (8080), MONGO_PORT (27018), SMTP_PORT (2525), STATE_DIR
# (run/), MONGODB_URI (use a real MongoDB instead of the stand-in).
set -eu -o pipefail

# A shell without job control starts background commands with SIGINT
# ignored, and bash cannot trap a signal ignored at entry: start again with
# INT and TERM at their defaults, so the traps below take.
if [ -z "${MYACCOUNT_DEV_RUN_SIGNALS:-}" ]; then
	export MYACCOUNT_DEV_RUN_SIGNALS=1
	exec env --default-signal=INT,TERM,HUP "$0" "$@"
fi
unset MYACCOUNT_DEV_RUN_SIGNALS

TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
export STATE_DIR=${STATE_DIR:-$TOP/run}
export PORT=${PORT:-8080}
export TARGETS="nginx-fastcgi:$PORT"
export MONGO_PORT=${MONGO_PORT:-27018}
export SMTP_PORT=${SMTP_PORT:-2525}
export MYACCOUNT_CONFIG=$STATE_DIR/myaccount.conf
ADMIN=$TOP/build/bin/myaccount-admin
DEMO=demo
DEMO_FILE=$STATE_DIR/demo-login.txt
URL=http://127.0.0.1:$PORT

started=false stopping=false sleeper= worker=
stop() {
	$stopping && return 0
	stopping=true
	trap - EXIT
	[ -z "$sleeper" ] || kill "$sleeper" 2>/dev/null || true
	[ -z "$worker" ] || kill "$worker" 2>/dev/null || true
	echo
	if $started; then deploy/stack.sh stop; fi
	exit "${1:-0}"
}
# A signal during start-up stops what was started once `start` returns
# (bash runs the trap after the foreground command).
trap 'started=true; stop 0' INT TERM HUP

deploy/stack.sh start
started=true
trap 'stop 1' EXIT
"$ADMIN" init-db
# The queue worker as cron would run it (My Data exports, mail retries).
"$ADMIN" run-queue --loop 5 >>"$STATE_DIR/log/worker.log" 2>&1 &
worker=$!

# The demo password is random, made once per state folder, readable only by
# whoever ran `make run`.
if ! "$ADMIN" user-exists "$DEMO" || [ ! -s "$DEMO_FILE" ]; then
	password=$(head -c 12 /dev/urandom | base64 | tr -d '/+=' | head -c 14)
	if "$ADMIN" user-exists "$DEMO"; then
		echo "$password" | "$ADMIN" set-password "$DEMO" >/dev/null
	else
		echo "$password" | "$ADMIN" create-user "$DEMO" demo@example.org "Demo User" >/dev/null
	fi
	(umask 077 && echo "$password" >"$DEMO_FILE")
fi
password=$(cat "$DEMO_FILE")

# Sign in as the demo user (and out again) before saying it works. The
# password goes to curl on stdin, not on its command line.
login_works() {
	local out uid tok
	out=$(printf '{"user":"%s","password":"%s"}' "$DEMO" "$password" |
		curl -sf --max-time 5 "$URL/api/v1/login" -H 'Content-Type: application/json' --data-binary @-) ||
		return 1
	uid=$(echo "$out" | sed -n 's/.*"userId":"\([^"]*\)".*/\1/p')
	tok=$(echo "$out" | sed -n 's/.*"authToken":"\([^"]*\)".*/\1/p')
	[ -n "$uid" ] && [ -n "$tok" ] || return 1
	curl -s --max-time 5 -o /dev/null -X POST "$URL/api/v1/logout" \
		-H "X-User-Id: $uid" -H "X-Auth-Token: $tok" -H 'Content-Length: 0' || true
}
tries=0
until login_works; do
	tries=$((tries + 1))
	if [ $tries -ge 50 ]; then
		echo "dev-run: the demo user cannot sign in at $URL; read $STATE_DIR/log/" >&2
		exit 1
	fi
	sleep 0.2
done

cat <<MSG

  My Account is running at  $URL/

  Demo login:  user "$DEMO"  password "$password"

  With curl:
    curl -s $URL/api/v1/login -H 'Content-Type: application/json' \\
         -d '{"user":"$DEMO","password":"$password"}'
    curl -s $URL/api/v1/me -H 'X-User-Id: <userId>' -H 'X-Auth-Token: <authToken>'

  Mail sent by the server lands in $STATE_DIR/mail/new/
  Logs: $STATE_DIR/log/      Stop: Ctrl-C (or SIGINT / SIGTERM to this process)

MSG
# Wait for a signal (or for the terminal to go away).
while :; do
	sleep 3600 &
	sleeper=$!
	wait "$sleeper" || true
done
