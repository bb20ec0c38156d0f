# tests/fuzz/fuzz.mk — the libFuzzer harnesses (clang from Debian, ASan + UBSan), built from
# src/*.c directly into build/fuzz/ (never from build/release objects).  Called by the
# top-level `make fuzz` / `make fuzz-long`; usable alone:
#   make -f tests/fuzz/fuzz.mk fuzz          build, replay tests/fuzz/crashers/, fuzz each
#                                            harness FUZZ_SECONDS (default 20) seconds
#   make -f tests/fuzz/fuzz.mk fuzz-long     the same, 600 s per harness
#   make -f tests/fuzz/fuzz.mk fuzz-build    build only
# 模糊测试：clang + libFuzzer + ASan/UBSan。

FUZZ_CC      ?= clang
FUZZ_DIR     ?= build/fuzz
FUZZ_SECONDS ?= 20
FUZZ_CFLAGS  := -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
                -Isrc -I/usr/include/libxml2 \
                -DFUZZ_PKI_DEFAULT='"$(CURDIR)/tests/fuzz/pki"' \
                -DFUZZ_XSD_DEFAULT='"$(CURDIR)/xsd/entrust.xsd"'
FUZZ_HARNESSES := envelope xmlin spool_name

# the sources each harness needs, and their libraries
FUZZ_SRC_envelope   := envelope xmem buf
FUZZ_SRC_xmlin      := xmlin xmem buf
FUZZ_SRC_spool_name := spool safeio xmem buf
FUZZ_LIB_envelope   := -lcrypto
FUZZ_LIB_xmlin      := -lxml2
FUZZ_LIB_spool_name :=

FUZZ_BINS := $(FUZZ_HARNESSES:%=$(FUZZ_DIR)/fuzz_%)

.PHONY: fuzz fuzz-long fuzz-build
.SECONDEXPANSION:

fuzz-build: $(FUZZ_BINS)

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $$(addprefix src/,$$(addsuffix .c,$$(FUZZ_SRC_$$*))) $$(wildcard src/*.h) tests/fuzz/fuzz.mk
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(addprefix src/,$(addsuffix .c,$(FUZZ_SRC_$*))) $(FUZZ_LIB_$*)

fuzz: $(FUZZ_BINS)
	@FUZZ_DIR=$(FUZZ_DIR) tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_HARNESSES)

fuzz-long: $(FUZZ_BINS)
	@FUZZ_DIR=$(FUZZ_DIR) tests/fuzz/run.sh 600 $(FUZZ_HARNESSES)
