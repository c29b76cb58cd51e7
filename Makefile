# appwrite_realtime.h - build, test, demo, fuzz, bench, install.
#   make              the example programs in build/ (awr-listen, awr-load, awr-ws-echo, awr-json-check, ...),
#                     with wss:// when BearSSL is installed (TLS=no: without), one job per CPU
#   make check        the unit tests (sources tagged awr-unit: no peers, no network) in one ASan+UBSan
#                     build: the quick loop while you work
#   make test         the whole suite, four builds (gcc/clang x ASan+UBSan -O0 / -O2), ends "N passed, N failed"
#   make demo         the local Appwrite-compatible server with a demo scenario, and awr-listen against it
#                     (check, test, demo, bench and fuzz first install what they lack: tests/deps.sh)
#   make fuzz         libFuzzer targets in build/fuzz/ (clang)
#   make fuzz-run     each of them for FUZZ_SECONDS (60) from its seeds; ends "N clean, N found" (fuzz/run.sh)
#   make coverage     the suite's line coverage of the header, per section
#   make bench        throughput against wslay, jsmn, cJSON and the official SDK, and bench_scale (awr-load)
#   make bench-cg     the same under callgrind (instruction counts); make bench-charts: docs/charts/ from
#                     saved results (BENCH_RESULTS="files")
#   make size         the core for a Cortex-M4 (arm-none-eabi-gcc -Os): .text/.data/.bss
#   make test-windows the Windows part alone (mingw-w64 cross build, run under wine)
#   make test-arm     the JSON tests on AArch64 and 32-bit ARM (cross build, run under qemu-user)
#   make test-big-endian the unit tests on s390x, a big-endian machine (cross build, run under qemu-user)
#   make lib          the optional compiled library (shared and static, POSIX adapter) in build/lib
#   make install      the header, pkg-config file and CMake package under $(DESTDIR)$(PREFIX) [/usr/local]
#   make install-lib  install, plus the compiled library and appwrite_realtime_lib.pc
#   make uninstall    removes what install and install-lib put there
#   make clean        removes build/
# CC and CXX pick the compilers (make's defaults: cc and c++); CFG=gcc-asan|clang-asan|gcc-O2|clang-O2
# picks one of the test builds (output in build/CFG/).

CC      ?= cc
CFG     ?= release
STD     ?= -std=c99
WARN    := -Wall -Wextra -Wpedantic -Werror
SAN     := -O0 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

ifeq ($(origin CXX),default)   # make's own default is g++: prefer the system's c++
  CXX := c++
endif
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
  OPT := -O2
else ifeq ($(CFG),clang-O2)
  CC := clang
  CXX := clang++
  OPT := -O2
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

# One job per CPU unless the command line says otherwise (make -j1).
ifeq ($(filter -j%,$(MAKEFLAGS)),)
  MAKEFLAGS += -j$(shell nproc 2> /dev/null || getconf _NPROCESSORS_ONLN 2> /dev/null || echo 1)
endif

CFLAGS_ALL = $(STD) $(WARN) $(OPT) -D_DEFAULT_SOURCE -I. -Itests $(CFLAGS)
# C++ examples and tests (*.cpp): the C++ layer (AWR_CPP), built without exceptions and RTTI
CXXFLAGS_ALL = -std=c++17 -fno-exceptions -fno-rtti $(WARN) $(OPT) -D_DEFAULT_SOURCE -I. -Itests $(CXXFLAGS)
# A source file names the extra libraries it links with in a comment: /* awr-link: -lwslay */ (the TCP
# adapter's resolver thread: /* awr-link: -pthread */)
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
EXAMPLES_CXX := $(patsubst examples/%.cpp,%,$(wildcard examples/*.cpp))
exe_name   = awr-$(subst _,-,$(patsubst awr_%,%,$(1)))
EXE       := $(foreach e,$(EXAMPLES) $(EXAMPLES_CXX),$(OUT)/$(call exe_name,$(e)))
TESTS     := $(patsubst tests/%.c,$(OUT)/%,$(wildcard tests/test_*.c)) $(patsubst tests/%.cpp,$(OUT)/%,$(wildcard tests/test_*.cpp))
FUZZ      := $(patsubst fuzz/%.c,%,$(wildcard fuzz/fuzz_*.c))
REPLAYS   := $(patsubst %,$(OUT)/replay_%,$(FUZZ))

.PHONY: all examples tests replays test check demo fuzz fuzz-run coverage bench bench-cg clean
all: examples
examples: $(EXE)
tests: $(TESTS) $(EXE) $(REPLAYS)
replays: $(REPLAYS)

define example_rule
$(OUT)/$(call exe_name,$(1)): examples/$(1).c $(HEADER) $(OUT)/.config | $(OUT)
	$$(CC) $$(CFLAGS_ALL) $$(call example_flags,$$<) -o $$@ $$< $$(call example_libs,$$<) $$(LDFLAGS)
endef
$(foreach e,$(EXAMPLES),$(eval $(call example_rule,$(e))))
define example_cxx_rule
$(OUT)/$(call exe_name,$(1)): examples/$(1).cpp $(HEADER) $(OUT)/.config | $(OUT)
	$$(CXX) $$(CXXFLAGS_ALL) -o $$@ $$< $$(call linkflags,$$<) $$(LDFLAGS)
endef
$(foreach e,$(EXAMPLES_CXX),$(eval $(call example_cxx_rule,$(e))))

$(OUT)/test_%: tests/test_%.c $(HEADER) tests/awr_test.h $(OUT)/.config | $(OUT)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(call linkflags,$<) $(LDFLAGS)
$(OUT)/test_client_dispatch_scan: tests/test_client_dispatch.c   # it includes that test whole
$(OUT)/test_leave_out_io: tests/test_client_chunking.c          # it includes that test whole
$(OUT)/test_json_portable: tests/test_json.c                     # it includes that test whole
$(OUT)/test_json_skim_portable: tests/test_json_skim.c           # it includes that test whole
$(OUT)/test_openssl: examples/openssl_io.h                        # the recipe it runs

# Most test programs and corpus replays link one compiled copy of the implementation per build,
# $(OUT)/appwrite_realtime.o (appwrite_realtime.c as the compiled library builds it, with the TCP
# adapter, and this build's flags), instead of compiling the 9,000-line implementation once each: the
# suite's build time is mostly that. A source opts in by wrapping its implementation line so:
#     #ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#     #define APPWRITE_REALTIME_IMPLEMENTATION
#     #endif
# and is then compiled with -DAWR_TEST_LINKED. A source that configures the implementation itself
# (AWR_MALLOC, AWR_ASSERT, AWR_WORK_COUNTER, AWR_JSON_* limits, AWR_BEARSSL, AWR_JSON_NO_SIMD, C++)
# or reads its internals keeps its own copy: leave its implementation line unwrapped.
TEST_OBJ := $(OUT)/appwrite_realtime.o
linked_src := $(shell grep -l '^.ifndef AWR_TEST_LINKED' tests/test_*.c fuzz/fuzz_*.c 2> /dev/null)
TESTS_LINKED := $(patsubst tests/%.c,$(OUT)/%,$(filter tests/%,$(linked_src)))
REPLAYS_LINKED := $(patsubst fuzz/%.c,$(OUT)/replay_%,$(filter fuzz/%,$(linked_src)))
$(TEST_OBJ): appwrite_realtime.c $(HEADER) $(OUT)/.config | $(OUT)
	$(CC) $(CFLAGS_ALL) -DAWR_LIBRARY -c -o $@ $<
$(TESTS_LINKED): $(OUT)/test_%: tests/test_%.c $(HEADER) tests/awr_test.h $(TEST_OBJ) $(OUT)/.config | $(OUT)
	$(CC) $(CFLAGS_ALL) -DAWR_TEST_LINKED -o $@ $< $(TEST_OBJ) -pthread $(call linkflags,$<) $(LDFLAGS)
$(REPLAYS_LINKED): $(OUT)/replay_%: fuzz/%.c fuzz/replay.c $(HEADER) $(TEST_OBJ) $(OUT)/.config | $(OUT)
	$(CC) $(CFLAGS_ALL) -DAWR_TEST_LINKED -o $@ $< fuzz/replay.c $(TEST_OBJ) -pthread $(call linkflags,$<) $(LDFLAGS)

$(OUT)/test_%: tests/test_%.cpp $(HEADER) tests/awr_test.h $(OUT)/.config | $(OUT)
	$(CXX) $(CXXFLAGS_ALL) -o $@ $< $(call linkflags,$<) $(LDFLAGS)

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
	+@sh tests/deps.sh test && sh tests/run.sh

# The unit tests (sources tagged awr-unit) in one ASan+UBSan build: no peers, no network.
check:
	+@sh tests/deps.sh check && TEST_CONFIGS=gcc-asan TEST_UNIT=1 TEST_PLATFORMS= sh tests/run.sh

demo:   # tests/demo.sh installs what is missing, then builds build/awr-listen
	+@sh tests/demo.sh

FUZZ_FLAGS := -std=c99 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -I.
fuzz:
	+@sh tests/deps.sh fuzz && $(MAKE) -s $(patsubst %,build/fuzz/%,$(FUZZ))
fuzz-run:
	+@sh tests/deps.sh fuzz && sh fuzz/run.sh
build/fuzz/%: fuzz/%.c $(HEADER)
	@mkdir -p build/fuzz
	clang $(FUZZ_FLAGS) -o $@ $< $(call linkflags,$<)

coverage:   # the test programs built with gcov: which lines of the header the suite runs
	@sh tests/coverage.sh

bench: examples   # bench_scale runs build/awr-load
	+@sh tests/deps.sh bench && sh bench/run.sh

bench-cg: examples
	+@sh tests/deps.sh bench && sh bench/run.sh --callgrind

# SVG charts for docs/benchmarks.md from saved bench output, one file or more (a later file's figure
# wins): make bench > F; make bench-cg > G; make bench-charts BENCH_RESULTS="F G"
BENCH_RESULTS ?= bench/results/0.3.0-0f0a726.txt bench/results/0.3.0-0f0a726-cg.txt
.PHONY: bench-charts
bench-charts:
	python3 bench/charts.py $(BENCH_RESULTS) docs/charts

clean:
	rm -rf build

# ---- Windows, embedded, packaging ------------------------------------------------------------------
PREFIX  ?= /usr/local
DESTDIR ?=
.PHONY: test-windows test-arm test-big-endian size install uninstall lib install-lib
test-windows:   # mingw-w64 cross build, run under wine against local peers
	@sh tests/windows.sh
test-arm:       # the JSON tests (the skim's NEON scan) cross-built for ARM Linux, run under qemu-user
	@sh tests/arm.sh
test-big-endian:   # the unit tests cross-built for s390x, run under qemu-user
	+@sh tests/big_endian.sh
size:           # the core for a Cortex-M4 (arm-none-eabi-gcc -Os): .text/.data/.bss
	@sh tests/embedded.sh size

# make install: the header, appwrite_realtime.pc and the CMake package (find_package(appwrite_realtime
# 0.3)) under $(DESTDIR)$(PREFIX). make lib: the optional compiled library (appwrite_realtime.c with
# the TCP adapter; it links -pthread), shared and static, in $(OUT)/lib; make install-lib installs it too, with
# appwrite_realtime_lib.pc. The version is the header's; before 1.0 the soname carries major.minor.
VERSION    := $(shell sed -n 's/^#define AWR_VERSION_STRING "\(.*\)"/\1/p' $(HEADER))
SOVERSION  := $(basename $(VERSION))
INCLUDEDIR := include
LIBDIR     := lib
LIBNAME    := libappwrite_realtime
PKG_FILES  := appwrite_realtime.pc.in appwrite_realtime_lib.pc.in cmake/appwrite_realtimeConfig.cmake.in \
              cmake/appwrite_realtimeConfigVersion.cmake.in
# The templates' @NAME@ values (the same ones CMakeLists.txt and meson.build give them).
pkg_subst = sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@INCLUDEDIR_REL@|$(INCLUDEDIR)|g' \
    -e 's|@LIBDIR_REL@|$(LIBDIR)|g' -e 's|@ADAPTER@|AWR_TCP|g' -e 's|@LIBS_PRIVATE@|-pthread|g'
LIB_OUT    := $(OUT)/lib
LIB_FILES  := $(LIB_OUT)/$(LIBNAME).so.$(VERSION) $(LIB_OUT)/$(LIBNAME).a

lib: $(LIB_FILES)
$(LIB_OUT)/appwrite_realtime.o: appwrite_realtime.c $(HEADER)
	@mkdir -p $(LIB_OUT)
	$(CC) $(STD) $(WARN) $(OPT) -fPIC -DAWR_LIBRARY -I. $(CFLAGS) -c -o $@ $<
$(LIB_OUT)/$(LIBNAME).so.$(VERSION): $(LIB_OUT)/appwrite_realtime.o
	$(CC) -shared -Wl,-soname,$(LIBNAME).so.$(SOVERSION) $(OPT) -o $@ $< -pthread $(LDFLAGS)
	ln -sf $(LIBNAME).so.$(VERSION) $(LIB_OUT)/$(LIBNAME).so.$(SOVERSION)
	ln -sf $(LIBNAME).so.$(VERSION) $(LIB_OUT)/$(LIBNAME).so
$(LIB_OUT)/$(LIBNAME).a: $(LIB_OUT)/appwrite_realtime.o
	rm -f $@
	ar rcs $@ $<

install: $(HEADER) $(PKG_FILES)
	install -d $(DESTDIR)$(PREFIX)/$(INCLUDEDIR) $(DESTDIR)$(PREFIX)/share/pkgconfig \
	    $(DESTDIR)$(PREFIX)/share/cmake/appwrite_realtime
	install -m 644 $(HEADER) $(DESTDIR)$(PREFIX)/$(INCLUDEDIR)/$(HEADER)
	$(pkg_subst) appwrite_realtime.pc.in > $(DESTDIR)$(PREFIX)/share/pkgconfig/appwrite_realtime.pc
	$(pkg_subst) cmake/appwrite_realtimeConfig.cmake.in \
	    > $(DESTDIR)$(PREFIX)/share/cmake/appwrite_realtime/appwrite_realtimeConfig.cmake
	$(pkg_subst) cmake/appwrite_realtimeConfigVersion.cmake.in \
	    > $(DESTDIR)$(PREFIX)/share/cmake/appwrite_realtime/appwrite_realtimeConfigVersion.cmake
install-lib: install $(LIB_FILES)
	install -d $(DESTDIR)$(PREFIX)/$(LIBDIR)/pkgconfig
	install -m 755 $(LIB_OUT)/$(LIBNAME).so.$(VERSION) $(DESTDIR)$(PREFIX)/$(LIBDIR)/
	ln -sf $(LIBNAME).so.$(VERSION) $(DESTDIR)$(PREFIX)/$(LIBDIR)/$(LIBNAME).so.$(SOVERSION)
	ln -sf $(LIBNAME).so.$(VERSION) $(DESTDIR)$(PREFIX)/$(LIBDIR)/$(LIBNAME).so
	install -m 644 $(LIB_OUT)/$(LIBNAME).a $(DESTDIR)$(PREFIX)/$(LIBDIR)/
	$(pkg_subst) appwrite_realtime_lib.pc.in > $(DESTDIR)$(PREFIX)/$(LIBDIR)/pkgconfig/appwrite_realtime_lib.pc
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/$(INCLUDEDIR)/$(HEADER) $(DESTDIR)$(PREFIX)/share/pkgconfig/appwrite_realtime.pc \
	    $(DESTDIR)$(PREFIX)/$(LIBDIR)/pkgconfig/appwrite_realtime_lib.pc \
	    $(DESTDIR)$(PREFIX)/$(LIBDIR)/$(LIBNAME).so.$(VERSION) $(DESTDIR)$(PREFIX)/$(LIBDIR)/$(LIBNAME).so.$(SOVERSION) \
	    $(DESTDIR)$(PREFIX)/$(LIBDIR)/$(LIBNAME).so $(DESTDIR)$(PREFIX)/$(LIBDIR)/$(LIBNAME).a
	rm -rf $(DESTDIR)$(PREFIX)/share/cmake/appwrite_realtime
