# entrust — build, run and test.  `make run` and `make test` are all a new
# machine needs (as root: scripts/setup installs the Debian packages).

CC       ?= cc
OPT      ?= -O2
SAN      ?=
BUILD    ?= build/release
BINDIR   ?= bin
CFLAGS   := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g $(OPT) $(SAN) \
            -I/usr/include/libxml2 -MMD -MP
LDLIBS   := -lxml2 -lxslt -ldb-5.3 -lcrypto -lcurl
TEST_LIBS := -lcmocka

PROGS    := entrustd entrustctl
LIB_SRC  := $(filter-out $(PROGS:%=src/%.c),$(wildcard src/*.c))
LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/%)

.PHONY: all setup run test unit e2e asan valgrind clean demo bench bench-quick
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

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do \
		ENTRUST_SRC=$(CURDIR) $$t; \
	done

e2e: all
	tests/e2e/run.sh $(BINDIR)

# The whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer.
asan:
	$(MAKE) --no-print-directory BUILD=build/asan BINDIR=build/asan/bin OPT=-O1 \
		SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		unit e2e

# The unit tests under valgrind's memcheck (leaks and invalid accesses fail).
valgrind: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do \
		ENTRUST_SRC=$(CURDIR) valgrind -q --error-exitcode=9 --leak-check=full \
			--errors-for-leak-kinds=definite $$t; \
	done

# Throughput, latency, CPU and memory against the baseline and the crypto bound (issue #7).
bench: all
	scripts/bench

bench-quick: all
	scripts/bench --quick

test: setup
	$(MAKE) --no-print-directory all unit e2e
	$(MAKE) --no-print-directory asan

clean:
	rm -rf build bin

-include $(LIB_OBJ:.o=.d) $(PROGS:%=$(BUILD)/%.d)
