#!/usr/bin/env bash
# install-deps.sh -- install every Debian package (and the npm package of the
# browser tests) that building, running and testing My Account needs. This is
# the one place that knows the package list; `make run` and `make test` call it.
#
#   deploy/install-deps.sh [--no-browser] [--check]
#
#   --no-browser  skip chromium, node/npm and tests/node_modules
#   --check       only report what is missing; exit 1 if anything is
#
# Quick when nothing is missing (no apt, no npm). Not root: prints the apt-get
# command to run and exits 1. The nginx and lighttpd system services that the
# packages would start are kept from running (this project runs its own).
set -eu
shopt -s inherit_errexit # set -e inside $(...) too

TOP=$(cd "$(dirname "$0")/.." && pwd)

BUILD_PKGS="build-essential pkg-config lld libmongoc-dev libbson-dev libfcgi-dev libsodium-dev
	liboath-dev libqrencode-dev libjson-c-dev libcurl4-openssl-dev
	libzxcvbn-dev"
# Avatars: decoding, resizing and re-encoding images (cgi-bin/avatar, lib/image.c).
BUILD_PKGS="$BUILD_PKGS libgd-dev"
# My Data: the export worker packs the archive with libarchive (zip).
BUILD_PKGS="$BUILD_PKGS libarchive-dev"
RUN_PKGS="nginx-light lighttpd spawn-fcgi fcgiwrap python3-mockupdb python3-mongomock
	python3-pymongo python3-aiosmtpd curl procps"
# Passkeys: libfido2 verifies WebAuthn signatures, libcbor reads attestation objects.
BUILD_PKGS="$BUILD_PKGS libfido2-dev libcbor-dev"
TEST_PKGS="oathtool python3-pyotp wrk apache2-utils clang libclang-rt-dev valgrind"
BROWSER_PKGS="chromium"
# The E2E browser test checks the SPA's stored key with an independent implementation.
TEST_PKGS="$TEST_PKGS python3-cryptography"

BROWSER=true
CHECK_ONLY=false

say() { echo "install-deps: $*"; }
die() {
	echo "install-deps: $*" >&2
	exit 1
}

parse_args() {
	local a
	for a in "$@"; do
		case $a in
		--no-browser) BROWSER=false ;;
		--check) CHECK_ONLY=true ;;
		-h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
		*) die "unknown option $a (see --help)" ;;
		esac
	done
}

wanted_packages() {
	echo $BUILD_PKGS $RUN_PKGS $TEST_PKGS
	if $BROWSER; then
		echo $BROWSER_PKGS
		# Node may come from elsewhere (nodesource, nvm): only ask apt when missing.
		command -v node >/dev/null 2>&1 || echo nodejs
		command -v npm >/dev/null 2>&1 || echo npm
	fi
}

# The wanted packages that dpkg does not list as installed (one dpkg-query).
missing_packages() {
	local wanted
	wanted=$(wanted_packages)
	# shellcheck disable=SC2086
	dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' $wanted 2>/dev/null |
		awk -v wanted="$wanted" '
		$2 ~ /^ii/ { ok[$1] = 1 }
		END {
			n = split(wanted, w, /[ \t\n]+/)
			for (i = 1; i <= n; i++) if (w[i] != "" && !(w[i] in ok)) print w[i]
		}'
}

apt_command() { # the command that installs packages $*
	echo "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $*"
}

# Keep the system nginx / lighttpd from starting while their packages
# install: a policy-rc.d that forbids starting services (exit 101), unless
# the machine already has one.
block_service_starts() {
	POLICY_ADDED=false
	[ ! -e /usr/sbin/policy-rc.d ] || return 0
	printf '#!/bin/sh\n# added by install-deps.sh while apt runs\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	POLICY_ADDED=true
}

unblock_service_starts() {
	if $POLICY_ADDED; then rm -f /usr/sbin/policy-rc.d; fi
}

# Stop the system instance of $1 (nginx | lighttpd) if its package just
# started it: only the daemon named in its system pid file, never ours.
stop_system_service() {
	local name=$1 pidfile=/run/$1.pid pid
	[ -s "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	grep -qa "$name" "/proc/$pid/cmdline" 2>/dev/null || return 0
	say "stopping the system $name service started by its package"
	service "$name" stop >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
	if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
		systemctl disable --quiet "$name" 2>/dev/null || true
	fi
}

install_packages() { # install_packages PACKAGE...
	trap unblock_service_starts EXIT
	block_service_starts
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=600 "$@"
	unblock_service_starts
	trap - EXIT
	case " $* " in *" nginx-light "*) stop_system_service nginx ;; esac
	case " $* " in *" lighttpd "*) stop_system_service lighttpd ;; esac
}

# tests/node_modules is up to date when npm's own record of it is newer
# than package.json and package-lock.json.
npm_up_to_date() {
	local stamp=$TOP/tests/node_modules/.package-lock.json f
	[ -f "$stamp" ] && [ -d "$TOP/tests/node_modules/playwright-core" ] || return 1
	for f in "$TOP/tests/package.json" "$TOP/tests/package-lock.json"; do
		[ ! -f "$f" ] || [ "$stamp" -nt "$f" ] || return 1
	done
}

npm_install() {
	local cmd=install
	[ ! -f "$TOP/tests/package-lock.json" ] || cmd=ci
	say "npm $cmd in tests/ (playwright-core; no browser download)"
	(cd "$TOP/tests" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm "$cmd" --no-audit --no-fund)
}

main() {
	local missing npm_missing=false
	parse_args "$@"
	missing=$(missing_packages | tr '\n' ' ')
	missing=${missing% }
	if $BROWSER && [ -f "$TOP/tests/package.json" ] && ! npm_up_to_date; then
		npm_missing=true
	fi
	if $CHECK_ONLY; then
		[ -z "$missing" ] || say "missing packages: $missing"
		! $npm_missing || say "tests/node_modules is missing or out of date (npm)"
		[ -z "$missing" ] && ! $npm_missing && say "nothing missing"
		[ -z "$missing" ] && ! $npm_missing
		return
	fi
	if [ -n "$missing" ]; then
		if [ "$(id -u)" != 0 ]; then
			echo "install-deps: missing packages: $missing" >&2
			echo "install-deps: run as root:  sudo sh -c '$(apt_command "$missing")'" >&2
			exit 1
		fi
		# shellcheck disable=SC2086
		install_packages $missing
	fi
	if $npm_missing; then npm_install; fi
	return 0
}

main "$@"
