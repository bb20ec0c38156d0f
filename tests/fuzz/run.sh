#!/usr/bin/env bash
# tests/fuzz/run.sh SECONDS HARNESS... — replay tests/fuzz/crashers/<harness>/ (regression:
# every crasher found so far must now pass), then fuzz each harness SECONDS seconds from
# tests/fuzz/corpus/<harness>/ (the growing working corpus is build/fuzz/corpus-<harness>/).
# A new crash, leak, sanitizer report or timeout is saved in tests/fuzz/crashers/<harness>/
# and fails the run.  Last line: "fuzz: N executions, M findings".
# 回放已知崩溃样本，然后限时模糊测试。
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
cd "$REPO" || exit 1
SECONDS_EACH=$1
shift
D=${FUZZ_DIR:-build/fuzz}
total=0 findings=0 replay_fail=0
declare -A MAXLEN=([envelope]=65536 [xmlin]=65536 [spool_name]=300)
for h in "$@"; do
	bin=$D/fuzz_$h
	crash=tests/fuzz/crashers/$h
	mkdir -p "$crash" "$D/corpus-$h"
	# regression: replay every saved crasher
	n=0
	for f in "$crash"/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		if ! "$bin" -runs=1 "$f" >"$D/replay-$h.log" 2>&1; then
			echo "not ok - fuzz $h: crasher $(basename "$f") fails again (see $D/replay-$h.log)"
			replay_fail=$((replay_fail + 1))
		fi
	done
	[ $n -gt 0 ] && echo "# fuzz $h: $n saved crashers replayed"
	before=$(ls "$crash" | wc -l)
	"$bin" -max_total_time="$SECONDS_EACH" -max_len="${MAXLEN[$h]}" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$crash/" "$D/corpus-$h" "tests/fuzz/corpus/$h" >"$D/fuzz-$h.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$D/fuzz-$h.log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$D/fuzz-$h.log" | tail -1)
	new=$(($(ls "$crash" | wc -l) - before))
	total=$((total + ${execs:-0}))
	findings=$((findings + new))
	if [ $rc -ne 0 ] || [ $new -gt 0 ]; then
		echo "not ok - fuzz $h: exit $rc, $new new findings in $crash/ (see $D/fuzz-$h.log)"
		grep -m3 'ERROR\|SUMMARY' "$D/fuzz-$h.log" | sed 's/^/#   /'
		[ $new -eq 0 ] && findings=$((findings + 1))
	else
		echo "ok - fuzz $h: ${execs:-?} executions in ${SECONDS_EACH} s, ${cov:-cov: ?}, corpus $(ls "$D/corpus-$h" | wc -l)"
	fi
done
echo "fuzz: $total executions, $findings findings, $replay_fail crashers failing again"
[ $findings -eq 0 ] && [ $replay_fail -eq 0 ]
