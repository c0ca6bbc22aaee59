#!/usr/bin/env bash
# bench/cgi-cost.sh - what one plain-CGI request costs a program, counted
# rather than timed (stable on a busy machine): the instructions of the whole
# process under valgrind --tool=callgrind, start-up included, and the shared
# objects the dynamic loader maps (dlopen'd ones too, from LD_DEBUG=files).
#
#   tests/bench/cgi-cost.sh PROGRAM METHOD URI [NAME=VALUE ...]
#
# Runs PROGRAM once as a CGI process with the variables a web server sets
# (REQUEST_METHOD, REQUEST_URI, REMOTE_ADDR, ...) plus the NAME=VALUE ones
# (HTTP_X_USER_ID=..., HTTP_X_AUTH_TOKEN=...), MYACCOUNT_CONFIG from the
# environment. Prints one line:
#   "INSTRUCTIONS OBJECTS STATUS"
# STATUS is the CGI Status header the program answered ("-" if none).
# BENCH_CALLGRIND_OUT=FILE keeps callgrind's profile (callgrind_annotate FILE).
set -eu -o pipefail

[ $# -ge 3 ] || { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
prog=$1 method=$2 uri=$3
shift 3
out=${BENCH_CALLGRIND_OUT:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -n "$out" ] || out=$tmp/callgrind.out

# The environment of a CGI request, nothing inherited but PATH, the config
# and what the caller adds (SASL_PATH, ...).
cgi_env=(env -i PATH=/usr/bin:/bin GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1
	SERVER_SOFTWARE=bench SERVER_NAME=127.0.0.1 SERVER_PORT=80 REMOTE_ADDR=127.0.0.1
	REQUEST_METHOD="$method" REQUEST_URI="$uri" SCRIPT_NAME="${uri%%\?*}"
	QUERY_STRING="$( [[ $uri == *\?* ]] && echo "${uri#*\?}" || true)"
	CONTENT_LENGTH= CONTENT_TYPE= MYACCOUNT_CONFIG="${MYACCOUNT_CONFIG:-}" "$@")

"${cgi_env[@]}" valgrind --tool=callgrind --callgrind-out-file="$out" "$prog" \
	</dev/null >"$tmp/body" 2>"$tmp/valgrind" || true
ir=$(sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' "$tmp/valgrind")
[ -n "$ir" ] || { cat "$tmp/valgrind" >&2; exit 1; }
objects=$("${cgi_env[@]}" LD_DEBUG=files "$prog" </dev/null 2>&1 >/dev/null |
	grep -c 'generating link map' || true)
status=$(tr -d '\r' <"$tmp/body" | sed -n 's/^Status: \([0-9]*\).*/\1/p;/^$/q' | head -1)
echo "$ir $objects ${status:--}"
