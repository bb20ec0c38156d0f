# tests/crash/lib.sh — what the crash tests share: a seeded test hub in a temporary
# directory, a stock of signed requests, and the end-of-run accounting that proves every
# envelope was applied exactly once and answered exactly once.  Sourced; needs bash.
# 崩溃测试共用：测试环境、信封库存、最终核对（恰好一次）。

C_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../hostile/lib.sh
. "$C_HERE/../hostile/lib.sh"

C_FAILS=0
C_PASS=0

# c_ok NAME / c_fail NAME WHY — one result line
c_ok() {
	echo "ok - $1"
	C_PASS=$((C_PASS + 1))
}
c_fail() {
	echo "not ok - $1: $2"
	C_FAILS=$((C_FAILS + 1))
}
# c_check NAME CONDITION-RC WHY
c_check() {
	if [ "$2" = 0 ]; then c_ok "$1"; else c_fail "$1" "$3"; fi
}

# c_setup DIR BIN [EXTRA-CONF] — PKI, configuration, seeded store; sets PKI SPOOL STORE CONF
# LOG ENTRUSTD ENTRUSTCTL (copies of the binaries: bin/ may be rebuilt while we run)
c_setup() {
	local dir=$1 bin=$2
	PKI=$dir/pki REG=$dir/parties.conf SPOOL=${SPOOL:-$dir/spool} STORE=$dir/store
	CONF=$dir/entrustd.conf LOG=$dir/daemon.log H_LOG=$dir/openssl.log
	mkdir -p "$dir/bin" "$dir/seed" "$SPOOL/inbound" || return 1
	cp "$bin/entrustd" "$bin/entrustctl" "$dir/bin/" || return 1
	ENTRUSTD=$dir/bin/entrustd ENTRUSTCTL=$dir/bin/entrustctl
	H_CONF=$CONF
	h_pki "$PKI" "$REG" || return 1
	h_conf "$CONF" "$SPOOL" "$STORE" "$PKI" "$REG" "${3:-}"
	h_seed "$SPOOL" "$dir/seed" "$PKI"
}

ctl() { timeout 60 "$ENTRUSTCTL" -c "$CONF" "$@" 2>>"${LOG:-/dev/null}"; }

# c_stock DIR N — N signed requests in DIR/env/, named env-NNNNNN.p7m, half from each
# consignor (RSA and EC keys); every 10th is refused by a rule (unknown trade mode, R12).
# Every request carries the letter terms: the first creates the letter, the rest append.
# DIR/stock.tsv: name msgid sender expect(accepted|refused) bill
c_stock() {
	local dir=$1 n=$2 i id sender stem trade expect
	mkdir -p "$dir/env" "$dir/xml"
	: >"$dir/stock.tsv"
	for ((i = 1; i <= n; i++)); do
		id=$(printf '%06d' "$i")
		if ((i % 2)); then sender=$C1 stem=consignor; else sender=$C2 stem=consignor2; fi
		if ((i % 10 == 0)); then trade=9999 expect=refused; else trade=0110 expect=accepted; fi
		h_request_xml "CRASH-$id" "$sender" "$sender" "$BR" new \
			"$(h_agreement_xml "a$id" 集成电路 consignor 0 "CB$id" "$trade")" >"$dir/xml/env-$id.xml"
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "env-$id.p7m" "CRASH-$id" "$sender" "$expect" "CB$id" "$stem" >>"$dir/stock.tsv"
	done
	awk -F'\t' '{sub(/\.p7m$/, "", $1); print $6, $1}' "$dir/stock.tsv" |
		P=$PKI D=$dir xargs -P "$(nproc)" -n 2 sh -c \
			'openssl cms -sign -nodetach -binary -signer "$P/$0.pem" -inkey "$P/$0.key" -in "$D/xml/$1.xml" -outform DER -out "$D/env/$1.p7m"' 2>/dev/null
	[ "$(find "$dir/env" -name '*.p7m' -size +0 | wc -l)" -eq "$n" ]
}

# c_ack_info FILE — "file outcome letter agreement" of a hub file (ack or notice), or
# "file BAD" when it does not verify (a partial or corrupt file)
c_ack_info() {
	local x
	if x=$(openssl cms -verify -CAfile "$PKI/ca.pem" -inform DER -binary -in "$1" 2>/dev/null); then
		printf '%s %s %s %s\n' "${1##*/}" \
			"$(grep -o '<Outcome>[a-z]*' <<<"$x" | cut -d'>' -f2 | head -1 | grep . || echo -)" \
			"$(grep -o '<Number>[0-9]\{10\}<' <<<"$x" | head -1 | tr -dc 0-9)$(grep -o '<Letter>[0-9]\{10\}<' <<<"$x" | head -1 | tr -dc 0-9)" \
			"$(grep -o '<Number>[0-9]\{14\}<' <<<"$x" | tr -dc '0-9\n' | tr '\n' ',' | sed 's/,$//')"
	else
		printf '%s BAD\n' "${1##*/}"
	fi
}

# c_account DIR STOCK — the end-of-run accounting; prints result lines, sets LOST TWICE
# (figures for docs/reliability.md) and the C_* counters
c_account() {
	local dir=$1 stock=$2 name msgid sender expect bill stem n_acc=0 n_ref=0 lost=0 twice=0
	local misplaced=0 noreason=0 badreason=0 e a f
	declare -A ERRN ARCN
	while read -r f; do ERRN[$f]=$((${ERRN[$f]:-0} + 1)); done < <(find "$SPOOL/error" -maxdepth 1 -name 'E*' ! -name '*.reason' -printf '%f\n' | sed 's/^E[0-9]*_//')
	while read -r f; do ARCN[$f]=$((${ARCN[$f]:-0} + 1)); done < <(find "$SPOOL/archive" -mindepth 2 -name 'E*' -printf '%f\n' | sed 's/^E[0-9]*_//')
	while IFS=$'\t' read -r name msgid sender expect bill stem; do
		e=${ERRN[$name]:-0} a=${ARCN[$name]:-0}
		if [ $((e + a)) -eq 0 ]; then
			lost=$((lost + 1))
			[ $lost -le 3 ] && echo "# lost: $name"
			continue
		fi
		[ $((e + a)) -gt 1 ] && { twice=$((twice + 1)); echo "# $name is $((e + a)) times in error/ + archive/"; }
		if [ "$expect" = accepted ]; then
			n_acc=$((n_acc + 1))
			[ "$a" -eq 1 ] || { misplaced=$((misplaced + 1)); [ $misplaced -le 3 ] && echo "# accepted $name is in error/: $(grep -h '^code:' "$SPOOL"/error/E*_"$name".reason)"; }
		else
			n_ref=$((n_ref + 1))
			if [ "$e" -ne 1 ]; then
				misplaced=$((misplaced + 1))
				[ $misplaced -le 3 ] && echo "# refused $name is in archive/, without its reason file"
			elif ! grep -q '^code: CODE_UNKNOWN' "$SPOOL"/error/E*_"$name".reason 2>/dev/null; then
				badreason=$((badreason + 1))
			fi
		fi
	done <"$stock"
	LOST=$lost FILED_TWICE=$twice
	f=$(find "$SPOOL/inbound" "$SPOOL/work" -mindepth 1 ! -name '.*' | head -3)
	c_check "every envelope left inbound/ and work/" "$([ -z "$f" ]; echo $?)" "left: $f"
	c_check "no envelope lost" "$([ $lost -eq 0 ]; echo $?)" "$lost envelopes neither in archive/ nor in error/"
	c_check "no envelope filed twice" "$([ $twice -eq 0 ]; echo $?)" "$twice envelopes more than once in archive/ + error/"
	c_check "accepted ones in archive/, refused ones in error/ with their reason" \
		"$([ $misplaced -eq 0 ] && [ $badreason -eq 0 ]; echo $?)" \
		"$misplaced misplaced, $badreason with a wrong reason code"

	# acks and notices: every file whole (hubfiles.py), a sample (all with VERIFY_ALL=1)
	# verified by openssl cms -verify against the CA; one ack per MessageId
	python3 "$C_HERE/hubfiles.py" "$SPOOL/outbound" >"$dir/hubfiles.txt"
	local bad acks_acc acks_ref dup_agr stray sample
	bad=$(awk '$5 != 1' "$dir/hubfiles.txt" | wc -l)
	sample=$(find "$SPOOL/outbound" -type f ! -name '.*' | if [ "${VERIFY_ALL:-0}" = 1 ]; then cat; else shuf -n 200; fi)
	bad=$((bad + $(xargs -r -P "$(nproc)" -n 32 bash -c 'for f; do openssl cms -verify -CAfile "$0/ca.pem" -inform DER -binary -in "$f" -out /dev/null 2>/dev/null || echo "$f"; done' "$PKI" <<<"$sample" | wc -l)))
	c_check "every file in outbound/ is whole, and signed by the hub ($(grep -c . <<<"$sample") verified)" "$([ "$bad" -eq 0 ]; echo $?)" \
		"$bad files are partial or do not verify: $(awk '$5 != 1 {print $1}' "$dir/hubfiles.txt" | head -3 | tr '\n' ' ')"
	acks_acc=0 acks_ref=0 stray=0
	declare -A OUTC AGR_OF
	while read -r f o l g _; do
		case $f in
		ACK_CRASH-*) OUTC[${f#ACK_}]=$o; AGR_OF[${f#ACK_}]=$g ;;
		ACK_SEED-*) ;;
		ACK_*) stray=$((stray + 1)) ;;
		esac
	done <"$dir/hubfiles.txt"
	local missing=0 wrong=0 m
	while IFS=$'\t' read -r name msgid sender expect bill stem; do
		m=$msgid.p7m
		if [ -z "${OUTC[$m]:-}" ]; then
			missing=$((missing + 1))
		elif [ "${OUTC[$m]}" != "$expect" ]; then
			wrong=$((wrong + 1))
		fi
	done <"$stock"
	c_check "every envelope has its ack (ACK_<MessageId>.p7m), with the right outcome" \
		"$([ $missing -eq 0 ] && [ $wrong -eq 0 ] && [ $stray -eq 0 ]; echo $?)" \
		"$missing missing, $wrong with another outcome, $stray other ACK_ files"

	# the store: the agreements of the two letters are exactly those the acks announced
	local letters l want got
	letters=$(awk '$1 ~ /^ACK_CRASH-/ && $2 == "accepted" {print $3}' "$dir/hubfiles.txt" | sort -u)
	want=$(awk '$1 ~ /^ACK_CRASH-/ && $2 == "accepted" {print $4}' "$dir/hubfiles.txt" | tr ',' '\n' | sort)
	got=$(for l in $letters; do ctl show letter "$l" --json | jq -r '.agreements[]|tostring'; done | sort)
	dup_agr=$(uniq -d <<<"$want" | grep -c .)
	APPLIED_TWICE=$(($(grep -c . <<<"$got") - $(grep -c . <<<"$want")))
	# R7: an agreement number handed out before a kill is never handed out again after it
	c_check "R7 R25: letters hold exactly the agreements the acks announced, no number given twice (applied once: $(grep -c . <<<"$want"))" \
		"$([ "$want" = "$got" ] && [ "$dup_agr" -eq 0 ] && [ "$(grep -c . <<<"$want")" -eq $n_acc ]; echo $?)" \
		"acks announce $(grep -c . <<<"$want") agreements ($dup_agr twice), letters [$letters] hold $(grep -c . <<<"$got"), accepted envelopes $n_acc"
	# notices to the broker: one per accepted request, none twice
	want=$(awk '$1 ~ /^NTC_/ {print $4}' "$dir/hubfiles.txt" | tr ',' '\n' | grep -v '^-$' | grep . | sort)
	got=$(awk '$1 ~ /^ACK_CRASH-/ && $2 == "accepted" {print $4}' "$dir/hubfiles.txt" | tr ',' '\n' | sort)
	c_check "one notice per accepted request, none twice" "$([ "$want" = "$got" ]; echo $?)" \
		"notices name $(grep -c . <<<"$want") agreements ($(uniq -d <<<"$want" | grep -c .) twice), acks $(grep -c . <<<"$got")"
	N_ACCEPTED=$n_acc N_REFUSED=$n_ref
}

# c_verify_store — the store's databases verify (entrustctl verify, else db5.3_verify)
c_verify_store() {
	local f out rc=0
	if out=$(ctl verify 2>&1); then
		c_ok "store verifies (entrustctl verify)"
		return
	fi
	for f in "$STORE"/*.db; do
		db5.3_verify -q -h "$STORE" "$(basename "$f")" >/dev/null 2>&1 || { rc=1; out="$out $(basename "$f")"; }
	done
	c_check "store verifies (db5.3_verify)" $rc "bad:$out"
}

# c_staging_left — staging files (.name.tmp) left anywhere in the spool
c_staging_left() {
	find "$SPOOL" -name '.*.tmp' | wc -l
}

# c_shim — path of the fault-injection library, built (again) when faultshim.c is newer
c_shim() {
	local so=${FAULTSHIM:-$H_REPO/build/crash/faultshim.so}
	if [ ! "$so" -nt "$C_HERE/faultshim.c" ]; then
		mkdir -p "$(dirname "$so")" && cc -shared -fPIC -O2 -Wall -Wno-format-truncation -o "$so" "$C_HERE/faultshim.c" -ldl >&2 || return 1
	fi
	echo "$so"
}
