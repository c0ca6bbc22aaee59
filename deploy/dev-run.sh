#!/usr/bin/env bash
# dev-run.sh - what `make run` does after building: start the whole stack on
# 127.0.0.1 (nginx + FastCGI programs, the MongoDB stand-in, an SMTP sink),
# prepare the database, create a demo user once, print the URL and the demo
# login, and stop everything on Ctrl-C.
#
# Environment: PORT (8080), MONGO_PORT (27018), SMTP_PORT (2525), STATE_DIR
# (run/), MONGODB_URI (use a real MongoDB instead of the stand-in).
set -eu -o pipefail

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

sleeper=
stop() {
	trap - EXIT INT TERM
	[ -z "$sleeper" ] || kill "$sleeper" 2>/dev/null || true
	echo
	deploy/stack.sh stop
	exit 0
}

deploy/stack.sh start
trap stop EXIT INT TERM
"$ADMIN" init-db

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

cat <<MSG

  My Account is running at  http://127.0.0.1:$PORT/

  Demo login:  user "$DEMO"  password "$password"

  With curl:
    curl -s http://127.0.0.1:$PORT/api/v1/login -H 'Content-Type: application/json' \\
         -d '{"user":"$DEMO","password":"$password"}'
    curl -s http://127.0.0.1:$PORT/api/v1/me -H 'X-User-Id: <userId>' -H 'X-Auth-Token: <authToken>'

  Mail sent by the server lands in $STATE_DIR/mail/new/
  Logs: $STATE_DIR/log/      Stop: Ctrl-C

MSG
# Wait for Ctrl-C (or for the terminal to go away).
while :; do
	sleep 3600 &
	sleeper=$!
	wait "$sleeper" || true
done
