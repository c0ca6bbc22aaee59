#!/usr/bin/env bash
# tests/fuzz/run.sh - builds the libFuzzer targets of tests/fuzz/ (make
# fuzz-build) and runs each for FUZZ_SECONDS (default 20) over a copy of its
# seed corpus in build/fuzz/work/<target>/ (the committed corpus never grows).
# Prints "fuzz_<name>: ok (<runs> runs)" or the file that crashed it, then
# "N passed, N failed" (one test per target); exits 1 on any crash, leak,
# sanitizer report or failed property.
#
#   tests/fuzz/run.sh [--no-build] [fuzz_NAME...]
#
# Before fuzzing, each target replays its known reproducers,
# tests/fuzz/crashes/<target>-*: a bug found but not fixed yet fails here.
# To replay one crash by hand:  build/fuzz/<target> <file>
set -u -o pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
SRC=tests/fuzz
OUT=build/fuzz
BUILD=true
targets=()

for a in "$@"; do
	case $a in
	--no-build) BUILD=false ;;
	-h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	fuzz_*) targets+=("$a") ;;
	*) echo "run.sh: unknown argument $a (see --help)" >&2; exit 2 ;;
	esac
done
if [ ${#targets[@]} -eq 0 ]; then
	for f in "$SRC"/fuzz_*.c; do
		f=${f##*/}
		targets+=("${f%.c}")
	done
fi

# Longest input each parser gets: about what its callers let through.
max_len() {
	case $1 in
	fuzz_json_body) echo 4096 ;;    # request bodies (lib/request.c)
	fuzz_urlencoded) echo 4096 ;;   # query strings and form bodies
	fuzz_multipart) echo 8192 ;;    # multipart bodies, several parts
	fuzz_config) echo 8192 ;;       # past read_file()'s 4096-byte line
	fuzz_cookie) echo 1024 ;;
	fuzz_utf8) echo 1024 ;;
	fuzz_iso_date) echo 64 ;;
	fuzz_webauthn) echo 4096 ;;  # clientDataJSON, attestation objects
	*) echo 4096 ;;
	esac
}

# Any of these in a log is a failure, whatever the exit status.
# (Properties the targets check fail with a line starting "fuzz: ".)
REPORT='^fuzz: |ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|SUMMARY: (AddressSanitizer|UndefinedBehaviorSanitizer|LeakSanitizer)'
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

if $BUILD; then
	bins=()
	for t in "${targets[@]}"; do bins+=("$OUT/$t"); done
	if ! ${MAKE:-make} -s "${bins[@]}"; then
		echo "fuzz: build failed (is clang with libFuzzer installed? deploy/install-deps.sh)"
		echo "0 passed, ${#targets[@]} failed"
		exit 1
	fi
fi

passed=0 failed=0

# fail TARGET WHAT LOG: one failed target, with the lines that say why.
fail() {
	echo "$1: FAILED $2"
	{
		grep -E "$REPORT" "$3" | head -6
		# the first stack frames in our own code
		grep -E '^ *#[0-9]+ .* in .*/(lib|tests/fuzz)/' "$3" | head -6
	} | sed 's/^/    | /'
	echo "    full log: $3"
	failed=$((failed + 1))
}

for t in "${targets[@]}"; do
	bin=$OUT/$t work=$OUT/work/$t
	rm -rf "$work"
	mkdir -p "$work/corpus" "$work/artifacts"
	if [ ! -x "$bin" ]; then
		echo "$t: FAILED (no $bin; run make fuzz-build)"
		failed=$((failed + 1))
		continue
	fi

	# Known reproducers first, one run each.
	bad=""
	for c in "$SRC"/crashes/"$t"-*; do
		[ -f "$c" ] || continue
		if ! "$bin" "$c" >"$work/replay.log" 2>&1 || grep -qE "$REPORT" "$work/replay.log"; then
			bad=$c
			break
		fi
	done
	if [ -n "$bad" ]; then
		fail "$t" "on $bad (a known reproducer: the bug is not fixed)" "$work/replay.log"
		continue
	fi

	[ ! -d "$SRC/corpus/$t" ] || cp -R "$SRC/corpus/$t"/. "$work/corpus/"
	args=(-max_total_time="$FUZZ_SECONDS" -max_len="$(max_len "$t")" -timeout=10
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/artifacts/")
	[ ! -f "$SRC/$t.dict" ] || args+=(-dict="$SRC/$t.dict")
	"$bin" "${args[@]}" "$work/corpus" >"$work/fuzz.log" 2>&1
	rc=$?
	runs=$(awk '/^stat::number_of_executed_units:/ { print $2 }' "$work/fuzz.log")
	crash=$(find "$work/artifacts" -type f | head -1)
	if [ $rc -eq 0 ] && [ -z "$crash" ] && ! grep -qE "$REPORT" "$work/fuzz.log"; then
		echo "$t: ok (${runs:-?} runs)"
		passed=$((passed + 1))
	else
		fail "$t" "${crash:-(exit $rc, no crash file)}" "$work/fuzz.log"
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
