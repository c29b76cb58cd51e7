# appwrite_realtime.h - build, test, demo, fuzz, bench.
#   make            the example programs in build/ (awr-ws-echo, awr-json-check, awr-listen, ...), with
#                   wss:// when BearSSL is installed (TLS=no: without), in parallel (one job per CPU)
#   make check      the unit tests (the sources tagged awr-unit: no peers, no network) in one ASan+UBSan
#                   build: the quick loop while you work
#   make test       the whole suite, four builds (gcc/clang x ASan+UBSan -O0 / -O2), ends "N passed, N failed"
#   make demo       the local Appwrite-compatible server with a demo scenario, and awr-listen against it
#                   (test, demo and bench first install what they lack: tests/deps.sh)
#   make fuzz       libFuzzer targets in build/fuzz/ (clang)
#   make bench      throughput against wslay, jsmn and cJSON in the same run; make bench-cg: callgrind
#   make coverage   the suite's line coverage of the header, per section

CC      ?= cc
CFG     ?= release
STD     ?= -std=c99
WARN    := -Wall -Wextra -Wpedantic -Werror
SAN     := -O0 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

ifeq ($(CFG),gcc-asan)
  CC := gcc
  OPT := $(SAN)
else ifeq ($(CFG),clang-asan)
  CC := clang
  OPT := $(SAN)
else ifeq ($(CFG),gcc-O2)
  CC := gcc
  OPT := -O2 -g
else ifeq ($(CFG),clang-O2)
  CC := clang
  OPT := -O2 -g
else ifeq ($(CFG),coverage)
  CC := gcc
  OPT := -O0 -g --coverage
else
  OPT := -O2
endif

ifeq ($(CFG),release)
  OUT := build
else
  OUT := build/$(CFG)
endif

# One job per CPU unless the command line says otherwise (make -j1).
ifeq ($(filter -j%,$(MAKEFLAGS)),)
  MAKEFLAGS += -j$(shell nproc 2> /dev/null || getconf _NPROCESSORS_ONLN 2> /dev/null || echo 1)
endif

CFLAGS_ALL = $(STD) $(WARN) $(OPT) -D_DEFAULT_SOURCE -I. -Itests $(CFLAGS)
# A source file names the extra libraries it links with in a comment: /* awr-link: -lwslay */
linkflags = $(shell sed -n 's|.*awr-link: *\(.*[^ ]\) *\*/.*|\1|p' $(1))

# TLS: the examples that name -lbearssl in their awr-link comment (awr-listen, awr-ws-echo,
# awr-wss-connect) speak wss:// through the BearSSL adapter when TLS=yes, the default when the compiler
# finds <bearssl.h> (Debian: libbearssl-dev). With TLS=no they are built without it and refuse https://
# and wss:// endpoints with a message that says so.
ifndef TLS
  TLS := $(if $(shell printf '\043include <bearssl.h>\n' | $(CC) $(CFLAGS) -E -x c - > /dev/null 2>&1 && echo y),yes,no)
endif
ifeq ($(TLS),yes)
  example_flags = $(if $(filter -lbearssl,$(call linkflags,$(1))),-DAWR_BEARSSL)
  example_libs  = $(call linkflags,$(1))
else
  example_flags =
  example_libs  = $(filter-out -lbearssl,$(call linkflags,$(1)))
endif

HEADER    := appwrite_realtime.h
EXAMPLES  := $(patsubst examples/%.c,%,$(wildcard examples/*.c))
exe_name   = awr-$(subst _,-,$(patsubst awr_%,%,$(1)))
EXE       := $(foreach e,$(EXAMPLES),$(OUT)/$(call exe_name,$(e)))
TESTS     := $(patsubst tests/%.c,$(OUT)/%,$(wildcard tests/test_*.c))
FUZZ      := $(patsubst fuzz/%.c,%,$(wildcard fuzz/fuzz_*.c))
REPLAYS   := $(patsubst %,$(OUT)/replay_%,$(FUZZ))

.PHONY: all examples tests replays test check demo fuzz coverage bench bench-cg clean
all: examples
examples: $(EXE)
tests: $(TESTS) $(EXE) $(REPLAYS)
replays: $(REPLAYS)

define example_rule
$(OUT)/$(call exe_name,$(1)): examples/$(1).c $(HEADER) $(OUT)/.config | $(OUT)
	$$(CC) $$(CFLAGS_ALL) $$(call example_flags,$$<) -o $$@ $$< $$(call example_libs,$$<) $$(LDFLAGS)
endef
$(foreach e,$(EXAMPLES),$(eval $(call example_rule,$(e))))

$(OUT)/test_%: tests/test_%.c $(HEADER) tests/awr_test.h $(OUT)/.config | $(OUT)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(call linkflags,$<) $(LDFLAGS)

$(OUT)/replay_%: fuzz/%.c fuzz/replay.c $(HEADER) $(OUT)/.config | $(OUT)
	$(CC) $(CFLAGS_ALL) -o $@ $< fuzz/replay.c $(call linkflags,$<) $(LDFLAGS)

$(OUT):
	mkdir -p $@

# The build's configuration (compiler, flags, TLS), rewritten only when it changes: every program of
# $(OUT) depends on it, so a different choice (BearSSL installed since, TLS=no, CFLAGS=...) rebuilds them.
config_line = CC=$(CC) TLS=$(TLS) CFLAGS=$(CFLAGS_ALL) LDFLAGS=$(LDFLAGS)
.PHONY: FORCE
$(OUT)/.config: FORCE | $(OUT)
	@printf '%s\n' '$(subst ','\'',$(config_line))' | cmp -s - $@ || printf '%s\n' '$(subst ','\'',$(config_line))' > $@

test:   # installs what the suite needs and lacks (tests/deps.sh), then runs it all
	@sh tests/deps.sh test && sh tests/run.sh

# The unit tests (sources tagged awr-unit) in one ASan+UBSan build: no peers, no network.
check:
	@sh tests/deps.sh check && TEST_CONFIGS=gcc-asan TEST_UNIT=1 TEST_PLATFORMS= sh tests/run.sh

demo:   # tests/demo.sh installs what is missing, then builds build/awr-listen
	@sh tests/demo.sh

FUZZ_FLAGS := -std=c99 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -I.
fuzz: $(patsubst %,build/fuzz/%,$(FUZZ))
build/fuzz/%: fuzz/%.c $(HEADER)
	@mkdir -p build/fuzz
	clang $(FUZZ_FLAGS) -o $@ $< $(call linkflags,$<)

coverage:   # the test programs built with gcov: which lines of the header the suite runs
	@sh tests/coverage.sh

bench:
	@sh tests/deps.sh bench && sh bench/run.sh

bench-cg:
	@sh tests/deps.sh bench && sh bench/run.sh --callgrind

clean:
	rm -rf build

# ---- Windows, embedded, packaging ------------------------------------------------------------------
PREFIX  ?= /usr/local
DESTDIR ?=
.PHONY: test-windows size install uninstall
test-windows:   # mingw-w64 cross build, run under wine against local peers
	@sh tests/windows.sh
size:           # the core for a Cortex-M4 (arm-none-eabi-gcc -Os): .text/.data/.bss
	@sh tests/embedded.sh size
install:
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/share/pkgconfig
	install -m 644 $(HEADER) $(DESTDIR)$(PREFIX)/include/$(HEADER)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(shell sed -n 's/^#define AWR_VERSION_STRING "\(.*\)"/\1/p' $(HEADER))|' \
	    appwrite_realtime.pc.in > $(DESTDIR)$(PREFIX)/share/pkgconfig/appwrite_realtime.pc
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/include/$(HEADER) $(DESTDIR)$(PREFIX)/share/pkgconfig/appwrite_realtime.pc
