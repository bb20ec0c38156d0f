#!/usr/bin/env bash
# tests/crash/run.sh — every crash and fault test in one go, with its figures:
#   kill.sh (random kill -9), sweep.sh kill|kill-after|fail (deterministic, LD_PRELOAD shim),
#   diskfull.sh (full tmpfs), overflow.sh (inotify overflow), bdb.sh (Berkeley DB recovery).
# 崩溃与故障测试总入口：逐个运行并汇总数字。
#
# usage: tests/crash/run.sh [light|heavy] [BIN_DIR]
#   light (make crash-light, in make test: a few minutes)   heavy (make crash: thousands of
#   envelopes, hundreds of kills, every sweep step; about half an hour on two cores)
# The binaries are copied once at the start (bin/ may be rebuilt while this runs).  Each
# script's output is in build/crash/<profile>/<name>.log; the "# figures" lines and the
# results are printed here.  Last line: "crash: N passed, M failed (T s)".
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PROFILE=${1:-light}
BIN=${2:-$REPO/bin}
case $PROFILE in light | heavy) ;; *) echo "usage: run.sh [light|heavy] [BIN_DIR]" >&2; exit 2 ;; esac
export CRASH_PROFILE=$PROFILE
OUT=$REPO/build/crash/$PROFILE
mkdir -p "$OUT"
SNAP=$(mktemp -d "${TMPDIR:-/tmp}/entrust-crashbin.XXXXXX") || exit 1
trap 'rm -rf -- "$SNAP"' EXIT
cp "$BIN/entrustd" "$BIN/entrustctl" "$SNAP/" || { echo "not ok - $BIN/entrustd and entrustctl"; exit 1; }

START=$(date +%s)
pass=0 fail=0
# one NAME SCRIPT ARGS... — run a script, keep its log, report its result and figures
one() {
	local name=$1 t0 rc
	shift
	t0=$(date +%s)
	bash "$@" >"$OUT/$name.log" 2>&1
	rc=$?
	grep '^not ok' "$OUT/$name.log" | head -5 | sed "s/^not ok - /#   $name: /"
	grep '^# \(figures\|exit statuses\|while full\|spool\)' "$OUT/$name.log" | sed "s/^# /#   /"
	if [ $rc -eq 0 ]; then
		echo "ok - crash $name ($(tail -1 "$OUT/$name.log" | sed 's/^[^:]*: //'); $(($(date +%s) - t0)) s)"
		pass=$((pass + 1))
	else
		echo "not ok - crash $name (exit $rc; $(tail -1 "$OUT/$name.log"); see $OUT/$name.log)"
		fail=$((fail + 1))
	fi
}
one bdb "$HERE/bdb.sh" "$SNAP"
one sweep-kill "$HERE/sweep.sh" kill "$SNAP"
one sweep-kill-after "$HERE/sweep.sh" kill-after "$SNAP"
one sweep-fail-eio "$HERE/sweep.sh" fail "$SNAP"
[ "$PROFILE" = heavy ] && FAULT_ERRNO=ENOSPC one sweep-fail-enospc "$HERE/sweep.sh" fail "$SNAP"
one diskfull "$HERE/diskfull.sh" "$SNAP"
one overflow "$HERE/overflow.sh" "$SNAP"
one kill "$HERE/kill.sh" "$SNAP"
echo "crash: $pass passed, $fail failed ($PROFILE profile, $(($(date +%s) - START)) s)"
[ $fail -eq 0 ]
