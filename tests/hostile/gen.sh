#!/usr/bin/env bash
# tests/hostile/gen.sh — generate the hostile-input corpus: envelopes, files and file
# names that entrustd must refuse (or leave alone), each with the outcome it must have.
# 生成敌意输入样本库：每个样本附带期望结果。
#
# usage: tests/hostile/gen.sh pki PKIDIR REGISTRY
#          extra certificates (expired, not yet valid, wrong key usage, rogue CA, self-signed,
#          issued by an end entity, revoked, bound twice…) and their registry lines
#        tests/hostile/gen.sh corpus PKIDIR OUTDIR
#          the cases, in OUTDIR/files/ (and OUTDIR/outside/ for link targets), listed in
#          OUTDIR/cases.tsv; rule cases refer to the store the runner seeded, through the
#          environment: L1 A1 A2 (letter 1101230001↔4101W68006, A1 in status 0 initiated by
#          the consignor, A2 confirmed: status 1), L3 A3 (1101230003↔4101W68006, A3 in 0,
#          paid by the consignor, who has no units), REPLAY_OK / REPLAY_REFUSED (envelopes
#          that were accepted / refused, with their MessageIds MSG_OK / MSG_REFUSED).
#
# cases.tsv, one case per line, tab-separated:
#   class  name  expect  ack  msgid  setup  gap
#   name    file name in inbound/ ("hex:…" when it holds control characters)
#   expect  a reason code, several separated by "|", "refused" (any reason code),
#           "replay" (archived, the first answer again, no effect), "accepted" (archived),
#           "ignored" (left alone in inbound/, never answered)
#   ack     customs code that must get a signed negative ack ("-": nobody may get one)
#   msgid   MessageId the ack is named after ("-": ACK_<ID>.p7m)
#   setup   drop (temp name + rename), symlink:T, hardlink:T, dir, fifo, socket, chardev,
#           sparse:BYTES, inplace, replay (after the rest), burst (together, after replays),
#           big (alone, time and RSS measured), grow-settle,
#           grow-stall, grow-forever, rewrite, held-open
#   gap     "-", or the known gap in the daemon when it does not do what the issue asks
#           (reported as KNOWN-GAP, not as a failure, unless STRICT=1)
set -u
export LC_ALL=C
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

die() {
	echo "gen.sh: $*" >&2
	exit 1
}

# ---------------------------------------------------------------------------------------
# extra certificates

# x_req DIR STEM SUBJECT — key (P-256) and CSR
x_req() {
	h_eckey "$1/$2.key" &&
		openssl req -new -config "$1/x.cnf" -utf8 -key "$1/$2.key" -subj "$3" -out "$1/$2.csr" 2>/dev/null
}

# x_ca_sign DIR STEM EXT START END — certificate from the trusted CA with chosen dates
x_ca_sign() {
	openssl ca -batch -config "$1/x.cnf" -notext -extensions "$3" -startdate "$4" -enddate "$5" \
		-in "$1/$2.csr" -out "$1/$2.pem" >/dev/null 2>&1
}

# x_issue DIR STEM EXT ISSUER-CERT ISSUER-KEY — certificate valid now, signed by ISSUER
x_issue() {
	openssl x509 -req -in "$1/$2.csr" -CA "$4" -CAkey "$5" -set_serial "0x$(openssl rand -hex 8)" \
		-days 365 -extfile "$1/x.cnf" -extensions "$3" -out "$1/$2.pem" 2>/dev/null
}

gen_pki() {
	local pki=$1 reg=$2 x=$1/x
	[ -f "$x/done" ] && return 0
	mkdir -p "$x/new" && : >"$x/index.txt" && echo 1000 >"$x/serial" || die "cannot write $x"
	cat >"$x/x.cnf" <<EOF
[ req ]
distinguished_name = dn
string_mask = utf8only
prompt = no
[ dn ]
CN = x
[ ca ]
default_ca = hca
[ hca ]
dir = $x
database = $x/index.txt
new_certs_dir = $x/new
serial = $x/serial
certificate = $pki/ca.pem
private_key = $pki/ca.key
default_md = sha256
default_crl_days = 30
policy = anything
unique_subject = no
copy_extensions = none
[ anything ]
commonName = supplied
organizationName = optional
[ ee ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection
[ ee_keyenc ]
basicConstraints = CA:FALSE
keyUsage = critical, keyEncipherment
[ ee_dataenc ]
basicConstraints = CA:FALSE
keyUsage = critical, dataEncipherment
[ ee_server ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
[ ee_code ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
[ ca_only ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
EOF
	# dated certificates from the trusted CA (openssl ca: -startdate/-enddate)
	x_req "$x" expired "/O=x/CN=$C1" && x_ca_sign "$x" expired ee 20200101000000Z 20210101000000Z || die expired
	x_req "$x" expired1h "/O=x/CN=$C1" &&
		x_ca_sign "$x" expired1h ee "$(date -u -d '-30 days' +%Y%m%d%H%M%SZ)" "$(date -u -d '-1 hour' +%Y%m%d%H%M%SZ)" || die expired1h
	x_req "$x" notyet "/O=x/CN=$C1" && x_ca_sign "$x" notyet ee 20990101000000Z 21000101000000Z || die notyet
	x_req "$x" notyet1d "/O=x/CN=$C1" &&
		x_ca_sign "$x" notyet1d ee "$(date -u -d '+1 day' +%Y%m%d%H%M%SZ)" "$(date -u -d '+400 days' +%Y%m%d%H%M%SZ)" || die notyet1d
	# wrong key usage, from the trusted CA
	for e in keyenc dataenc server code; do
		x_req "$x" "ku_$e" "/O=x/CN=$C1" && x_issue "$x" "ku_$e" "ee_$e" "$pki/ca.pem" "$pki/ca.key" || die "ku_$e"
	done
	x_req "$x" ku_ca "/O=x/CN=$C1" && x_issue "$x" ku_ca ca_only "$pki/ca.pem" "$pki/ca.key" || die ku_ca
	# a rogue CA, a rogue CA named like ours, and their leaves for 1101230001
	h_eckey "$x/rogueca.key" && openssl req -new -x509 -config "$x/x.cnf" -key "$x/rogueca.key" \
		-subj "/O=rogue/CN=rogue CA" -days 365 -extensions ca_only -out "$x/rogueca.pem" 2>/dev/null || die rogueca
	h_eckey "$x/twinca.key" && openssl req -new -x509 -config "$x/x.cnf" -key "$x/twinca.key" \
		-subj "$(openssl x509 -in "$pki/ca.pem" -noout -subject -nameopt compat | sed 's/^subject=//')" \
		-days 365 -extensions ca_only -out "$x/twinca.pem" 2>/dev/null || die twinca
	x_req "$x" rogue "/O=x/CN=$C1" && x_issue "$x" rogue ee "$x/rogueca.pem" "$x/rogueca.key" || die rogue
	x_req "$x" twinleaf "/O=x/CN=$C1" && x_issue "$x" twinleaf ee "$x/twinca.pem" "$x/twinca.key" || die twinleaf
	# weak keys and weak certificate signatures from the trusted CA (security level 2)
	openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$x/rsa1024.key" &&
		openssl req -new -config "$x/x.cnf" -key "$x/rsa1024.key" -subj "/O=x/CN=$C1" -out "$x/rsa1024.csr" 2>/dev/null &&
		x_issue "$x" rsa1024 ee "$pki/ca.pem" "$pki/ca.key" || die rsa1024
	x_req "$x" sha1cert "/O=x/CN=$C1" && openssl x509 -req -sha1 -in "$x/sha1cert.csr" -CA "$pki/ca.pem" \
		-CAkey "$pki/ca.key" -set_serial "0x$(openssl rand -hex 8)" -days 365 -extfile "$x/x.cnf" \
		-extensions ee -out "$x/sha1cert.pem" 2>/dev/null || die sha1cert
	# self-signed leaves for 1101230001
	h_eckey "$x/self.key" && openssl req -new -x509 -config "$x/x.cnf" -key "$x/self.key" \
		-subj "/O=x/CN=$C1" -days 365 -extensions ee -out "$x/self.pem" 2>/dev/null || die self
	openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$x/selfrsa.key" &&
		openssl req -new -x509 -config "$x/x.cnf" -key "$x/selfrsa.key" -subj "/CN=$C1" -days 365 \
			-out "$x/selfrsa.pem" 2>/dev/null || die selfrsa
	# issued by an end entity (the consignor's own certificate used as a CA)
	x_req "$x" eeissued "/O=x/CN=$C2" && x_issue "$x" eeissued ee "$pki/consignor.pem" "$pki/consignor.key" || die eeissued
	# trusted but unbound; bound to two parties; revoked (bound to 1101230006)
	x_req "$x" stranger "/O=x/CN=$C1" && x_issue "$x" stranger ee "$pki/ca.pem" "$pki/ca.key" || die stranger
	x_req "$x" twin "/O=x/CN=1101230004" && x_issue "$x" twin ee "$pki/ca.pem" "$pki/ca.key" || die twin
	x_req "$x" revoked "/O=x/CN=1101230006" && x_ca_sign "$x" revoked ee \
		"$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)" "$(date -u -d '+365 days' +%Y%m%d%H%M%SZ)" || die revoked
	openssl ca -batch -config "$x/x.cnf" -revoke "$x/revoked.pem" -crl_reason keyCompromise >/dev/null 2>&1 &&
		openssl ca -batch -config "$x/x.cnf" -gencrl -out "$pki/crl.pem" >/dev/null 2>&1 || die crl
	{
		echo "1101230004 consignor $(h_fpr "$x/twin.pem") 双重登记甲"
		echo "1101230005 consignor $(h_fpr "$x/twin.pem") 双重登记乙"
		echo "1101230006 consignor $(h_fpr "$x/revoked.pem") 证书已吊销公司"
	} >>"$reg" || die "cannot write $reg"
	: >"$x/done"
}

# ---------------------------------------------------------------------------------------
# the corpus

N=0
case_add() {	# class name expect ack msgid setup gap
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "${6:-drop}" "${7:--}" >>"$OUT/cases.tsv"
	N=$((N + 1))
}

# sig STEM DOC OUT [FORM] [CERTDIR] [cms options] — sign (stems of gen_pki live in PKI/x)
sig() {
	local stem=$1 doc=$2 out=$3 form=${4:-DER} dir=${5:-$PKI}
	shift 5 2>/dev/null || shift $#
	openssl cms -sign -nodetach -binary -signer "$dir/$stem.pem" -inkey "$dir/$stem.key" \
		-in "$doc" -outform "$form" -out "$out" "$@" 2>>"$OUT/openssl.log" || die "cannot sign $out"
}

# A request an attacker would like applied: one agreement appended to the live letter
# 1101230001↔4101W68006 (or a new one).  If the daemon ever let it through, the store would
# change and the canary at the end of the run would show it.
attack_doc() {	# MSGID [SENDER]
	h_request_xml "$1" "${2:-$C1}" "$C1" "$BR" append "$(h_agreement_xml x 笔记本电脑 consignor 0 ATTACK-$1)"
}

# A harmless query: for the gap classes, so that a wrongly accepted envelope changes nothing.
query_doc() {	# MSGID [SENDER]
	h_doc Query "$1" "${2:-$C1}" "  <AccountQuery/>"
}

F() { echo "$OUT/files/$1"; }

flip() {	# FILE OFFSET — xor one byte with 0x01
	local b
	b=$(od -An -tx1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "\\x$(printf %02x $((0x$b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

truncate_to() {	# SRC DST BYTES
	head -c "$3" "$1" >"$2"
}

gen_envelope_classes() {
	local d=$OUT/docs i n f len off s
	attack_doc HOS-ENV-RSA >"$d/env.xml"
	sig consignor "$d/env.xml" "$d/good-rsa.p7m"
	attack_doc HOS-ENV-EC "$C2" >"$d/env-ec.xml"
	sig consignor2 "$d/env-ec.xml" "$d/good-ec.p7m"
	sig consignor "$d/env.xml" "$d/good-rsa.pem" PEM

	# garbage
	for n in 1 2 3 16 100 1000 4096 65536 1048576; do
		head -c "$n" /dev/urandom >"$(F "garbage-$n.p7m")"
		case_add garbage "garbage-$n.p7m" ENV_UNREADABLE - -
	done
	head -c 4096 /dev/zero >"$(F garbage-zero.p7m)" && case_add garbage garbage-zero.p7m ENV_UNREADABLE - -
	head -c 4096 /dev/zero | tr '\0' '\377' >"$(F garbage-ff.p7m)" && case_add garbage garbage-ff.p7m ENV_UNREADABLE - -
	printf '\n' >"$(F garbage-newline.p7m)" && case_add garbage garbage-newline.p7m ENV_UNREADABLE - -
	head -c 2048 /bin/sh >"$(F garbage-elf.p7m)" && case_add garbage garbage-elf.p7m ENV_UNREADABLE - -

	# empty
	: >"$(F empty.p7m)" && case_add empty empty.p7m FILE_EMPTY - -
	: >"$(F empty.pem)" && case_add empty empty.pem FILE_EMPTY - -

	# truncated DER (RSA and EC signers)
	for s in rsa ec; do
		len=$(stat -c %s "$d/good-$s.p7m")
		for n in 1 2 4 16 64 256 512 $((len / 2)) $((len - 64)) $((len - 1)); do
			truncate_to "$d/good-$s.p7m" "$(F "trunc-$s-$n.p7m")" "$n"
			case_add truncated-der "trunc-$s-$n.p7m" ENV_UNREADABLE - -
		done
	done

	# broken PEM
	f=$d/good-rsa.pem
	head -1 "$f" >"$(F pem-header-only.pem)"
	{ head -1 "$f"; tail -1 "$f"; } >"$(F pem-no-body.pem)"
	head -n $(($(wc -l <"$f") / 2)) "$f" >"$(F pem-half.pem)"
	head -n -1 "$f" >"$(F pem-no-footer.pem)"
	sed '3s/^..../!!!!/' "$f" >"$(F pem-bad-base64.pem)"
	sed '1s/CMS/X509 CRL/; $s/CMS/X509 CRL/' "$f" >"$(F pem-wrong-label.pem)"
	cp "$PKI/consignor.pem" "$(F pem-certificate.pem)"
	cp "$PKI/consignor.key" "$(F pem-private-key.pem)"
	sed '2,4d' "$f" >"$(F pem-lines-missing.pem)"
	for n in pem-header-only pem-no-body pem-half pem-no-footer pem-bad-base64 pem-wrong-label \
		pem-certificate pem-private-key pem-lines-missing; do
		case_add broken-pem "$n.pem" ENV_UNREADABLE - -
	done

	# malformed ASN.1
	printf '\x30\x00' >"$(F asn1-empty-seq.p7m)"
	printf '\x30\x80\x00\x00' >"$(F asn1-indef-empty.p7m)"
	printf '\x30\x84\x7f\xff\xff\xff\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02' >"$(F asn1-huge-length.p7m)"
	printf '\x30\x89\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00' >"$(F asn1-length-overflow.p7m)"
	python3 -c 'import sys; sys.stdout.buffer.write(b"\x30\x80" * 5000 + b"\x00\x00" * 5000)' >"$(F asn1-deep-indef.p7m)"
	python3 -c '
import sys
b = b"\x05\x00"
for _ in range(200):
    n = len(b)
    b = b"\x30" + (bytes([n]) if n < 128 else bytes([0x82, n >> 8, n & 255])) + b if n < 65536 else b
sys.stdout.buffer.write(b)' >"$(F asn1-deep-definite.p7m)"
	printf '\x30\x0d\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02\xa0\x00' >"$(F asn1-signed-empty.p7m)"
	printf '\x30\x10\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02\xa0\x03\x02\x01\x05' >"$(F asn1-signed-integer.p7m)"
	printf '\x30\x0e\x06\x08\x2b\x06\x01\x04\x01\x82\x37\x01\xa0\x02\x05\x00' >"$(F asn1-unknown-oid.p7m)"
	python3 -c 'import sys; sys.stdout.buffer.write(b"\x30\x82\x01\x04\x06\x82\x01\x00" + b"\x81" * 255 + b"\x01")' >"$(F asn1-huge-oid.p7m)"
	cp "$d/good-rsa.p7m" "$(F asn1-wrong-outer-tag.p7m)" && printf '\x31' | dd of="$(F asn1-wrong-outer-tag.p7m)" bs=1 seek=0 conv=notrunc status=none
	for n in asn1-empty-seq asn1-indef-empty asn1-huge-length asn1-length-overflow asn1-deep-indef \
		asn1-deep-definite asn1-signed-empty asn1-signed-integer asn1-huge-oid asn1-wrong-outer-tag; do
		case_add malformed-asn1 "$n.p7m" ENV_UNREADABLE - -
	done
	case_add malformed-asn1 asn1-unknown-oid.p7m "ENV_NOT_SIGNED|ENV_UNREADABLE" - -	# a ContentInfo of another type

	# other DER/PEM objects, and plain XML
	openssl x509 -in "$PKI/consignor.pem" -outform DER -out "$(F obj-cert.der)"
	openssl crl -in "$PKI/crl.pem" -outform DER -out "$(F obj-crl.der)"
	openssl pkey -in "$PKI/consignor.key" -outform DER -out "$(F obj-key.der)"
	openssl req -new -config "$PKI/x/x.cnf" -key "$PKI/consignor.key" -subj "/CN=x" -outform DER -out "$(F obj-csr.der)" 2>/dev/null
	cp "$d/env.xml" "$(F obj-plain.xml)"
	gzip -c "$d/good-rsa.p7m" >"$(F obj-gzip.p7m)"
	for n in obj-cert.der obj-crl.der obj-key.der obj-csr.der obj-plain.xml obj-gzip.p7m; do
		case_add not-cms "$n" ENV_UNREADABLE - -
	done

	# wrong CMS content type
	openssl cms -encrypt -binary -in "$d/env.xml" -outform DER -out "$(F ct-enveloped.p7m)" -aes256 "$PKI/hub.pem" 2>>"$OUT/openssl.log"
	openssl cms -encrypt -binary -in "$d/env.xml" -outform PEM -out "$(F ct-enveloped.pem)" -aes256 "$PKI/hub.pem" 2>>"$OUT/openssl.log"
	openssl cms -digest_create -binary -in "$d/env.xml" -outform DER -out "$(F ct-digested.p7m)" 2>>"$OUT/openssl.log"
	openssl cms -data_create -binary -in "$d/env.xml" -outform DER -out "$(F ct-data.p7m)" 2>>"$OUT/openssl.log"
	openssl cms -data_create -binary -in "$d/env.xml" -outform PEM -out "$(F ct-data.pem)" 2>>"$OUT/openssl.log"
	openssl cms -EncryptedData_encrypt -binary -aes-128-cbc -secretkey 000102030405060708090a0b0c0d0e0f \
		-in "$d/env.xml" -outform DER -out "$(F ct-encrypted.p7m)" 2>>"$OUT/openssl.log"
	for n in ct-enveloped.p7m ct-enveloped.pem ct-digested.p7m ct-data.p7m ct-data.pem ct-encrypted.p7m; do
		[ -s "$(F "$n")" ] && case_add wrong-content-type "$n" ENV_NOT_SIGNED - -
	done

	# detached signatures, and a certificates-only (degenerate) SignedData
	openssl cms -sign -binary -signer "$PKI/consignor.pem" -inkey "$PKI/consignor.key" -in "$d/env.xml" -outform DER -out "$(F detached.p7m)"
	openssl cms -sign -binary -signer "$PKI/consignor.pem" -inkey "$PKI/consignor.key" -in "$d/env.xml" -outform PEM -out "$(F detached.pem)"
	openssl cms -sign -binary -noattr -signer "$PKI/consignor.pem" -inkey "$PKI/consignor.key" -in "$d/env.xml" -outform DER -out "$(F detached-noattr.p7m)"
	openssl cms -sign -binary -signer "$PKI/consignor2.pem" -inkey "$PKI/consignor2.key" -in "$d/env-ec.xml" -outform DER -out "$(F detached-ec.p7m)"
	openssl crl2pkcs7 -nocrl -certfile "$PKI/consignor.pem" -outform DER -out "$(F detached-certs-only.p7m)"
	for n in detached.p7m detached.pem detached-noattr.p7m detached-ec.p7m detached-certs-only.p7m; do
		case_add detached "$n" ENV_DETACHED - -
	done

	# several (or no) signers
	openssl cms -sign -nodetach -binary -in "$d/env.xml" -outform DER -out "$(F signers-2.p7m)" \
		-signer "$PKI/consignor.pem" -inkey "$PKI/consignor.key" -signer "$PKI/consignor2.pem" -inkey "$PKI/consignor2.key"
	openssl cms -sign -nodetach -binary -in "$d/env.xml" -outform DER -out "$(F signers-two-parties.p7m)" \
		-signer "$PKI/consignor.pem" -inkey "$PKI/consignor.key" -signer "$PKI/broker.pem" -inkey "$PKI/broker.key"
	openssl cms -sign -nodetach -binary -in "$d/env.xml" -outform DER -out "$(F signers-3.p7m)" \
		-signer "$PKI/consignor.pem" -inkey "$PKI/consignor.key" -signer "$PKI/consignor2.pem" -inkey "$PKI/consignor2.key" \
		-signer "$PKI/broker.pem" -inkey "$PKI/broker.key"
	openssl cms -sign -nodetach -binary -in "$d/env.xml" -outform DER -out "$(F signers-with-stranger.p7m)" \
		-signer "$PKI/consignor.pem" -inkey "$PKI/consignor.key" -signer "$PKI/x/stranger.pem" -inkey "$PKI/x/stranger.key"
	python3 "$HERE/der.py" nosigners "$d/good-rsa.p7m" "$(F signers-0.p7m)" || die nosigners
	for n in signers-2 signers-two-parties signers-3 signers-with-stranger signers-0; do
		case_add signer-count "$n.p7m" ENV_SIGNER_COUNT - -
	done

	# eContentType other than id-data (docs/protocol.md §2.1 asks for id-data)
	query_doc HOS-ECT-1 >"$d/ect1.xml"
	query_doc HOS-ECT-2 >"$d/ect2.xml"
	query_doc HOS-ECT-3 >"$d/ect3.xml"
	sig consignor "$d/ect1.xml" "$(F econtent-private-oid.p7m)" DER "$PKI" -econtent_type 1.2.3.4
	sig consignor "$d/ect2.xml" "$(F econtent-tstinfo.p7m)" DER "$PKI" -econtent_type 1.2.840.113549.1.9.16.1.4
	sig consignor "$d/ect3.xml" "$(F econtent-signeddata.p7m)" DER "$PKI" -econtent_type 1.2.840.113549.1.7.2
	for n in econtent-private-oid econtent-tstinfo econtent-signeddata; do
		case_add econtent-type "$n.p7m" ENV_NOT_SIGNED - -
	done

	# tampered content, signature, signed attributes and certificate
	for s in rsa ec; do
		for n in 1 2 3; do
			f=$(F "tamper-content-$s-$n.p7m")
			cp "$d/good-$s.p7m" "$f"
			off=$(python3 "$HERE/der.py" offset "$f" content)
			flip "$f" $((off - 200 + 120 * n))
			case_add tampered-content "tamper-content-$s-$n.p7m" SIG_INVALID - -
		done
		f=$(F "tamper-sig-$s.p7m") && cp "$d/good-$s.p7m" "$f" && flip "$f" "$(python3 "$HERE/der.py" offset "$f" sig)"
		case_add tampered-signature "tamper-sig-$s.p7m" SIG_INVALID - -
		f=$(F "tamper-msgdigest-$s.p7m") && cp "$d/good-$s.p7m" "$f" && flip "$f" "$(python3 "$HERE/der.py" offset "$f" msgdigest)"
		case_add tampered-signature "tamper-msgdigest-$s.p7m" SIG_INVALID - -
		f=$(F "tamper-certkey-$s.p7m") && cp "$d/good-$s.p7m" "$f" && flip "$f" "$(python3 "$HERE/der.py" offset "$f" cert-key)"
		case_add tampered-certificate "tamper-certkey-$s.p7m" SIG_INVALID - -
		f=$(F "tamper-certsig-$s.p7m") && cp "$d/good-$s.p7m" "$f" && flip "$f" "$(python3 "$HERE/der.py" offset "$f" cert-sig)"
		case_add tampered-certificate "tamper-certsig-$s.p7m" CERT_UNTRUSTED - -
		f=$(F "tamper-certserial-$s.p7m") && cp "$d/good-$s.p7m" "$f" && flip "$f" "$(python3 "$HERE/der.py" offset "$f" cert-serial)"
		case_add tampered-certificate "tamper-certserial-$s.p7m" SIG_INVALID - -
	done

	# the signer certificate left out of the envelope (-nocerts)
	sig consignor "$d/env.xml" "$(F nocerts-rsa.p7m)" DER "$PKI" -nocerts
	sig consignor2 "$d/env-ec.xml" "$(F nocerts-ec.p7m)" DER "$PKI" -nocerts
	case_add signer-cert-missing nocerts-rsa.p7m SIG_INVALID - -
	case_add signer-cert-missing nocerts-ec.p7m SIG_INVALID - -

	# not in the trust store
	sig rogue "$d/env.xml" "$(F rogue-ca.p7m)" DER "$PKI/x"
	sig rogue "$d/env.xml" "$(F rogue-ca-embedded.p7m)" DER "$PKI/x" -certfile "$PKI/x/rogueca.pem"
	sig twinleaf "$d/env.xml" "$(F rogue-ca-same-name.p7m)" DER "$PKI/x" -certfile "$PKI/x/twinca.pem"
	sig rogue "$d/env.xml" "$(F rogue-ca.pem)" PEM "$PKI/x"
	for n in rogue-ca.p7m rogue-ca-embedded.p7m rogue-ca-same-name.p7m rogue-ca.pem; do
		case_add unknown-ca "$n" CERT_UNTRUSTED - -
	done
	sig self "$d/env.xml" "$(F self-signed-ec.p7m)" DER "$PKI/x"
	sig selfrsa "$d/env.xml" "$(F self-signed-rsa.p7m)" DER "$PKI/x"
	sig self "$d/env.xml" "$(F self-signed-with-ca.p7m)" DER "$PKI/x" -certfile "$PKI/ca.pem"
	for n in self-signed-ec self-signed-rsa self-signed-with-ca; do
		case_add self-signed "$n.p7m" CERT_UNTRUSTED - -
	done
	sig eeissued "$d/env-ec.xml" "$(F ee-as-ca.p7m)" DER "$PKI/x" -certfile "$PKI/consignor.pem"
	sig eeissued "$d/env-ec.xml" "$(F ee-as-ca-alone.p7m)" DER "$PKI/x"
	case_add issued-by-end-entity ee-as-ca.p7m CERT_UNTRUSTED - -
	case_add issued-by-end-entity ee-as-ca-alone.p7m CERT_UNTRUSTED - -

	# validity period
	for s in expired expired1h; do
		sig "$s" "$d/env.xml" "$(F "$s.p7m")" DER "$PKI/x"
		sig "$s" "$d/env.xml" "$(F "$s.pem")" PEM "$PKI/x"
		case_add expired "$s.p7m" CERT_EXPIRED - -
		case_add expired "$s.pem" CERT_EXPIRED - -
	done
	for s in notyet notyet1d; do
		sig "$s" "$d/env.xml" "$(F "$s.p7m")" DER "$PKI/x"
		sig "$s" "$d/env.xml" "$(F "$s.pem")" PEM "$PKI/x"
		case_add not-yet-valid "$s.p7m" CERT_NOT_YET_VALID - -
		case_add not-yet-valid "$s.pem" CERT_NOT_YET_VALID - -
	done

	# key usage
	for s in ku_keyenc ku_dataenc ku_server ku_code ku_ca; do
		sig "$s" "$d/env.xml" "$(F "$s.p7m")" DER "$PKI/x"
		case_add key-usage "$s.p7m" CERT_PURPOSE - -
	done

	# weak key (RSA 1024) and a certificate signed with SHA-1 by the trusted CA
	sig rsa1024 "$d/env.xml" "$(F weak-key-rsa1024.p7m)" DER "$PKI/x"
	sig rsa1024 "$d/env.xml" "$(F weak-key-rsa1024.pem)" PEM "$PKI/x"
	sig sha1cert "$d/env.xml" "$(F weak-cert-sha1.p7m)" DER "$PKI/x"
	case_add weak-key weak-key-rsa1024.p7m CERT_UNTRUSTED - -
	case_add weak-key weak-key-rsa1024.pem CERT_UNTRUSTED - -
	case_add weak-key weak-cert-sha1.p7m SIG_ALGORITHM - -

	# trusted, but bound to nobody, or to two parties
	sig stranger "$d/env.xml" "$(F unbound-stranger.p7m)" DER "$PKI/x"
	sig hub "$d/env.xml" "$(F unbound-hub-cert.p7m)"
	case_add signer-unbound unbound-stranger.p7m SIGNER_UNBOUND - -
	case_add signer-unbound unbound-hub-cert.p7m SIGNER_UNBOUND - -
	query_doc HOS-TWIN-1 1101230004 >"$d/twin.xml"
	sig twin "$d/twin.xml" "$(F ambiguous-twin.p7m)" DER "$PKI/x"
	sig twin "$d/twin.xml" "$(F ambiguous-twin.pem)" PEM "$PKI/x"
	case_add signer-ambiguous ambiguous-twin.p7m SIGNER_AMBIGUOUS - -
	case_add signer-ambiguous ambiguous-twin.pem SIGNER_AMBIGUOUS - -

	# harmless queries, so that a wrong acceptance would change nothing
	query_doc HOS-REVOKED-1 1101230006 >"$d/rev1.xml"
	query_doc HOS-REVOKED-2 1101230006 >"$d/rev2.xml"
	sig revoked "$d/rev1.xml" "$(F revoked.p7m)" DER "$PKI/x"
	sig revoked "$d/rev2.xml" "$(F revoked.pem)" PEM "$PKI/x"
	case_add revoked revoked.p7m CERT_REVOKED - -
	case_add revoked revoked.pem CERT_REVOKED - -
	for s in md5 sha1 sha224; do
		query_doc "HOS-DIGEST-$s" >"$d/dg-$s.xml"
		sig consignor "$d/dg-$s.xml" "$(F "digest-$s.p7m")" DER "$PKI" -md "$s"
		case_add weak-digest "digest-$s.p7m" SIG_ALGORITHM - -
	done
	for s in 19900101000000 20491231235959 20990101000000; do
		query_doc "HOS-STIME-$s" >"$d/st-$s.xml"
		sig consignor "$d/st-$s.xml" "$d/st-$s.p7m"
		python3 "$HERE/der.py" signtime "$d/st-$s.p7m" "$(F "signing-time-$s.p7m")" "$PKI/consignor.key" "$s" || die signtime
		case_add signing-time "signing-time-$s.p7m" SIG_TIME - -
	done
	for s in 1 2; do
		query_doc "HOS-TRAIL-$s" >"$d/tr-$s.xml"
		sig consignor "$d/tr-$s.xml" "$(F "trailing-data-$s.p7m")"
		[ $s = 1 ] && printf 'GARBAGE' >>"$(F "trailing-data-$s.p7m")"
		[ $s = 2 ] && head -c 4096 /dev/urandom >>"$(F "trailing-data-$s.p7m")"
		case_add trailing-data "trailing-data-$s.p7m" ENV_UNREADABLE - -
	done
}

# xml CLASS NAME EXPECT MSGID [GAP] — sign $d/x.xml as the consignor and add the case
xml_case() {
	sig consignor "$OUT/docs/x.xml" "$(F "$2")"
	case_add "$1" "$2" "$3" "$C1" "$4" drop "${5:--}"
}

gen_xml_classes() {
	local d=$OUT/docs x=$OUT/docs/x.xml body i
	body=$(attack_doc HOS-XML | sed 1d)	# without the XML declaration
	decl='<?xml version="1.0" encoding="UTF-8"?>'

	# DOCTYPE in all its forms
	printf '%s\n<!DOCTYPE EntrustRequest>\n%s\n' "$decl" "$body" >"$x" && xml_case doctype doctype-plain.p7m XML_FORBIDDEN -
	printf '%s\n<!DOCTYPE EntrustRequest [ <!ELEMENT EntrustRequest ANY> ]>\n%s\n' "$decl" "$body" >"$x" && xml_case doctype doctype-internal.p7m XML_FORBIDDEN -
	printf '%s\n<!-- a comment first -->\n<!DOCTYPE EntrustRequest>\n%s\n' "$decl" "$body" >"$x" && xml_case doctype doctype-after-comment.p7m XML_FORBIDDEN -
	printf '%s\n<!DOCTYPE EntrustRequest SYSTEM "file:///etc/passwd">\n%s\n' "$decl" "$body" >"$x" && xml_case doctype doctype-system.p7m XML_FORBIDDEN -
	printf '%s\n<!DOCTYPE EntrustRequest PUBLIC "-//X//Y" "http://127.0.0.1:9/x.dtd">\n%s\n' "$decl" "$body" >"$x" && xml_case doctype doctype-public-http.p7m XML_FORBIDDEN -
	printf '<!DOCTYPE EntrustRequest>\n%s\n' "$body" >"$x" && xml_case doctype doctype-no-decl.p7m XML_FORBIDDEN -

	# external entities
	printf '%s\n<!DOCTYPE r [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n%s\n' "$decl" "$(sed 's#<GoodsName>[^<]*#<GoodsName>\&xxe;#' <<<"$body")" >"$x" && xml_case xxe xxe-file.p7m XML_FORBIDDEN -
	printf '%s\n<!DOCTYPE r [ <!ENTITY xxe SYSTEM "http://127.0.0.1:9/secret"> ]>\n%s\n' "$decl" "$(sed 's#<GoodsName>[^<]*#<GoodsName>\&xxe;#' <<<"$body")" >"$x" && xml_case xxe xxe-http.p7m XML_FORBIDDEN -
	printf '%s\n<!DOCTYPE r [ <!ENTITY %% p SYSTEM "file:///etc/passwd"> %%p; ]>\n%s\n' "$decl" "$body" >"$x" && xml_case xxe xxe-parameter.p7m XML_FORBIDDEN -
	printf '%s\n<!DOCTYPE r [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n%s\n' "$decl" "$(sed 's#ref="x"#ref="\&xxe;"#' <<<"$body")" >"$x" && xml_case xxe xxe-attribute.p7m XML_FORBIDDEN -
	printf '%s\n<!DOCTYPE r [ <!ENTITY xxe SYSTEM "/proc/self/environ"> ]>\n%s\n' "$decl" "$(sed 's#<GoodsName>[^<]*#<GoodsName>\&xxe;#' <<<"$body")" >"$x" && xml_case xxe xxe-proc.p7m XML_FORBIDDEN -

	# entity expansion
	{
		echo "$decl"
		echo '<!DOCTYPE lolz ['
		echo ' <!ENTITY lol "lol">'
		for i in 1 2 3 4 5 6 7 8 9; do
			printf ' <!ENTITY lol%d "%s">\n' "$i" "$(printf '&lol%s;' $(for _ in 1 2 3 4 5 6 7 8 9 10; do echo $((i - 1)); done) | sed 's/&lol0;/\&lol;/g')"
		done
		echo ']>'
		sed 's#<GoodsName>[^<]*#<GoodsName>\&lol9;#' <<<"$body"
	} >"$x" && xml_case billion-laughs billion-laughs.p7m XML_FORBIDDEN -
	{
		echo "$decl"
		printf '<!DOCTYPE r [ <!ENTITY a "%s"> ]>\n' "$(head -c 50000 /dev/zero | tr '\0' a)"
		sed "s#<GoodsName>[^<]*#<GoodsName>$(for _ in $(seq 500); do printf '\&a;'; done)#" <<<"$body"
	} >"$x" && xml_case billion-laughs quadratic-blowup.p7m XML_FORBIDDEN -
	printf '%s\n<!DOCTYPE r [ <!ENTITY a "&b;"> <!ENTITY b "&a;"> ]>\n%s\n' "$decl" "$(sed 's#<GoodsName>[^<]*#<GoodsName>\&a;#' <<<"$body")" >"$x" && xml_case billion-laughs recursive-entity.p7m XML_FORBIDDEN -

	# entities without a DOCTYPE
	printf '%s\n<!ENTITY x "y">\n%s\n' "$decl" "$body" >"$x" && xml_case entity-no-doctype entity-decl-in-body.p7m XML_FORBIDDEN -
	printf '%s\n%s\n' "$decl" "$(sed 's#<GoodsName>[^<]*#<GoodsName>\&undefined;#' <<<"$body")" >"$x" &&
		xml_case entity-no-doctype entity-undefined.p7m XML_FORBIDDEN -
	printf '%s\n%s\n' "$decl" "$(sed 's#<GoodsName>[^<]*#<GoodsName>\&#0;#' <<<"$body")" >"$x" && xml_case entity-no-doctype charref-nul.p7m XML_MALFORMED -

	# XInclude is never processed: the element is just not in the schema
	printf '%s\n%s\n' "$decl" "$(sed 's#<GoodsName>[^<]*</GoodsName>#<GoodsName><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/></GoodsName>#' <<<"$body")" >"$x" && xml_case xinclude xinclude-text.p7m XML_INVALID -
	printf '%s\n%s\n' "$decl" "$(sed 's#</Header>#</Header><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="http://127.0.0.1:9/x.xml"/>#' <<<"$body")" >"$x" && xml_case xinclude xinclude-http.p7m XML_INVALID -
	printf '%s\n%s\n' "$decl" "$(sed 's#<GoodsName>[^<]*</GoodsName>#<GoodsName><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="/etc/passwd" parse="text"><xi:fallback>x</xi:fallback></xi:include></GoodsName>#' <<<"$body")" >"$x" && xml_case xinclude xinclude-fallback.p7m XML_INVALID -

	# nesting depth (libxml2's limit is 256 without XML_PARSE_HUGE)
	for i in 200 257 1000 100000; do
		python3 -c "
import sys
n = $i
sys.stdout.write('$decl\n<EntrustRequest xmlns=\"urn:entrust:1\" version=\"1\">' + '<a>' * n + '</a>' * n + '</EntrustRequest>')" >"$x"
		if [ "$i" -lt 256 ]; then xml_case depth "depth-$i.p7m" XML_INVALID -; else xml_case depth "depth-$i.p7m" XML_MALFORMED -; fi
	done
	python3 -c "
import sys
sys.stdout.write('$decl\n<EntrustRequest xmlns=\"urn:entrust:1\" version=\"1\">' + '<a>' * 100000)" >"$x" && xml_case depth depth-unclosed.p7m XML_MALFORMED -

	# wrong encodings
	printf '<?xml version="1.0" encoding="ISO-8859-1"?>\n%s\n' "$body" >"$x" && xml_case wrong-encoding enc-latin1.p7m XML_FORBIDDEN -
	printf '<?xml version="1.0" encoding="GBK"?>\n%s\n' "$body" >"$x" && xml_case wrong-encoding enc-gbk.p7m XML_FORBIDDEN -
	printf "<?xml version='1.0' encoding='UTF-16'?>\n%s\n" "$body" >"$x" && xml_case wrong-encoding enc-utf16-declared.p7m XML_FORBIDDEN -
	{ printf '\xff\xfe'; printf '<?xml version="1.0" encoding="UTF-16"?>\n%s\n' "$body" | iconv -f UTF-8 -t UTF-16LE; } >"$x" && xml_case wrong-encoding enc-utf16le-bom.p7m XML_FORBIDDEN -
	{ printf '\xfe\xff'; printf '<?xml version="1.0"?>\n%s\n' "$body" | iconv -f UTF-8 -t UTF-16BE; } >"$x" && xml_case wrong-encoding enc-utf16be-bom.p7m XML_FORBIDDEN -
	printf '%s\n' "$body" | iconv -f UTF-8 -t UTF-16LE >"$x" && xml_case wrong-encoding enc-utf16le-nobom.p7m XML_FORBIDDEN -
	printf '%s\n' "$body" | iconv -f UTF-8 -t UTF-32 >"$x" && xml_case wrong-encoding enc-utf32.p7m XML_FORBIDDEN -
	printf '<?xml version="1.0" encoding="UTF-7"?>\n%s\n' "$body" >"$x" && xml_case wrong-encoding enc-utf7.p7m XML_FORBIDDEN -
	printf '<?xml version="1.0" encoding="EBCDIC-US"?>\n%s\n' "$body" | iconv -f UTF-8 -t EBCDIC-US 2>/dev/null >"$x" &&
		xml_case wrong-encoding enc-ebcdic.p7m XML_FORBIDDEN -

	# invalid UTF-8
	for i in 'c0af:overlong' 'c1bf:overlong2' '80:continuation' 'bf80:continuations' 'eda080:surrogate' \
		'f88888888880:five-bytes' 'fe:fe' 'ff:ff' 'e282:truncated' 'f4908080:above-10ffff'; do
		printf '%s\n%s\n' "$decl" "$(sed "s#<GoodsName>[^<]*#<GoodsName>笔$(printf '%b' "$(printf '%s' "${i%%:*}" | sed 's/../\\x&/g')")#" <<<"$body")" >"$x"
		xml_case invalid-utf8 "utf8-${i#*:}.p7m" XML_FORBIDDEN -
	done
	printf '%s\n%s' "$decl" "$body" | head -c -2 >"$x" && printf '\xe7' >>"$x" && xml_case invalid-utf8 utf8-cut-at-end.p7m XML_FORBIDDEN -
	printf '%s\n%s\n' "$decl" "$(sed "s#ref=\"x\"#ref=\"$(printf '\xc3')\"#" <<<"$body")" >"$x" && xml_case invalid-utf8 utf8-in-attribute.p7m XML_FORBIDDEN -
	printf '%s\n%s\n' "$decl" "$(sed "s#<Header>#<H$(printf '\xff')>#" <<<"$body")" >"$x" && xml_case invalid-utf8 utf8-in-name.p7m XML_FORBIDDEN -

	# NUL bytes
	{ printf '%s\n' "$decl"; printf '%s' "$body" | head -c 200; printf '\0'; printf '%s' "$body" | tail -c +201; } >"$x" && xml_case nul-byte nul-middle.p7m XML_FORBIDDEN -
	{ printf '%s\n%s' "$decl" "$body"; printf '\0'; } >"$x" && xml_case nul-byte nul-end.p7m XML_FORBIDDEN -

	# not XML at all, or not well-formed
	printf 'hello, this is not XML 这不是XML\n' >"$x" && xml_case not-xml notxml-text.p7m XML_MALFORMED -
	printf '{"EntrustRequest": {"version": 1}}\n' >"$x" && xml_case not-xml notxml-json.p7m XML_MALFORMED -
	: >"$x" && xml_case not-xml notxml-empty-content.p7m XML_MALFORMED -
	printf '   \n\t\n' >"$x" && xml_case not-xml notxml-whitespace.p7m XML_MALFORMED -
	printf '%s\n%s\n%s\n' "$decl" "$body" "$body" >"$x" && xml_case not-xml notxml-two-roots.p7m XML_MALFORMED -
	printf '%s\n%s\ngarbage after the root\n' "$decl" "$body" >"$x" && xml_case not-xml notxml-trailing.p7m XML_MALFORMED -
	printf '%s\n%s\n' "$decl" "$(sed 's#</Header>##' <<<"$body")" >"$x" && xml_case not-xml notxml-unclosed.p7m XML_MALFORMED -
	printf '<html><body><p>hi</body></html>\n' >"$x" && xml_case not-xml notxml-html.p7m XML_MALFORMED -
	printf '%s\n%s\n' "$decl" "$(sed 's#ref="x"#ref="x" ref="y"#' <<<"$body")" >"$x" && xml_case not-xml notxml-dup-attribute.p7m XML_MALFORMED -
	printf '%s\n%s\n' "$decl" "$(sed 's#<GoodsName>#<GoodsName>a < b#' <<<"$body")" >"$x" && xml_case not-xml notxml-lt-in-text.p7m XML_MALFORMED -

	# well-formed, not valid
	printf '%s\n%s\n' "$decl" "$(sed '/<Header>/,/<\/Header>/d' <<<"$body")" >"$x" && xml_case schema-invalid xsd-no-header.p7m XML_INVALID -
	printf '%s\n%s\n' "$decl" "$(sed 's#version="1"#version="2"#' <<<"$body")" >"$x" && xml_case schema-invalid xsd-version-2.p7m XML_INVALID -
	printf '%s\n%s\n' "$decl" "$(sed 's# version="1"##' <<<"$body")" >"$x" && xml_case schema-invalid xsd-no-version.p7m XML_INVALID -
	printf '%s\n%s\n' "$decl" "$(sed 's#urn:entrust:1#urn:entrust:2#' <<<"$body")" >"$x" && xml_case schema-invalid xsd-other-namespace.p7m XML_INVALID -
	printf '%s\n%s\n' "$decl" "$(sed 's# xmlns="urn:entrust:1"##' <<<"$body")" >"$x" && xml_case schema-invalid xsd-no-namespace.p7m XML_INVALID -
	printf '%s\n%s\n' "$decl" "$(sed 's#</Header>#</Header><Extra/>#' <<<"$body")" >"$x" && xml_case schema-invalid xsd-extra-element.p7m XML_INVALID -
	printf '%s\n%s\n' "$decl" "$(sed 's#<MessageId>[^<]*#<MessageId>../../etc/passwd#' <<<"$body")" >"$x" && xml_case schema-invalid xsd-msgid-path.p7m XML_INVALID -
	printf '%s\n%s\n' "$decl" "$(sed 's#<Date>[^<]*#<Date>2026-13-45#' <<<"$body")" >"$x" && xml_case schema-invalid xsd-bad-date.p7m XML_INVALID -
	printf '%s\n%s\n' "$decl" "$(sed 's#>120000.00<#>-1<#' <<<"$body")" >"$x" && xml_case schema-invalid xsd-negative-value.p7m XML_INVALID -
	printf '%s\n%s\n' "$decl" "$(sed 's#>120000.00<#>1e308<#' <<<"$body")" >"$x" && xml_case schema-invalid xsd-exponent-value.p7m XML_INVALID -
	printf '%s\n%s\n' "$decl" "$(sed 's#</Broker>#</Broker><ValidityMonths>5</ValidityMonths>#' <<<"$body")" >"$x" && xml_case schema-invalid xsd-validity-5.p7m XML_INVALID -
	printf '%s\n%s\n' "$decl" "$(sed 's#<Sender>[^<]*#<Sender>1101230001 #' <<<"$body")" >"$x" && xml_case schema-invalid xsd-sender-space.p7m XML_INVALID -
	h_request_xml HOS-XSD-11 "$C1" "$C1" "$BR" append "$(for i in $(seq 11); do h_agreement_xml "r$i" 笔 consignor 0 "BL$i"; done)" >"$x" && xml_case schema-invalid xsd-11-agreements.p7m XML_INVALID -
	printf '%s\n%s\n' "$decl" "$(sed 's#<Payer>consignor#<Payer>nobody#' <<<"$body")" >"$x" && xml_case schema-invalid xsd-payer-enum.p7m XML_INVALID -

	# hub-only message types from a partner
	h_doc Ack HOS-TYPE-ACK "$C1" "  <InReplyTo><File>x</File><Sha256>$(printf '%064d' 0)</Sha256></InReplyTo>
  <Outcome>accepted</Outcome>" >"$x"
	h_valid "$x" || die "Ack test document is not valid"
	xml_case msg-type type-ack.p7m MSG_TYPE_UNKNOWN HOS-TYPE-ACK
	sed 's#<MessageId>NTC-000000000001#<MessageId>HOS-TYPE-NTC#; s#<Sender>ENTRUSTHUB#<Sender>1101230001#' "$H_REPO/docs/examples/notice-request-waiting.xml" >"$x"
	h_valid "$x" || die "Notice test document is not valid"
	xml_case msg-type type-notice.p7m MSG_TYPE_UNKNOWN HOS-TYPE-NTC
	sed 's#<MessageId>NTS-[^<]*#<MessageId>HOS-TYPE-NTS#; 0,/<Sender>ENTRUSTHUB/s#<Sender>ENTRUSTHUB#<Sender>1101230001#' \
	    "$H_REPO/docs/examples/notices-bundle.xml" >"$x"
	h_valid "$x" || die "Notices test document is not valid"
	xml_case msg-type type-notices.p7m MSG_TYPE_UNKNOWN HOS-TYPE-NTS

	# big documents: one case each, RSS measured (setup "big")
	python3 -c "
import sys
sys.stdout.write('''$(sed 's#<GoodsName>[^<]*#<GoodsName>@@#' <<<"$body")'''.replace('@@', '笔' * 350000))" >"$x" && sig consignor "$x" "$(F huge-text-1m.p7m)" && case_add huge-text huge-text-1m.p7m XML_INVALID "$C1" - big
	python3 -c "
import sys
sys.stdout.write('''$(sed 's#<GoodsName>[^<]*#<GoodsName>@@#' <<<"$body")'''.replace('@@', 'a' * 9000000))" >"$x" && sig consignor "$x" "$(F huge-text-9m.p7m)" && case_add huge-text huge-text-9m.p7m XML_INVALID "$C1" - big
	python3 -c "
import sys
sys.stdout.write('''$(sed 's#<GoodsName>[^<]*#<GoodsName>@@#' <<<"$body")'''.replace('@@', 'a' * 11000000))" >"$x" && sig consignor "$x" "$(F huge-text-11m.p7m)" && case_add huge-text huge-text-11m.p7m "XML_MALFORMED|XML_INVALID" "$C1" - big
	python3 -c "
import sys
sys.stdout.write('''$(sed 's#ref="x"#ref="@@"#' <<<"$body")'''.replace('@@', 'a' * 8000000))" >"$x" && sig consignor "$x" "$(F huge-attribute.p7m)" && case_add huge-text huge-attribute.p7m "XML_MALFORMED|XML_INVALID" "$C1" - big
	python3 -c "
import sys
sys.stdout.write('$decl\n<Query xmlns=\"urn:entrust:1\" version=\"1\">' + '<x/>' * 3900000 + '</Query>')" >"$x" && sig consignor "$x" "$(F element-flood.p7m)" &&
		case_add element-flood element-flood.p7m XML_INVALID "$C1" - big
	# many attributes on one element: libxml2 2.9 appends each to a linked list (quadratic)
	python3 -c "
import sys
sys.stdout.write('$decl\n<Query xmlns=\"urn:entrust:1\" version=\"1\" ' + ' '.join('a%d=\"\"' % i for i in range(${ATTR_FLOOD:-30000})) + '/>')" >"$x" && sig consignor "$x" "$(F attribute-flood.p7m)" &&
		case_add attribute-flood attribute-flood.p7m XML_INVALID "$C1" - big
}

# rule DOC-MAKER: rule CLASS NAME CODE SIGNER-STEM SIGNER-CODE MSGID DOC-COMMAND...
rule() {
	local class=$1 name=$2 code=$3 stem=$4 party=$5 msgid=$6 x=$OUT/docs/rule-$2.xml
	shift 6
	"$@" >"$x"
	h_valid "$x" || die "rule document $name is not valid against xsd/ (test bug)"
	sig "$stem" "$x" "$(F "$name.p7m")"
	case_add "$class" "$name.p7m" "$code" "$party" "$msgid"
}

req() {	# MSGID SENDER CONSIGNOR BROKER TERMS [HALF] [TRADE ORIGIN CURRENCY UNIT]
	h_request_xml "$1" "$2" "$3" "$4" "$5" "$(h_agreement_xml r1 笔记本电脑 consignor "${6:-0}" "RULE-$1" "${7:-0110}" "${8:-502}" "${9:-USD}" "${10:-001}")"
}
confirm() {	# MSGID SENDER LETTER AGREEMENT ACCEPT HALF
	h_doc EntrustConfirm "$1" "$2" "  <Letter>$3</Letter>
  <Decision>
    <Agreement>$4</Agreement>
    <Accept>$5</Accept>$([ "$6" = 1 ] && printf '\n    <BrokerHalf>\n      <DocumentsReceived>contract</DocumentsReceived>\n      <ReceivedOn>2026-12-03</ReceivedOn>\n      <Fee>1.00</Fee>\n    </BrokerHalf>')
  </Decision>"
}
receipt() {	# MSGID SENDER AGREEMENT EVENT [BILL]
	h_doc CustomsReceipt "$1" "$2" "  <Item ref=\"1\">
    <Agreement>$3</Agreement>
    <Event>$4</Event>$([ -n "${5:-}" ] && printf '\n    <BillOfLading>%s</BillOfLading>' "$5")
  </Item>"
}
topup() {	# MSGID SENDER ENTERPRISE
	h_doc TopUp "$1" "$2" "  <Enterprise>$3</Enterprise>
  <Units>5</Units>
  <Reference>HOS-$1</Reference>
  <PaidAt>2026-12-01T07:30:00+08:00</PaidAt>"
}
decision() {	# MSGID SENDER BROKER
	h_doc RegistrationDecision "$1" "$2" "  <Broker>$3</Broker>
  <Decision>approve</Decision>"
}
registration() {	# MSGID SENDER CODE DECLARANTS CREDIT
	sed -e "s#<MessageId>[^<]*#<MessageId>$1#" -e "s#<Sender>[^<]*#<Sender>$2#" -e "0,/<Code>[^<]*/s##<Code>$3#" \
		-e "s#<CreditCode>[^<]*#<CreditCode>$5#" -e '/<Declarant>/,/<\/Declarant>/d' \
		-e "s#</BrokerRegistration>#$(for i in $(seq "$4"); do printf '<Declarant><Name>王%s</Name><Number>46010001%02d</Number><Phone>138000000%02d</Phone></Declarant>' "$i" "$i" "$i"; done)</BrokerRegistration>#" \
		"$H_REPO/docs/examples/broker-registration.xml"
}
autoconf() {	# MSGID SENDER LETTER
	h_doc AutoConfirmSetting "$1" "$2" "  <Letter>$3</Letter>
  <Enabled>true</Enabled>"
}
revreq() {	# MSGID SENDER AGREEMENT
	h_doc RevocationRequest "$1" "$2" "  <Agreement>$3</Agreement>"
}
revans() {	# MSGID SENDER AGREEMENT
	h_doc RevocationAnswer "$1" "$2" "  <Decision>
    <Agreement>$3</Agreement>
    <Agree>true</Agree>
  </Decision>"
}
stats() {	# MSGID SENDER
	h_doc Query "$1" "$2" "  <Statistics><From>2026-12-31</From><To>2026-01-01</To></Statistics>"
}

gen_rule_classes() {
	local new_terms_no_mode new_terms_no_matter new_terms_no_validity
	: "${L1:?} ${A1:?} ${A2:?} ${L3:?} ${A3:?}"
	new_terms_no_mode=$'    <Matter>A</Matter>\n    <ValidityMonths>6</ValidityMonths>'
	new_terms_no_matter=$'    <Mode>B</Mode>\n    <ValidityMonths>6</ValidityMonths>'
	new_terms_no_validity=$'    <Mode>B</Mode>\n    <Matter>A</Matter>'

	# R1: a valid signer acting for another party
	rule R1-sender-mismatch r1-c2-as-c1 SENDER_MISMATCH consignor2 "$C2" HOS-R1-1 req HOS-R1-1 "$C1" "$C1" "$BR" append
	rule R1-sender-mismatch r1-broker-as-c1 SENDER_MISMATCH broker "$BR" HOS-R1-2 req HOS-R1-2 "$C1" "$C1" "$BR" append
	rule R1-sender-mismatch r1-c1-as-broker SENDER_MISMATCH consignor "$C1" HOS-R1-3 req HOS-R1-3 "$BR" "$C1" "$BR" append 1
	rule R1-sender-mismatch r1-c1-as-hub SENDER_MISMATCH consignor "$C1" HOS-R1-4 topup HOS-R1-4 "$HUB" "$C1"
	rule R1-sender-mismatch r1-customs-as-operator SENDER_MISMATCH customs "$CU" HOS-R1-5 topup HOS-R1-5 "$OP" "$C1"

	# R2: acting in another role, or on a document one is not a party to
	rule R2-role-forbidden r2-customs-request ROLE_FORBIDDEN customs "$CU" HOS-R2-1 req HOS-R2-1 "$CU" "$C1" "$BR" append
	rule R2-role-forbidden r2-operator-request ROLE_FORBIDDEN operator "$OP" HOS-R2-2 req HOS-R2-2 "$OP" "$C1" "$BR" append
	rule R2-role-forbidden r2-association-topup ROLE_FORBIDDEN association "$AS" HOS-R2-3 topup HOS-R2-3 "$AS" "$C1"
	rule R2-role-forbidden r2-consignor-topup ROLE_FORBIDDEN consignor "$C1" HOS-R2-4 topup HOS-R2-4 "$C1" "$C1"
	rule R2-role-forbidden r2-broker-decision ROLE_FORBIDDEN broker "$BR" HOS-R2-5 decision HOS-R2-5 "$BR" "$BR"
	rule R2-role-forbidden r2-consignor-receipt ROLE_FORBIDDEN consignor "$C1" HOS-R2-6 receipt HOS-R2-6 "$C1" "$A2" data-received
	rule R2-role-forbidden r2-consignor-registration ROLE_FORBIDDEN consignor "$C1" HOS-R2-7 registration HOS-R2-7 "$C1" "$C1" 2 91410100200000000E
	rule R2-role-forbidden r2-customs-query ROLE_FORBIDDEN customs "$CU" HOS-R2-8 stats HOS-R2-8 "$CU"
	rule R2-role-forbidden r2-other-letter ROLE_FORBIDDEN consignor "$C1" HOS-R2-9 req HOS-R2-9 "$C1" "$C2" "$BR" new
	rule R2-role-forbidden r2-broker-registers-other ROLE_FORBIDDEN broker "$BR" HOS-R2-10 registration HOS-R2-10 "$BR" "$B2" 2 91410100200000000E
	rule R2-party-unknown r2-broker-as-consignor PARTY_UNKNOWN broker "$BR" HOS-R2-11 req HOS-R2-11 "$BR" "$BR" "$BR" new 1
	rule R2-party-unknown r2-unknown-broker PARTY_UNKNOWN consignor "$C1" HOS-R2-20 req HOS-R2-20 "$C1" "$C1" 9999999999 new
	rule R2-party-unknown r2-consignor-as-broker PARTY_UNKNOWN consignor "$C1" HOS-R2-21 req HOS-R2-21 "$C1" "$C1" "$C2" new
	rule R2-party-unknown r2-unknown-consignor PARTY_UNKNOWN broker "$BR" HOS-R2-22 req HOS-R2-22 "$BR" 9999999999 "$BR" new 1
	rule R2-party-unknown r2-topup-unknown PARTY_UNKNOWN operator "$OP" HOS-R2-23 topup HOS-R2-23 "$OP" 9999999999
	rule R2-not-a-party r2-c2-confirms-l1 LETTER_UNKNOWN consignor2 "$C2" HOS-R2-30 confirm HOS-R2-30 "$C2" "$L1" "$A1" true 0
	rule R2-not-a-party r2-confirm-no-letter LETTER_UNKNOWN broker "$BR" HOS-R2-31 confirm HOS-R2-31 "$BR" 2699999999 "$A1" true 1
	rule R2-not-a-party r2-c2-autoconfirm-l1 LETTER_UNKNOWN consignor2 "$C2" HOS-R2-32 autoconf HOS-R2-32 "$C2" "$L1"
	rule R2-not-a-party r2-agreement-other-letter AGREEMENT_UNKNOWN broker "$BR" HOS-R2-33 confirm HOS-R2-33 "$BR" "$L1" "$A3" true 1
	rule R2-not-a-party r2-revoke-unknown AGREEMENT_UNKNOWN consignor "$C1" HOS-R2-34 revreq HOS-R2-34 "$C1" 20269999999999
	rule R2-not-a-party r2-c2-revokes-a1 AGREEMENT_UNKNOWN consignor2 "$C2" HOS-R2-35 revreq HOS-R2-35 "$C2" "$A1"
	rule R2-not-a-party r2-receipt-unknown AGREEMENT_UNKNOWN customs "$CU" HOS-R2-36 receipt HOS-R2-36 "$CU" 20269999999999 data-received

	# R3, R4, R5
	rule R3-registration r3-no-declarant DECLARANT_COUNT broker "$BR" HOS-R3-1 registration HOS-R3-1 "$BR" "$BR" 0 91410100200000000E
	rule R3-registration r3-six-declarants DECLARANT_COUNT broker "$BR" HOS-R3-2 registration HOS-R3-2 "$BR" "$BR" 6 91410100200000000E
	rule R3-registration r3-credit-check CREDIT_CODE_INVALID broker "$BR" HOS-R3-3 registration HOS-R3-3 "$BR" "$BR" 2 91410100200000000F
	rule R4-not-pending r4-approved-broker REGISTRATION_NOT_PENDING association "$AS" HOS-R4-1 decision HOS-R4-1 "$AS" "$BR"
	rule R4-not-pending r4-never-registered REGISTRATION_NOT_PENDING association "$AS" HOS-R4-2 decision HOS-R4-2 "$AS" "$B2"
	rule R4-not-pending r4-consignor REGISTRATION_NOT_PENDING association "$AS" HOS-R4-3 decision HOS-R4-3 "$AS" "$C1"
	rule R5-broker-not-approved r5-to-unapproved BROKER_NOT_APPROVED consignor "$C1" HOS-R5-1 req HOS-R5-1 "$C1" "$C1" "$B2" new
	rule R5-broker-not-approved r5-from-unapproved BROKER_NOT_APPROVED broker2 "$B2" HOS-R5-2 req HOS-R5-2 "$B2" "$C1" "$B2" new 1

	# R8, R9
	rule R8-letter-terms r8-no-mode LETTER_TERMS_MISSING consignor2 "$C2" HOS-R8-1 req HOS-R8-1 "$C2" "$C2" "$BR" "$new_terms_no_mode"
	rule R8-letter-terms r8-no-matter LETTER_TERMS_MISSING consignor2 "$C2" HOS-R8-2 req HOS-R8-2 "$C2" "$C2" "$BR" "$new_terms_no_matter"
	rule R8-letter-terms r8-no-validity LETTER_TERMS_MISSING consignor2 "$C2" HOS-R8-3 req HOS-R8-3 "$C2" "$C2" "$BR" "$new_terms_no_validity"
	rule R8-letter-terms r8-change-validity LETTER_TERMS_FIXED consignor "$C1" HOS-R8-4 req HOS-R8-4 "$C1" "$C1" "$BR" "    <ValidityMonths>12</ValidityMonths>"
	rule R8-letter-terms r8-change-autoconfirm LETTER_TERMS_FIXED consignor "$C1" HOS-R8-5 req HOS-R8-5 "$C1" "$C1" "$BR" "    <AutoConfirm>true</AutoConfirm>"
	rule R9-initiator r9-broker-no-half BROKER_HALF_REQUIRED broker "$BR" HOS-R9-1 req HOS-R9-1 "$BR" "$C1" "$BR" append 0
	rule R9-initiator r9-confirm-no-half BROKER_HALF_REQUIRED broker "$BR" HOS-R9-2 confirm HOS-R9-2 "$BR" "$L1" "$A1" true 0
	rule R9-initiator r9-confirm-own CONFIRM_FORBIDDEN consignor "$C1" HOS-R9-3 confirm HOS-R9-3 "$C1" "$L1" "$A1" true 0

	# R12 codes; a duplicate ref behind an unknown code (a lone duplicate would be a partial acceptance)
	rule R12-codes r12-trade-mode CODE_UNKNOWN consignor "$C1" HOS-R12-1 req HOS-R12-1 "$C1" "$C1" "$BR" append 0 9999
	rule R12-codes r12-origin CODE_UNKNOWN consignor "$C1" HOS-R12-2 req HOS-R12-2 "$C1" "$C1" "$BR" append 0 0110 000
	rule R12-codes r12-currency CODE_UNKNOWN consignor "$C1" HOS-R12-3 req HOS-R12-3 "$C1" "$C1" "$BR" append 0 0110 502 XXX
	rule R12-codes r12-unit CODE_UNKNOWN consignor "$C1" HOS-R12-4 req HOS-R12-4 "$C1" "$C1" "$BR" append 0 0110 502 USD 999
	rule R12-codes r12-duplicate-ref CODE_UNKNOWN consignor "$C1" HOS-R12-5 h_request_xml HOS-R12-5 "$C1" "$C1" "$BR" append \
		"$(h_agreement_xml d 笔 consignor 0 RULE-D1 9999)
$(h_agreement_xml d 笔 consignor 0 RULE-D2 9998)"

	# R13 transitions, R14, R15, R16, R19, queries
	rule R13-transition r13-confirm-twice STATUS_TRANSITION broker "$BR" HOS-R13-1 confirm HOS-R13-1 "$BR" "$L1" "$A2" true 1
	rule R13-transition r13-concluded-from-0 STATUS_TRANSITION customs "$CU" HOS-R13-2 receipt HOS-R13-2 "$CU" "$A1" declaration-concluded RULE-BASE-1
	rule R13-transition r13-revoke-from-0 STATUS_TRANSITION consignor "$C1" HOS-R13-3 revreq HOS-R13-3 "$C1" "$A1"
	rule R13-transition r13-revoked-from-1 STATUS_TRANSITION customs "$CU" HOS-R13-4 receipt HOS-R13-4 "$CU" "$A2" revocation-accepted
	rule R14-auto-confirm r14-broker-sets AUTO_CONFIRM_CONSIGNOR_ONLY broker "$BR" HOS-R14-1 autoconf HOS-R14-1 "$BR" "$L1"
	rule R15-bill-of-lading r15-wrong-bill BILL_OF_LADING_MISMATCH customs "$CU" HOS-R15-1 receipt HOS-R15-1 "$CU" "$A2" declaration-filed WRONG-BILL
	rule R15-bill-of-lading r15-no-bill BILL_OF_LADING_MISMATCH customs "$CU" HOS-R15-2 receipt HOS-R15-2 "$CU" "$A2" declaration-filed
	rule R16-revocation r16-broker-asks REVOKE_FORBIDDEN broker "$BR" HOS-R16-1 revreq HOS-R16-1 "$BR" "$A2"
	rule R16-revocation r16-consignor-answers REVOKE_FORBIDDEN consignor "$C1" HOS-R16-2 revans HOS-R16-2 "$C1" "$A2"
	rule R19-balance r19-no-units INSUFFICIENT_BALANCE broker "$BR" HOS-R19-1 confirm HOS-R19-1 "$BR" "$L3" "$A3" true 1
	rule query-invalid q-from-after-to QUERY_INVALID consignor "$C1" HOS-Q-1 stats HOS-Q-1 "$C1"

	# R25 replays: the same envelope again, the same MessageId with other content, a refused one again
	local i
	for i in 1 2 3; do
		cp "$REPLAY_OK" "$(F "replay-same-$i.p7m")"
		case_add R25-replay "replay-same-$i.p7m" replay "$C1" "$MSG_OK" replay
	done
	for i in 1 2; do
		h_request_xml "$MSG_OK" "$C1" "$C1" "$BR" append "$(h_agreement_xml "other$i" 不同内容 consignor 0 "REPLAY-OTHER-$i")" >"$OUT/docs/replay-$i.xml"
		sig consignor "$OUT/docs/replay-$i.xml" "$(F "replay-other-content-$i.p7m")"
		case_add R25-replay "replay-other-content-$i.p7m" replay "$C1" "$MSG_OK" replay
	done
	cp "$REPLAY_REFUSED" "$(F replay-refused.p7m)"
	case_add R25-replay replay-refused.p7m replay "$C1" "$MSG_REFUSED" replay
	# a burst of replays of one MessageId, delivered together with a rule refusal: the
	# refused one must still end in error/ with its reason (both are answered in one batch)
	for i in $(seq 50); do
		cp "$REPLAY_OK" "$(F "burst-replay-$i.p7m")"
		case_add replay-burst "burst-replay-$i.p7m" replay "$C1" "$MSG_OK" burst
	done
	rule replay-burst burst-refused CODE_UNKNOWN consignor "$C1" HOS-BURST-1 req HOS-BURST-1 "$C1" "$C1" "$BR" append 0 9999
	sed -i '$s/\tdrop\t/\tburst\t/' "$OUT/cases.tsv"
}

gen_spool_classes() {
	local o=$OUT/outside d=$OUT/docs n
	mkdir -p "$o/dir"
	printf 'secret outside the spool\n' >"$o/secret.txt"
	cp "$d/good-rsa.p7m" "$o/valid.p7m"
	cp "$d/good-rsa.p7m" "$o/valid-hard.p7m"
	printf 'another file outside\n' >"$o/other.txt"

	case_add size-cap cap-plus-1.p7m FILE_TOO_LARGE - - sparse:16777217
	case_add size-cap cap-1g.p7m FILE_TOO_LARGE - - sparse:1073741824
	case_add size-cap cap-exact.p7m ENV_UNREADABLE - - sparse:16777216

	case_add symlink link-secret.p7m FILE_UNSAFE - - symlink:secret.txt
	case_add symlink link-etc-passwd.p7m FILE_UNSAFE - - symlink:/etc/passwd
	case_add symlink link-valid-envelope.p7m FILE_UNSAFE - - symlink:valid.p7m
	case_add symlink link-dangling.p7m FILE_UNSAFE - - symlink:does-not-exist
	case_add symlink link-directory.p7m FILE_UNSAFE - - symlink:dir
	case_add symlink link-dev-zero.p7m FILE_UNSAFE - - symlink:/dev/zero
	case_add hardlink hard-secret.p7m FILE_UNSAFE - - hardlink:other.txt
	case_add hardlink hard-valid-envelope.p7m FILE_UNSAFE - - hardlink:valid-hard.p7m
	case_add special-file special-dir.p7m FILE_UNSAFE - - dir
	case_add special-file special-fifo.p7m FILE_UNSAFE - - fifo
	case_add special-file special-socket.p7m FILE_UNSAFE - - socket
	case_add special-file special-chardev.p7m FILE_UNSAFE - - chardev

	# names the daemon must leave alone (never claimed, never answered)
	head -c 300 /dev/urandom >"$(F bad-name-content)"
	for n in $'ctl\nnewline.p7m' $'ctl\ttab.p7m' $'\x01start.p7m' $'esc\x1b[31m.p7m' $'del\x7f.p7m' \
		'.hidden.p7m' '-dash.p7m' '_under.p7m' 'space name.p7m' '委托书.p7m' 'semi;colon.p7m' \
		'dollar$(id).p7m' 'x.tmp' 'x.part' "$(printf 'L%.0s' $(seq 129))" "$(printf 'M%.0s' $(seq 200))" \
		"$(printf 'N%.0s' $(seq 255))" 'star*.p7m' 'back\slash.p7m' 'quote".p7m'; do
		case_add bad-name "hex:$(printf '%s' "$n" | od -v -An -tx1 | tr -d ' \n')" ignored - - inplace
	done
	# odd but valid names: processed (garbage → ENV_UNREADABLE)
	for n in "$(printf 'V%.0s' $(seq 128))" a 'A.B-C_d' 'x.' 'x..y' '0' 'x.TMP' 'x.tmp.p7m'; do
		head -c 100 /dev/urandom >"$(F "$n")"
		case_add odd-valid-name "$n" ENV_UNREADABLE - -
	done

	# writers still at work: in place, slower than the settle time, or stalled, or rewriting
	query_doc HOS-GROW-1 >"$d/grow1.xml" && sig consignor "$d/grow1.xml" "$(F grow-settle.p7m)"
	case_add growing grow-settle.p7m accepted "$C1" HOS-GROW-1 grow-settle
	query_doc HOS-GROW-2 >"$d/grow2.xml" && sig consignor "$d/grow2.xml" "$(F grow-stall.p7m)"
	case_add growing grow-stall.p7m accepted "$C1" HOS-GROW-2 grow-stall
	case_add growing grow-forever.p7m "ENV_UNREADABLE|FILE_CHANGED|FILE_TOO_LARGE" - - grow-forever
	attack_doc HOS-REWRITE >"$d/rw.xml" && sig consignor "$d/rw.xml" "$(F rewrite.p7m)"
	case_add replaced-while-read rewrite.p7m "FILE_CHANGED|ENV_UNREADABLE|FILE_EMPTY|SIG_INVALID" - - rewrite
	query_doc HOS-HELD-OPEN >"$d/rw2.xml" && sig consignor "$d/rw2.xml" "$(F held-open.p7m)"
	case_add replaced-while-read held-open.p7m SIG_INVALID - - held-open
}

gen_corpus() {
	PKI=$1
	OUT=$2
	mkdir -p "$OUT/files" "$OUT/docs" "$OUT/outside" || die "cannot create $OUT"
	: >"$OUT/cases.tsv"
	: >"$OUT/openssl.log"
	[ -f "$PKI/x/done" ] || die "run 'gen.sh pki' first"
	gen_envelope_classes
	gen_xml_classes
	gen_spool_classes
	if [ -n "${L1:-}" ]; then
		gen_rule_classes
	else
		echo "gen.sh: L1 etc. not set: rule and replay classes skipped" >&2
	fi
	echo "gen.sh: $N cases in $(cut -f1 "$OUT/cases.tsv" | sort -u | wc -l) classes ($OUT/cases.tsv)" >&2
}

case ${1:-} in
pki) [ $# -eq 3 ] || die "usage: gen.sh pki PKIDIR REGISTRY"; gen_pki "$2" "$3" ;;
corpus) [ $# -eq 3 ] || die "usage: gen.sh corpus PKIDIR OUTDIR"; gen_corpus "$2" "$3" ;;
*) echo "usage: gen.sh pki PKIDIR REGISTRY | gen.sh corpus PKIDIR OUTDIR" >&2; exit 2 ;;
esac
