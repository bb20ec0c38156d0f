#!/usr/bin/env bash
# tests/crash/bdb.sh — Berkeley DB durability: no DB_TXN_NOSYNC anywhere in src/; every
# commit syncs the log, also when a DB_CONFIG in store_dir asks otherwise; a log that cannot
# be written or synced (a run-recovery condition) makes the daemon exit 4 with the envelope
# kept, and a plain restart recovers and applies it exactly once.
# Berkeley DB 持久性测试。
#
# usage: tests/crash/bdb.sh [BIN_DIR]        KEEP=1 keeps the temporary directory
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
BIN=${1:-$H_REPO/bin}
T=$(mktemp -d "${TMPDIR:-/tmp}/entrust-bdb.XXXXXX") || exit 1
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "# kept $T"; else rm -rf -- "$T"; fi; }
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
SHIM=$(c_shim) || { echo "not ok - faultshim.so cannot be built"; exit 1; }

# static: the source never relaxes commit durability
hits=$(grep -n 'DB_TXN_NOSYNC\|DB_TXN_WRITE_NOSYNC\|DB_LOG_IN_MEMORY\|DB_TXN_NOT_DURABLE\|DB_NOSYNC' "$H_REPO"/src/*.c "$H_REPO"/src/*.h |
	grep -v ':[0-9]*:[[:space:]]*\(/\*\|\*\|//\)' | grep -v 'set_flags(.*, 0)\|_get_config(')	# turning them off or reading them is fine
c_check "no DB_TXN_NOSYNC, WRITE_NOSYNC, LOG_IN_MEMORY, NOT_DURABLE or DB_NOSYNC in src/" "$([ -z "$hits" ]; echo $?)" "$hits"

c_setup "$T" "$BIN" >/dev/null || { echo "not ok - setup"; echo "crash-bdb: 0 passed, 1 failed"; exit 1; }
n=0
# request — one accepted request in inbound/; M is its MessageId
request() {
	n=$((n + 1))
	h_request_xml "BDB-$n" "$C1" "$C1" "$BR" new "$(h_agreement_xml a 集成电路 consignor 0 "BDB$n")" >"$T/r$n.xml"
	h_sign consignor "$T/r$n.xml" "$T/r$n.p7m" DER "$PKI" && h_drop "$T/r$n.p7m" "bdb-$n.p7m" "$SPOOL"
	M=BDB-$n
}
# log_syncs — run --once; count the log syncs between the claim (rename into work/) and the
# envelope's move to archive/: the batch commit and the outbox commit must both be synced
log_syncs() {
	rm -f "$T/trace"
	env LD_PRELOAD="$SHIM" FAULT_PATH="$T" FAULT_SKIP=/log/ FAULT_CALLS=pwrite,fsync,fdatasync,renameat2 \
		FAULT_TRACE="$T/trace" "$ENTRUSTD" -c "$CONF" --once >>"$LOG" 2>&1
	awk '/renameat2 .*spool\/work\// {on = 1} /renameat2 .*spool\/archive\// {on = 0} on && /(fdatasync|fsync) .*store\/log\./ {n++} END {print n + 0}' "$T/trace"
}

request
m=$M
base=$(log_syncs)
c_check "the commits before an envelope is archived sync the log ($base log syncs)" "$([ "$base" -ge 2 ]; echo $?)" \
	"$base fsync/fdatasync on $STORE/log.* between the claim and the archive rename"

printf 'set_flags DB_TXN_NOSYNC\n' >"$STORE/DB_CONFIG"
request
m=$M
with=$(log_syncs)
c_check "a DB_CONFIG in store_dir cannot turn off commit durability ($with log syncs with set_flags DB_TXN_NOSYNC, $base without)" \
	"$([ "$with" -ge "$base" ]; echo $?)" \
	"with DB_CONFIG 'set_flags DB_TXN_NOSYNC' only $with log syncs (without: $base) before the envelope was archived: the daemon does not own DB_CONFIG"
rm -f "$STORE/DB_CONFIG"

# run recovery: the log cannot be written, then cannot be synced
for calls in pwrite,write fdatasync,fsync; do
	request; m=$M
	env LD_PRELOAD="$SHIM" FAULT_PATH="$STORE/log." FAULT_CALLS="$calls" FAULT_AT=1 FAULT_ACTION=fail-from FAULT_ERRNO=EIO \
		timeout 60 "$ENTRUSTD" -c "$CONF" --once >>"$LOG" 2>&1
	rc=$?
	c_check "log $calls fails (EIO): entrustd exits 4 (exit $rc)" "$([ $rc = 4 ]; echo $?)" "exit status $rc, want 4 (fatal store error)"
	kept=$(find "$SPOOL/inbound" "$SPOOL/work" -name "*bdb-$n.p7m" | wc -l)
	c_check "log $calls fails: the envelope is kept in inbound/ or work/" "$([ "$kept" = 1 ]; echo $?)" \
		"archive: $(find "$SPOOL/archive" -name "*bdb-$n.p7m" | wc -l), error: $(find "$SPOOL/error" -name "*bdb-$n.p7m" | wc -l)"
	timeout 60 "$ENTRUSTD" -c "$CONF" --once >>"$LOG" 2>&1
	rc=$?
	x=$(c_ack_info "$SPOOL/outbound/$C1/ACK_$m.p7m")
	l=$(awk '{print $3}' <<<"$x")
	c_check "log $calls fails: a plain restart recovers (exit $rc) and applies it once" \
		"$([ $rc = 0 ] && [ "$(awk '{print $2}' <<<"$x")" = accepted ] && [ -n "$(find "$SPOOL/archive" -name "*bdb-$n.p7m")" ] &&
			[ "$(ctl show letter "$l" --json | jq '.agreements|length')" = "$n" ]; echo $?)" \
		"after restart: exit $rc, ack [$x], letter $l holds $(ctl show letter "$l" --json | jq -c .agreements)"
done
c_verify_store
echo "crash-bdb: $C_PASS passed, $C_FAILS failed"
[ $C_FAILS -eq 0 ]
