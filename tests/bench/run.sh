#!/usr/bin/env bash
# bench/run.sh - `make bench`: GET /api/v1/me through nginx + FastCGI against
# a hello-world FastCGI program behind the same nginx (wrk: requests/s,
# p50/p99), CPU time per request of each, MongoDB commands per request
# (libmongoc command monitoring), RSS of our processes before and after
# 100,000 requests, and one plain-CGI figure against a hello-world CGI.
# Then, per program, one plain-CGI request counted rather than timed
# (tests/bench/cgi-cost.sh: instructions under callgrind, shared libraries
# loaded), beside the hello-world CGI, and the instructions of one FastCGI
# request of each; GET /avatar/<name> of an uploaded avatar, whole (200) and
# revalidated (304), beside /api/v1/me. BENCH_CGI_ONLY=1 runs only the
# counted parts. Last, one My Data export (JSON and HTML) of a user with many
# sessions and tokens: the worker's time and peak memory.
# Loopback only; every loop is bounded. Writes build/bench.txt too.
set -eu -o pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
export STATE_DIR=$TOP/build/bench-run
export BINDIR=$TOP/build/bench-bin
P=${BENCH_PORT:-18580}
export TARGETS="nginx-fastcgi:$P nginx-cgi:$((P + 1))"
export MONGO_PORT=${BENCH_MONGO_PORT:-27317} SMTP_PORT=${BENCH_SMTP_PORT:-2825}
export MYACCOUNT_CONFIG=$STATE_DIR/myaccount.conf
export MYACCOUNT_COUNT_COMMANDS=1        # programs add X-Mongo-Commands
export EXTRA_CONF=$TOP/build/bench-extra.conf
ADMIN=$TOP/build/bin/myaccount-admin
DURATION=${BENCH_SECONDS:-10}
SOAK=${BENCH_SOAK_REQUESTS:-100000}
OUT=$TOP/build/bench.txt
FAST=http://127.0.0.1:$P
CGI=http://127.0.0.1:$((P + 1))

# The benchmark set: every real program plus the hello-world baseline.
rm -rf "$BINDIR" && mkdir -p "$BINDIR"
for p in build/cgi-bin/*; do ln -s "$TOP/$p" "$BINDIR/"; done
ln -s "$TOP/build/bench/hello" "$BINDIR/hello"
printf 'log_level = warn\nargon2_opslimit = 1\nargon2_memlimit_kib = 8192\ntrusted_proxies = 127.0.0.1\nlogin_max_failures_per_ip = 1000\n' >"$EXTRA_CONF"

trap 'deploy/stack.sh stop >/dev/null 2>&1 || true' EXIT
rm -rf "$STATE_DIR"
deploy/stack.sh start >/dev/null
"$ADMIN" init-db >/dev/null
echo bench-password-1 | "$ADMIN" create-user bench bench@example.org >/dev/null
login=$(curl -sf "$FAST/api/v1/login" -H 'Content-Type: application/json' \
	-d '{"user":"bench","password":"bench-password-1"}')
uid=$(echo "$login" | sed -n 's/.*"userId":"\([^"]*\)".*/\1/p')
tok=$(echo "$login" | sed -n 's/.*"authToken":"\([^"]*\)".*/\1/p')
H1="X-User-Id: $uid"
H2="X-Auth-Token: $tok"
# An uploaded avatar for GET /avatar/bench, with and without If-None-Match.
curl -sf "$FAST/api/v1/users.setAvatar" -H "$H1" -H "$H2" -F image=@tests/http/fixtures/avatar.jpg >/dev/null
AVATAR_ETAG=$(curl -s -o /dev/null -D - "$FAST/avatar/bench" | tr -d '\r' | awk -F': ' 'tolower($1) == "etag" {print $2}')
H_INM="If-None-Match: $AVATAR_ETAG"

# Pids whose executable is program NAME (not the shells that started them).
pids_of() {
	local p want
	want=$(readlink -f "$BINDIR/$1" 2>/dev/null || command -v "$1")
	for p in $(pgrep -f "$1" || true); do
		[ "$(readlink -f "/proc/$p/exe" 2>/dev/null)" = "$want" ] && printf '%s ' "$p"
	done
	return 0
}
# Sum of user+system CPU ticks of the given pids.
cpu_ticks() { local t=0 p; for p in $*; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $t; }
rss_kb() { local p; for p in $*; do awk '/VmRSS/ {printf "%s ", $2}' "/proc/$p/status"; done; }

# wrk_run URL [HEADERS...] -> "reqs_per_s p50 p99 total_requests"
wrk_run() {
	local url=$1 out
	shift
	local args=()
	for h in "$@"; do args+=(-H "$h"); done
	out=$(wrk -t2 -c32 -d"${DURATION}s" --latency "${args[@]}" "$url")
	echo "$out" | awk '
		/Requests\/sec/ {r = $2}
		/^ +50%/ {p50 = $2} /^ +99%/ {p99 = $2}
		/requests in/ {n = $1}
		/Non-2xx/ {bad = $5}
		END {print r, p50, p99, n, bad + 0}'
}

measure() { # measure NAME PROGRAM URL [HEADERS...]
	local name=$1 prog=$2 url=$3 pids before after res
	shift 3
	pids=$(pids_of "$prog")
	before=$(cpu_ticks $pids)
	res=$(wrk_run "$url" "$@")
	after=$(cpu_ticks $pids)
	set -- $res
	local us=$(awk -v t=$((after - before)) -v n="$4" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
	printf '%-26s %10s req/s   p50 %-8s p99 %-8s  CPU %6s us/req  (%s requests, %s non-2xx)\n' \
		"$name" "$1" "$2" "$3" "$us" "$4" "$5"
	eval "${name//[^a-z]/_}_rps=$1"
}

# The GET each program is counted with: /api/v1/me for auth, else the
# program's first GET route.
cgi_request() {
	if [ "$1" = auth ]; then echo /api/v1/me; return; fi
	"build/cgi-bin/$1" --routes | awk '$1 == "GET" { p = $2; sub(/\*$/, "bench", p); print p; exit }'
}

# One line per program: instructions and libraries of one plain-CGI request.
cgi_costs() {
	local prog uri res
	echo "Plain CGI, one request as a CGI process, counted (valgrind --tool=callgrind,"
	echo "start-up included; libraries: shared objects ld.so maps, dlopen'd ones too),"
	echo "with the SASL_PATH the generated plain-CGI configs set:"
	printf '  %-12s %-40s %13s %9s %s\n' program request instructions libraries status
	set -- $(tests/bench/cgi-cost.sh build/bench/hello GET /bench/hello)
	printf '  %-12s %-40s %13s %9s %s\n' hello "GET /bench/hello" "$1" "$2" "$3"
	for prog in $(deploy/gen-config.sh --bindir build/cgi-bin --list-programs); do
		uri=$(cgi_request "$prog")
		[ -n "$uri" ] || continue
		res=$(tests/bench/cgi-cost.sh "build/cgi-bin/$prog" GET "$uri" \
			HTTP_X_USER_ID="$uid" HTTP_X_AUTH_TOKEN="$tok" SASL_PATH=/proc/self/no-sasl-plugins)
		set -- $res
		printf '  %-12s %-40s %13s %9s %s\n' "$prog" "GET $uri" "$1" "$2" "$3"
	done
	# What Cyrus SASL's plugins would add (gen-config.sh --sasl-plugins, for
	# MongoDB over Kerberos only: libmongoc does SCRAM and PLAIN itself).
	set -- $(tests/bench/cgi-cost.sh build/cgi-bin/auth GET /api/v1/me \
		HTTP_X_USER_ID="$uid" HTTP_X_AUTH_TOKEN="$tok")
	printf '  %-12s %-40s %13s %9s %s\n' auth "GET /api/v1/me, SASL plugins loaded" "$1" "$2" "$3"
}

# spawn-fcgi options for the user stack.sh runs the programs as (as root).
run_user_opts() {
	local RUN_USER=
	# shellcheck source=/dev/null
	. "$STATE_DIR/stack.env"
	case $RUN_USER in
	''|root|root:*) ;;
	*) echo "-u ${RUN_USER%%:*} -g ${RUN_USER#*:} -U ${RUN_USER%%:*} -G ${RUN_USER#*:}" ;;
	esac
}

# Instructions that PROGRAM spends on N FastCGI requests, start-up included:
# a callgrind'd copy takes over its socket (spawn-fcgi, as stack.sh
# restart-programs does), serves N requests one at a time, and is stopped;
# then restart-programs puts the real ones back.
fcgi_count() { # fcgi_count PROGRAM N URL [HEADER...]
	local prog=$1 n=$2 url=$3 sock=$STATE_DIR/sock/$1.sock out=$STATE_DIR/callgrind/$1-$2.out pid i args=()
	shift 3
	# The programs may run as another user (stack.sh as root): let it write.
	mkdir -p "$STATE_DIR/callgrind"
	chmod 1777 "$STATE_DIR/callgrind"
	for h in "$@"; do args+=(-H "$h"); done
	rm -f "$sock.vg" "$out"
	# shellcheck disable=SC2046
	spawn-fcgi -s "$sock.vg" -M 0660 $(run_user_opts) -P "$STATE_DIR/pids/vg-$prog.pid" -- /usr/bin/valgrind \
		--tool=callgrind --callgrind-out-file="$out" "$BINDIR/$prog" >/dev/null 2>&1
	pid=$(cat "$STATE_DIR/pids/vg-$prog.pid")
	mv -f "$sock.vg" "$sock"
	ab -q -n "$n" -c 1 "${args[@]}" "$url" | grep -E '^(Failed|Non-2xx)' | grep -v ' 0$' >&2 || true
	kill -TERM "$pid"
	for i in $(seq 1 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	rm -f "$STATE_DIR/pids/vg-$prog.pid"
	deploy/stack.sh restart-programs "$prog" >/dev/null
	sed -n 's/^summary: //p' "$out"
}

# Instructions per FastCGI request: the difference of 550 and 50 requests
# over 500, so start-up cancels out. Stable where CPU time is not.
fcgi_per_request() { # fcgi_per_request PROGRAM URL [HEADER...]
	local a b
	a=$(fcgi_count "$1" 50 "${@:2}")
	b=$(fcgi_count "$1" 550 "${@:2}")
	echo $(((b - a) / 500))
}

fcgi_costs() {
	local me hello
	me=$(fcgi_per_request auth "$FAST/api/v1/me" "$H1" "$H2")
	hello=$(fcgi_per_request hello "$FAST/bench/hello")
	echo "FastCGI, instructions per request (callgrind, 550 minus 50 requests, one at a time):"
	printf '  %-28s %10s\n' "GET /api/v1/me (auth)" "$me" "GET /bench/hello (hello)" "$hello"
	awk -v a="$me" -v b="$hello" 'BEGIN {printf "  ratio /api/v1/me : hello = %.1f\n", a / b}'
	avatar_fcgi_costs "$me"
}

# The avatar of a user with an upload: the stored bytes (200) and a
# revalidation (304), which must cost no more than GET /api/v1/me.
avatar_fcgi_costs() { # avatar_fcgi_costs ME_INSTRUCTIONS
	local full revalidate
	full=$(fcgi_per_request profile "$FAST/avatar/bench")
	# ab counts every 304 as a non-2xx answer: expected here.
	revalidate=$(fcgi_per_request profile "$FAST/avatar/bench" "$H_INM" 2>/dev/null)
	printf '  %-28s %10s\n' "GET /avatar/bench (200)" "$full" "GET /avatar/bench (304)" "$revalidate"
	awk -v a="$revalidate" -v b="$1" 'BEGIN {printf "  ratio avatar 304 : /api/v1/me = %.2f (%s)\n", a / b, a <= b ? "no more than /me" : "MORE than /me"}'
}

if [ -n "${BENCH_CGI_ONLY:-}" ]; then
	{ cgi_costs; echo; fcgi_costs; } | tee "$OUT"
	exit 0
fi

{
echo "myaccount bench, $(date -u +%FT%TZ), $(nproc) cores, wrk -t2 -c32 -d${DURATION}s, loopback"
echo
cgi_costs
echo
fcgi_costs
echo
cmds=$(curl -s -o /dev/null -D - "$FAST/api/v1/me" -H "$H1" -H "$H2" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-mongo-commands" {print $2}')
echo "MongoDB commands per GET /api/v1/me: $cmds (libmongoc command monitoring)"
for h in "" "$H_INM"; do
	res=$(curl -s -o /dev/null -D - "$FAST/avatar/bench" ${h:+-H "$h"} | tr -d '\r' |
		awk -F': ' '/^HTTP/ {s = $0; sub(/^[^ ]* /, "", s); sub(/ .*/, "", s)} tolower($1) == "x-mongo-commands" {c = $2} END {print s, c}')
	set -- $res
	echo "MongoDB commands per GET /avatar/bench answered $1: $2"
done
echo
echo "FastCGI behind nginx:"
measure "me_fastcgi" auth "$FAST/api/v1/me" "$H1" "$H2"
measure "hello_fastcgi" hello "$FAST/bench/hello"
awk -v a="$me_fastcgi_rps" -v b="$hello_fastcgi_rps" 'BEGIN {printf "ratio /api/v1/me : hello = %.3f\n", a / b}'
measure "avatar_fastcgi" profile "$FAST/avatar/bench"
measure "avatar_revalidate_fastcgi" profile "$FAST/avatar/bench" "$H_INM"
awk -v a="$avatar_revalidate_fastcgi_rps" -v b="$me_fastcgi_rps" 'BEGIN {printf "ratio avatar 304 : /api/v1/me = %.3f (requests/s)\n", a / b}'
echo
pids=$(pids_of auth)
echo "RSS of the auth processes before $SOAK requests (kB): $(rss_kb $pids)"
ab -q -n "$SOAK" -c 16 -H "$H1" -H "$H2" "$FAST/api/v1/me" | awk '/Complete requests|Failed requests|Non-2xx/ {print "  ab: " $0}'
echo "RSS of the auth processes after  $SOAK requests (kB): $(rss_kb $pids)"
echo
echo "Plain CGI behind nginx + fcgiwrap (one process per request):"
measure "me_cgi" fcgiwrap "$CGI/api/v1/me" "$H1" "$H2"
measure "hello_cgi" fcgiwrap "$CGI/bench/hello"
awk -v a="$me_cgi_rps" -v b="$hello_cgi_rps" 'BEGIN {printf "ratio /api/v1/me : hello = %.3f  (CPU column: fcgiwrap only)\n", a / b}'
measure "avatar_revalidate_cgi" fcgiwrap "$CGI/avatar/bench" "$H_INM"
awk -v a="$avatar_revalidate_cgi_rps" -v b="$me_cgi_rps" 'BEGIN {printf "ratio avatar 304 : /api/v1/me = %.3f (requests/s)\n", a / b}'
echo
# Password hashing is capped per host (hash_concurrency): the memory a flood
# of sign-ins can take is bounded by the cap x argon2_memlimit_kib.
kib=$(awk -F' *= *' '$1 == "argon2_memlimit_kib" {v = $2} END {print v}' "$MYACCOUNT_CONFIG")
cap=$(awk -F' *= *' '$1 == "hash_concurrency" {v = $2} END {print v}' "$MYACCOUNT_CONFIG")
echo "Argon2id memory under a flood (cap $cap x $kib KiB = $((cap * kib)) KiB), plain CGI and FastCGI:"
for t in "$CGI" "$FAST"; do
	printf '  %s: ' "${t##*:}"
	node tests/bench/flood.mjs "$t" "$(readlink -f build/cgi-bin/auth)" "$kib" 150
done
echo
# My Data: one export for a user with many sessions, tokens and security
# events, made by the worker as cron runs it: wall time and peak memory.
nsess=${BENCH_EXPORT_SESSIONS:-5000} npat=${BENCH_EXPORT_TOKENS:-50} nlog=${BENCH_EXPORT_EVENTS:-2000}
echo bench-password-2 | "$ADMIN" create-user benchexport benchexport@example.org "Bench Export" >/dev/null
login=$(curl -sf "$FAST/api/v1/login" -H 'Content-Type: application/json' \
	-d '{"user":"benchexport","password":"bench-password-2"}')
xuid=$(echo "$login" | sed -n 's/.*"userId":"\([^"]*\)".*/\1/p')
X1="X-User-Id: $xuid"
X2="X-Auth-Token: $(echo "$login" | sed -n 's/.*"authToken":"\([^"]*\)".*/\1/p')"
/usr/bin/python3 - "$xuid" "$nsess" "$npat" "$nlog" <<'PY'
import base64, datetime, hashlib, os, sys
sys.path.insert(0, 'tests/http')
import dbtool
uid, nsess, npat, nlog = sys.argv[1], *map(int, sys.argv[2:])
db, now = dbtool.database(), datetime.datetime.utcnow()
h = lambda i: base64.b64encode(hashlib.sha256(f'bench-{uid}-{i}'.encode()).digest()).decode()
db.tokens.insert_many([{'_id': h(i), 'userId': uid, 'type': 'session', 'sid': f's{i:06d}', 'createdAt': now,
    'expiresAt': now + datetime.timedelta(days=90), 'purgeAt': now + datetime.timedelta(days=90), 'lastUsedAt': now,
    'ip': f'10.0.{i // 250}.{i % 250}', 'userAgent': f'Mozilla/5.0 (bench {i}) Firefox/120.0'} for i in range(nsess)])
db.tokens.insert_many([{'_id': h(nsess + i), 'userId': uid, 'type': 'personalAccessToken', 'name': f'pat-{i}',
    'patKey': f'{uid}/pat-{i}', 'createdAt': now, 'bypassTwoFactor': i % 2 == 0, 'lastTokenPart': 'abcdef'} for i in range(npat)])
db.security_log.insert_many([{'userId': uid, 'event': 'login', 'at': now, 'ip': '10.0.0.1', 'userAgent': 'bench',
    'detail': 'password', 'expiresAt': now + datetime.timedelta(days=90)} for i in range(nlog)])
PY
for kind in true false; do
	curl -sf "$FAST/api/v1/users.requestDataDownload?fullExport=$kind" -H "$X1" -H "$X2" >/dev/null
	/usr/bin/python3 - "$ADMIN" "$kind" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
out = subprocess.run([sys.argv[1], 'run-queue'], capture_output=True, text=True)
took = time.monotonic() - t
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
made = out.stdout.splitlines()[0] if out.stdout else out.stderr.strip()
print(f"  {'JSON' if sys.argv[2] == 'true' else 'HTML'} export: {took:.2f} s, worker peak RSS {peak} kB ({made})")
PY
done | sed "1i My Data export of a user with $nsess sessions, $npat personal access tokens, $nlog security events (myaccount-admin run-queue):"
size=$(curl -sf "$FAST/api/v1/users.dataDownloadStatus" -H "$X1" -H "$X2" | sed -n 's/.*"json":{[^}]*"fileSize":\([0-9]*\).*/\1/p')
echo "  JSON archive: ${size:-?} bytes"
} | tee "$OUT"
