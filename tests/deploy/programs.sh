#!/usr/bin/env bash
# tests/deploy/programs.sh - how the Makefile finds and links programs, on a
# scratch copy of the tree (build/test-programs/) with two test-only
# programs: a folder program cgi-bin/demo/*.c (two files and a header) and a
# single-file one, cgi-bin/single.c. Checks that both are built into
# build/cgi-bin/ and linked with lib, that a header of the folder rebuilds
# its objects, that gen-config.sh and `make install` find them by
# themselves, that build/cgi-bin/ holds nothing but programs, and that the
# real programs load only the libraries they reference (--as-needed).
# Prints "N passed, N failed".
set -u -o pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
W=$TOP/build/test-programs
passed=0 failed=0

check() { # check NAME COMMAND...: one test, passed when COMMAND succeeds
	local name=$1
	shift
	if "$@" >>"$W.log" 2>&1; then
		echo "ok - $name"
		passed=$((passed + 1))
	else
		echo "not ok - $name (log: $W.log)"
		failed=$((failed + 1))
	fi
}

rm -rf "$W" "$W.log"
mkdir -p "$W/cgi-bin/demo"
for d in lib admin tests www deploy mongo; do ln -s "$TOP/$d" "$W/$d"; done
cp Makefile "$W/"
cat >"$W/cgi-bin/demo/demo.h" <<'C'
/* demo.h - what the two files of the test's folder program share. */
const char *demo_route(void);
C
cat >"$W/cgi-bin/demo/main.c" <<'C'
/* main.c - a test-only folder program: prints its route from routes.c. */
#include <stdio.h>
#include <string.h>
#include "demo.h"
int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--routes") == 0)
		printf("GET %s\n", demo_route());
	return 0;
}
C
cat >"$W/cgi-bin/demo/routes.c" <<'C'
/* routes.c - the folder program's second file. */
#include "demo.h"
const char *demo_route(void) { return "/api/v1/demo.ping"; }
C
cat >"$W/cgi-bin/single.c" <<'C'
/* single.c - a test-only single-file program. */
#include <stdio.h>
int main(void) { puts("GET /api/v1/single.ping"); return 0; }
C

m() { make --no-print-directory -C "$W" "$@"; }
check "make lists the folder and the single-file program" \
	test "$(m list-programs)" = "demo single"
check "make builds both into build/cgi-bin/" m build/cgi-bin/demo build/cgi-bin/single
check "the folder program is its files linked together" \
	test "$("$W/build/cgi-bin/demo" --routes)" = "GET /api/v1/demo.ping"
check "a folder program links every file of the folder and lib" \
	sh -c "make -C '$W' -B -n build/cgi-bin/demo | grep -E -- '-o build/cgi-bin/demo .*obj/cgi-bin/demo/main.o .*obj/cgi-bin/demo/routes.o .*libmyaccount.a'"
check "editing the folder's header rebuilds its objects" \
	sh -c "sleep 1; touch '$W/cgi-bin/demo/demo.h'; make -C '$W' -n build/cgi-bin/demo | grep -q 'obj/cgi-bin/demo/routes.o'"
check "build/cgi-bin/ holds nothing but programs" \
	sh -c "cd '$W/build/cgi-bin' && test \"\$(ls | tr '\n' ' ')\" = 'demo single '"
check "gen-config.sh finds both programs by itself" \
	test "$(deploy/gen-config.sh --bindir "$W/build/cgi-bin" --list-programs | tr '\n' ' ')" = "demo single "
check "make install installs both programs" \
	sh -c "make -C '$W' -s install DESTDIR='$W/dest' PREFIX=/usr >/dev/null && test -x '$W/dest/usr/lib/myaccount/cgi-bin/demo' && test -x '$W/dest/usr/lib/myaccount/cgi-bin/single'"

# The real programs (the caller built them): libqrencode is referenced by
# the security program's QR code alone, so no other loads it.
for p in build/cgi-bin/*; do
	if [ "$(basename "$p")" = security ]; then
		check "security loads libqrencode (its QR code)" sh -c "readelf -d '$p' | grep -q libqrencode"
	else
		check "$(basename "$p") does not load libqrencode" sh -c "! readelf -d '$p' | grep -q libqrencode"
	fi
done
rm -rf "$W"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
