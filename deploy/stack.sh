#!/usr/bin/env bash
# stack.sh -- start, stop and inspect a complete local My Account stack (used
# by `make run` and `make test`): the MongoDB stand-in, an SMTP sink, the
# FastCGI programs under spawn-fcgi, fcgiwrap, and nginx / lighttpd targets.
#
#   deploy/stack.sh start | stop | status | restart-programs [NAME...]
#   deploy/stack.sh stop-db | start-db      (database outage tests)
#   deploy/stack.sh run                     (start, wait for Ctrl-C, stop)
#
# Environment (defaults in brackets):
#   STATE_DIR    config, pids, logs, sockets, mail, data       [run]
#   BINDIR       the programs                                  [build/cgi-bin]
#   WWW          the static SPA                                [www]
#   TARGETS      space-separated SERVER-MODE:PORT, SERVER nginx|lighttpd,
#                MODE fastcgi|cgi                              [nginx-fastcgi:${PORT:-8080}]
#   MONGODB_URI  use this database; no stand-in is started     []
#   MONGO_PORT   port of the stand-in                          [27017]
#   SMTP_PORT    port of the SMTP sink (mail lands in STATE_DIR/mail/new) [2525]
#   FCGI_PROCS   FastCGI processes per program                 [2]
#   FCGIWRAP_PROCS  fcgiwrap processes (nginx cgi targets)     [4]
#   EXTRA_CONF   file of `key = value` lines overriding the generated config []
#   STATIC_MAX_AGE  Cache-Control max-age of static files but HTML [gen-config.sh's]
#   RUN_USER     as root: user[:group] the servers and programs run as
#                [nobody:nogroup if it can reach everything, else root]
# The FastCGI sockets are mode 0660 in STATE_DIR/sock, mode 0750, group of
# RUN_USER: no other local user can speak FastCGI to the programs.
# Paths are relative to the current directory; defaults to the source tree.
# Only `start` and `run` read all of these; the other commands read STATE_DIR
# and use what `start` recorded in STATE_DIR/stack.env.
set -eu -o pipefail
shopt -s inherit_errexit # set -e inside $(...) too

# `run` in the background of a shell without job control starts with SIGINT
# ignored, which bash cannot trap: start again with INT and TERM at default.
if [ "${1:-}" = run ] && [ -z "${MYACCOUNT_STACK_SIGNALS:-}" ]; then
	export MYACCOUNT_STACK_SIGNALS=1
	exec env --default-signal=INT,TERM "$0" "$@"
fi

TOP=$(cd "$(dirname "$0")/.." && pwd)
DEPLOY=$TOP/deploy
PY=/usr/bin/python3

STATE_DIR=$(realpath -m "${STATE_DIR:-$TOP/run}")
PIDS=$STATE_DIR/pids
LOGS=$STATE_DIR/log
SOCKS=$STATE_DIR/sock
STACK_ENV=$STATE_DIR/stack.env

say() { echo "stack: $*"; }
warn() { echo "stack: $*" >&2; }
die() {
	echo "stack: error: $*" >&2
	exit 1
}

## Settings #########################################################

read_environment() {
	BINDIR=$(realpath -m "${BINDIR:-$TOP/build/cgi-bin}")
	WWW=$(realpath -m "${WWW:-$TOP/www}")
	TARGETS=${TARGETS:-nginx-fastcgi:${PORT:-8080}}
	MONGODB_URI=${MONGODB_URI:-}
	MONGO_PORT=${MONGO_PORT:-27017}
	SMTP_PORT=${SMTP_PORT:-2525}
	FCGI_PROCS=${FCGI_PROCS:-2}
	FCGIWRAP_PROCS=${FCGIWRAP_PROCS:-4}
	EXTRA_CONF=${EXTRA_CONF:+$(realpath -m "$EXTRA_CONF")}
	RUN_USER=${RUN_USER:-}
	STATIC_MAX_AGE=${STATIC_MAX_AGE:-}
	[ -z "$EXTRA_CONF" ] || [ -r "$EXTRA_CONF" ] || die "cannot read EXTRA_CONF $EXTRA_CONF"
	local n
	for n in "$MONGO_PORT" "$SMTP_PORT" "$FCGI_PROCS" "$FCGIWRAP_PROCS"; do
		case $n in ''|*[!0-9]*) die "not a number: '$n'" ;; esac
	done
}

# What later commands (stop, restart-programs, start-db) need to know.
save_environment() {
	{
		printf 'BINDIR=%q\nWWW=%q\nTARGETS=%q\n' "$BINDIR" "$WWW" "$TARGETS"
		printf 'MONGODB_URI=%q\nMONGO_PORT=%q\nSMTP_PORT=%q\n' "$MONGODB_URI" "$MONGO_PORT" "$SMTP_PORT"
		printf 'FCGI_PROCS=%q\nFCGIWRAP_PROCS=%q\nRUN_USER=%q\n' "$FCGI_PROCS" "$FCGIWRAP_PROCS" "$RUN_USER"
	} >"$STACK_ENV"
}

load_environment() {
	[ -r "$STACK_ENV" ] || die "nothing was started in $STATE_DIR"
	# shellcheck source=/dev/null
	. "$STACK_ENV"
}

# Split TARGET "server-mode:port" into T_SERVER, T_MODE, T_PORT.
parse_target() {
	T_SERVER=${1%%-*}
	T_MODE=${1#*-}
	T_MODE=${T_MODE%%:*}
	T_PORT=${1##*:}
	case $T_SERVER-$T_MODE:$T_PORT in
	nginx-fastcgi:*|nginx-cgi:*|lighttpd-fastcgi:*|lighttpd-cgi:*) ;;
	*) die "bad target '$1' (want nginx|lighttpd-fastcgi|cgi:PORT)" ;;
	esac
	case $T_PORT in ''|*[!0-9]*) die "bad port in target '$1'" ;; esac
}

targets_use() { # targets_use PATTERN: is any target like PATTERN (glob)?
	local t
	for t in $TARGETS; do
		# shellcheck disable=SC2254
		case $t in $1) return 0 ;; esac
	done
	return 1
}

## Processes ########################################################

# Fields 3.. of /proc/PID/stat ("STATE PPID PGID ..."), read without forking
# (the stop loop polls it) into the variable STAT.
read_stat() {
	read -r STAT 2>/dev/null <"/proc/$1/stat" || return 1
	STAT=${STAT##*) }
}

alive() { # alive PID: running, not a zombie waiting to be reaped
	read_stat "$1" && [ "${STAT%% *}" != Z ]
}

# A pid is ours when it is alive and its command line or environment names
# a path in STATE_DIR (every process we start does: a file argument, or
# MYACCOUNT_CONFIG / MYACCOUNT_STACK), so a recycled pid is never hit.
is_ours() {
	alive "$1" && grep -qzF "$STATE_DIR/" "/proc/$1/cmdline" "/proc/$1/environ" 2>/dev/null
}

group_alive() { # group_alive PGID: does a live process remain in that group?
	local want=$1 f
	for f in /proc/[0-9]*/stat; do
		read_stat "${f:6:-5}" || continue
		# shellcheck disable=SC2086
		set -- $STAT
		if [ "$3" = "$want" ] && [ "$1" != Z ]; then return 0; fi
	done
	return 1
}

# Signal pid $2 with $1, and its whole process group when it leads one
# (spawn-fcgi children, fcgiwrap with its workers, nginx with its workers).
signal_tree() {
	local sig=$1 pid=$2 pgid
	pgid=
	if read_stat "$pid"; then
		# shellcheck disable=SC2086
		set -- $STAT
		pgid=$3
	fi
	if [ "$pgid" = "$pid" ] || group_alive "$pid"; then
		kill "-$sig" -- "-$pid" 2>/dev/null || true
	else
		kill "-$sig" "$pid" 2>/dev/null || true
		pkill "-$sig" -P "$pid" 2>/dev/null || true
	fi
}

any_alive() { # any_alive PID...: is one of them, or its group, still alive?
	local pid
	for pid; do
		if alive "$pid" || group_alive "$pid"; then return 0; fi
	done
	return 1
}

# Stop the processes listed in pid file $1 (one pid a line): TERM, then
# KILL what is left after $2 seconds (default 5). Removes the pid file.
stop_pidfile() {
	local file=$1 grace=${2:-5} pid pids='' i=0
	[ -f "$file" ] || return 0
	for pid in $(cat "$file"); do
		is_ours "$pid" && pids="$pids $pid"
	done
	for pid in $pids; do signal_tree TERM "$pid"; done
	# shellcheck disable=SC2086
	while [ $i -lt $((grace * 10)) ] && any_alive $pids; do
		sleep 0.1
		i=$((i + 1))
	done
	for pid in $pids; do
		any_alive "$pid" || continue
		warn "$(basename "$file" .pid) ($pid) did not stop in $grace s: killing it"
		signal_tree KILL "$pid"
	done
	rm -f "$file"
}

running_pids() { # print "name pid" for each live process we recorded
	local file pid
	for file in "$PIDS"/*.pid; do
		[ -f "$file" ] || continue
		for pid in $(cat "$file"); do
			is_ours "$pid" && echo "$(basename "$file" .pid) $pid"
		done
	done
	return 0
}

## Checks ###########################################################

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

check_port_free() { # check_port_free PORT WHAT
	if port_open "$1"; then
		die "port $1 ($2) is already in use; stop what runs there or choose another port"
	fi
}

wait_port() { # wait_port PORT WHAT LOG SECONDS PIDFILE
	local i=0
	while ! port_open "$1"; do
		i=$((i + 1))
		[ $i -le $(($4 * 10)) ] || die "$2 did not answer on port $1 within $4 s; read $3"
		alive "$(cat "$5" 2>/dev/null || echo 0)" || die "$2 exited; read $3"
		sleep 0.1
	done
}

need() { # need COMMAND...: each must exist
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || [ -x "$c" ] ||
			die "$c is missing; run deploy/install-deps.sh"
	done
}

check_tools() {
	need curl spawn-fcgi "$PY"
	targets_use 'nginx-*' && need /usr/sbin/nginx
	targets_use 'lighttpd-*' && need /usr/sbin/lighttpd
	targets_use 'nginx-cgi:*' && need /usr/sbin/fcgiwrap
	[ -n "$MONGODB_URI" ] || [ -f "$TOP/mongo/standin.py" ] || die "missing $TOP/mongo/standin.py"
	[ -d "$BINDIR" ] || die "no $BINDIR; run make first"
	[ -d "$WWW" ] || die "no $WWW"
	PROGRAMS=$(programs)
	[ -n "$PROGRAMS" ] || die "no programs in $BINDIR; run make first"
}

check_ports() {
	local t ports=$SMTP_PORT dup
	[ -n "$MONGODB_URI" ] || ports="$ports $MONGO_PORT"
	for t in $TARGETS; do
		parse_target "$t"
		check_port_free "$T_PORT" "$t"
		ports="$ports $T_PORT"
	done
	[ -n "$MONGODB_URI" ] || check_port_free "$MONGO_PORT" "MongoDB stand-in"
	check_port_free "$SMTP_PORT" "SMTP"
	dup=$(printf '%s\n' $ports | sort | uniq -d | tr '\n' ' ')
	dup=${dup% }
	[ -z "$dup" ] || die "port $dup is given twice (TARGETS, MONGO_PORT, SMTP_PORT)"
}

check_not_running() {
	local running
	running=$(running_pids)
	[ -z "$running" ] || die "already running from $STATE_DIR: $(echo "$running" | tr '\n' ' ')- run '$0 stop' first"
}

# As root the web servers and programs run as an unprivileged user, when
# that user can reach the sockets, the www files and the programs.
choose_run_user() {
	local u
	if [ "$(id -u)" != 0 ]; then
		RUN_USER=
		return 0
	fi
	[ -z "$RUN_USER" ] || return 0
	u=nobody:nogroup
	if can_reach "$u"; then
		RUN_USER=$u
	else
		warn "user nobody cannot read $WWW, run $BINDIR/* or reach $STATE_DIR: running as root"
		RUN_USER=root:root
	fi
}

can_reach() { # can_reach USER:GROUP
	local f
	as_user "$1" test -x "$STATE_DIR" -a -r "$WWW" -a -x "$WWW" || return 1
	for f in "$WWW"/index.html "$BINDIR"/*; do
		[ -e "$f" ] || continue
		as_user "$1" test -r "$f" || return 1
		[ "${f%/*}" != "$BINDIR" ] || as_user "$1" test -x "$f" || return 1
	done
}

as_user() { # as_user USER:GROUP COMMAND...
	local ug=$1
	shift
	setpriv --reuid="${ug%%:*}" --regid="${ug#*:}" --clear-groups -- "$@" 2>/dev/null
}

# spawn-fcgi options that drop root privileges, if any, and give the socket
# to the run user (spawn-fcgi creates it as root): the web servers run as
# that user too.
spawn_user_opts() {
	case $RUN_USER in
	''|root|root:*) ;;
	*) echo "-u ${RUN_USER%%:*} -g ${RUN_USER#*:} -U ${RUN_USER%%:*} -G ${RUN_USER#*:}" ;;
	esac
}

# The sockets are the programs' front door: whoever can connect can speak
# FastCGI and claim any REMOTE_ADDR. So they are mode 0660 in a directory
# only its owner and the web server's group can enter (no window while
# spawn-fcgi binds with the umask, then chmods).
SOCKET_MODE=0660
lock_socket_dir() {
	chmod 0750 "$SOCKS"
	case $RUN_USER in ''|root|root:*) ;; *) chgrp "${RUN_USER#*:}" "$SOCKS" ;; esac
}

# Give the run user a file or directory it must write.
hand_over() {
	case $RUN_USER in
	''|root|root:*) ;;
	*) chown "$RUN_USER" "$@" ;;
	esac
}

## Config ###########################################################

# STATE_DIR/myaccount.conf: every key of the sample with its default, the
# stack's own values, then EXTRA_CONF (whose keys replace earlier ones).
write_config() {
	local conf=$STATE_DIR/myaccount.conf uri=$MONGODB_URI first key=$STATE_DIR/secret_key
	first=${TARGETS%% *}
	# The server key lives as long as the state directory, so device cookies
	# and keyed codes outlive a restart of `make run`.
	[ -s "$key" ] || (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -dc 0-9a-f >"$key")
	[ -n "$uri" ] ||
		uri="mongodb://127.0.0.1:$MONGO_PORT/?serverSelectionTimeoutMS=2000&connectTimeoutMS=2000&socketTimeoutMS=5000"
	{
		echo "# Generated by deploy/stack.sh start; edits are lost at the next start."
		awk -v uri="$uri" -v site="http://127.0.0.1:${first##*:}" \
			-v smtp="smtp://127.0.0.1:$SMTP_PORT" \
			-v admin="${ADMIN:-$TOP/build/bin/myaccount-admin}" -v texts="$WWW/i18n/mail" \
			-v key="$(cat "$key")" -v extra="${EXTRA_CONF:-/dev/null}" '
			BEGIN {
				while ((getline line < extra) > 0)
					if (line ~ /^[ \t]*[A-Za-z0-9_.]+[ \t]*=/) {
						k = line; sub(/^[ \t]*/, "", k); sub(/[ \t]*=.*/, "", k)
						skip[k] = 1; extras[++n] = line
					}
				set["mongodb_uri"] = uri; set["site_url"] = site; set["smtp_url"] = smtp
				set["secret_key"] = key
				set["mail_sender"] = admin; set["mail_texts"] = texts
			}
			/^[a-z0-9_]+ =/ {
				if ($1 in skip) next
				if ($1 in set) print $1 " = " set[$1]; else print
			}
			END { for (i = 1; i <= n; i++) print extras[i] }' "$DEPLOY/myaccount.conf.sample"
	} >"$conf.tmp"
	chmod 0640 "$conf.tmp"
	case $RUN_USER in ''|root|root:*) ;; *) chgrp "${RUN_USER#*:}" "$conf.tmp" ;; esac
	mv -f "$conf.tmp" "$conf"
}

gen_config() { # gen_config TARGET -> prints the path of its config
	local out
	parse_target "$1"
	out=$STATE_DIR/conf/$T_SERVER-$T_MODE-$T_PORT.conf
	"$DEPLOY/gen-config.sh" --server "$T_SERVER" --mode "$T_MODE" --port "$T_PORT" \
		--listen 127.0.0.1 --bindir "$BINDIR" --www "$WWW" --statedir "$STATE_DIR" \
		--sockdir "$SOCKS" --conf "$STATE_DIR/myaccount.conf" \
		${RUN_USER:+--user "$RUN_USER"} ${STATIC_MAX_AGE:+--static-max-age "$STATIC_MAX_AGE"} >"$out.tmp"
	mv -f "$out.tmp" "$out"
	echo "$out"
}

## Services #########################################################

# Run COMMAND in the background in its own session, output to LOG.
daemon() { # daemon LOG COMMAND...
	local log=$1
	shift
	MYACCOUNT_STACK=$STATE_DIR/ setsid "$@" </dev/null >>"$log" 2>&1 &
	echo $!
}

start_mongo() {
	[ -z "$MONGODB_URI" ] || return 0
	local log=$LOGS/mongo.log
	check_port_free "$MONGO_PORT" "MongoDB stand-in"
	# The stand-in writes the same pid itself once it listens, and removes
	# the file when it exits; recording it first means a stand-in that never
	# comes up is still stopped.
	# shellcheck disable=SC2094
	daemon "$log" "$PY" "$TOP/mongo/standin.py" --port "$MONGO_PORT" \
		--data "$STATE_DIR/mongo.bson" --pidfile "$PIDS/mongo.pid" >"$PIDS/mongo.pid"
	wait_port "$MONGO_PORT" "the MongoDB stand-in" "$log" 20 "$PIDS/mongo.pid"
	say "MongoDB stand-in on 127.0.0.1:$MONGO_PORT (data $STATE_DIR/mongo.bson)"
}

stop_mongo() { # the stand-in saves its data when it stops: give it time
	stop_pidfile "$PIDS/mongo.pid" 30
}

start_smtp() {
	mkdir -p "$STATE_DIR/mail/cur" "$STATE_DIR/mail/new" "$STATE_DIR/mail/tmp"
	daemon "$LOGS/smtp.log" "$PY" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" \
		-c aiosmtpd.handlers.Mailbox "$STATE_DIR/mail" >"$PIDS/smtp.pid"
	wait_port "$SMTP_PORT" "the SMTP sink" "$LOGS/smtp.log" 10 "$PIDS/smtp.pid"
	say "SMTP sink on 127.0.0.1:$SMTP_PORT (mail in $STATE_DIR/mail/new)"
}

# Every program the web servers route to (gen-config.sh decides).
programs() {
	"$DEPLOY/gen-config.sh" --bindir "$BINDIR" --list-programs
}

# spawn-fcgi closes the programs' stdout and stderr: this shell in front of
# the program reopens stderr on LOG, then execs it (same pid).
STDERR_TO='log=$1; shift; exec "$@" 2>>"$log"'

# Spawn FCGI_PROCS processes of program $1 on SOCKS/$1.sock. Spawning on a
# new socket and renaming it over the old one means a running program is
# replaced without a moment where its socket is missing; the old processes
# then finish their request and exit (libfcgi stops on SIGTERM).
spawn_program() {
	local name=$1 log=$LOGS/$1.log sock=$SOCKS/$1.sock new old=$PIDS/prog-$1.pid
	new=$sock.new
	touch "$log"
	hand_over "$log"
	rm -f "$new"
	[ ! -f "$old" ] || mv -f "$old" "$old.old"
	# shellcheck disable=SC2046
	MYACCOUNT_CONFIG=$STATE_DIR/myaccount.conf MYACCOUNT_STACK=$STATE_DIR/ \
		spawn-fcgi -s "$new" -M "$SOCKET_MODE" -F "$FCGI_PROCS" -P "$old" -d / $(spawn_user_opts) \
		-- /bin/sh -c "$STDERR_TO" stderr-to "$log" "$BINDIR/$name" >>"$LOGS/spawn-fcgi.log" 2>&1 ||
		die "spawn-fcgi could not start $name; read $LOGS/spawn-fcgi.log and $log"
	mv -f "$new" "$sock"
	stop_pidfile "$old.old"
}

start_programs() {
	local name names=''
	targets_use '*-fastcgi:*' || return 0
	for name in $PROGRAMS; do
		spawn_program "$name"
		names="$names $name"
	done
	say "FastCGI:$names ($FCGI_PROCS processes each) on $SOCKS/NAME.sock, stderr in $LOGS/NAME.log"
}

# fcgiwrap serves nginx's plain-CGI targets; it may exec only our programs.
start_fcgiwrap() {
	local log=$LOGS/fcgiwrap.log name only=
	targets_use 'nginx-cgi:*' || return 0
	for name in $PROGRAMS; do only="$only -p $BINDIR/$name"; done
	touch "$log"
	hand_over "$log"
	rm -f "$SOCKS/fcgiwrap.sock"
	# shellcheck disable=SC2046,SC2086
	MYACCOUNT_STACK=$STATE_DIR/ spawn-fcgi -s "$SOCKS/fcgiwrap.sock" -M "$SOCKET_MODE" \
		-P "$PIDS/fcgiwrap.pid" -d / $(spawn_user_opts) \
		-- /bin/sh -c "$STDERR_TO" stderr-to "$log" /usr/sbin/fcgiwrap -c "$FCGIWRAP_PROCS" $only \
		>>"$LOGS/spawn-fcgi.log" 2>&1 ||
		die "spawn-fcgi could not start fcgiwrap; read $LOGS/spawn-fcgi.log"
	say "fcgiwrap ($FCGIWRAP_PROCS processes) on $SOCKS/fcgiwrap.sock (CGI stderr in $log)"
}

start_server() { # start_server TARGET
	local conf log
	conf=$(gen_config "$1")
	parse_target "$1"
	log=$LOGS/$T_SERVER-$T_PORT-error.log
	mkdir -p "$STATE_DIR/tmp/$T_SERVER-$T_PORT"
	if [ "$T_SERVER" = nginx ]; then
		# shellcheck disable=SC2094
		/usr/sbin/nginx -p "$STATE_DIR/" -e "$log" -c "$conf" >>"$log" 2>&1 ||
			die "nginx ($1) did not start; read $log (config $conf)"
	else
		# lighttpd opens its logs after dropping root privileges.
		touch "$log" "$LOGS/lighttpd-$T_PORT-access.log" "$LOGS/lighttpd-$T_PORT-cgi-stderr.log"
		hand_over "$STATE_DIR/tmp/$T_SERVER-$T_PORT" "$log" \
			"$LOGS/lighttpd-$T_PORT-access.log" "$LOGS/lighttpd-$T_PORT-cgi-stderr.log"
		MYACCOUNT_STACK=$STATE_DIR/ /usr/sbin/lighttpd -f "$conf" >>"$log" 2>&1 ||
			die "lighttpd ($1) did not start; read $log (config $conf)"
	fi
}

# Wait until GET /api/info answers 200 through target $1.
wait_target() {
	local url code=000 i=0
	parse_target "$1"
	url=http://127.0.0.1:$T_PORT/api/info
	while [ "$code" != 200 ]; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			die "$1: GET $url answered ${code/#000/nothing} within 20 s; read $(target_logs "$1")"
		fi
		sleep 0.2
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)
	done
	say "$1 ready: http://127.0.0.1:$T_PORT/"
}

target_logs() { # the logs that explain a failing target
	parse_target "$1"
	printf '%s' "$LOGS/$T_SERVER-$T_PORT-error.log"
	case $T_SERVER-$T_MODE in
	*-fastcgi) printf ' and %s' "$LOGS/auth.log" ;;
	nginx-cgi) printf ' and %s' "$LOGS/fcgiwrap.log" ;;
	lighttpd-cgi) printf ' and %s' "$LOGS/lighttpd-$T_PORT-cgi-stderr.log" ;;
	esac
}

## Commands #########################################################

make_state_dirs() {
	mkdir -p "$STATE_DIR" "$PIDS" "$LOGS" "$SOCKS" "$STATE_DIR/conf" "$STATE_DIR/tmp"
	rm -f "$STATE_DIR/conf/"*.conf "$STATE_DIR/conf/"*.tmp # configs of an earlier start
	chmod 0755 "$STATE_DIR"
	chmod 0750 "$SOCKS"
	# A unix socket path holds at most 107 bytes.
	[ ${#SOCKS} -lt 80 ] || die "STATE_DIR is too long for unix socket paths; choose a shorter one"
}

cmd_start() {
	local t
	read_environment
	check_tools
	check_not_running
	check_ports
	make_state_dirs
	choose_run_user
	lock_socket_dir
	save_environment
	write_config
	trap 'start_failed' EXIT
	start_mongo
	start_smtp
	start_programs
	start_fcgiwrap
	for t in $TARGETS; do start_server "$t"; done
	for t in $TARGETS; do wait_target "$t"; done
	trap - EXIT
	say "started; config $STATE_DIR/myaccount.conf, logs $LOGS, stop with: $0 stop"
}

start_failed() {
	warn "start failed: stopping what was started (logs stay in $LOGS)"
	cmd_stop >/dev/null
}

cmd_stop() {
	local file
	[ -d "$PIDS" ] || { say "nothing runs from $STATE_DIR"; return 0; }
	for file in "$PIDS"/nginx-*.pid "$PIDS"/lighttpd-*.pid "$PIDS"/fcgiwrap.pid \
		"$PIDS"/prog-*.pid "$PIDS"/*.old "$PIDS"/smtp.pid; do
		stop_pidfile "$file"
	done
	stop_mongo
	for file in "$PIDS"/*.pid; do stop_pidfile "$file"; done
	rm -f "$SOCKS"/*.sock
	say "stopped everything started from $STATE_DIR"
}

cmd_status() {
	local running t
	[ -r "$STACK_ENV" ] || { say "nothing was started from $STATE_DIR"; return 0; }
	load_environment
	running=$(running_pids)
	if [ -z "$running" ]; then
		say "nothing runs from $STATE_DIR"
		return 0
	fi
	echo "$running" | awk '{ p[$1] = p[$1] " " $2 } END { for (n in p) printf "  %-22s%s\n", n, p[n] }' | sort
	for t in $TARGETS; do
		parse_target "$t"
		if echo "$running" | grep -q "^$T_SERVER-$T_PORT "; then
			echo "  $t: http://127.0.0.1:$T_PORT/"
		else
			echo "  $t: DOWN"
		fi
	done
	echo "  database: ${MONGODB_URI:-stand-in on 127.0.0.1:$MONGO_PORT}"
}

cmd_restart_programs() {
	local name
	load_environment
	targets_use '*-fastcgi:*' || { say "no FastCGI target: nothing to restart"; return 0; }
	# shellcheck disable=SC2048
	for name in ${*:-$(programs)}; do
		[ -x "$BINDIR/$name" ] || die "no program $BINDIR/$name"
		spawn_program "$name"
		say "restarted $name"
	done
}

cmd_stop_db() {
	load_environment
	[ -z "$MONGODB_URI" ] || die "the database is $MONGODB_URI, not a stand-in this script runs"
	stop_mongo
	say "MongoDB stand-in stopped (port $MONGO_PORT)"
}

cmd_start_db() {
	load_environment
	[ -z "$MONGODB_URI" ] || die "the database is $MONGODB_URI, not a stand-in this script runs"
	! is_ours "$(cat "$PIDS/mongo.pid" 2>/dev/null || echo 0)" || die "the MongoDB stand-in already runs"
	start_mongo
}

cmd_run() {
	cmd_start
	trap 'echo; cmd_stop; exit 0' INT TERM
	say "press Ctrl-C to stop"
	while :; do sleep 1; done
}

case ${1:-} in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
restart-programs) shift; cmd_restart_programs "$@" ;;
stop-db) cmd_stop_db ;;
start-db) cmd_start_db ;;
run) cmd_run ;;
*)
	sed -n '2,/^set -eu/p' "$0" | sed -e '/^set -eu/d' -e 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
