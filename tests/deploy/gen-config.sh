#!/usr/bin/env bash
# tests/deploy/gen-config.sh - every config deploy/gen-config.sh writes is one
# the real server accepts (nginx -t, lighttpd -tt), for both servers, both
# modes and the options that change the output (--tls-cert/--tls-key, --hsts,
# --env, --user); bad option values are refused; an open --sockdir is warned
# about. The programs of build/cgi-bin give the routes. Prints "N passed, N failed".
set -u -o pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
W=$TOP/build/test-gen-config
GEN=deploy/gen-config.sh
passed=0 failed=0

ok() { echo "ok - $*"; passed=$((passed + 1)); }
fail() { echo "not ok - $*"; failed=$((failed + 1)); }

rm -rf "$W"
mkdir -p "$W/state/sock" "$W/state/log" "$W/state/pids" "$W/tls"
chmod 0750 "$W/state/sock"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	-keyout "$W/tls/key.pem" -out "$W/tls/cert.pem" >/dev/null 2>&1

# valid SERVER CONF: does the server itself accept CONF?
valid() {
	if [ "$1" = nginx ]; then
		/usr/sbin/nginx -t -q -p "$W/state/" -e "$W/state/log/test.log" -c "$2"
	else
		/usr/sbin/lighttpd -tt -f "$2"
	fi
}

n=0
for server in nginx lighttpd; do
	for mode in fastcgi cgi; do
		for opts in "" "--tls-cert $W/tls/cert.pem --tls-key $W/tls/key.pem" "--hsts 600" \
			"--env SASL_PATH=/nonexistent --env OTHER=1" "--user nobody:nogroup --static-max-age 60"; do
			n=$((n + 1))
			conf=$W/$server-$mode-$n.conf
			mkdir -p "$W/state/tmp/$server-$((20000 + n))"
			# shellcheck disable=SC2086
			if ! $GEN --server "$server" --mode "$mode" --port $((20000 + n)) --bindir build/cgi-bin \
				--statedir "$W/state" $opts >"$conf" 2>"$conf.err"; then
				fail "$server $mode ${opts:-(defaults)}: gen-config.sh failed: $(cat "$conf.err")"
			elif out=$(valid "$server" "$conf" 2>&1); then
				ok "$server $mode ${opts:-(defaults)}: accepted by $server"
			else
				fail "$server $mode ${opts:-(defaults)}: $server refuses it: $out"
			fi
		done
	done
done

# What each option must have put in (one look per option).
grep -q 'listen 127.0.0.1:[0-9]* ssl;' "$W/nginx-fastcgi-2.conf" &&
	grep -q 'Strict-Transport-Security "max-age=31536000"' "$W/nginx-fastcgi-2.conf" &&
	ok "nginx --tls-cert: listens with TLS, sends HSTS" || fail "nginx --tls-cert: no TLS listen or HSTS"
grep -q '"Strict-Transport-Security" => "max-age=600"' "$W/lighttpd-cgi-18.conf" &&
	ok "lighttpd --hsts 600: sends HSTS" || fail "lighttpd --hsts: no HSTS line"
! grep -q 'Strict-Transport-Security' "$W/nginx-fastcgi-1.conf" "$W/lighttpd-fastcgi-11.conf" &&
	ok "plain http without --hsts: no HSTS" || fail "HSTS without https"
grep -q 'fastcgi_param SASL_PATH /nonexistent;' "$W/nginx-cgi-9.conf" &&
	grep -q '"SASL_PATH" => "/nonexistent", "OTHER" => "1"' "$W/lighttpd-cgi-19.conf" &&
	ok "--env reaches both servers' program environment" || fail "--env missing from a config"
[ "$(grep -c SASL_PATH "$W/nginx-cgi-9.conf")" = 1 ] &&
	ok "an admin's SASL_PATH replaces the default, once" || fail "SASL_PATH twice in a config"
# Plain CGI spares each request Cyrus SASL's plugins unless asked for them.
grep -q 'fastcgi_param SASL_PATH /proc/self/no-sasl-plugins;' "$W/nginx-cgi-6.conf" &&
	grep -q '"SASL_PATH" => "/proc/self/no-sasl-plugins"' "$W/lighttpd-cgi-16.conf" &&
	ok "plain CGI configs point SASL_PATH nowhere by default" || fail "no default SASL_PATH in a CGI config"
! grep -q SASL_PATH "$W/nginx-fastcgi-1.conf" "$W/lighttpd-fastcgi-11.conf" &&
	ok "FastCGI configs leave SASL_PATH alone" || fail "SASL_PATH in a FastCGI config"
$GEN --server nginx --mode cgi --port 20999 --bindir build/cgi-bin --statedir "$W/state" --sasl-plugins |
	grep -q SASL_PATH && fail "--sasl-plugins still sets SASL_PATH" || ok "--sasl-plugins keeps the plugins"

refused() { # refused WHY OPTION...: gen-config.sh must exit non-zero
	local why=$1
	shift
	if $GEN --bindir build/cgi-bin --statedir "$W/state" "$@" >/dev/null 2>&1; then
		fail "accepted $why: $*"
	else
		ok "refuses $why"
	fi
}
refused "--tls-cert without --tls-key" --tls-cert "$W/tls/cert.pem"
refused "an --env without =" --env SASL_PATH
refused "an --env value with a space" --env 'A=b c'
refused "an --env value with a quote" --env 'A=b"c'
refused "a non-numeric --hsts" --hsts 1y

mkdir -p "$W/open"
chmod 0755 "$W/open"
warn=$($GEN --bindir build/cgi-bin --statedir "$W/state" --sockdir "$W/open" 2>&1 >/dev/null)
case $warn in *"is open to every local user"*) ok "warns about a --sockdir other users can enter" ;; *) fail "no warning for an open --sockdir" ;; esac
warn=$($GEN --bindir build/cgi-bin --statedir "$W/state" 2>&1 >/dev/null)
[ -z "$warn" ] && ok "no warning for a 0750 --sockdir" || fail "warned for a closed --sockdir: $warn"

rm -rf "$W"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
