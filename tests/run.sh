#!/usr/bin/env bash
# tests/run.sh - every test, as `make test` runs it: unit tests of lib/, the
# MongoDB stand-in's own test, a short fuzzing pass, the build and `make run`
# (tests/deploy/), HTTP tests through nginx
# and lighttpd in FastCGI and plain-CGI mode, the database-outage test,
# browser tests in headless Chromium. Starts and stops its own stack (deploy/stack.sh) on
# ports of its own; ends with one line "N passed, N failed".
#
# For a quicker loop while developing (CI always runs everything):
#   ONLY='unit|http-nginx-fastcgi' tests/run.sh   suites whose name matches
#   HTTP_TESTS='tests/http/auth.test.mjs' tests/run.sh   these HTTP files only
#   TEST_PORT_BASE / TEST_MONGO_PORT / TEST_SMTP_PORT  ports of this run
set -u -o pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
export STATE_DIR=$TOP/build/test-run
export MONGO_PORT=${TEST_MONGO_PORT:-27117} SMTP_PORT=${TEST_SMTP_PORT:-2625}
P=${TEST_PORT_BASE:-18080}
export TARGETS="nginx-fastcgi:$P lighttpd-fastcgi:$((P + 1)) nginx-cgi:$((P + 2)) lighttpd-cgi:$((P + 3))"
export EXTRA_CONF=$STATE_DIR/../test-extra.conf
export ADMIN=$TOP/build/bin/myaccount-admin
export MYACCOUNT_CONFIG=$STATE_DIR/myaccount.conf
export MAILDIR=$STATE_DIR/mail
export SECRETS_FILE=$STATE_DIR/secrets.txt  # every secret the tests used (tests/logs/no-secrets.py)
export LOGIN_MAX_PER_USER=5 LOGIN_MAX_PER_IP=12 PAT_MAX=8
LOGDIR=$TOP/build/test-logs
ONLY=${ONLY:-.}
HTTP_TESTS=${HTTP_TESTS:-tests/http/*.test.mjs}
BROWSER_TESTS=${BROWSER_TESTS:-tests/browser/*.test.mjs}

passed=0 failed=0

# Tests go faster with a cheap argon2id cost; the web servers count as
# trusted proxies so each test can speak from its own X-Forwarded-For.
write_extra_conf() {
	mkdir -p "$(dirname "$EXTRA_CONF")"
	cat >"$EXTRA_CONF" <<CONF
argon2_opslimit = 1
argon2_memlimit_kib = 8192
login_max_failures_per_user = $LOGIN_MAX_PER_USER
login_max_failures_per_ip = $LOGIN_MAX_PER_IP
login_block_seconds = 60
trusted_proxies = 127.0.0.1
personal_access_tokens_max_per_user = $PAT_MAX
custom_sounds = k7Hq2fZ9ccustom, other-sound
log_level = warn
# The password tests check every rule and the history (password.test.mjs).
password_policy_enabled = true
password_history_enabled = true
password_history_amount = 3
# Avatar fetches (tests/http/avatar.test.mjs): 127.0.0.2 stands for a public
# image server; every other loopback address stays refused.
avatar_fetch_allow_networks = 127.0.0.2/32
# Browsers refuse an IP address as a passkey's relying party: the browser
# tests speak to the first server as localhost.
passkeys_origin = http://localhost:$P
CONF
}

# add_counts LOG: adds a suite's "N passed, N failed" (or node's TAP
# "# pass N" / "# fail N") to the totals.
add_counts() {
	local p f
	p=$(grep -E '^# pass [0-9]+$' "$1" | awk '{s += $3} END {print s + 0}')
	f=$(grep -E '^# fail [0-9]+$' "$1" | awk '{s += $3} END {print s + 0}')
	if [ "$p" = 0 ] && [ "$f" = 0 ]; then
		p=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | awk '{s += $1} END {print s + 0}')
		f=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | awk '{s += $3} END {print s + 0}')
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	echo "    $p passed, $f failed"
}

# suite NAME COMMAND...: runs one suite into its log; a suite that exits
# non-zero without reporting a failure counts as one failure.
suite() {
	local name=$1 log=$LOGDIR/$1.log rc before=$failed
	shift
	wanted "$name" || return 0
	echo "== $name"
	"$@" >"$log" 2>&1
	rc=$?
	add_counts "$log"
	if [ $rc -ne 0 ] && [ "$failed" -eq "$before" ]; then
		failed=$((failed + 1))
		echo "    exited $rc without a test failure: see $log"
	fi
	if [ "$failed" -ne "$before" ]; then
		grep -E '^not ok|FAIL|Error|error:|assert' "$log" | head -40 | sed 's/^/    | /'
		echo "    full log: $log"
	fi
}

node_suite() { # node_suite NAME BASE_URL FILES...
	local name=$1 base=$2
	shift 2
	suite "$name" env BASE_URL="$base" node --test --test-reporter=tap --test-concurrency=1 "$@"
}

wanted() { [[ $1 =~ $ONLY ]]; }

needs_stack() { # any selected suite that talks to the servers?
	local t
	for t in $TARGETS; do wanted "http-${t%%:*}" && return 0; done
	wanted browser || wanted outage || wanted admin-tty || wanted no-secrets
}

stop_stack() { deploy/stack.sh stop >/dev/null 2>&1 || true; }

main() {
	# A crashed earlier run may have left its stack running.
	[ -f "$STATE_DIR/stack.env" ] && stop_stack
	rm -rf "$LOGDIR" "$STATE_DIR"
	mkdir -p "$LOGDIR"
	write_extra_conf
	trap stop_stack EXIT
	trap 'exit 130' INT TERM

	for t in build/tests/test_*; do
		suite "unit-$(basename "$t")" "$t"
	done
	suite mongo-standin /usr/bin/python3 mongo/test_standin.py
	# A short pass of every fuzz target (and its saved crashes as
	# regression tests); `make fuzz FUZZ_SECONDS=600` for a long one.
	suite fuzz env FUZZ_SECONDS="${FUZZ_SECONDS:-5}" tests/fuzz/run.sh
	# How make finds and links programs (a scratch copy with a folder program).
	suite deploy-programs tests/deploy/programs.sh
	# Every config gen-config.sh writes is accepted by nginx -t / lighttpd -tt.
	suite deploy-gen-config tests/deploy/gen-config.sh
	# `make run` and deploy/dev-run.sh in the background: banner once sign-in
	# works, SIGINT and SIGTERM stop everything. Before the test stack: it
	# uses the same database and SMTP ports.
	suite deploy-dev-run tests/deploy/dev-run.sh

	if ! needs_stack; then
		echo
		echo "$passed passed, $failed failed"
		[ "$failed" -eq 0 ]
		return
	fi
	echo "== starting the stack: $TARGETS"
	if ! deploy/stack.sh start >"$LOGDIR/stack.log" 2>&1; then
		cat "$LOGDIR/stack.log"
		echo "0 passed, 1 failed"
		exit 1
	fi
	"$ADMIN" init-db >>"$LOGDIR/stack.log" 2>&1 || { echo "init-db failed"; cat "$LOGDIR/stack.log"; exit 1; }

	for target in $TARGETS; do
		node_suite "http-${target%%:*}" "http://127.0.0.1:${target##*:}" $HTTP_TESTS
	done

	suite admin-tty /usr/bin/python3 tests/admin/tty.py

	# The Profile page's browser test deletes an account for real, so the
	# browser suite runs with account deletion allowed (off by default).
	echo 'allow_delete_own_account = true' >>"$MYACCOUNT_CONFIG"
	deploy/stack.sh restart-programs >>"$LOGDIR/stack.log" 2>&1

	# Browser tests sign in as a demo user of their own.
	export DEMO_USER=browser DEMO_PASSWORD=browser-pass-1
	printf 'password\t%s\n' "$DEMO_PASSWORD" >>"$SECRETS_FILE"
	echo "$DEMO_PASSWORD" | "$ADMIN" create-user "$DEMO_USER" browser@example.org "Browser Tester" >/dev/null
	node_suite browser "http://127.0.0.1:$P" $BROWSER_TESTS

	# Last, because it stops the database under the running programs.
	node_suite outage "http://127.0.0.1:$P" tests/outage/*.test.mjs
	# After everything: no log holds a secret any suite used.
	suite no-secrets /usr/bin/python3 tests/logs/no-secrets.py "$SECRETS_FILE" "$STATE_DIR/log" "$LOGDIR"

	echo
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

main "$@"
