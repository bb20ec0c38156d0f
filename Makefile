# entrust — build, run and test.  `make run` and `make test` are all a new
# machine needs (as root: scripts/setup installs the Debian packages).

CC       ?= cc
OPT      ?= -O2
SAN      ?=
BUILD    ?= build/release
BINDIR   ?= bin
CFLAGS   := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g $(OPT) $(SAN) \
            -I/usr/include/libxml2 -MMD -MP
LDLIBS   := -lxml2 -lxslt -ldb-5.3 -lcrypto -lcurl -lsystemd
TEST_LIBS := -lcmocka

PROGS    := entrustd entrustctl
LIB_SRC  := $(filter-out $(PROGS:%=src/%.c),$(wildcard src/*.c))
LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/%)

.PHONY: all setup run test unit e2e ops asan valgrind clean demo bench bench-quick
.SUFFIXES:
.SECONDARY:

all: $(PROGS:%=$(BINDIR)/%)

setup:
	@scripts/setup

$(BUILD)/%.o: src/%.c | $(BUILD)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/libentrust.a: $(LIB_OBJ)
	ar rcs $@ $^

$(BINDIR)/%: $(BUILD)/%.o $(BUILD)/libentrust.a | $(BINDIR)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libentrust.a $(LDLIBS)

$(BUILD)/test_%: tests/unit/test_%.c $(BUILD)/libentrust.a | $(BUILD)
	$(CC) $(CFLAGS) -Isrc -o $@ $< $(BUILD)/libentrust.a $(LDLIBS) $(TEST_LIBS)

$(BUILD) $(BINDIR):
	mkdir -p $@

# The demo PKI, party registry and config for `make run` (kept if present).
demo: all
	@scripts/demo-pki conf/pki conf/parties.conf
	@[ -f spool/sample-request.p7m ] || scripts/sign-sample conf/pki consignor docs/examples/entrust-request.xml spool/sample-request.p7m
	@scripts/demo-seed conf/pki var/store spool/inbound

run: setup demo
	@echo "entrustd: spool/ — drop envelopes into spool/inbound/ (Ctrl-C stops)"
	$(BINDIR)/entrustd -c conf/entrustd.conf

# Every unit test binary runs; the target fails if any failed.
unit: $(UNIT_BIN)
	@rc=0; for t in $(UNIT_BIN); do \
		ENTRUST_SRC=$(CURDIR) $$t || { echo "unit: $$t FAILED"; rc=1; }; \
	done; exit $$rc

e2e: all
	tests/e2e/run.sh $(BINDIR)

ops: all
	tests/e2e/ops.sh $(BINDIR)

# The unit, end-to-end and console suites again under AddressSanitizer + UndefinedBehaviorSanitizer.
asan:
	$(MAKE) --no-print-directory BUILD=build/asan BINDIR=build/asan/bin OPT=-O1 \
		SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		unit e2e ops

# The unit tests under valgrind's memcheck (leaks and invalid accesses fail).
valgrind: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do \
		ENTRUST_SRC=$(CURDIR) valgrind -q --error-exitcode=9 --leak-check=full \
			--suppressions=tests/unit/valgrind.supp \
			--errors-for-leak-kinds=definite $$t; \
	done

# Throughput, latency, CPU and memory against the baseline and the crypto bound (issue #7).
bench: all
	scripts/bench

bench-quick: all
	scripts/bench --quick

test: setup
	$(MAKE) --no-print-directory all $(UNIT_BIN)
	tests/run-suites "unit=make --no-print-directory unit" \
		"e2e=tests/e2e/run.sh $(BINDIR)" \
		"ops=make --no-print-directory ops" \
		"service=tests/e2e/service.sh $(BINDIR)" \
		"transport=tests/e2e/transport.sh $(BINDIR)" \
		"hostile=tests/hostile/run.sh $(BINDIR)" \
		"crash=tests/crash/run.sh light $(BINDIR)" \
		"fuzz=make --no-print-directory fuzz FUZZ_SECONDS=20" \
		"asan=make --no-print-directory asan" \
		"valgrind=make --no-print-directory valgrind"

clean:
	rm -rf build bin

-include $(LIB_OBJ:.o=.d) $(PROGS:%=$(BUILD)/%.d) $(UNIT_BIN:=.d)	# a test is rebuilt when a header it includes changes

# ---------------------------------------------------------------------------------------
# Install, uninstall and the Debian package (issue #8; docs/install.md).
#   make install [PREFIX=/usr/local] [DESTDIR=/tmp/root]     make uninstall     make deb
# Programs, schemas, stylesheets, man pages and docs go under PREFIX; configuration,
# spool, store and logs are the system's folders whatever PREFIX is (entrustd.conf(5)).
# As root without DESTDIR, install also creates the entrust user and groups and sets
# owners (systemd/entrust-system-setup); with DESTDIR it lays out files and modes only,
# and the package's postinst runs that script.  An existing entrustd.conf is kept (the new
# one is written beside it as entrustd.conf.new).  `make run` keeps the in-tree paths.
PREFIX        ?= /usr/local
SYSCONFDIR    ?= /etc
LOCALSTATEDIR ?= /var
UNITDIR       ?= $(PREFIX)/lib/systemd/system
INSTALL       ?= install
I_SHARE  = $(DESTDIR)$(PREFIX)/share/entrust
I_MAN    = $(DESTDIR)$(PREFIX)/share/man
I_DOC    = $(DESTDIR)$(PREFIX)/share/doc/entrust
I_ETC    = $(DESTDIR)$(SYSCONFDIR)/entrust
I_SPOOL  = $(DESTDIR)$(LOCALSTATEDIR)/spool/entrust
SUBST    = sed -e 's|@SBINDIR@|$(PREFIX)/sbin|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
           -e 's|@LOCALSTATEDIR@|$(LOCALSTATEDIR)|g'
CONF_AWK = awk -v etcdir=$(SYSCONFDIR)/entrust -v sharedir=$(PREFIX)/share/entrust \
           -v spooldir=$(LOCALSTATEDIR)/spool/entrust -v libdir=$(LOCALSTATEDIR)/lib/entrust \
           -v logdir=$(LOCALSTATEDIR)/log/entrust -f systemd/install-conf.awk
MANPAGES = $(wildcard man/*.[1-8])

.PHONY: install install-files install-dirs uninstall deb

install: install-files install-dirs
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then \
		echo "systemd/entrust-system-setup $(SYSCONFDIR) $(LOCALSTATEDIR)"; \
		systemd/entrust-system-setup $(SYSCONFDIR) $(LOCALSTATEDIR); \
	else \
		echo "install: owners not set (DESTDIR or not root): run $(PREFIX)/share/entrust/entrust-system-setup as root"; \
	fi

install-files: all
	$(INSTALL) -d -m 0755 $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin $(I_SHARE)/xslt \
		$(I_DOC)/examples $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/logrotate.d $(I_ETC)/codes
	$(INSTALL) -m 0755 $(BINDIR)/entrustd $(DESTDIR)$(PREFIX)/sbin/entrustd
	$(INSTALL) -m 0755 $(BINDIR)/entrustctl $(DESTDIR)$(PREFIX)/bin/entrustctl
	$(INSTALL) -m 0755 systemd/entrust-system-setup $(I_SHARE)/entrust-system-setup
	set -e; for f in $$(cd xsd && find . -type f -name '*.xsd' | sort); do \
		$(INSTALL) -D -m 0644 xsd/$$f $(I_SHARE)/xsd/$$f; done
	$(INSTALL) -m 0644 xslt/*.xsl $(I_SHARE)/xslt/
	set -e; for m in $(MANPAGES); do \
		$(INSTALL) -D -m 0644 $$m $(I_MAN)/man$${m##*.}/$${m##*/}; done
	$(INSTALL) -m 0644 README.md docs/*.md $(I_DOC)/
	$(INSTALL) -m 0644 docs/examples/*.xml $(I_DOC)/examples/
	$(INSTALL) -m 0644 conf/codes/*.tsv $(I_ETC)/codes/
	$(SUBST) systemd/entrustd.service.in >$(DESTDIR)$(UNITDIR)/entrustd.service
	$(SUBST) systemd/entrust.logrotate.in >$(DESTDIR)$(SYSCONFDIR)/logrotate.d/entrust
	chmod 0644 $(DESTDIR)$(UNITDIR)/entrustd.service $(DESTDIR)$(SYSCONFDIR)/logrotate.d/entrust
	@conf=entrustd.conf; [ ! -e $(I_ETC)/entrustd.conf ] || conf=entrustd.conf.new; \
	echo "$(CONF_AWK) conf/entrustd.conf >$(I_ETC)/$$conf"; \
	$(CONF_AWK) conf/entrustd.conf >$(I_ETC)/$$conf.tmp && chmod 0640 $(I_ETC)/$$conf.tmp && \
	mv $(I_ETC)/$$conf.tmp $(I_ETC)/$$conf

# Modes as entrust-system-setup sets them; nothing world-writable.
install-dirs:
	$(INSTALL) -d -m 0750 $(I_ETC) $(I_ETC)/pki $(I_SPOOL)/work $(I_SPOOL)/archive $(I_SPOOL)/error \
		$(I_SPOOL)/log $(I_SPOOL)/dead $(I_SPOOL)/sent $(DESTDIR)$(LOCALSTATEDIR)/lib/entrust
	$(INSTALL) -d -m 0755 $(I_SPOOL) $(I_SPOOL)/metrics
	$(INSTALL) -d -m 3770 $(I_SPOOL)/inbound
	$(INSTALL) -d -m 2750 $(I_SPOOL)/outbound $(DESTDIR)$(LOCALSTATEDIR)/log/entrust
	chmod 0750 $(I_ETC) $(DESTDIR)$(LOCALSTATEDIR)/lib/entrust
	chmod 0755 $(I_SPOOL)

# Programs and shared files only: configuration, keys, spool, store and logs stay.
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/sbin/entrustd $(DESTDIR)$(PREFIX)/bin/entrustctl \
		$(DESTDIR)$(UNITDIR)/entrustd.service $(DESTDIR)$(SYSCONFDIR)/logrotate.d/entrust
	rm -f $(addprefix $(I_MAN)/man,$(foreach m,$(MANPAGES),$(subst .,,$(suffix $(m)))/$(notdir $(m))))
	rm -rf $(I_SHARE) $(I_DOC)
	@echo "uninstall: kept $(I_ETC), $(I_SPOOL), $(DESTDIR)$(LOCALSTATEDIR)/lib/entrust and $(DESTDIR)$(LOCALSTATEDIR)/log/entrust"

# The Debian package, built from a copy of the tree in build/deb/ (the working tree's
# bin/ and build/ are not touched); the .deb lands in build/deb/.
DEB_TREE = build/deb/entrust
deb: setup
	rm -rf build/deb
	mkdir -p $(DEB_TREE)
	tar -cf - Makefile README.md src xsd xslt conf/entrustd.conf conf/codes man systemd debian docs \
		| tar -xf - -C $(DEB_TREE)
	cd $(DEB_TREE) && dpkg-buildpackage -b -us -uc -J >../build.log 2>&1 \
		|| { tail -40 ../build.log; exit 1; }
	@ls build/deb/*.deb

# The service tests alone (install tree, unit, sd_notify, logrotate, man pages, metrics, package).
.PHONY: service
service: all
	tests/e2e/service.sh $(BINDIR)

# ---------------------------------------------------------------------------------------
# Crash, fault and fuzz tests (issue #6; docs/reliability.md).
#   make crash-light   every crash script, light profile (a few minutes; in make test)
#   make crash         the heavy profile: thousands of envelopes, hundreds of kill -9, every
#                      sweep step, disk full, inotify overflow, Berkeley DB recovery
# The disk-full test mounts a tmpfs and the overflow test lowers an inotify sysctl: as root.
.PHONY: crash crash-light
crash: all
	tests/crash/run.sh heavy $(BINDIR)

crash-light: all
	tests/crash/run.sh light $(BINDIR)

# libFuzzer harnesses (clang, ASan + UBSan) for the envelope, XML and file-name paths:
#   make fuzz        build, replay tests/fuzz/crashers/, fuzz each harness FUZZ_SECONDS (20) s
#   make fuzz-long   the same, 600 s per harness
.PHONY: fuzz fuzz-long
fuzz: setup
	$(MAKE) --no-print-directory -f tests/fuzz/fuzz.mk fuzz

fuzz-long: setup
	$(MAKE) --no-print-directory -f tests/fuzz/fuzz.mk fuzz-long

# Hostile input (issue #6; docs/reliability.md): the corpus of tests/hostile/gen.sh (~390
# cases in ~70 classes) through the real daemon; a few minutes.  KEEP=1 keeps the run
# folder, STRICT=1 counts the listed known gaps as failures.
.PHONY: hostile
hostile: all
	tests/hostile/run.sh $(BINDIR)
