#!/usr/bin/env bash
# tests/e2e/transport.sh — delivery end to end (issue #4): the real entrustd (daemon mode,
# its delivery threads) uploads the acks, notices and customs-format exports it writes to a
# real OpenSSH sshd (SFTP, key authentication, known_hosts) and a real nginx (HTTPS PUT, TLS
# with a throw-away CA, client certificates required), both started here on loopback ports
# with their own throw-away keys; a small python3 TLS server plays a partner that hangs.
# Debian's nginx cannot store a POST by itself (its DAV module takes PUT only): a /post/
# location keeps each POST body in a file (client_body_in_file_only) and proxies to a plain
# location answering 201, so POST is checked byte for byte too; a second nginx server speaks
# TLS 1.1 only (the TLS 1.2 minimum).  FIFOs in place of SFTP .part files hold uploads in
# flight on the server for as long as a test needs (per-route limits, kill -9 mid-upload).
# Envelopes are made the real way (openssl cms, demo PKI); results are read from the
# servers' folders and logs, spool/sent|dead|outbound, the daemon's log, `entrustctl status`
# and `entrustctl metrics`.
# 投递端到端测试：真实的 sshd（SFTP）与 nginx（HTTPS 双向认证）。
#
# usage: tests/e2e/transport.sh [BIN_DIR]    (BIN_DIR holds entrustd; default ./bin)
#        KEEP=1 tests/e2e/transport.sh       keep the temporary directory
# Prints "ok - NAME" / "not ok - NAME: WHY" per test, "# …" figures, and
# "transport: N passed, M failed" last; exits 1 when a test failed.  Needs root or a user
# that may run sshd and nginx on high ports; packages from scripts/setup
# (openssh-server, openssh-client, nginx; python3, jq, xmllint).
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${1:-./bin}
[ -d "$BIN" ] && BIN=$(cd "$BIN" && pwd)
ENTRUSTD=$BIN/entrustd

PASS=0
FAILS=0
FAILMSG=""
DPID="" SSHD_PID="" NGINX_PID="" HOLE_PID=""

T=$(mktemp -d "${TMPDIR:-/tmp}/entrust-transport.XXXXXX") || {
	echo "not ok - setup: mktemp failed"
	echo "transport: 0 passed, 1 failed"
	exit 1
}
chmod 711 "$T"	# sshd (StrictModes no) and nginx workers only need to pass through

PKI=$T/pki
TLS=$T/tls
SSHD=$T/sshd
NGX=$T/nginx
SFTP_IN=$T/sftp-in	# what the SFTP partner receives
WWW=$T/www		# nginx root; the HTTPS partner receives in $WWW/in
SPOOL=$T/spool
STORE=$T/store
DOCS=$T/docs
LOG=$SPOOL/log/entrustd.log
DERR=$T/daemon-stderr.log
mkdir -p "$PKI" "$TLS" "$SSHD" "$NGX/tmp" "$SFTP_IN" "$WWW/in" "$DOCS" "$SPOOL/inbound"

BR=4101W68006	# broker: SFTP route
AS=1100XH0001	# association: HTTPS route
C1=1101230001	# consignor: a route to a closed port (dead letters)
C2=1101230002	# consignor2: POST to nginx, which answers 4xx (a non-2xx answer is a failure)
OP=ENTRUSTOPS	# operator: SFTP with a known_hosts that does not list the server at all
CU=0100HG0001	# customs: the customs-format exports (R27); HTTPS in good.conf, SFTP in exp.conf
DAY=""		# sent/<code>/<yyyymmdd>/ of today (UTC)

cleanup() {
	[ -n "$DPID" ] && kill -KILL "$DPID" 2>/dev/null
	stop_sshd
	[ -n "$NGINX_PID" ] && kill -QUIT "$NGINX_PID" 2>/dev/null
	[ -n "$HOLE_PID" ] && kill -TERM "$HOLE_PID" 2>/dev/null
	wait 2>/dev/null
	[ "${KEEP:-0}" = 1 ] || rm -rf -- "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# ---------------------------------------------------------------------------------------
# helpers

fail() {
	FAILMSG="$*"
	return 1
}

run_test() {
	FAILMSG=""
	if "$1"; then
		echo "ok - $1"
		PASS=$((PASS + 1))
	else
		echo "not ok - $1: ${FAILMSG:-failed}"
		FAILS=$((FAILS + 1))
	fi
}

# wait_until SECONDS CMD... — poll CMD every 50 ms; 0 as soon as it succeeds
wait_until() {
	local n=$(($1 * 20))
	shift
	while [ $n -gt 0 ]; do
		"$@" && return 0
		sleep 0.05
		n=$((n - 1))
	done
	"$@"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port — a loopback TCP port nobody listens on
free_port() {
	local p
	for _ in $(seq 100); do
		p=$((20000 + RANDOM % 40000))
		port_open "$p" || {
			echo "$p"
			return 0
		}
	done
	return 1
}

fpr() {
	openssl x509 -in "$1" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr A-F a-f
}

# sign STEM DOC OUT — an envelope as partners make it (DER CMS, content attached)
sign() {
	openssl cms -sign -nodetach -binary -signer "$PKI/$1.pem" -inkey "$PKI/$1.key" \
		-in "$2" -outform DER -out "$3" 2>>"$T/openssl.log"
}

# drop FILE NAME — into inbound/ the safe way (hidden name, then rename)
drop() {
	cp -- "$1" "$SPOOL/inbound/.$2" && mv -- "$SPOOL/inbound/.$2" "$SPOOL/inbound/$2"
}

# registration MSGID — the broker's BrokerRegistration (accepted: ack to the broker,
# notice to the association)
registration() {
	sed "s/REG-4101W68006-0001/$1/" "$REPO/docs/examples/broker-registration.xml"
}

# decision MSGID — the association's RegistrationDecision (ack to the association)
decision() {
	sed "s/ASSOC-DEC-0001/$1/" "$REPO/docs/examples/registration-decision.xml"
}

# send STEM MSGID XML-GENERATOR — sign and drop one message
send() {
	"$3" "$2" >"$DOCS/$2.xml" && sign "$1" "$DOCS/$2.xml" "$DOCS/$2.p7m" &&
		drop "$DOCS/$2.p7m" "$2.p7m" || fail "cannot make envelope $2 (openssl)"
}

# sent_file CODE NAME — path of NAME in sent/CODE/<yyyymmdd>/ (empty when absent)
sent_file() {
	local f
	for f in "$SPOOL/sent/$1"/*/"$2"; do
		[ -f "$f" ] && echo "$f" && return
	done
}

# collect CODE — a local party takes its files from outbound/CODE/ (as partners do)
collect() {
	find "$SPOOL/outbound/$1" -maxdepth 1 -type f ! -name '.*' -delete 2>/dev/null
	return 0
}

# pending CODE — names still queued in outbound/CODE/
pending() {
	ls -A "$SPOOL/outbound/$1" 2>/dev/null | grep -v '^\.' || true
}

# verify_hub FILE — a DER CMS signed by the hub that verifies against the demo CA
verify_hub() {
	local out=$T/verify/$(basename "$1")
	mkdir -p "$T/verify"
	openssl cms -verify -CAfile "$PKI/ca.pem" -inform DER -binary -in "$1" -out "$out.xml" \
		-signer "$out.signer.pem" >/dev/null 2>>"$T/openssl.log" ||
		fail "$(basename "$1") does not verify with openssl cms -verify" || return 1
	[ "$(fpr "$out.signer.pem")" = "$(fpr "$PKI/hub.pem")" ] || fail "$(basename "$1") not signed by the hub"
}

# arrived_same CODE NAME REMOTE_DIR — NAME delivered: in sent/, on the server, byte for byte
arrived_same() {
	local s
	s=$(sent_file "$1" "$2")
	[ -n "$s" ] || fail "$1/$2 not in sent/$1/<yyyymmdd>/ (outbound: $(pending "$1" | tr '\n' ' '))" || return 1
	[ -f "$3/$2" ] || fail "$2 not on the server ($3)" || return 1
	cmp -s "$s" "$3/$2" || fail "$2 on the server differs from sent/ (cmp)"
}

# log_has PATTERN — the daemon's log has a line matching the ERE
log_has() { grep -Eq -- "$1" "$LOG" 2>/dev/null; }

# log_count PATTERN — how many lines of the daemon's log match the ERE
log_count() {
	local n
	n=$(grep -Ec -- "$1" "$LOG" 2>/dev/null)
	echo "${n:-0}"
}

# descendants PID — the process ids below PID (children first, then theirs)
descendants() {
	local c
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		echo "$c"
		descendants "$c"
	done
}

# conf FILE ROUTES ATTEMPTS PARALLEL — a daemon configuration
conf() {
	cat >"$1" <<EOF
# written by tests/e2e/transport.sh
spool_dir = $SPOOL
store_dir = $STORE
xsd_dir = $REPO/xsd
xslt_dir = $REPO/xslt
codes_dir = $REPO/conf/codes
trust_ca = $PKI/ca.pem
hub_cert = $PKI/hub.pem
hub_key = $PKI/hub.key
registry = $PKI/parties.conf
settle_ms = 0
rescan_s = 1
log_file = $LOG
routes = $2
delivery_attempts = $3
delivery_backoff_s = 1
delivery_parallel = $4
EOF
}

# start_daemon CONF — entrustd in daemon mode (a daemon left by a failed test is stopped)
start_daemon() {
	local before
	stop_daemon >/dev/null 2>&1
	before=$(log_count "delivery 投递 to=$BR")
	echo "=== $(date -u +%T.%N) start $1" >>"$DERR"
	"$ENTRUSTD" -c "$1" >>"$DERR" 2>&1 &
	DPID=$!
	wait_until 10 eval '[ "$(log_count "delivery 投递 to=$BR")" -gt "$before" ]' ||
		fail "daemon did not start its delivery threads (see $DERR)" || return 1
	kill -0 "$DPID" 2>/dev/null || fail "daemon exited at once"
}

# stop_daemon — SIGTERM; must exit 0 within 10 s (transfers in flight are bounded)
stop_daemon() {
	local rc
	[ -n "$DPID" ] || return 0
	kill -TERM "$DPID" 2>/dev/null
	wait_until 10 eval '! kill -0 $DPID 2>/dev/null'
	if kill -0 "$DPID" 2>/dev/null; then
		kill -KILL "$DPID"
		wait "$DPID" 2>/dev/null
		DPID=""
		fail "daemon still running 10 s after SIGTERM"
		return 1
	fi
	wait "$DPID"
	rc=$?
	DPID=""
	[ "$rc" -eq 0 ] || fail "daemon exited $rc after SIGTERM (see $DERR)"
}

start_sshd() {
	/usr/sbin/sshd -D -e -f "$SSHD/sshd_config" >>"$SSHD/sshd.log" 2>&1 &
	SSHD_PID=$!
	wait_until 10 port_open "$SSH_PORT" || fail "sshd did not listen on $SSH_PORT: $(tail -2 "$SSHD/sshd.log")"
}

# stop_sshd — the listener and its open sessions (a reused connection must break too)
stop_sshd() {
	local kids
	[ -n "$SSHD_PID" ] || return 0
	kids=$(descendants "$SSHD_PID")
	kill -TERM "$SSHD_PID" $kids 2>/dev/null
	wait "$SSHD_PID" 2>/dev/null
	SSHD_PID=""
	wait_until 5 eval '! port_open $SSH_PORT'
}

start_nginx() {
	nginx -e "$NGX/error.log" -p "$NGX/" -c "$NGX/nginx.conf" -g "daemon off; pid $NGX/nginx.pid;" \
		>>"$NGX/stderr.log" 2>&1 &
	NGINX_PID=$!
	wait_until 10 port_open "$HTTPS_PORT" || fail "nginx did not listen on $HTTPS_PORT: $(tail -2 "$NGX/error.log")"
}

stop_nginx() {
	[ -n "$NGINX_PID" ] || return 0
	kill -TERM "$NGINX_PID" 2>/dev/null
	wait "$NGINX_PID" 2>/dev/null
	NGINX_PID=""
	wait_until 5 eval '! port_open $HTTPS_PORT'
}

# ---------------------------------------------------------------------------------------
# setup: demo PKI, SSH keys and sshd, TLS CAs and nginx, routes and configurations

# tls_ca DIR NAME — a self-signed CA DIR/NAME.pem
tls_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/O=entrust test/CN=$2" -keyout "$1/$2.key" -out "$1/$2.pem" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}

# tls_cert DIR NAME CA EXT — an end-entity certificate signed by DIR/CA
tls_cert() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/O=entrust test/CN=$2" \
		-keyout "$1/$2.key" -out "$1/$2.csr" &&
		openssl x509 -req -in "$1/$2.csr" -CA "$1/$3.pem" -CAkey "$1/$3.key" -days 2 \
			-set_serial "0x$(openssl rand -hex 8)" -extfile <(printf '%s\n' "$4") -out "$1/$2.pem" &&
		chmod 600 "$1/$2.key"
}

setup_sshd() {
	ssh-keygen -q -t ed25519 -N "" -C "entrust test host" -f "$SSHD/host_ed25519" &&
		ssh-keygen -q -t ed25519 -N "" -C "entrust test other host" -f "$SSHD/other_ed25519" &&
		ssh-keygen -q -t ed25519 -N "" -C "entrust hub" -f "$SSHD/hub_ed25519" ||
		fail "ssh-keygen failed" || return 1
	cp "$SSHD/hub_ed25519.pub" "$SSHD/authorized_keys"
	SSH_PORT=$(free_port) || fail "no free port" || return 1
	echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$SSHD/host_ed25519.pub")" >"$SSHD/known_hosts"
	echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$SSHD/other_ed25519.pub")" >"$SSHD/known_hosts.wrong"
	echo "[127.0.0.2]:$SSH_PORT $(cut -d' ' -f1,2 "$SSHD/host_ed25519.pub")" >"$SSHD/known_hosts.other"
	cat >"$SSHD/sshd_config" <<EOF
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $SSHD/host_ed25519
PidFile $SSHD/sshd.pid
AuthorizedKeysFile $SSHD/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
# sftp-server logs each operation to a file: the test counts what the receiver saw
Subsystem sftp /usr/lib/openssh/sftp-server -e -l INFO 2>>$SSHD/sftp.log
LogLevel VERBOSE
EOF
	# privilege separation needs its empty folder (normally made by the service unit)
	[ "$(id -u)" -ne 0 ] || [ -d /run/sshd ] || mkdir -m 0755 /run/sshd
	/usr/sbin/sshd -t -f "$SSHD/sshd_config" 2>"$SSHD/check.log" || fail "sshd -t: $(head -1 "$SSHD/check.log")" || return 1
	start_sshd
}

setup_nginx() {
	{
		tls_ca "$TLS" ca && tls_ca "$TLS" clientca && tls_ca "$TLS" otherca &&
			tls_cert "$TLS" server ca "subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth" &&
			tls_cert "$TLS" client clientca "extendedKeyUsage=clientAuth" &&
			tls_cert "$TLS" client2 otherca "extendedKeyUsage=clientAuth"
	} >>"$T/openssl.log" 2>&1 || fail "cannot make the TLS certificates (openssl)" || return 1
	HTTPS_PORT=$(free_port) && POST_PORT=$(free_port) && TLS11_PORT=$(free_port) || fail "no free port" || return 1
	cat >"$NGX/nginx.conf" <<EOF
$([ "$(id -u)" -eq 0 ] && echo "user root;")
worker_processes 1;
error_log $NGX/error.log info;
events { worker_connections 256; }
http {
	access_log $NGX/access.log;
	log_format posted '\$request_method \$uri \$status \$request_body_file';
	client_body_temp_path $NGX/tmp/body;
	proxy_temp_path $NGX/tmp/proxy;
	fastcgi_temp_path $NGX/tmp/fastcgi;
	uwsgi_temp_path $NGX/tmp/uwsgi;
	scgi_temp_path $NGX/tmp/scgi;
	server {
		listen 127.0.0.1:$HTTPS_PORT ssl;
		server_name localhost;
		ssl_certificate $TLS/server.pem;
		ssl_certificate_key $TLS/server.key;
		ssl_protocols TLSv1.2 TLSv1.3;
		ssl_client_certificate $TLS/clientca.pem;
		ssl_verify_client on;
		root $WWW;
		client_max_body_size 16m;
		location /in/ {
			dav_methods PUT;
			create_full_put_path on;
			dav_access user:rw group:r;
		}
		# POST: the DAV module takes PUT only, so nginx keeps each POST body in a file of
		# its own (client_body_in_file_only on: never removed) and proxies an empty request
		# to the plain server below, which answers 201; post.log maps URI to body file
		location /post/ {
			limit_except POST { deny all; }
			client_body_temp_path $NGX/post-bodies;
			client_body_in_file_only on;
			access_log $NGX/post.log posted;
			proxy_pass_request_body off;
			proxy_set_header Content-Length "";
			proxy_pass http://127.0.0.1:$POST_PORT/done/;
		}
	}
	server {
		listen 127.0.0.1:$POST_PORT;
		access_log off;
		location /done/ { return 201; }
	}
	# a partner that speaks TLS 1.1 only (security level 0, or OpenSSL itself refuses it)
	server {
		listen 127.0.0.1:$TLS11_PORT ssl;
		server_name localhost;
		ssl_certificate $TLS/server.pem;
		ssl_certificate_key $TLS/server.key;
		ssl_protocols TLSv1.1;
		ssl_ciphers DEFAULT:@SECLEVEL=0;
		root $WWW;
		location /in/ {
			dav_methods PUT;
			create_full_put_path on;
		}
	}
}
EOF
	nginx -e "$NGX/error.log" -p "$NGX/" -c "$NGX/nginx.conf" -t >"$NGX/check.log" 2>&1 ||
		fail "nginx -t: $(grep -m1 emerg "$NGX/check.log")" || return 1
	start_nginx
}

setup() {
	local x
	for x in openssl ssh-keygen ssh curl /usr/sbin/sshd /usr/lib/openssh/sftp-server nginx cmp timeout jq xmllint python3; do
		command -v $x >/dev/null 2>&1 || fail "$x not installed (scripts/setup)" || return 1
	done
	[ -x "$ENTRUSTD" ] || fail "$ENTRUSTD not found (run make)" || return 1
	"$REPO/scripts/demo-pki" "$PKI" "$PKI/parties.conf" >"$T/demo-pki.log" 2>&1 ||
		fail "scripts/demo-pki failed: $(tail -1 "$T/demo-pki.log")" || return 1
	setup_sshd || return 1
	setup_nginx || return 1
	CLOSED_PORT=$(free_port) || fail "no free port" || return 1

	local sftp="sftp://$(id -un)@127.0.0.1:$SSH_PORT$SFTP_IN" https="https://127.0.0.1:$HTTPS_PORT/in"
	local tlsopt="cert=$TLS/client.pem key=$TLS/client.key"
	cat >"$T/routes.good" <<EOF
# party      route                                        options
$BR $sftp key=$SSHD/hub_ed25519 known_hosts=$SSHD/known_hosts
$AS $https ca=$TLS/ca.pem $tlsopt method=PUT
$C1 local
$CU $https ca=$TLS/ca.pem $tlsopt
EOF
	# the same, but customs over SFTP (exports on both transports)
	sed "s#^$CU .*#$CU $sftp key=$SSHD/hub_ed25519 known_hosts=$SSHD/known_hosts#" "$T/routes.good" >"$T/routes.exp"
	cat >"$T/routes.certs" <<EOF
# the right CA for the server, but no client certificate, or one nginx does not trust
$BR $sftp key=$SSHD/hub_ed25519 known_hosts=$SSHD/known_hosts
$AS $https ca=$TLS/ca.pem
$C2 $https ca=$TLS/ca.pem cert=$TLS/client2.pem key=$TLS/client2.key
EOF
	HOLE_PORT=$(free_port) || fail "no free port" || return 1
	cat >"$T/routes.slow" <<EOF
# the association's server accepts connections and never answers (a hung partner)
$BR $sftp key=$SSHD/hub_ed25519 known_hosts=$SSHD/known_hosts
$AS https://127.0.0.1:$HOLE_PORT/in ca=$TLS/ca.pem $tlsopt
EOF
	cat >"$T/routes.wrong" <<EOF
# known_hosts lists another key; the server certificate is checked against another CA
$BR $sftp key=$SSHD/hub_ed25519 known_hosts=$SSHD/known_hosts.wrong
$AS $https ca=$TLS/otherca.pem $tlsopt
# nobody listens there
$C1 https://127.0.0.1:$CLOSED_PORT/in ca=$TLS/ca.pem
# nginx's DAV takes PUT only: a POST is answered 4xx
$C2 https://127.0.0.1:$HTTPS_PORT/in ca=$TLS/ca.pem $tlsopt method=POST
# known_hosts knows the key, but for another host: this server is unknown
$OP $sftp key=$SSHD/hub_ed25519 known_hosts=$SSHD/known_hosts.other
EOF
	cat >"$T/routes.par" <<EOF
# per-route limits of concurrent transfers, below and above delivery_parallel (2)
$BR sftp://$(id -un)@127.0.0.1:$SSH_PORT$T/par1 key=$SSHD/hub_ed25519 known_hosts=$SSHD/known_hosts parallel=1
$AS sftp://$(id -un)@127.0.0.1:$SSH_PORT$T/par3 key=$SSHD/hub_ed25519 known_hosts=$SSHD/known_hosts parallel=3
EOF
	cat >"$T/routes.post" <<EOF
# consignor2 takes POST (nginx keeps the body); consignor's partner speaks TLS 1.1 only
$BR $sftp key=$SSHD/hub_ed25519 known_hosts=$SSHD/known_hosts
$C2 https://127.0.0.1:$HTTPS_PORT/post ca=$TLS/ca.pem $tlsopt method=POST
$C1 https://127.0.0.1:$TLS11_PORT/in ca=$TLS/ca.pem
EOF
	conf "$T/good.conf" "$T/routes.good" 8 2
	conf "$T/par.conf" "$T/routes.par" 8 2
	conf "$T/post.conf" "$T/routes.post" 8 2
	conf "$T/wrong.conf" "$T/routes.wrong" 3 2
	conf "$T/exp.conf" "$T/routes.exp" 8 2
	conf "$T/certs.conf" "$T/routes.certs" 8 2
	conf "$T/slow.conf" "$T/routes.slow" 8 1
	DAY=$(date -u +%Y%m%d)
}

# ---------------------------------------------------------------------------------------
# tests

# entrustd -n checks the routes file: OK for good routes, "file:line: why" for a bad one
test_config_check_routes() {
	local out rc
	out=$("$ENTRUSTD" -n -c "$T/good.conf" 2>&1)
	rc=$?
	[ $rc -eq 0 ] && [[ $out == *"configuration OK"* ]] || fail "entrustd -n on good routes: exit $rc: $out" || return 1
	{ head -2 "$T/routes.good"; echo "$AS https://127.0.0.1:$HTTPS_PORT/in/../etc ca=$TLS/ca.pem"; } >"$T/routes.bad"
	conf "$T/bad.conf" "$T/routes.bad" 8 2
	out=$("$ENTRUSTD" -n -c "$T/bad.conf" 2>&1)
	rc=$?
	[ $rc -eq 1 ] || fail "entrustd -n on a bad routes file: exit $rc, want 1" || return 1
	[[ $out == "$T/routes.bad:3: URL: '.' or '..' in path"* ]] || fail "entrustd -n message: $out" || return 1
	sed -i "s#known_hosts=$SSHD/known_hosts#pubkey=$SSHD/hub_ed25519.pub#" "$T/routes.bad"
	out=$("$ENTRUSTD" -n -c "$T/bad.conf" 2>&1)
	[[ $out == "$T/routes.bad:2: sftp route needs known_hosts=FILE"* ]] || fail "entrustd -n message: $out"
}

# the fixture itself: nginx refuses a client without a certificate, sshd knows our key only
test_fixture_servers_demand_credentials() {
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$TLS/ca.pem" -T "$T/routes.good" \
		"https://127.0.0.1:$HTTPS_PORT/in/probe" 2>/dev/null)
	[ "$code" = 400 ] || fail "nginx without a client certificate answered $code, want 400" || return 1
	code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$TLS/ca.pem" --cert "$TLS/client.pem" \
		--key "$TLS/client.key" -T "$T/routes.good" "https://127.0.0.1:$HTTPS_PORT/in/probe" 2>/dev/null)
	[ "$code" = 201 ] || fail "nginx with the client certificate answered $code, want 201" || return 1
	rm -f "$WWW/in/probe"
	ssh -o BatchMode=yes -o IdentitiesOnly=yes -o UserKnownHostsFile="$SSHD/known_hosts" -o StrictHostKeyChecking=yes \
		-i "$SSHD/other_ed25519" -p "$SSH_PORT" "$(id -un)@127.0.0.1" true 2>/dev/null &&
		fail "sshd let in a key that is not authorized" || return 0
}

# acks and notices reach both partners byte for byte, verify, and leave outbound/ for sent/
test_acks_arrive_on_both() {
	local f n=0 names name
	start_daemon "$T/good.conf" || return 1
	send broker REG-T1 registration || return 1
	wait_until 15 test -f "$SFTP_IN/ACK_REG-T1.p7m" || fail "ACK_REG-T1.p7m did not arrive over SFTP" || return 1
	send association DEC-T1 decision || return 1
	wait_until 15 test -f "$WWW/in/ACK_DEC-T1.p7m" || fail "ACK_DEC-T1.p7m did not arrive over HTTPS" || return 1
	wait_until 10 eval '[ -z "$(pending $BR)$(pending $AS)" ]' ||
		fail "still queued: $(pending $BR) $(pending $AS)" || return 1
	for name in "$BR:$SFTP_IN" "$AS:$WWW/in"; do
		names=$(ls "$SPOOL/sent/${name%%:*}/$DAY" 2>/dev/null)
		[ -n "$names" ] || fail "nothing in sent/${name%%:*}/$DAY" || return 1
		for f in $names; do
			arrived_same "${name%%:*}" "$f" "${name#*:}" || return 1
			verify_hub "${name#*:}/$f" || return 1
			n=$((n + 1))
		done
	done
	[ -f "$WWW/in/$(ls "$SPOOL/sent/$AS/$DAY" | grep NTC_ | head -1)" ] ||
		fail "the association's notice of the registration did not arrive" || return 1
	[ -z "$(ls -A "$SFTP_IN" | grep '^\.')" ] || fail "temporary files left on the SFTP server: $(ls -A "$SFTP_IN" | grep '^\.')" || return 1
	[ -z "$(find "$SPOOL/outbound/$BR/.state" "$SPOOL/outbound/$AS/.state" -type f)" ] ||
		fail "retry state left for delivered files" || return 1
	log_has "ACK_REG-T1.p7m: to=$BR route=sftp://[^ ]+ status=sent attempt=1" ||
		fail "no log line 'ACK_REG-T1.p7m: to=$BR route=… status=sent'" || return 1
	echo "# $n files delivered and verified (openssl cms -verify, cmp)"
}

# both servers down: the files wait (retry state on disk); once up they arrive
test_server_down_then_up() {
	local s
	[ -n "$DPID" ] || start_daemon "$T/good.conf" || return 1
	stop_sshd
	stop_nginx
	send broker REG-T2 registration || return 1
	send association DEC-T2 decision || return 1
	wait_until 15 log_has "ACK_REG-T2.p7m: to=$BR .*status=deferred .*attempt=1/8" ||
		fail "no deferred attempt for ACK_REG-T2.p7m while sshd is down" || return 1
	wait_until 15 log_has "ACK_DEC-T2.p7m: to=$AS .*status=deferred .*attempt=1/8" ||
		fail "no deferred attempt for ACK_DEC-T2.p7m while nginx is down" || return 1
	s=$(cat "$SPOOL/outbound/$BR/.state/ACK_REG-T2.p7m" 2>/dev/null)
	[[ $s == *"attempts: "[1-9]* ]] || fail "no durable retry state for ACK_REG-T2.p7m: '$s'" || return 1
	[[ $s == *"error: curl 7 "* ]] || fail "retry state does not hold the connection error: '$s'" || return 1
	[ -f "$SPOOL/outbound/$BR/ACK_REG-T2.p7m" ] || fail "ACK_REG-T2.p7m left outbound/ while sshd was down" || return 1
	sleep 1
	start_sshd || return 1
	start_nginx || return 1
	wait_until 20 test -f "$SFTP_IN/ACK_REG-T2.p7m" || fail "ACK_REG-T2.p7m not delivered after sshd came up" || return 1
	wait_until 20 test -f "$WWW/in/ACK_DEC-T2.p7m" || fail "ACK_DEC-T2.p7m not delivered after nginx came up" || return 1
	wait_until 5 eval '[ -n "$(sent_file $AS ACK_DEC-T2.p7m)" ]'
	arrived_same "$BR" ACK_REG-T2.p7m "$SFTP_IN" && arrived_same "$AS" ACK_DEC-T2.p7m "$WWW/in" || return 1
	verify_hub "$SFTP_IN/ACK_REG-T2.p7m" && verify_hub "$WWW/in/ACK_DEC-T2.p7m" || return 1
	[ ! -e "$SPOOL/outbound/$BR/.state/ACK_REG-T2.p7m" ] || fail "retry state kept after delivery" || return 1
	stop_daemon || return 1
	# the daemon's last metrics (written at exit): this run's attempts per route and outcome
	for s in "$BR sftp" "$AS https"; do
		set -- $s
		[ "$(metric "$T/good.conf" "$(deliveries $1 $2 sent)")" -ge 1 ] ||
			fail "entrustctl metrics: no 'sent' for $1 over $2" || return 1
		[ "$(metric "$T/good.conf" "$(deliveries $1 $2 deferred)")" -ge 1 ] ||
			fail "entrustctl metrics: no 'deferred' for $1 over $2" || return 1
	done
}

# a wrong host key and a wrong server certificate are refused: the file stays queued,
# its attempts are counted durably (across a restart), and it goes to dead/ only when
# the attempts run out
test_wrong_host_key_and_certificate_refused() {
	local r k
	: >"$T/wrong.mark"
	start_daemon "$T/wrong.conf" || return 1
	send broker REG-T3 registration || return 1
	send association DEC-T3 decision || return 1
	refused_registration operator "$OP" REG-T6 || return 1
	wait_until 15 log_has "ACK_REG-T3.p7m: to=$BR .*status=deferred .*attempt=1/3" ||
		fail "no refused attempt for ACK_REG-T3.p7m (wrong host key)" || return 1
	wait_until 15 log_has "ACK_DEC-T3.p7m: to=$AS .*status=deferred .*attempt=1/3" ||
		fail "no refused attempt for ACK_DEC-T3.p7m (wrong CA)" || return 1
	# after the first refusal: still queued, neither sent nor dead, nothing on the servers
	[ -f "$SPOOL/outbound/$BR/ACK_REG-T3.p7m" ] && [ -f "$SPOOL/outbound/$AS/ACK_DEC-T3.p7m" ] ||
		fail "a refused file left outbound/ before its attempts ran out" || return 1
	[ -z "$(sent_file $BR ACK_REG-T3.p7m)$(sent_file $AS ACK_DEC-T3.p7m)" ] || fail "a refused file is in sent/" || return 1
	[ ! -e "$SPOOL/dead/$BR/ACK_REG-T3.p7m" ] || fail "dead after one attempt" || return 1
	[ -z "$(ls -A "$SFTP_IN" | grep T3)$(ls -A "$WWW/in" | grep T3)" ] || fail "a refused file reached a server" || return 1
	log_has "ACK_REG-T3.p7m: .*attempt=1/3 .*error=\"curl 60 .*host key does not match" ||
		fail "SFTP refusal does not say the host key mismatched: $(grep -m1 'ACK_REG-T3.*deferred' "$LOG")" || return 1
	log_has "ACK_DEC-T3.p7m: .*attempt=1/3 .*error=\"curl 60 .*(certificate|verify)" ||
		fail "HTTPS refusal does not name the certificate: $(grep -m1 'ACK_DEC-T3.*deferred' "$LOG")" || return 1
	wait_until 15 log_has "to=$OP .*status=deferred .*attempt=1/3 .*error=\"curl 60 .*host key not in known_hosts" ||
		fail "unknown host key not refused: $(grep -m1 "to=$OP .*deferred" "$LOG")" || return 1
	[ -z "$(ls -A "$SFTP_IN" | grep -v '^\(ACK\|NTC\|EXP\)_')" ] || fail "unexpected files on the SFTP server: $(ls -A "$SFTP_IN" | grep -v '^\(ACK\|NTC\|EXP\)_' | tr '\n' ' ')" || return 1
	# a restart keeps the attempts counted so far (outbound/<code>/.state/NAME)
	stop_daemon || return 1
	start_daemon "$T/wrong.conf" || return 1
	# the attempts run out: dead/ with the reason, after 3 attempts in all (not 3 more)
	for r in "$BR/ACK_REG-T3.p7m" "$AS/ACK_DEC-T3.p7m"; do
		wait_until 20 test -f "$SPOOL/dead/$r.reason" || fail "$r not in dead/ after 3 attempts" || return 1
		k=$(log_count "$(basename "$r"): to=.* status=deferred")
		[ "$k" -eq 2 ] || fail "$r: $k deferred attempts across the restart, want 2 (then dead)" || return 1
		wait_until 2 test -f "$SPOOL/dead/$r" || fail "dead/$r.reason without the file" || return 1
		grep -q "^attempts: 3$" "$SPOOL/dead/$r.reason" || fail "dead/$r.reason: not 'attempts: 3'" || return 1
		[ ! -e "$SPOOL/outbound/$r" ] || fail "$r both in dead/ and outbound/" || return 1
		verify_hub "$SPOOL/dead/$r" || return 1
	done
	grep -q "^detail: curl 60 .*host key" "$SPOOL/dead/$BR/ACK_REG-T3.p7m.reason" ||
		fail "dead reason lacks the host key error: $(grep detail "$SPOOL/dead/$BR/ACK_REG-T3.p7m.reason")"
}

# a consignor may not register as a broker: refused, with a negative ack to it
# refused_registration STEM CODE MSGID
refused_registration() {
	registration "$3" | sed "s#<Sender>$BR#<Sender>$2#" >"$DOCS/$3.xml"
	sign "$1" "$DOCS/$3.xml" "$DOCS/$3.p7m" && drop "$DOCS/$3.p7m" "$3.p7m" || fail "cannot make envelope $3"
}

# a route that keeps failing (nobody listens; or the server answers 4xx) ends in dead/
# with a complete reason file, and entrustctl status counts it
test_failing_route_dead_letter() {
	local r="" k r2="" n
	refused_registration consignor "$C1" REG-T4 || return 1
	refused_registration consignor2 "$C2" REG-T5 || return 1
	# the negative ack is ACK_REG-T4.p7m or ACK_<envelope id>.p7m, depending on the stage that refused
	wait_until 20 eval 'r=$(ls "$SPOOL/dead/$C1/"ACK_*.p7m.reason 2>/dev/null | head -1); [ -n "$r" ]' ||
		fail "no ack in dead/$C1/ (outbound: $(pending $C1))" || return 1
	wait_until 2 test -f "${r%.reason}" || fail "reason without the file" || return 1
	for k in code zh en detail route attempts file time; do
		grep -q "^$k: ..*" "$r" || fail "$(basename "$r") has no '$k:' line" || return 1
	done
	grep -q "^code: DELIVERY_FAILED$" "$r" || fail "reason code: $(grep ^code "$r")" || return 1
	grep -q "^detail: curl 7 .*" "$r" || fail "reason detail is not curl's connect error: $(grep ^detail "$r")" || return 1
	grep -q "^attempts: 3$" "$r" || fail "reason attempts: $(grep ^attempts "$r")" || return 1
	[ -z "$(pending $C1)" ] || fail "still queued: $(pending $C1)" || return 1
	[ -z "$(ls -A "$SPOOL/outbound/$C1/.state")" ] || fail "retry state left for a dead letter" || return 1
	log_has "$(basename "${r%.reason}"): to=$C1 route=https://127.0.0.1:$CLOSED_PORT/in status=dead" ||
		fail "no 'status=dead' log line" || return 1
	wait_until 20 eval 'r2=$(ls "$SPOOL/dead/$C2/"ACK_*.p7m.reason 2>/dev/null | head -1); [ -n "$r2" ]' ||
		fail "no ack in dead/$C2/ after POST answered 4xx (outbound: $(pending $C2))" || return 1
	grep -Eq "^detail: HTTP 4[0-9]{2}: " "$r2" || fail "reason detail is not the HTTP status: $(grep ^detail "$r2")" || return 1
	[ -z "$(ls "$WWW/in" | grep "$(basename "${r2%.reason}")")" ] || fail "a refused POST left a file on nginx" || return 1
	# entrustctl status counts every file in dead/<code>/ (not the reasons)
	k=$(find "$SPOOL/dead" -type f ! -name '*.reason' | wc -l)
	[ "$k" -ge 4 ] || fail "only $k dead letters" || return 1
	n=$(timeout 10 "$BIN/entrustctl" -c "$T/wrong.conf" status --json 2>/dev/null | jq -r '.dead_letters' 2>/dev/null)
	[ "$n" = "$k" ] || fail "entrustctl status --json: dead_letters '$n', want $k" || return 1
	timeout 10 "$BIN/entrustctl" -c "$T/wrong.conf" status >"$T/status.txt" 2>/dev/null
	grep -Eq "^dead letters 投递死信: $k( |\$)" "$T/status.txt" ||
		fail "entrustctl status does not show 'dead letters 投递死信: $k': $(grep 'dead letters' "$T/status.txt")" || return 1
	grep -Eq "curl 7|HTTP 4[0-9]{2}" "$T/status.txt" || fail "entrustctl status shows no dead letter's last error" || return 1
	stop_daemon || return 1
	# metrics of that run: C1's file failed 3 times, the last one made it a dead letter
	[ "$(metric "$T/wrong.conf" "$(deliveries $C1 https deferred)")" -eq 2 ] ||
		fail "entrustctl metrics: $(deliveries $C1 https deferred) is $(metric "$T/wrong.conf" "$(deliveries $C1 https deferred)"), want 2" || return 1
	[ "$(metric "$T/wrong.conf" "$(deliveries $C1 https dead)")" -eq 1 ] ||
		fail "entrustctl metrics: $(deliveries $C1 https dead) is $(metric "$T/wrong.conf" "$(deliveries $C1 https dead)"), want 1" || return 1
	[ "$(metric "$T/wrong.conf" "$(deliveries $BR sftp sent)")" -eq 0 ] || fail "metrics count a 'sent' on a refused route" || return 1
}

# entrustctl retry CODE/NAME: a dead letter goes back to outbound/CODE/ (its reason kept as
# NAME.reason.1); once the route is right (good.conf) it is delivered with fresh attempts
test_dead_letter_retry_after_fix() {
	local j n0 n1 rc
	[ -f "$SPOOL/dead/$BR/ACK_REG-T3.p7m" ] || fail "needs the dead letter of test_wrong_host_key_and_certificate_refused" || return 1
	n0=$(timeout 10 "$BIN/entrustctl" -c "$T/good.conf" status --json | jq -r .dead_letters)
	timeout 10 "$BIN/entrustctl" -c "$T/good.conf" retry "$BR/NONE.p7m" >/dev/null 2>&1
	rc=$?
	[ $rc -eq 1 ] || fail "retry of a missing dead letter exited $rc, want 1" || return 1
	timeout 10 "$BIN/entrustctl" -c "$T/good.conf" retry "$BR/../x" >/dev/null 2>&1
	rc=$?
	[ $rc -eq 2 ] || fail "retry of '$BR/../x' exited $rc, want 2" || return 1
	j=$(timeout 10 "$BIN/entrustctl" -c "$T/good.conf" retry "$BR/ACK_REG-T3.p7m" --json) ||
		fail "entrustctl retry $BR/ACK_REG-T3.p7m exited $?" || return 1
	[ "$(jq -r .from <<<"$j")" = dead ] && [ "$(jq -r .history <<<"$j")" = ACK_REG-T3.p7m.reason.1 ] ||
		fail "retry answered $j" || return 1
	[ -f "$SPOOL/outbound/$BR/ACK_REG-T3.p7m" ] && [ ! -e "$SPOOL/dead/$BR/ACK_REG-T3.p7m" ] ||
		fail "not moved back to outbound/$BR/" || return 1
	grep -q "^code: DELIVERY_FAILED" "$SPOOL/dead/$BR/ACK_REG-T3.p7m.reason.1" || fail "reason not kept" || return 1
	n1=$(timeout 10 "$BIN/entrustctl" -c "$T/good.conf" status --json | jq -r .dead_letters)
	[ "$n1" -eq $((n0 - 1)) ] || fail "dead_letters $n0 → $n1, want one less" || return 1
	start_daemon "$T/good.conf" || return 1
	wait_until 20 eval '[ -n "$(sent_file $BR ACK_REG-T3.p7m)" ]' || fail "ACK_REG-T3.p7m not delivered after retry" || return 1
	arrived_same "$BR" ACK_REG-T3.p7m "$SFTP_IN" && verify_hub "$SFTP_IN/ACK_REG-T3.p7m" || return 1
	log_has "ACK_REG-T3.p7m: to=$BR route=sftp://[^ ]+ status=sent attempt=1 " || fail "not sent at its first fresh attempt" || return 1
	stop_daemon
}

# kill -9 while 200 files are being delivered; after a restart every file has arrived
# (at least once), none is lost, every copy is whole; figures per transport.  One upload is
# certainly in flight at the kill: ACK_BULK-001's .part on the SFTP server is a FIFO, so the
# server has begun it (its log says "open") and holds it (open(2) waits for a reader).
test_kill9_during_delivery_loses_nothing() {
	local i n=100 stage=$T/stage got=0 at_kill ups dup f from missing="" held="$SFTP_IN/.ACK_BULK-001.p7m.part"
	mkdir -p "$stage"
	mkfifo "$held" || fail "mkfifo $held" || return 1
	for i in $(seq -w 1 $n); do
		registration "BULK-$i" >"$stage/BULK-$i.xml"
		sign broker "$stage/BULK-$i.xml" "$stage/BULK-$i.p7m" || fail "openssl cms -sign failed" || return 1
	done
	: >"$NGX/access.log"
	from=$(($(wc -l <"$LOG") + 1))
	start_daemon "$T/good.conf" || return 1
	# one process renames them all (a process per file would take longer than the deliveries;
	# mv -t stats what the daemon may have claimed already)
	python3 -c 'import os, sys
for f in sys.argv[2:]:
    os.rename(f, os.path.join(sys.argv[1], os.path.basename(f)))' "$SPOOL/inbound" "$stage"/BULK-*.p7m ||
		fail "rename into inbound/" || return 1
	# 100 acks to the broker (SFTP) + 100 notices to the association (HTTPS)
	count() { got=$(($(ls "$SFTP_IN" | grep -c '^ACK_BULK-') + $(grep -c ' "PUT /in/NTC_' "$NGX/access.log"))); }
	# kill once 20 files are on the servers, counted with builtins only (no process per
	# poll: the queue of 200 files empties within a second on an idle machine)
	count_fast() {
		local a l
		shopt -s nullglob
		a=("$SFTP_IN"/ACK_BULK-*)
		shopt -u nullglob
		mapfile -t l <"$NGX/access.log"
		got=$((${#a[@]} + ${#l[@]}))
	}
	for i in $(seq 3000); do
		count_fast
		[ $got -ge 20 ] && fifo_opened "$held" && break
		sleep 0.01
	done
	[ $got -ge 20 ] || fail "only $got files delivered in 30 s" || return 1
	fifo_opened "$held" || fail "the upload of ACK_BULK-001.p7m did not begin in 30 s" || return 1
	kill -KILL "$DPID"
	wait "$DPID" 2>/dev/null
	DPID=""
	count
	at_kill=$got
	echo "# killed (-9) with $at_kill of $((2 * n)) delivered; $(ls "$SPOOL/inbound" | grep -c BULK) envelopes not yet taken," \
		"$(pending $BR | wc -l)+$(pending $AS | wc -l) files queued; ACK_BULK-001.p7m in flight (held by the server)"
	[ "$at_kill" -lt $((2 * n)) ] || fail "everything was delivered before the kill: test inconclusive" || return 1
	[ -f "$SPOOL/outbound/$BR/ACK_BULK-001.p7m" ] || fail "ACK_BULK-001.p7m left outbound/ while its upload was held" || return 1
	# the killed upload's server process gets its reader (then its dead connection's EOF), and
	# the FIFO goes: the retry after the restart writes a plain .part
	release "$held" || rm -f -- "$held"
	start_daemon "$T/good.conf" || return 1
	wait_until 60 eval '[ -z "$(ls "$SPOOL/inbound" | grep BULK)$(ls -A "$SPOOL/work")$(pending $BR)$(pending $AS)" ]' ||
		fail "not drained in 60 s: inbound $(ls "$SPOOL/inbound" | grep -c BULK), queued $(pending $BR | wc -l)+$(pending $AS | wc -l)" || return 1
	for i in $(seq -w 1 $n); do
		[ -f "$SFTP_IN/ACK_BULK-$i.p7m" ] || missing="$missing ACK_BULK-$i"
	done
	[ -z "$missing" ] || fail "lost:$missing" || return 1
	for f in $(ls "$SPOOL/sent/$BR/$DAY" | grep ACK_BULK-); do
		cmp -s "$SPOOL/sent/$BR/$DAY/$f" "$SFTP_IN/$f" || fail "$f differs on the SFTP server" || return 1
	done
	[ "$(ls "$SPOOL/sent/$BR/$DAY" | grep -c ACK_BULK-)" -eq $n ] || fail "not $n ACK_BULK in sent/$BR" || return 1
	# every notice the daemon wrote for the bulk reached nginx, whole
	for f in $(tail -n +"$from" "$LOG" | grep -o "NTC_[0-9]*\.p7m: to=$AS bytes=[0-9]* status=written" | cut -d: -f1 | sort -u); do
		[ -f "$WWW/in/$f" ] || missing="$missing $f"
		[ -z "$(sent_file $AS "$f")" ] || cmp -s "$(sent_file $AS "$f")" "$WWW/in/$f" || fail "$f differs on nginx" || return 1
	done
	[ -z "$missing" ] || fail "lost:$missing" || return 1
	[ -z "$(ls -A "$SFTP_IN" | grep '^\.')" ] || fail "temporary .part files left on the SFTP server" || return 1
	for f in $(ls "$WWW/in" | grep NTC_ | head -20) $(ls "$SFTP_IN" | grep ACK_BULK | head -20); do
		[ -f "$WWW/in/$f" ] && { verify_hub "$WWW/in/$f" || return 1; }
		[ -f "$SFTP_IN/$f" ] && { verify_hub "$SFTP_IN/$f" || return 1; }
	done
	# extra copies as the receivers saw them: renames into place (sshd), PUTs (nginx); they
	# come from uploads cut by the kill and from acks the pipeline wrote again on recovery
	ups=$(grep -c 'rename old ".*/\.ACK_BULK-[0-9]*\.p7m\.part"' "$SSHD/sftp.log")
	dup=$(grep -c ' "PUT /in/NTC_[0-9]*\.p7m' "$NGX/access.log")
	dup=$((dup - $(grep -o ' "PUT /in/NTC_[0-9]*\.p7m' "$NGX/access.log" | sort -u | wc -l)))
	echo "# after restart: all $((2 * n)) delivered, none lost; extra copies received: $((ups - n)) over SFTP, $dup over HTTPS"
	stop_daemon
}

# files already queued when the daemon starts (written by entrustd --once, which does not
# deliver): how fast each route empties its queue; figures from the daemon's log
test_throughput_queued_files() {
	local i n=150 stage=$T/stage2
	mkdir -p "$stage"
	stop_daemon || return 1
	for i in $(seq -w 1 $n); do
		registration "RATE-$i" >"$stage/RATE-$i.xml"
		sign broker "$stage/RATE-$i.xml" "$SPOOL/inbound/RATE-$i.p7m" || fail "openssl cms -sign failed" || return 1
	done
	timeout 60 "$ENTRUSTD" -c "$T/good.conf" --once >>"$DERR" 2>&1 || fail "entrustd --once failed" || return 1
	[ "$(pending $BR | grep -c ACK_RATE-)" -eq $n ] || fail "entrustd --once did not leave $n acks queued" || return 1
	start_daemon "$T/good.conf" || return 1
	wait_until 60 eval '[ -z "$(pending $BR)$(pending $AS)" ]' ||
		fail "queues not empty after 60 s: $(pending $BR | wc -l)+$(pending $AS | wc -l)" || return 1
	[ "$(ls "$SFTP_IN" | grep -c '^ACK_RATE-')" -eq $n ] || fail "not all ACK_RATE arrived" || return 1
	figures
	stop_daemon
}

# figures — files/s per route in the daemon's last run: first to last "status=sent" line
figures() {
	local route
	for route in sftp https; do
		grep -E "starting 启动|route=$route:[^ ]* status=sent" "$LOG" | awk -v r="$route" '
			/starting/ { n = 0; ms = 0; next }
			{ split($1, a, "T"); split(a[2], b, ":"); s = b[1] * 3600 + b[2] * 60 + b[3];
			  if (n == 0) first = s; last = s; n++; ms += $0 ~ /ms=/ ? substr($0, index($0, " ms=") + 4) + 0 : 0 }
			END { if (n > 1 && last > first)
				printf "# %s: %d queued files in %.2f s: %.0f files/s (2 threads), mean %.1f ms per transfer\n",
					r, n, last - first, (n - 1) / (last - first), ms / n }'
	done
}

# the daemon never printed a sanitizer report (when built with make asan)
test_no_sanitizer_reports() {
	! grep -Eq 'ERROR: (Address|Leak)Sanitizer|ThreadSanitizer: data race|runtime error:' "$DERR" ||
		fail "sanitizer report in $DERR: $(grep -Em1 'Sanitizer|runtime error' "$DERR")"
}

# ---------------------------------------------------------------------------------------
# more helpers: documents made from docs/examples, decoded answers, metrics

# send_doc STEM MSGID — sign $DOCS/MSGID.xml as STEM and drop it
send_doc() {
	sign "$1" "$DOCS/$2.xml" "$DOCS/$2.p7m" && drop "$DOCS/$2.p7m" "$2.p7m" || fail "cannot make envelope $2 (openssl)"
}

# topup MSGID — the operator credits the consignor 100 units (R-account), ack to the operator
topup() {
	sed "s/OPS-TOPUP-0001/$1/" "$REPO/docs/examples/top-up.xml"
}

# request_xml MSGID — the consignor asks the broker for a new letter with two agreements
# (ref 1 and 2, consignor-paid, different bills of lading)
request_xml() {
	local f=$REPO/docs/examples/entrust-request.xml
	sed -e "s/ERP-20261203-0001/$1/" -e '/<\/EntrustRequest>/d' "$f"
	sed -n '/<Agreement ref="1">/,/<\/Agreement>/p' "$f" | sed -e 's/ref="1"/ref="2"/' -e 's/COSU6123456780/COSU6123456781/'
	echo '</EntrustRequest>'
}

# confirm_xml MSGID LETTER AGREEMENT — the broker accepts one agreement (with its half, R9)
confirm_xml() {
	sed -e "s/BRK-CONF-0001/$1/" -e "s#<Letter>2600000001</Letter>#<Letter>$2</Letter>#" \
		-e "s#<Agreement>20260000000001</Agreement>#<Agreement>$3</Agreement>#" "$REPO/docs/examples/entrust-confirm.xml"
}

# xp FILE XPATH — a string from a decoded answer; the XPath names elements by local-name()
xp() { xmllint --xpath "string($2)" "$1" 2>/dev/null; }

# new_exp CODE SEEN — the first EXP_ file in sent/CODE/<today>/ not listed in SEEN
new_exp() {
	local f
	for f in $(ls "$SPOOL/sent/$1/$DAY" 2>/dev/null | grep '^EXP_'); do
		[[ " $2 " == *" $f "* ]] || { echo "$f"; return 0; }
	done
	return 1
}

# check_export FILE AGREEMENT — a customs-format export: signed by the hub, valid against its
# XSD, the agreement as electronic attachment 10000001
check_export() {
	local x=$T/verify/$(basename "$1").xml
	verify_hub "$1" || return 1
	grep -q 'urn:entrust:customs:1' "$x" || fail "$(basename "$1") is not in the customs format" || return 1
	grep -q "$2" "$x" || fail "$(basename "$1") does not carry agreement $2" || return 1
	grep -q 10000001 "$x" || fail "$(basename "$1") lacks attachment type 10000001" || return 1
	xmllint --noout --schema "$REPO/xsd/customs/agent-agreement.xsd" "$x" 2>"$T/xsd.log" ||
		fail "$(basename "$1") not valid against agent-agreement.xsd: $(head -1 "$T/xsd.log")"
}

# metric CONF SERIES — the value of one series in `entrustctl metrics` (0 when absent)
metric() {
	local v
	v=$(timeout 10 "$BIN/entrustctl" -c "$1" metrics 2>/dev/null | grep -F "$2 " | awk '{print $2}' | head -1)
	echo "${v:-0}"
}

# deliveries PARTY ROUTE OUTCOME — the series name of entrust_deliveries_total
deliveries() { echo "entrust_deliveries_total{party=\"$1\",route=\"$2\",outcome=\"$3\"}"; }

# ---------------------------------------------------------------------------------------
# more tests

# SFTP: the upload goes to .NAME.part and is renamed on the server (sftp-server's own log):
# a receiver never sees a half-written file under its final name
test_sftp_upload_temp_name_then_rename() {
	local log=$SSHD/sftp.log p="$SFTP_IN/.ACK_REG-T1.p7m.part"
	grep -Fq "open \"$p\" flags WRITE,CREATE,TRUNCATE" "$log" || fail "ACK_REG-T1.p7m not written as .ACK_REG-T1.p7m.part" || return 1
	grep -Fq "rename old \"$p\" new \"$SFTP_IN/ACK_REG-T1.p7m\"" "$log" || fail "no rename of the .part into place" || return 1
	! grep -Fq "open \"$SFTP_IN/ACK_REG-T1.p7m\" flags WRITE" "$log" || fail "ACK_REG-T1.p7m was written under its final name"
}

# stable names: a replayed envelope (R25) gets the same ack file name, delivered again under
# that name (overwritten on the SFTP server, PUT again on nginx), so receivers drop duplicates
# sftp_renames NAME — how often the SFTP server renamed an upload into NAME
sftp_renames() { grep -cF "new \"$SFTP_IN/$1\"" "$SSHD/sftp.log"; }
# https_puts NAME — how often nginx took a PUT of NAME
https_puts() { grep -cF " \"PUT /in/$1 " "$NGX/access.log"; }

test_replay_delivered_under_the_same_name() {
	local n0 p0 n1 p1
	n0=$(sftp_renames ACK_REG-T1.p7m)
	p0=$(https_puts ACK_DEC-T1.p7m)
	[ "$n0" -ge 1 ] && [ "$p0" -ge 1 ] || fail "the first acks were not seen by the servers ($n0, $p0)" || return 1
	drop "$DOCS/REG-T1.p7m" REG-T1-again.p7m && drop "$DOCS/DEC-T1.p7m" DEC-T1-again.p7m || fail "cannot drop" || return 1
	wait_until 20 eval '[ "$(sftp_renames ACK_REG-T1.p7m)" -gt "$n0" ]' ||
		fail "the replay's ack was not delivered again as ACK_REG-T1.p7m over SFTP" || return 1
	wait_until 20 eval '[ "$(https_puts ACK_DEC-T1.p7m)" -gt "$p0" ]' ||
		fail "the replay's ack was not PUT again as ACK_DEC-T1.p7m" || return 1
	n1=$(ls -A "$SFTP_IN" | grep -c 'ACK_REG-T1')
	p1=$(ls -A "$WWW/in" | grep -c 'ACK_DEC-T1')
	[ "$n1" -eq 1 ] && [ "$p1" -eq 1 ] || fail "receivers hold $n1 and $p1 copies under other names" || return 1
	wait_until 10 eval '[ -z "$(pending $BR)$(pending $AS)" ]' || fail "still queued: $(pending $BR) $(pending $AS)" || return 1
	arrived_same "$BR" ACK_REG-T1.p7m "$SFTP_IN" && arrived_same "$AS" ACK_DEC-T1.p7m "$WWW/in" || return 1
	verify_hub "$SFTP_IN/ACK_REG-T1.p7m" && verify_hub "$WWW/in/ACK_DEC-T1.p7m"
}

# customs-format exports (R27) reach customs over HTTPS (good.conf) and, after a restart
# with customs routed over SFTP (exp.conf), over SFTP: byte for byte, signed by the hub,
# valid against xsd/customs/agent-agreement.xsd.  The broker was approved in
# test_acks_arrive_on_both (DEC-T1); the consignor pays (top-up).
test_exports_arrive_on_both() {
	local x L a1 a2 e1 e2
	send operator TOPUP-X1 topup || return 1
	wait_until 15 test -f "$SPOOL/outbound/$OP/ACK_TOPUP-X1.p7m" || fail "no ack to the top-up" || return 1
	request_xml REQ-X1 >"$DOCS/REQ-X1.xml" && send_doc consignor REQ-X1 || return 1
	wait_until 15 test -f "$SPOOL/outbound/$C1/ACK_REQ-X1.p7m" || fail "no ack to the request (outbound/$C1)" || return 1
	verify_hub "$SPOOL/outbound/$C1/ACK_REQ-X1.p7m" || return 1
	x=$T/verify/ACK_REQ-X1.p7m.xml
	[ "$(xp "$x" "/*/*[local-name()='Outcome']")" = accepted ] || fail "request not accepted: $(grep -o 'code="[^"]*"' "$x" | tr '\n' ' ')" || return 1
	L=$(xp "$x" "/*/*[local-name()='Letter']/*[local-name()='Number']")
	a1=$(xp "$x" "/*/*[local-name()='Agreement'][@ref='1']/*[local-name()='Number']")
	a2=$(xp "$x" "/*/*[local-name()='Agreement'][@ref='2']/*[local-name()='Number']")
	[ -n "$L" ] && [ -n "$a1" ] && [ -n "$a2" ] || fail "letter/agreement numbers not in the ack" || return 1
	# agreement 1 reaches status 1: its export goes to customs over HTTPS
	confirm_xml CONF-X1 "$L" "$a1" >"$DOCS/CONF-X1.xml" && send_doc broker CONF-X1 || return 1
	wait_until 20 eval 'e1=$(new_exp $CU "")' || fail "no EXP_ in sent/$CU/$DAY over HTTPS (outbound: $(pending $CU | tr '\n' ' '))" || return 1
	arrived_same "$CU" "$e1" "$WWW/in" || return 1
	check_export "$WWW/in/$e1" "$a1" || return 1
	wait_until 15 test -f "$SFTP_IN/ACK_CONF-X1.p7m" || fail "the broker's ack to the confirmation did not arrive" || return 1
	# customs moves to SFTP (a restart: routes are read at start); agreement 2 reaches 1
	stop_daemon || return 1
	start_daemon "$T/exp.conf" || return 1
	confirm_xml CONF-X2 "$L" "$a2" >"$DOCS/CONF-X2.xml" && send_doc broker CONF-X2 || return 1
	wait_until 20 eval 'e2=$(new_exp $CU "$e1")' || fail "no second EXP_ in sent/$CU/$DAY over SFTP (outbound: $(pending $CU | tr '\n' ' '))" || return 1
	arrived_same "$CU" "$e2" "$SFTP_IN" || return 1
	check_export "$SFTP_IN/$e2" "$a2" || return 1
	[ ! -e "$SFTP_IN/.$e2.part" ] || fail "temporary .part left on the server" || return 1
	echo "# exports: $e1 over HTTPS, $e2 over SFTP"
	stop_daemon || return 1
	collect "$C1"	# local in good.conf: the consignor takes its acks and notices
	collect "$OP"
	start_daemon "$T/good.conf"
}

# mutual TLS: without a client certificate, or with one from a CA nginx does not trust, the
# upload is refused (nginx answers 400) and the file stays queued, nothing reaches nginx;
# once the route has its client certificate again (good.conf) the kept file goes out
test_client_certificate_missing_or_wrong_refused() {
	local f
	start_daemon "$T/certs.conf" || return 1
	send association DEC-T7 decision || return 1
	refused_registration consignor2 "$C2" REG-T7 || return 1
	wait_until 20 log_has "ACK_DEC-T7.p7m: to=$AS .*status=deferred .*attempt=1/8 .*error=\"HTTP 400" ||
		fail "no refused attempt (HTTP 400) without a client certificate: $(grep -m1 'ACK_DEC-T7.*to=' "$LOG")" || return 1
	wait_until 20 log_has "to=$C2 .*status=deferred .*attempt=1/8 .*error=\"HTTP 400" ||
		fail "no refused attempt (HTTP 400) with an untrusted client certificate: $(grep -m1 "to=$C2 " "$LOG")" || return 1
	grep -q "client sent no required SSL certificate" "$NGX/error.log" ||
		fail "nginx did not log the missing client certificate" || return 1
	grep -q "client SSL certificate verify error" "$NGX/error.log" ||
		fail "nginx did not log the untrusted client certificate" || return 1
	[ -f "$SPOOL/outbound/$AS/ACK_DEC-T7.p7m" ] || fail "ACK_DEC-T7.p7m left outbound/ though refused" || return 1
	[ -z "$(sent_file $AS ACK_DEC-T7.p7m)" ] && [ ! -e "$WWW/in/ACK_DEC-T7.p7m" ] ||
		fail "a refused file reached nginx or sent/" || return 1
	f=$(pending "$C2" | head -1)
	[ -n "$f" ] && [ ! -e "$WWW/in/$f" ] && [ -z "$(sent_file $C2 "$f")" ] || fail "the consignor2 file was not kept" || return 1
	stop_daemon || return 1
	start_daemon "$T/good.conf" || return 1
	wait_until 20 test -f "$WWW/in/ACK_DEC-T7.p7m" || fail "ACK_DEC-T7.p7m not delivered with the client certificate" || return 1
	wait_until 5 eval '[ -n "$(sent_file $AS ACK_DEC-T7.p7m)" ]'
	arrived_same "$AS" ACK_DEC-T7.p7m "$WWW/in" && verify_hub "$WWW/in/ACK_DEC-T7.p7m" || return 1
	stop_daemon || return 1
	collect "$C2"	# local in good.conf
}

# hole PORT LOG — a TLS server that completes the handshake (any client certificate) and
# then never reads nor answers: a hung partner.  One line in LOG per connection.
hole() {
	python3 - "$1" "$2" "$TLS/server.pem" "$TLS/server.key" <<'EOF' &
import socket, ssl, sys, threading
port, log, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ctx.verify_mode = ssl.CERT_NONE
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(64)
held = []
def serve(c):
    try:
        t = ctx.wrap_socket(c, server_side=True)
        held.append(t)
        with open(log, "a") as f:
            f.write("handshake\n")
    except Exception:
        c.close()
while True:
    c, _ = s.accept()
    held.append(c)
    threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF
	HOLE_PID=$!
}

# a partner that takes the connection and then hangs (AS) holds up its own lane only:
# while a transfer to it is in flight, inbound envelopes are still processed and the
# broker's files still flow over SFTP; SIGTERM still stops the daemon in bounded time
# (the hung transfer is cut, the file stays queued and goes out later)
test_slow_route_does_not_block_others() {
	local first sent_at cut_at
	: >"$T/hole.log"
	hole "$HOLE_PORT" "$T/hole.log"
	wait_until 10 port_open "$HOLE_PORT" || fail "the hung test server did not listen" || return 1
	start_daemon "$T/slow.conf" || return 1
	send association DEC-T8 decision || return 1
	wait_until 20 eval '[ -n "$(grep -m1 "ACK_DEC-T8.p7m" "$LOG")" ] && grep -q handshake "$T/hole.log"' ||
		fail "no transfer to the hung server started" || return 1
	# the transfer to AS hangs (its low-speed limit cuts it after 30 s at the earliest)
	send broker REG-T8 registration || return 1
	wait_until 30 test -f "$SFTP_IN/ACK_REG-T8.p7m" || fail "the broker's ack was not delivered while AS hung" || return 1
	[ -n "$(ls "$SPOOL"/archive/*/*_REG-T8.p7m 2>/dev/null)" ] || fail "REG-T8.p7m not archived while AS hung" || return 1
	sent_at=$(grep -n "ACK_REG-T8.p7m: to=$BR .*status=sent" "$LOG" | head -1 | cut -d: -f1)
	first=$(grep -n "ACK_DEC-T8.p7m: to=$AS route=.* status=" "$LOG" | head -1 | cut -d: -f1)
	[ -z "$first" ] || [ "$first" -gt "$sent_at" ] ||
		fail "the AS transfer ended before the broker's file went out: not in flight as meant" || return 1
	[ -f "$SPOOL/outbound/$AS/ACK_DEC-T8.p7m" ] || fail "ACK_DEC-T8.p7m left outbound/" || return 1
	stop_daemon || return 1
	cut_at=$(grep -c "ACK_DEC-T8.p7m: to=$AS .*status=interrupted" "$LOG")
	[ "$cut_at" -ge 1 ] || [ -n "$first" ] || fail "stop did not log the cut transfer (status=interrupted)" || return 1
	[ -f "$SPOOL/outbound/$AS/ACK_DEC-T8.p7m" ] || fail "ACK_DEC-T8.p7m lost at stop" || return 1
	kill -TERM "$HOLE_PID" 2>/dev/null
	wait "$HOLE_PID" 2>/dev/null
	HOLE_PID=""
	# the partner is back (good.conf: AS on nginx): the kept files go out
	start_daemon "$T/good.conf" || return 1
	wait_until 20 eval '[ -z "$(pending $AS)" ]' || fail "AS queue not drained: $(pending $AS | tr '\n' ' ')" || return 1
	arrived_same "$AS" ACK_DEC-T8.p7m "$WWW/in" || return 1
	stop_daemon
}

# ---------------------------------------------------------------------------------------
# per-route concurrency, POST, the TLS minimum

# A FIFO in place of an upload's .NAME.part holds that upload on the server: sftp-server logs
# "open" (before open(2)) and then blocks in open(2) until a reader comes, so the transfer is
# in flight, and stays so, exactly as long as the test wants.  Server-side facts, no timing.
# Released, that attempt fails (sftp-server cannot seek in a FIFO: curl 79) and the file is
# sent again, after its backoff, into a plain .part, since the FIFO is gone by then.
# sftp_opens DIR — how many uploads into DIR the SFTP server has begun (its own log)
sftp_opens() { grep -cF "open \"$1/." "$SSHD/sftp.log"; }
# fifo_opened PART — the SFTP server has begun the upload held by the FIFO PART
fifo_opened() { grep -qF "open \"$1\" flags WRITE" "$SSHD/sftp.log"; }
# held DIR — how many uploads into DIR are held now: FIFOs still there that the server opened
held() {
	local f k=0
	for f in "$1"/.*.part; do
		[ -p "$f" ] && fifo_opened "$f" && k=$((k + 1))
	done
	echo $k
}
# release PART — let the held upload go: open the FIFO for reading (the writer's open(2)
# returns), remove it, close
release() { timeout 5 sh -c 'exec 3<"$1" && rm -f -- "$1"' sh "$1"; }

# Issue #4's "a per-route limit of concurrent transfers": the broker's route
# has parallel=1, the association's parallel=3 (delivery_parallel is 2).  Three uploads are
# held on the server for each.  The association's server sees three in flight at once (the
# control: the daemon does start concurrent uploads when the limit allows); the broker's
# sees one, and while that one is held no other upload on the route begins, at each of the
# three steps (nor the retry of the one released before).  Then every file arrives byte for
# byte.
test_route_parallel_limit_one_never_two_in_flight() {
	local i n d1=$T/par1 d3=$T/par3
	mkdir -p "$d1" "$d3"
	for i in 1 2 3; do
		mkfifo "$d1/.ACK_REG-P$i.p7m.part" "$d3/.ACK_DEC-P$i.p7m.part" || fail "mkfifo" || return 1
	done
	stop_daemon || return 1
	for i in 1 2 3; do
		send broker "REG-P$i" registration && send association "DEC-P$i" decision || return 1
	done
	start_daemon "$T/par.conf" || return 1
	log_has "delivery 投递 to=$BR route=sftp://[^ ]+/par1 threads=1$" || fail "the broker's route did not start 1 thread" || return 1
	log_has "delivery 投递 to=$AS route=sftp://[^ ]+/par3 threads=3$" || fail "the association's route did not start 3 threads" || return 1
	wait_until 30 eval '[ "$(held "$d3")" -eq 3 ]' ||
		fail "parallel=3: not three uploads in flight at once ($(held "$d3") held)" || return 1
	for i in 1 2 3; do
		wait_until 20 fifo_opened "$d1/.ACK_REG-P$i.p7m.part" || fail "parallel=1: upload $i did not begin" || return 1
		n=$(sftp_opens "$d1")
		[ "$i" -eq 3 ] || [ -n "$(pending "$BR" | grep -v "ACK_REG-P$i")" ] || fail "nothing else queued: inconclusive" || return 1
		sleep 1
		[ "$(held "$d1")" -eq 1 ] || fail "parallel=1: $(held "$d1") uploads held at once at step $i" || return 1
		[ "$(sftp_opens "$d1")" -eq "$n" ] ||
			fail "parallel=1: another upload began while ACK_REG-P$i.p7m was in flight: $(grep -F "open \"$d1/." "$SSHD/sftp.log" | tail -2 | tr '\n' ' ')" || return 1
		release "$d1/.ACK_REG-P$i.p7m.part" || fail "cannot release upload $i" || return 1
	done
	for i in 1 2 3; do
		release "$d3/.ACK_DEC-P$i.p7m.part" || fail "cannot release ACK_DEC-P$i" || return 1
	done
	wait_until 30 eval '[ -z "$(pending $BR)$(pending $AS)" ]' || fail "still queued: $(pending $BR) $(pending $AS)" || return 1
	for i in 1 2 3; do
		arrived_same "$BR" "ACK_REG-P$i.p7m" "$d1" && arrived_same "$AS" "ACK_DEC-P$i.p7m" "$d3" || return 1
		verify_hub "$d1/ACK_REG-P$i.p7m" && verify_hub "$d3/ACK_DEC-P$i.p7m" || return 1
	done
	echo "# parallel=1: $(sftp_opens "$d1") uploads, one at a time; parallel=3: 3 held at once"
	stop_daemon
}

# An HTTPS route with method=POST delivers byte for byte: nginx (Debian's, no extra module)
# keeps the POST body in its own file and logs which (post.log); that file is compared with
# sent/ and verified.  The other route of post.conf is the TLS 1.1 partner of the next test.
test_https_post_delivers_byte_for_byte() {
	local name line body
	start_daemon "$T/post.conf" || return 1
	refused_registration consignor2 "$C2" REG-T9 || return 1
	wait_until 20 eval 'name=$(ls "$SPOOL/sent/$C2/$DAY" 2>/dev/null | grep "^ACK_" | head -1); [ -n "$name" ]' ||
		fail "no ack POSTed to $C2 (outbound: $(pending $C2 | tr '\n' ' '); $(grep -m1 "to=$C2 .*status=" "$LOG"))" || return 1
	line=$(grep -F "POST /post/$name 201 " "$NGX/post.log" | tail -1)
	[ -n "$line" ] || fail "nginx has no 'POST /post/$name 201' ($(tail -1 "$NGX/post.log"))" || return 1
	body=${line##* }
	[ -f "$body" ] || fail "nginx kept no body file for $name ('$line')" || return 1
	cmp -s "$(sent_file "$C2" "$name")" "$body" || fail "the POSTed body of $name differs from sent/ (cmp)" || return 1
	verify_hub "$body" || return 1
	log_has "$name: to=$C2 route=https://127.0.0.1:$HTTPS_PORT/post status=sent attempt=1 " || fail "no status=sent log line for $name" || return 1
	echo "# POST $name: $(wc -c <"$body") bytes, same as sent/"
}

# TLS 1.2 minimum (CURLOPT_SSLVERSION = CURL_SSLVERSION_TLSv1_2): a partner speaking TLS 1.1
# only is refused.  Debian's OpenSSL would refuse TLS 1.1 by itself (security level 2), which
# would hide whether the daemon asks for 1.2; so the daemon runs with an OpenSSL configuration
# that allows TLS 1.0 at security level 0, and the control shows that curl, with that same
# configuration and the same libcurl, does talk TLS 1.1 to this server: only the daemon's
# own minimum refuses it.
test_tls11_only_partner_refused() {
	local v
	cat >"$T/openssl-legacy.cnf" <<EOF
openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
MinProtocol = TLSv1
CipherString = DEFAULT:@SECLEVEL=0
EOF
	v=$(OPENSSL_CONF=$T/openssl-legacy.cnf curl -sv -o /dev/null -w 'HTTP %{http_code}\n' --cacert "$TLS/ca.pem" \
		-T "$T/routes.good" "https://127.0.0.1:$TLS11_PORT/in/probe-tls11" 2>&1)
	[[ $v == *"SSL connection using TLSv1.1"* && $v == *"HTTP 201"* ]] ||
		fail "control: curl with the legacy OpenSSL configuration did not PUT over TLS 1.1: $(grep -m1 -E 'SSL connection|curl:' <<<"$v")" || return 1
	rm -f "$WWW/in/probe-tls11"
	stop_daemon || return 1
	OPENSSL_CONF=$T/openssl-legacy.cnf start_daemon "$T/post.conf" || return 1
	refused_registration consignor "$C1" REG-T10 || return 1
	wait_until 20 log_has "to=$C1 route=https://127.0.0.1:$TLS11_PORT/in status=deferred .*error=\"curl 35 .*protocol version" ||
		fail "the TLS 1.1 partner was not refused for its protocol version: $(grep -m1 "to=$C1 route=.*status=" "$LOG")" || return 1
	[ -z "$(ls "$WWW/in" | grep -E 'ACK_(REG-T10|E[0-9]+)\.p7m')" ] || fail "a file reached the TLS 1.1 server" || return 1
	[ -n "$(pending "$C1")" ] || fail "the refused file left outbound/$C1" || return 1
	stop_daemon || return 1
	collect "$C1"
	collect "$C2"
}

# ---------------------------------------------------------------------------------------

START=$(date +%s)
if ! setup; then
	echo "not ok - setup: $FAILMSG"
	echo "transport: 0 passed, 1 failed"
	exit 1
fi
echo "# sshd on 127.0.0.1:$SSH_PORT (SFTP into $SFTP_IN), nginx on 127.0.0.1:$HTTPS_PORT (HTTPS PUT into $WWW/in)"

run_test test_config_check_routes
run_test test_fixture_servers_demand_credentials
run_test test_acks_arrive_on_both
run_test test_sftp_upload_temp_name_then_rename
run_test test_replay_delivered_under_the_same_name
run_test test_exports_arrive_on_both
run_test test_server_down_then_up
run_test test_client_certificate_missing_or_wrong_refused
run_test test_slow_route_does_not_block_others
run_test test_route_parallel_limit_one_never_two_in_flight
run_test test_https_post_delivers_byte_for_byte
run_test test_tls11_only_partner_refused
run_test test_wrong_host_key_and_certificate_refused
run_test test_failing_route_dead_letter
run_test test_dead_letter_retry_after_fix
run_test test_kill9_during_delivery_loses_nothing
run_test test_throughput_queued_files
stop_daemon >/dev/null 2>&1
run_test test_no_sanitizer_reports

[ "${KEEP:-0}" = 1 ] && echo "# kept $T"
echo "# $(($(date +%s) - START)) s"
echo "transport: $PASS passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
