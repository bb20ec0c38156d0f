#!/usr/bin/env bash
# tests/fuzz/seed.sh — (re)make the fixed test PKI (tests/fuzz/pki/, test-only keys) and the
# seed corpus (tests/fuzz/corpus/<harness>/) of the libFuzzer harnesses.  Run by hand when
# the formats change; the results are kept in the repository so that fuzzing is repeatable.
# 生成模糊测试的固定证书与种子语料。
set -eu
export LC_ALL=C
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
. "$REPO/tests/hostile/lib.sh"
PKI=$HERE/pki
C=$HERE/corpus
[ -f "$PKI/ca.pem" ] || "$REPO/scripts/demo-pki" "$PKI" "$PKI/parties.conf" >/dev/null
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$C/envelope" "$C/xmlin" "$C/spool_name"

# envelope: what the pipeline meets, valid and not
h_request_xml SEED-1 "$C1" "$C1" "$BR" new "$(h_agreement_xml a 笔记本电脑 consignor 0 BL1)" >"$T/r.xml"
s() { openssl cms -sign -binary -signer "$PKI/$1.pem" -inkey "$PKI/$1.key" -in "$T/r.xml" "${@:2}"; }
s consignor -nodetach -outform DER -out "$C/envelope/rsa.der"
s consignor2 -nodetach -outform DER -out "$C/envelope/ec.der"
s broker -nodetach -outform PEM -out "$C/envelope/ec.pem"
s consignor -nodetach -noattr -outform DER -out "$C/envelope/noattr.der"
s consignor -nodetach -nocerts -outform DER -out "$C/envelope/nocerts.der"
s consignor -outform DER -out "$C/envelope/detached.der"
s consignor -nodetach -md sha1 -outform DER -out "$C/envelope/sha1.der"
s consignor -nodetach -stream -outform DER -out "$C/envelope/indefinite.der"
openssl cms -sign -nodetach -binary -in "$T/r.xml" -outform DER -out "$C/envelope/two-signers.der" \
	-signer "$PKI/consignor.pem" -inkey "$PKI/consignor.key" -signer "$PKI/broker.pem" -inkey "$PKI/broker.key"
openssl cms -encrypt -binary -aes256 -in "$T/r.xml" -outform DER -out "$C/envelope/enveloped.der" "$PKI/hub.pem"
openssl cms -data_create -binary -in "$T/r.xml" -outform DER -out "$C/envelope/data.der"
openssl cms -digest_create -binary -in "$T/r.xml" -outform DER -out "$C/envelope/digested.der"
openssl crl2pkcs7 -nocrl -certfile "$PKI/consignor.pem" -outform DER -out "$C/envelope/certs-only.der"
head -c 300 "$C/envelope/rsa.der" >"$C/envelope/truncated.der"
printf '\x30\x80\x30\x80\x00\x00\x00\x00' >"$C/envelope/indef-nested.der"

# xmlin: every example message, and the constructs the prescan refuses
cp "$REPO"/docs/examples/*.xml "$C/xmlin/"
cp "$T/r.xml" "$C/xmlin/request.xml"
printf '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "b">]>\n<r>&a;</r>\n' >"$C/xmlin/doctype.xml"
printf '<?xml version="1.0" encoding="ISO-8859-1"?>\n<r/>\n' >"$C/xmlin/latin1.xml"
printf '\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?>\n<Query xmlns="urn:entrust:1" version="1"/>\n' >"$C/xmlin/bom.xml"
printf '<?xml version="1.0"?><Query xmlns="urn:entrust:1" version="1"><![CDATA[x]]><!-- c --><?pi x?></Query>' >"$C/xmlin/cdata.xml"
printf '<a xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="/etc/passwd" parse="text"/></a>' >"$C/xmlin/xinclude.xml"
printf '<a>&#0;&#x110000;&amp;&lt;</a>' >"$C/xmlin/charref.xml"

# spool names
for n in ERP-20261203-0001.p7m a x.tmp x.part .hidden -x _x 'a b' "$(printf 'V%.0s' $(seq 128))" \
	"$(printf 'W%.0s' $(seq 129))" E2026120302000012301_name.p7m x.tmp.p7m 'a/b' $'a\nb' x. 'x..tmp'; do
	printf '%s' "$n" >"$C/spool_name/$(printf '%s' "$n" | sha1sum | cut -c1-12)"
done
echo "seed.sh: $(ls "$C/envelope" | wc -l) envelope, $(ls "$C/xmlin" | wc -l) xmlin, $(ls "$C/spool_name" | wc -l) spool_name seeds"
