# appwrite_realtime.h - build, test, demo, fuzz, bench.
#   make            the example programs in build/ (awr-ws-echo, awr-json-check, awr-listen, ...)
#   make test       the whole suite, four builds (gcc/clang x ASan+UBSan -O0 / -O2), ends "N passed, N failed"
#   make demo       the local Appwrite-compatible server with a demo scenario, and awr-listen against it
#   make fuzz       libFuzzer targets in build/fuzz/ (clang)
#   make bench      throughput against wslay, jsmn and cJSON in the same run; make bench-cg: callgrind
#   make coverage   the suite's line coverage of the header, per section

CC      ?= cc
CFG     ?= release
STD     ?= -std=c99
WARN    := -Wall -Wextra -Wpedantic -Werror
SAN     := -O0 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

CXX     ?= c++
ifeq ($(CFG),gcc-asan)
  CC := gcc
  CXX := g++
  OPT := $(SAN)
else ifeq ($(CFG),clang-asan)
  CC := clang
  CXX := clang++
  OPT := $(SAN)
else ifeq ($(CFG),gcc-O2)
  CC := gcc
  CXX := g++
  OPT := -O2 -g
else ifeq ($(CFG),clang-O2)
  CC := clang
  CXX := clang++
  OPT := -O2 -g
else ifeq ($(CFG),coverage)
  CC := gcc
  CXX := g++
  OPT := -O0 -g --coverage
else
  OPT := -O2
endif

ifeq ($(CFG),release)
  OUT := build
else
  OUT := build/$(CFG)
endif

CFLAGS_ALL = $(STD) $(WARN) $(OPT) -D_DEFAULT_SOURCE -I. -Itests $(CFLAGS)
# C++ examples and tests (*.cpp): the C++ layer (AWR_CPP), built without exceptions and RTTI
CXXFLAGS_ALL = -std=c++17 -fno-exceptions -fno-rtti $(WARN) $(OPT) -D_DEFAULT_SOURCE -I. -Itests $(CXXFLAGS)
# A source file names the extra libraries it links with in a comment: /* awr-link: -lwslay */
linkflags = $(shell sed -n 's|.*awr-link: *\(.*[^ ]\) *\*/.*|\1|p' $(1))

HEADER    := appwrite_realtime.h
EXAMPLES  := $(patsubst examples/%.c,%,$(wildcard examples/*.c))
EXAMPLES_CXX := $(patsubst examples/%.cpp,%,$(wildcard examples/*.cpp))
exe_name   = awr-$(subst _,-,$(patsubst awr_%,%,$(1)))
EXE       := $(foreach e,$(EXAMPLES) $(EXAMPLES_CXX),$(OUT)/$(call exe_name,$(e)))
TESTS     := $(patsubst tests/%.c,$(OUT)/%,$(wildcard tests/test_*.c)) $(patsubst tests/%.cpp,$(OUT)/%,$(wildcard tests/test_*.cpp))
FUZZ      := $(patsubst fuzz/%.c,%,$(wildcard fuzz/fuzz_*.c))
REPLAYS   := $(patsubst %,$(OUT)/replay_%,$(FUZZ))

.PHONY: all examples tests replays test demo fuzz coverage bench bench-cg clean
all: examples
examples: $(EXE)
tests: $(TESTS) $(EXE) $(REPLAYS)

define example_rule
$(OUT)/$(call exe_name,$(1)): examples/$(1).c $(HEADER) | $(OUT)
	$$(CC) $$(CFLAGS_ALL) -o $$@ $$< $$(call linkflags,$$<) $$(LDFLAGS)
endef
$(foreach e,$(EXAMPLES),$(eval $(call example_rule,$(e))))
define example_cxx_rule
$(OUT)/$(call exe_name,$(1)): examples/$(1).cpp $(HEADER) | $(OUT)
	$$(CXX) $$(CXXFLAGS_ALL) -o $$@ $$< $$(call linkflags,$$<) $$(LDFLAGS)
endef
$(foreach e,$(EXAMPLES_CXX),$(eval $(call example_cxx_rule,$(e))))

$(OUT)/test_%: tests/test_%.c $(HEADER) tests/awr_test.h | $(OUT)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(call linkflags,$<) $(LDFLAGS)

$(OUT)/test_%: tests/test_%.cpp $(HEADER) tests/awr_test.h | $(OUT)
	$(CXX) $(CXXFLAGS_ALL) -o $@ $< $(call linkflags,$<) $(LDFLAGS)

$(OUT)/replay_%: fuzz/%.c fuzz/replay.c $(HEADER) | $(OUT)
	$(CC) $(CFLAGS_ALL) -o $@ $< fuzz/replay.c $(call linkflags,$<) $(LDFLAGS)

$(OUT):
	mkdir -p $@

test:
	@sh tests/run.sh

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
	@sh bench/run.sh

bench-cg:
	@sh bench/run.sh --callgrind

clean:
	rm -rf build

# ---- wss://, Windows, embedded, packaging ---------------------------------------------------------
# With BearSSL installed (Debian: libbearssl-dev), awr-listen, awr-ws-echo and awr-wss-connect speak wss://.
BEARSSL_H := $(firstword $(wildcard /usr/include/bearssl.h /usr/local/include/bearssl.h))
ifneq ($(BEARSSL_H),)
$(OUT)/awr-listen $(OUT)/awr-ws-echo $(OUT)/awr-wss-connect: CFLAGS_ALL += -DAWR_BEARSSL
$(OUT)/awr-listen $(OUT)/awr-ws-echo $(OUT)/awr-wss-connect: LDFLAGS += -lbearssl
endif

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
