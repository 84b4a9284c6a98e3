#!/usr/bin/env bash
# Bad input at volume: runs every fuzz target for FUZZTIME each, one after
# another, on SQLite. The seeds in <pkg>/testdata/fuzz/<target> run in
# plain `go test` as regression tests; this script looks for new ones.
#
#   scripts/fuzz.sh                          # every target, 1 minute each (about 9 minutes)
#   FUZZTIME=10m scripts/fuzz.sh             # longer runs
#   FUZZTIME=30s scripts/fuzz.sh FuzzEngine  # only the targets named (a regexp each)
#
# A failing input is written to <pkg>/testdata/fuzz/<target>/<hash> by go
# test: fix the bug, keep the file (it becomes a seed), rerun. Each target
# reports its exec/s; the script exits non-zero when any target failed.
# FUZZMINIMIZE bounds how long a new input is minimized (default 20x:
# these targets touch a database, and minimizing for the default 60 s
# would take most of a short run).
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime="${FUZZTIME:-1m}"
minimize="${FUZZMINIMIZE:-20x}"
# Every fuzz target as package:name.
targets=(
	./bot:FuzzCallback
	./bot:FuzzBindingInput
	./bot:FuzzEngine
	./core:FuzzImportDeputies
	./core:FuzzSuggestionImport
	./handlers:FuzzConsoleForms
	./handlers:FuzzAPIJSON
)

selected=()
for t in "${targets[@]}"; do
	if [ $# -eq 0 ]; then
		selected+=("$t")
		continue
	fi
	for want in "$@"; do
		if [[ "${t#*:}" =~ $want ]]; then
			selected+=("$t")
			break
		fi
	done
done
if [ ${#selected[@]} -eq 0 ]; then
	echo "fuzz: no target matches $*" >&2
	exit 2
fi

failed=()
summary=()
for t in "${selected[@]}"; do
	pkg="${t%%:*}"
	name="${t#*:}"
	corpus="$pkg/testdata/fuzz/$name"
	before=$(find "$corpus" -type f 2>/dev/null | sort || true)
	log=$(mktemp)
	echo "fuzz: $name ($pkg) for $fuzztime"
	status=passed
	if ! go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -fuzzminimizetime "$minimize" -parallel 1 2>&1 | tee "$log"; then
		status=FAILED
		failed+=("$name")
	fi
	# The last progress line carries the totals: "execs: N (M/sec)".
	execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
	secs=$(grep -o 'elapsed: [0-9hms.]*' "$log" | tail -1 | sed 's/elapsed: //' || echo 0s)
	rate=$(awk -v n="$execs" -v d="$secs" 'BEGIN {
		s = 0; x = d
		if (match(x, /[0-9]+h/)) { s += substr(x, RSTART, RLENGTH - 1) * 3600 }
		if (match(x, /[0-9]+m/)) { s += substr(x, RSTART, RLENGTH - 1) * 60 }
		if (match(x, /[0-9.]+s/)) { s += substr(x, RSTART, RLENGTH - 1) }
		if (s > 0) printf "%.0f", n / s; else print 0 }')
	summary+=("$(printf '%-22s %-8s %8s execs %6s exec/s' "$name" "$status" "$execs" "$rate")")
	after=$(find "$corpus" -type f 2>/dev/null | sort || true)
	new=$(comm -13 <(echo "$before") <(echo "$after") | sed '/^$/d' || true)
	if [ -n "$new" ]; then
		echo "fuzz: $name wrote a failing input; keep it as a seed once fixed:"
		echo "$new" | sed 's/^/  /'
	fi
	rm -f "$log"
done

echo
echo "fuzz: results ($fuzztime each)"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz: FAILED: ${failed[*]}" >&2
	exit 1
fi
echo "fuzz: passed"
