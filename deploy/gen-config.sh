#!/usr/bin/env bash
# gen-config.sh -- write an nginx or lighttpd config for My Account from the
# programs' own route lists (`PROGRAM --routes`), so configs never drift from
# code; or, with --check FILE, verify that an existing (hand-edited) config
# still sends every route to the right program.
#
#   deploy/gen-config.sh --server nginx|lighttpd --mode fastcgi|cgi [options] > my.conf
#   deploy/gen-config.sh --check my.conf [--server nginx|lighttpd] [--bindir DIR]
#
# Run with --help for the options and their defaults.
set -eu -o pipefail
shopt -s inherit_errexit # set -e inside $(...) too

TOP=$(cd "$(dirname "$0")/.." && pwd)

SERVER=nginx
MODE=fastcgi
PORT=8080
LISTEN=127.0.0.1
BINDIR=$TOP/build/cgi-bin
WWW=$TOP/www
STATEDIR=$TOP/run
SOCKDIR=
CONF=
FCGIWRAP_SOCKET=
RUN_USER=
TLS_CERT=
TLS_KEY=
PROG_ENV=()
HSTS=
CHECK_FILE=
SERVER_GIVEN=false
LIST_ONLY=false
SASL_PLUGINS=false
# The SPA's modules have unversioned URLs: browsers revalidate them (cheap
# 304s) so an upgrade reaches every user at once. Raise it only with
# versioned asset URLs.
STATIC_MAX_AGE=0

# Security headers sent with every HTML page of the SPA.
# The web server's own errors on API paths (a body over its limit, a program
# that is down or too slow), in the shape of the programs' own: Rocket.Chat's
# {success: false, error} (lib/errors.c's 413 row for the body limit).
ERROR_413='{"success":false,"error":"Request body too large [error-too-large]","errorType":"error-too-large"}'
ERROR_5XX='{"success":false,"error":"The service is unavailable; please try again shortly"}'
ERRORS_DIR=$TOP/deploy/errors

CSP="default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

usage() {
	cat <<EOF
usage: $0 [options] > CONFIG        generate a web server config on stdout
       $0 --check FILE [options]    check FILE routes every program route
       $0 --list-programs [--bindir DIR]

  --server nginx|lighttpd   web server (default: $SERVER; --check guesses from FILE)
  --mode fastcgi|cgi        fastcgi: programs run under spawn-fcgi on SOCKDIR/<name>.sock
                            cgi: nginx execs them through fcgiwrap, lighttpd through mod_cgi
                            (default: $MODE)
  --port N                  port to listen on (default: $PORT)
  --listen ADDR             address to listen on (default: $LISTEN)
  --bindir DIR              the programs (default: build/cgi-bin)
  --www DIR                 the static SPA (default: www)
  --statedir DIR            pid, log and temp files go here (default: run)
  --sockdir DIR             FastCGI sockets (default: STATEDIR/sock)
  --conf FILE               value of MYACCOUNT_CONFIG (default: STATEDIR/myaccount.conf)
  --fcgiwrap-socket PATH    nginx cgi mode (default: SOCKDIR/fcgiwrap.sock)
  --user USER[:GROUP]       run workers as USER when started as root (default: don't switch)
  --static-max-age SECONDS  Cache-Control max-age of static assets except HTML (default: $STATIC_MAX_AGE)
  --tls-cert FILE --tls-key FILE
                            serve https on PORT with this certificate chain and key
  --hsts SECONDS            Strict-Transport-Security max-age on every answer (default:
                            31536000 with --tls-cert, else none; set it when a TLS
                            front server proxies to this one over http; 0: none)
  --errors DIR              lighttpd: the JSON error documents (default: deploy/errors)
  --env NAME=VALUE          one more environment variable of every program (repeatable)
  --sasl-plugins            plain CGI: let Cyrus SASL load its plugins (only MongoDB
                            Kerberos/GSSAPI needs them; by default SASL_PATH points at a
                            directory that cannot exist, which saves every request ~4 million
                            instructions and 9 shared objects: see deploy/README.md)
  --list-programs           print the names of the programs in BINDIR and exit
EOF
}

die() {
	echo "gen-config.sh: $*" >&2
	exit 1
}

# Paths end up unquoted in nginx configs and quoted in lighttpd ones:
# refuse characters that would need escaping in either.
abs_path() {
	case $1 in
	*[[:space:]]*|*[\"\'\\\;{}\$#]*) die "unsupported character in path: $1" ;;
	esac
	realpath -m -- "$1"
}

parse_args() {
	while [ $# -gt 0 ]; do
		[ $# -ge 2 ] || case $1 in -h|--help|--list-programs) ;; *) die "$1 needs a value (see --help)" ;; esac
		case $1 in
		--server) SERVER=$2; SERVER_GIVEN=true ;;
		--mode) MODE=$2 ;;
		--port) PORT=$2 ;;
		--listen) LISTEN=$2 ;;
		--bindir) BINDIR=$2 ;;
		--www) WWW=$2 ;;
		--statedir) STATEDIR=$2 ;;
		--sockdir) SOCKDIR=$2 ;;
		--conf) CONF=$2 ;;
		--fcgiwrap-socket) FCGIWRAP_SOCKET=$2 ;;
		--user) RUN_USER=$2 ;;
		--static-max-age) STATIC_MAX_AGE=$2 ;;
		--tls-cert) TLS_CERT=$2 ;;
		--tls-key) TLS_KEY=$2 ;;
		--hsts) HSTS=$2 ;;
		--errors) ERRORS_DIR=$2 ;;
		--env)
			case $2 in
			[A-Za-z_]*=*) ;;
			*) die "--env wants NAME=VALUE" ;;
			esac
			case ${2%%=*} in *[!A-Za-z0-9_]*) die "bad --env name: ${2%%=*}" ;; esac
			case ${2#*=} in *[[:space:]\"\'\\\;{}\$#]*) die "unsupported character in --env value: $2" ;; esac
			PROG_ENV+=("$2") ;;
		--check) CHECK_FILE=$2 ;;
		--list-programs) LIST_ONLY=true; shift; continue ;;
		--sasl-plugins) SASL_PLUGINS=true; shift; continue ;;
		-h|--help) usage; exit 0 ;;
		*) die "unknown option $1 (see --help)" ;;
		esac
		shift 2
	done
	case $SERVER in nginx|lighttpd) ;; *) die "--server must be nginx or lighttpd" ;; esac
	case $MODE in fastcgi|cgi) ;; *) die "--mode must be fastcgi or cgi" ;; esac
	case $PORT in ''|*[!0-9]*) die "--port must be a number" ;; esac
	case $STATIC_MAX_AGE in ''|*[!0-9]*) die "--static-max-age must be a number" ;; esac
	case $LISTEN in ''|*[!0-9A-Za-z.:\[\]-]*) die "bad --listen address: $LISTEN" ;; esac
	case $RUN_USER in *[!A-Za-z0-9_.:-]*) die "bad --user: $RUN_USER" ;; esac
	case ${TLS_CERT:+c}${TLS_KEY:+k} in c|k) die "--tls-cert and --tls-key go together" ;; esac
	[ -n "$HSTS" ] || { [ -z "$TLS_CERT" ] && HSTS=0 || HSTS=31536000; }
	case $HSTS in *[!0-9]*) die "--hsts must be a number of seconds" ;; esac
	[ -z "$TLS_CERT" ] || TLS_CERT=$(abs_path "$TLS_CERT")
	[ -z "$TLS_KEY" ] || TLS_KEY=$(abs_path "$TLS_KEY")
	ERRORS_DIR=$(abs_path "$ERRORS_DIR")
	BINDIR=$(abs_path "$BINDIR")
	WWW=$(abs_path "$WWW")
	STATEDIR=$(abs_path "$STATEDIR")
	SOCKDIR=$(abs_path "${SOCKDIR:-$STATEDIR/sock}")
	CONF=$(abs_path "${CONF:-$STATEDIR/myaccount.conf}")
	FCGIWRAP_SOCKET=$(abs_path "${FCGIWRAP_SOCKET:-$SOCKDIR/fcgiwrap.sock}")
	case $LISTEN in *:*) case $LISTEN in \[*) ;; *) LISTEN="[$LISTEN]" ;; esac ;; esac
	return 0
}

## Routes ###########################################################

# Print "NAME" for every program in BINDIR: executable regular files.
list_programs() {
	local f
	for f in "$BINDIR"/*; do
		if [ ! -f "$f" ] || [ ! -x "$f" ]; then continue; fi
		case ${f##*/} in
		*[!A-Za-z0-9_.-]*) die "unsupported program name: $f" ;;
		esac
		echo "${f##*/}"
	done
}

# Print the route table, one "KIND PATH PROGRAM METHODS" line per path, where
# KIND is exact or prefix (PATH then ends in '/'). Exact routes come first,
# grouped by program (auth first); prefix routes follow, longest first, which
# is the order first-match servers (lighttpd) need; last comes the line
# "prefix /api/ auth fallback": auth answers every other /api/ path (404).
# Dies on a malformed route or on one path claimed by two programs: the web
# server routes by path only and leaves the method (405) to the program.
collect_routes() {
	local prog raw progs=
	progs=$(list_programs)
	[ -n "$progs" ] || die "no programs in $BINDIR (run make first)"
	printf '%s\n' "$progs" | grep -qx auth ||
		die "no program 'auth' in $BINDIR: it answers the /api/ fallback"
	for prog in $progs; do
		raw=$(timeout 10 "$BINDIR/$prog" --routes </dev/null) ||
			die "$BINDIR/$prog --routes failed"
		[ -n "$raw" ] || die "$BINDIR/$prog --routes printed no route"
		printf '%s\n' "$raw" | tr -d '\r' | awk -v prog="$prog" '
			NF == 0 { next }
			NF != 2 || $1 !~ /^[A-Z]+$/ || $2 !~ /^\/[A-Za-z0-9._~:@+\/-]*(\/\*)?$/ || $2 == "/*" {
				printf "gen-config.sh: %s --routes: bad line: %s\n", prog, $0 > "/dev/stderr"
				bad = 1; next
			}
			{ print prog, $1, $2 }
			END { exit bad }' || die "fix the routes of $prog"
	done | awk '
		{
			kind = "exact"; path = $3
			if (path ~ /\/\*$/) { kind = "prefix"; sub(/\*$/, "", path) }
			key = kind " " path
			if (key in owner && owner[key] != $1) {
				printf "gen-config.sh: %s claimed by both %s and %s\n", path, owner[key], $1 > "/dev/stderr"
				bad = 1
			}
			if (!(key in owner)) { owner[key] = $1; order[++n] = key; methods[key] = $2 }
			else if (index("," methods[key] ",", "," $2 ",") == 0) methods[key] = methods[key] "," $2
		}
		END {
			for (i = 1; i <= n; i++) {
				split(order[i], kp, " ")
				rank = (kp[1] == "exact") ? "0 " (owner[order[i]] == "auth" ? "0" : "1") owner[order[i]] " 0" \
					: "1 _ " 100000 - length(kp[2])
				print rank, order[i], owner[order[i]], methods[order[i]]
			}
			if (!("prefix /api/" in owner)) print "2 _ 0 prefix /api/ auth fallback"
			exit bad
		}' | sort -k1,1n -k2,2 -k3,3n -k5,5 | cut -d' ' -f4- ||
		die "cannot build the route table from $BINDIR"
}

## nginx ############################################################

nginx_main() {
	local tmp=$STATEDIR/tmp/nginx-$PORT
	[ -z "$RUN_USER" ] || echo "user ${RUN_USER%%:*} $(run_group);"
	cat <<EOF
worker_processes auto;
pid $STATEDIR/pids/nginx-$PORT.pid;
error_log $STATEDIR/log/nginx-$PORT-error.log warn;

events {
    worker_connections 1024;
}

http {
    include /etc/nginx/mime.types;
    types {
        application/javascript mjs;
        application/manifest+json webmanifest;
        audio/wav wav;
    }
    default_type application/octet-stream;
    charset utf-8;
    charset_types text/plain text/css application/javascript application/json image/svg+xml;

    access_log $STATEDIR/log/nginx-$PORT-access.log;
    client_body_temp_path $tmp/body;
    fastcgi_temp_path $tmp/fastcgi;
    proxy_temp_path $tmp/proxy;
    uwsgi_temp_path $tmp/uwsgi;
    scgi_temp_path $tmp/scgi;

    # Avatar uploads; every program enforces its own, smaller, per-route limit.
    client_max_body_size 12m;
    server_tokens off;
    sendfile on;
EOF
}

# One upstream per program (FastCGI mode). No keepalive: a libfcgi program
# serves one connection at a time (see reference/stack-notes.md).
nginx_upstreams() {
	local prog
	[ "$MODE" = fastcgi ] || return 0
	echo
	for prog in $(route_programs "$1"); do
		echo "    upstream myaccount_$prog { server unix:$SOCKDIR/$prog.sock; }"
	done
}

# One location per line of the route table on stdin: "= PATH" for exact
# routes, "^~ PREFIX/" (no regex location can take over) for prefixes, plus
# "= PREFIX" for the same program: nginx would answer that URL with a 301 to
# PREFIX/ (which a POST does not survive) instead of passing it on.
nginx_routes() {
	awk -v mode="$MODE" -v wrap="$FCGIWRAP_SOCKET" '
	$4 == "fallback" { print ""; print "        # Every other /api/ path: auth answers it (a JSON 404)." }
	{
		if (mode == "fastcgi") pass = "fastcgi_pass myaccount_" $3 ";"
		else pass = "set $myaccount_program " $3 "; fastcgi_pass unix:" wrap ";"
		comment = ($4 == "fallback") ? "" : "  # " $4
		if ($1 == "exact") {
			exact[$2] = 1
			printf "        location = %s { %s }%s\n", $2, pass, comment
			next
		}
		printf "        location ^~ %s { %s }%s\n", $2, pass, comment
		bare = substr($2, 1, length($2) - 1)
		if (!(bare in exact)) printf "        location = %s { %s }\n", bare, pass
	}'
}

# The add_header line of HSTS, for locations with headers of their own
# (nginx inherits add_header only into locations that have none).
nginx_hsts() {
	[ "$HSTS" = 0 ] || printf '%s\n' "$1add_header Strict-Transport-Security \"max-age=$HSTS\" always;"
}

# The server's own errors as JSON (ERROR_413, ERROR_5XX), status kept; the
# programs' own error answers pass through untouched (no fastcgi_intercept_errors).
nginx_error_pages() {
	local code body
	echo
	echo "        # The server's own errors in Rocket.Chat's JSON shape, not HTML pages:"
	echo "        # a body over client_max_body_size, a program that is down or too slow."
	for code in 413 500 502 503 504; do
		echo "        error_page $code @myaccount_$code;"
	done
	for code in 413 500 502 503 504; do
		body=$ERROR_5XX
		[ "$code" != 413 ] || body=$ERROR_413
		echo "        location @myaccount_$code {"
		echo "            default_type application/json;"
		echo "            add_header Cache-Control no-store always;"
		nginx_hsts "            "
		echo "            return $code '$body';"
		echo "        }"
	done
}

nginx_server() {
	local routes=$1
	cat <<EOF

    server {
        listen $LISTEN:$PORT${TLS_CERT:+ ssl};
        server_name _;
        root $WWW;
        index index.html;
EOF
	[ -z "$TLS_CERT" ] || cat <<EOF
        ssl_certificate $TLS_CERT;
        ssl_certificate_key $TLS_KEY;
        ssl_protocols TLSv1.2 TLSv1.3;
EOF
	[ "$HSTS" = 0 ] || cat <<EOF
        # Browsers then refuse plain http to this host for max-age seconds.
        add_header Strict-Transport-Security "max-age=$HSTS" always;
EOF
	nginx_error_pages
	cat <<EOF

        # FastCGI parameters of every route below (inherited by the locations).
        # fastcgi_params passes REQUEST_URI, QUERY_STRING, REQUEST_METHOD,
        # CONTENT_TYPE, CONTENT_LENGTH, REMOTE_ADDR, HTTPS (over TLS); nginx adds
        # every request header as HTTP_* (X-User-Id -> HTTP_X_USER_ID, ...).
        include /etc/nginx/fastcgi_params;
        fastcgi_param MYACCOUNT_CONFIG $CONF;
        fastcgi_param HTTP_PROXY "";
EOF
	local e
	for e in ${PROG_ENV[@]+"${PROG_ENV[@]}"}; do
		echo "        fastcgi_param ${e%%=*} ${e#*=};"
	done
	[ "$MODE" = fastcgi ] || cat <<EOF
        set \$myaccount_program auth;
        fastcgi_param SCRIPT_FILENAME $BINDIR/\$myaccount_program;
EOF
	cat <<EOF

        # Program routes, from "PROGRAM --routes" (comment: methods).
EOF
	printf '%s\n' "$routes" | nginx_routes
	cat <<EOF

        # The single-page app: static files; index.html at /.
        location / {
            try_files \$uri \$uri/ =404;
            add_header Cache-Control "public, max-age=$STATIC_MAX_AGE" always;
            add_header X-Content-Type-Options nosniff always;
            add_header Referrer-Policy no-referrer always;
$(nginx_hsts "            ")
        }
        location ~ /\. {
            return 404;
        }
        location ~ \.html\$ {
            add_header Cache-Control "no-cache" always;
            add_header Content-Security-Policy "$CSP" always;
            add_header X-Content-Type-Options nosniff always;
            add_header Referrer-Policy no-referrer always;
            add_header X-Frame-Options DENY always;
$(nginx_hsts "            ")
        }
    }
}
EOF
}

gen_nginx() {
	local routes=$1
	nginx_main
	nginx_upstreams "$routes"
	nginx_server "$routes"
}

## lighttpd #########################################################

lighttpd_main() {
	local module=mod_fastcgi
	[ "$MODE" = fastcgi ] || module=mod_cgi
	[ -z "$TLS_CERT" ] || module="$module\", \"mod_openssl"
	cat <<EOF
server.modules = ( "mod_access", "mod_alias", "mod_setenv", "$module", "mod_accesslog" )

server.bind = "$LISTEN"
server.port = $PORT
server.document-root = "$WWW"
server.pid-file = "$STATEDIR/pids/lighttpd-$PORT.pid"
server.errorlog = "$STATEDIR/log/lighttpd-$PORT-error.log"
server.breakagelog = "$STATEDIR/log/lighttpd-$PORT-cgi-stderr.log"
accesslog.filename = "$STATEDIR/log/lighttpd-$PORT-access.log"
server.upload-dirs = ( "$STATEDIR/tmp/lighttpd-$PORT" )
EOF
	case $RUN_USER in
	''|root|root:*) ;; # lighttpd will not switch to uid 0: it just stays root
	*) printf 'server.username = "%s"\nserver.groupname = "%s"\n' "${RUN_USER%%:*}" "$(run_group)" ;;
	esac
	cat <<EOF

# Avatar uploads (KiB); every program enforces its own, smaller, per-route limit.
server.max-request-size = 12288
server.tag = "lighttpd"
index-file.names = ( "index.html" )

# The server's own errors (a body over server.max-request-size, a program
# that is down) in Rocket.Chat's JSON shape, not HTML pages: lighttpd sends
# ERRORS/myaccount-error-CODE.html, typed by the first matching suffix below
# (only the API can answer these codes; a 413 is decided before any URL
# condition, so this cannot sit in an \$HTTP["url"] block).
server.errorfile-prefix = "$ERRORS_DIR/myaccount-error-"
mimetype.assign = (
$(for code in 413 500 502 503 504; do echo "    \"myaccount-error-$code.html\" => \"application/json\","; done)
    ".html" => "text/html; charset=utf-8",
    ".js" => "application/javascript; charset=utf-8",
    ".mjs" => "application/javascript; charset=utf-8",
    ".css" => "text/css; charset=utf-8",
    ".json" => "application/json; charset=utf-8",
    ".webmanifest" => "application/manifest+json; charset=utf-8",
    ".txt" => "text/plain; charset=utf-8",
    ".svg" => "image/svg+xml; charset=utf-8",
    ".png" => "image/png",
    ".jpg" => "image/jpeg",
    ".jpeg" => "image/jpeg",
    ".gif" => "image/gif",
    ".webp" => "image/webp",
    ".ico" => "image/x-icon",
    ".woff" => "font/woff",
    ".woff2" => "font/woff2",
    ".mp3" => "audio/mpeg",
    ".ogg" => "audio/ogg",
    ".wav" => "audio/wav",
    ".wasm" => "application/wasm",
    "" => "application/octet-stream",
)

# Environment of every program (FastCGI params / CGI environment).
setenv.add-environment = ( "MYACCOUNT_CONFIG" => "$CONF"$(for e in ${PROG_ENV[@]+"${PROG_ENV[@]}"}; do printf ', "%s" => "%s"' "${e%%=*}" "${e#*=}"; done) )
EOF
	[ -z "$TLS_CERT" ] || cat <<EOF

ssl.engine = "enable"
ssl.pemfile = "$TLS_CERT"
ssl.privkey = "$TLS_KEY"
EOF
	[ "$HSTS" = 0 ] || cat <<EOF

# Browsers then refuse plain http to this host for max-age seconds (blocks
# below that set their own response headers repeat it).
setenv.add-response-header = ( "Strict-Transport-Security" => "max-age=$HSTS" )
EOF
}

# The HSTS line of blocks with response headers of their own.
lighttpd_hsts() {
	[ "$HSTS" = 0 ] || echo "        \"Strict-Transport-Security\" => \"max-age=$HSTS\","
}

# One variable per program holding its backend (FastCGI mode), or the one
# cgi.assign that runs the aliased binary (CGI mode).
lighttpd_backends() {
	local prog
	echo
	if [ "$MODE" = cgi ]; then
		echo '# Run the file the route is aliased to (only inside route blocks).'
		echo 'var.myaccount_cgi = ( "" => "" )'
		return 0
	fi
	echo '# One FastCGI backend per program, spawned by spawn-fcgi.'
	for prog in $(route_programs "$1"); do
		echo "var.myaccount_$prog = ( \"/\" => ( ( \"socket\" => \"$SOCKDIR/$prog.sock\", \"check-local\" => \"disable\" ) ) )"
	done
}

# Routes as one if / else-if chain: the first match wins, so exact routes,
# then prefixes longest first, then the /api/ fallback, then static files.
# CGI mode aliases the URL to the binary; below a prefix, the rest of the URL
# becomes PATH_INFO.
lighttpd_routes() {
	echo
	echo '# Program routes, from "PROGRAM --routes" (comment: methods), then static files.'
	printf '%s\n' "$1" | awk -v mode="$MODE" -v bindir="$BINDIR" '
	$4 == "fallback" { print "# Every other /api/ path: auth answers it (a JSON 404)." }
	{
		if (mode == "fastcgi") pass = "fastcgi.server = var.myaccount_" $3
		else pass = "alias.url = ( \"" $2 "\" => \"" bindir "/" $3 ($1 == "prefix" ? "/" : "") "\" ) cgi.assign = var.myaccount_cgi"
		printf "%s$HTTP[\"url\"] %s \"%s\" { %s }", (NR > 1 ? "else " : ""), ($1 == "exact" ? "==" : "=^"), $2, pass
		print ($4 == "fallback") ? "" : "  # " $4
	}'
	cat <<EOF
# The single-page app: static files; index.html at /.
else \$HTTP["url"] =~ "/\\." {
    url.access-deny = ( "" )
}
else \$HTTP["url"] =~ "(/|\\.html)\$" {
    setenv.add-response-header = (
        "Cache-Control" => "no-cache",
        "Content-Security-Policy" => "$CSP",
        "X-Content-Type-Options" => "nosniff",
        "Referrer-Policy" => "no-referrer",
        "X-Frame-Options" => "DENY",
$(lighttpd_hsts)
    )
}
else \$HTTP["url"] =^ "/" {
    setenv.add-response-header = (
        "Cache-Control" => "public, max-age=$STATIC_MAX_AGE",
        "X-Content-Type-Options" => "nosniff",
        "Referrer-Policy" => "no-referrer",
$(lighttpd_hsts)
    )
}
EOF
}

gen_lighttpd() {
	local routes=$1
	lighttpd_main
	lighttpd_backends "$routes"
	lighttpd_routes "$routes"
}

## Common ###########################################################

route_programs() { # the programs named in route table $1
	printf '%s\n' "$1" | awk '{ print $3 }' | sort -u
}

run_group() {
	case $RUN_USER in
	*:*) echo "${RUN_USER#*:}" ;;
	*) id -gn "$RUN_USER" 2>/dev/null || echo nogroup ;;
	esac
}

# Whoever can connect to a program's socket can speak FastCGI to it and claim
# any REMOTE_ADDR: say how to keep SOCKDIR to the web server's group, and
# warn when it exists and other users can enter it.
socket_advice() {
	local group=www-data mode
	[ "$MODE" = fastcgi ] || [ "$SERVER" = nginx ] || return 0
	[ -z "$RUN_USER" ] || group=$(run_group)
	cat <<EOF
# The FastCGI sockets: only the web server's group may reach them (anyone
# who can connect can forge REMOTE_ADDR). See deploy/README.md:
#   install -d -m 0750 -o root -g $group $SOCKDIR
#   spawn-fcgi -s $SOCKDIR/NAME.sock -M 0660 -U USER -G $group ...
EOF
	[ -d "$SOCKDIR" ] || return 0
	mode=$(stat -c %a "$SOCKDIR")
	case $mode in
	*0) ;;
	*) echo "gen-config.sh: warning: $SOCKDIR is open to every local user (mode $mode): chmod 0750 it and give it the web server's group" >&2 ;;
	esac
}

generate() {
	local routes
	routes=$(collect_routes)
	cat <<EOF
# My Account: $SERVER config, $MODE mode, generated by deploy/gen-config.sh from
# the routes of the programs in $BINDIR.
# Regenerate rather than edit; check an edited copy with
#   deploy/gen-config.sh --check FILE --bindir $BINDIR
EOF
	socket_advice
	case $SERVER in
	nginx) gen_nginx "$routes" ;;
	lighttpd) gen_lighttpd "$routes" ;;
	esac
}

## --check ##########################################################

# Print one line per routing block of nginx config $1:
#   "N 0 TYPE PATH [PROGRAM ...]"  (N: file order, TYPE: = ^~ prefix ~ ~*)
# listing every program named in the block (socket, upstream, binary...).
nginx_blocks() {
	awk -v progs="$2" '
	function flush() {
		if (cur == "") return
		line = ++n " 0 " cur
		np = split(progs, p, " ")
		for (i = 1; i <= np; i++)
			if (body ~ ("(^|[^A-Za-z0-9-])" p[i] "([^A-Za-z0-9-]|$)")) line = line " " p[i]
		print line; cur = ""
	}
	{ sub(/#.*/, "") }
	cur == "" && match($0, /location[ \t]+[^{]*\{/) {
		split(substr($0, RSTART, RLENGTH - 1), w, /[ \t]+/)
		if (w[2] == "=" || w[2] == "^~" || w[2] == "~" || w[2] == "~*") cur = w[2] " " w[3]
		else if (w[2] !~ /^@/) cur = "prefix " w[2]
		depth = 0; body = ""
		$0 = substr($0, RSTART + RLENGTH - 1)
	}
	cur != "" {
		body = body " " $0
		depth += gsub(/\{/, "{") - gsub(/\}/, "}")
		if (depth <= 0) flush()
	}'  "$1"
}

# Read nginx_blocks lines on stdin; for URL $1 print the block nginx picks
# (exact, then longest prefix unless ^~, then first regex, then that prefix).
nginx_pick() {
	awk -v url="$1" '
	$3 == "=" && $4 == url && exact == "" { exact = $0 }
	($3 == "^~" || $3 == "prefix") && index(url, $4) == 1 && length($4) > blen { best = $0; blen = length($4); btype = $3 }
	($3 == "~" || $3 == "~*") && regex == "" {
		u = url; re = $4
		if ($3 == "~*") { u = tolower(u); re = tolower(re) }
		if (u ~ re) regex = $0
	}
	END {
		if (exact != "") print exact
		else if (btype == "^~") print best
		else if (regex != "") print regex
		else print best
	}'
}

# Print one line per $HTTP["url"] condition of lighttpd config $1:
#   "N CHAIN OP VALUE [PROGRAM ...]"  (CHAIN: else-chain number)
# plus "N CHAIN key PREFIX PROGRAM..." for each "/..." key of a top-level
# fastcgi.server.
lighttpd_blocks() {
	awk -v progs="$2" '
	function named(text,   i, np, p, out) {
		np = split(progs, p, " ")
		for (i = 1; i <= np; i++)
			if (text ~ ("(^|[^A-Za-z0-9-])" p[i] "([^A-Za-z0-9-]|$)")) out = out " " p[i]
		return out
	}
	function flush() {
		if (cur != "") print ++n " " chain " " cur named(body)
		cur = ""
	}
	{ sub(/^[ \t]*#.*/, "") }
	cur == "" && depth0 == 0 && /^[ \t]*fastcgi\.server[ \t]*[+]?=/ { infcgi = 1; fbody = "" }
	infcgi {
		fbody = fbody " " $0
		if (gsub(/\(/, "(", fbody) == gsub(/\)/, ")", fbody)) {
			# split on keys: "/..." => ( ... ); the first matching key wins
			chain++
			while (match(fbody, /"\/[^"]*"[ \t]*=>/)) {
				key = substr(fbody, RSTART + 1, index(substr(fbody, RSTART + 1), "\"") - 1)
				fbody = substr(fbody, RSTART + RLENGTH)
				nxt = match(fbody, /"\/[^"]*"[ \t]*=>/) ? substr(fbody, 1, RSTART - 1) : fbody
				print ++n " " chain " key " key named(nxt)
			}
			infcgi = 0
		}
		next
	}
	cur == "" && match($0, /\$HTTP\["url"\][ \t]*(==|!=|=~|!~|=\^|=\$)[ \t]*"([^"\\]|\\.)*"/) {
		if ($0 !~ /(^|\})[ \t]*else[ \t]/) chain++
		cond = substr($0, RSTART, RLENGTH)
		sub(/^\$HTTP\["url"\][ \t]*/, "", cond)
		op = cond; sub(/[ \t]*".*/, "", op)
		val = cond; sub(/^[^"]*"/, "", val); sub(/"$/, "", val)
		cur = op " " val; body = ""; depth = 0
		$0 = substr($0, RSTART + RLENGTH)
	}
	cur != "" {
		body = body " " $0
		depth += gsub(/\{/, "{") - gsub(/\}/, "}")
		if (depth <= 0 && body ~ /\}/) flush()
		next
	}
	{ depth0 += gsub(/\{/, "{") - gsub(/\}/, "}") }'  "$1"
}

# Read lighttpd_blocks lines on stdin; for URL $1 print the block whose
# settings apply: in each else-chain the first match counts, a later chain
# overrides an earlier one; blocks naming no program do not route.
lighttpd_pick() {
	awk -v url="$1" '
	function matches(op, val) {
		if (op == "==") return url == val
		if (op == "!=") return url != val
		if (op == "=^" || op == "key") return index(url, val) == 1
		if (op == "=$") return length(url) >= length(val) && substr(url, length(url) - length(val) + 1) == val
		if (op == "=~") return url ~ val
		if (op == "!~") return url !~ val
		return 0
	}
	$2 != lastchain { lastchain = $2; done = 0 }
	!done && matches($3, $4) {
		done = 1
		if (NF > 4) pick = $0
	}
	END { print pick }'
}

guess_server() {
	if grep -q '^[[:space:]]*\(server\.\|\$HTTP\[\|fastcgi\.server\)' "$1"; then
		echo lighttpd
	else
		echo nginx
	fi
}

# Check that the config file routes URL $2 to program $3; print a problem
# line and return 1 when not. $1: the config's blocks.
check_url() {
	local blocks=$1 url=$2 prog=$3 route=$4 pick got
	pick=$(printf '%s\n' "$blocks" | "${SERVER}_pick" "$url")
	if [ -z "$pick" ]; then
		echo "missing: $route ($prog): no block routes $url"
		return 1
	fi
	got=$(echo "$pick" | cut -d' ' -f5-)
	case " $got " in
	*" $prog "*) return 0 ;;
	esac
	echo "wrong: $route ($prog): $url is routed by \"$(echo "$pick" | cut -d' ' -f3-4)\" to ${got:-no program}"
	return 1
}

check_config() {
	local routes blocks kind path prog methods bad=0 n=0
	[ -r "$CHECK_FILE" ] || die "cannot read $CHECK_FILE"
	$SERVER_GIVEN || SERVER=$(guess_server "$CHECK_FILE")
	routes=$(collect_routes)
	blocks=$("${SERVER}_blocks" "$CHECK_FILE" "$(route_programs "$routes" | tr '\n' ' ')")
	while read -r kind path prog methods; do
		n=$((n + 1))
		if [ "$kind" = exact ]; then
			check_url "$blocks" "$path" "$prog" "$methods $path" || bad=1
		else
			check_url "$blocks" "${path}x" "$prog" "$methods $path*" || bad=1
		fi
	done <<EOF
$routes
EOF
	if [ $bad = 0 ]; then
		echo "ok: $CHECK_FILE ($SERVER) routes all $n routes of $BINDIR (with the /api/ fallback)"
	fi
	return $bad
}

parse_args "$@"
# Plain CGI starts a process per request: spare it Cyrus SASL's plugins
# unless asked for them or the admin set SASL_PATH.
if [ "$MODE" = cgi ] && ! $SASL_PLUGINS && ! printf '%s\n' ${PROG_ENV[@]+"${PROG_ENV[@]}"} | grep -q '^SASL_PATH='; then
	PROG_ENV+=("SASL_PATH=/proc/self/no-sasl-plugins")
fi
[ -d "$BINDIR" ] || die "no such directory: $BINDIR (run make first, or pass --bindir)"
if $LIST_ONLY; then
	list_programs
elif [ -n "$CHECK_FILE" ]; then
	check_config
else
	generate
fi
