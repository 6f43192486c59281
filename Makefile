# iovw / iovbench - the one entry point. `make help` lists the targets.

CC       ?= cc
CFLAGS   ?= -O2 -g
WARN     := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wpointer-arith -Wvla
CPPFLAGS += -D_GNU_SOURCE -Ilib/include
PREFIX   ?= /usr/local
LIBDIR   ?= $(PREFIX)/lib
INCDIR   ?= $(PREFIX)/include
BINDIR   ?= $(PREFIX)/bin
PKGDIR   ?= $(LIBDIR)/pkgconfig
DATADIR  ?= $(PREFIX)/share/iovbench
MANDIR   ?= $(PREFIX)/share/man
B        ?= build
# V=1 shows the commands
ifeq ($(V),1)
Q :=
else
Q := @
endif

VERSION  := $(shell sed -n 's/^\#define IOVW_VERSION_STRING "\(.*\)"/\1/p' lib/include/iovw.h)
SOMAJOR  := 0

LIB_SRC  := $(wildcard lib/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
WL_SRC   := $(wildcard workloads/*.c)
WL_OBJ   := $(WL_SRC:%.c=$(B)/%.o)
# harness/main.c and the folders under harness/ (an internal archive that
# iovbench and the tests link)
HX_SRC   := $(wildcard harness/*/*.c)
HX_OBJ   := $(HX_SRC:%.c=$(B)/%.o)
HX_MAIN  := $(B)/harness/main.o
IOVBENCH := $(B)/iovbench
DEP_CFLAGS := $(shell pkg-config --cflags libxxhash jansson sqlite3 2>/dev/null)
# liburing (IOVW_URING) where pkg-config finds it; without it the build
# still works and the strategy returns -ENOSYS. The writer thread of
# IOVW_PIPELINE needs pthreads.
URING_LIBS := $(shell pkg-config --libs liburing 2>/dev/null)
ifneq ($(URING_LIBS),)
CPPFLAGS   += -DIOVW_HAVE_URING $(shell pkg-config --cflags liburing 2>/dev/null)
endif
LIB_LIBS   := $(URING_LIBS) -pthread
DEP_LIBS   := $(shell pkg-config --libs libxxhash jansson sqlite3 2>/dev/null || echo -lxxhash -ljansson -lsqlite3) -lm $(LIB_LIBS)
TEST_SRC := $(wildcard tests/test_*.c)
TESTS    := $(TEST_SRC:tests/%.c=$(B)/tests/%)

ALL_CFLAGS = $(WARN) $(CFLAGS) $(EXTRA_CFLAGS)

.PHONY: all lib test check test-asan test-valgrind bench bench-full deps install uninstall \
        clean help format format-check tests golden fuzz

all: lib $(IOVBENCH)

lib: $(B)/libiovw.a $(B)/libiovw.so

help::
	@echo "make               build build/libiovw.a, build/libiovw.so, build/iovbench"
	@echo "make test          install missing packages, build and run every test"
	@echo "make test-asan     the tests under AddressSanitizer + UBSan and float-cast-overflow (build/asan)"
	@echo "make test-valgrind the tests under valgrind memcheck (reduced scale)"
	@echo "make bench         iovbench run: every strategy on every workload, fresh and warm, JSON in results/"
	@echo "make bench-full    iovbench run --full: also coalesce=64, buffer with huge pages, fio and its twins"
	@echo "make deps          install missing Debian packages (apt-get)"
	@echo "make fuzz          libFuzzer on the loader for FUZZ_SECONDS (60)"
	@echo "make golden        rewrite tests/golden/vN after a format version bump"
	@echo "make install       PREFIX=/usr/local DESTDIR=: library, header, iovw.pc, iovbench,"
	@echo "                   its schema and plot scripts (share/iovbench), man pages"
	@echo "make uninstall     remove what make install installed (same PREFIX, DESTDIR)"
	@echo "make format        clang-format the sources (format-check: verify only)"
	@echo "make clean         remove build/"

$(B)/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -MMD -MP -c -o $@ $<

$(B)/workloads/%.o: workloads/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(DEP_CFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

GIT_REV := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
# what reports say they were built from: rewritten when it changes, so the
# files that carry it are compiled again
$(B)/build-id: FORCE
	@mkdir -p $(@D)
	@echo '$(GIT_REV) $(CFLAGS)' | cmp -s - $@ 2>/dev/null || \
	    echo '$(GIT_REV) $(CFLAGS)' > $@
$(B)/harness/report/report.o $(B)/harness/report/env.o: $(B)/build-id
.PHONY: FORCE
$(B)/harness/%.o: harness/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) -Iharness -Iworkloads $(DEP_CFLAGS) $(ALL_CFLAGS) \
	    -DIOVB_GIT='"$(GIT_REV)"' -DIOVB_CFLAGS='"$(strip $(CFLAGS))"' \
	    -MMD -MP -c -o $@ $<

$(B)/libworkloads.a: $(WL_OBJ)
	@rm -f $@
	@$(if $(Q),echo "  AR      $@")
	$(Q)$(AR) rcs $@ $^

$(B)/libharness.a: $(HX_OBJ)
	@rm -f $@
	@$(if $(Q),echo "  AR      $@")
	$(Q)$(AR) rcs $@ $^

$(IOVBENCH): $(HX_MAIN) $(B)/libharness.a $(B)/libworkloads.a $(B)/libiovw.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDFLAGS) $(DEP_LIBS)

$(B)/libiovw.a: $(LIB_OBJ)
	@rm -f $@
	@$(if $(Q),echo "  AR      $@")
	$(Q)$(AR) rcs $@ $^

$(B)/libiovw.so: $(LIB_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -shared -Wl,-soname,libiovw.so.$(SOMAJOR) \
	    -o $@ $^ $(LIB_LIBS)

T_OBJ    := $(B)/tests/t.o $(B)/tests/helpers.o

$(B)/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) -Ilib -Iworkloads -Iharness $(DEP_CFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# every test links the harness archive (a test takes only what it uses)
$(B)/tests/test_%: $(B)/tests/test_%.o $(T_OBJ) $(B)/libharness.a \
    $(B)/libworkloads.a $(B)/libiovw.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDFLAGS) $(DEP_LIBS)

tests: $(TESTS) all

.SECONDARY: $(TESTS:=.o) $(T_OBJ)

deps:
	@sh scripts/deps.sh

test check: deps
	@$(MAKE) --no-print-directory tests
	@sh tests/run.sh $(B)

test-asan: deps
	@$(MAKE) --no-print-directory B=build/asan CFLAGS="-O1 -g \
	    -fsanitize=address,undefined,float-cast-overflow \
	    -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined,float-cast-overflow" tests
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    IOVW_TEST_SCALE=$${IOVW_TEST_SCALE:-50} sh tests/run.sh build/asan

# the test programs under memcheck; not the shell tests, which would run
# the same build as make test's, unwrapped
test-valgrind: deps
	@$(MAKE) --no-print-directory tests
	@IOVW_TEST_SCALE=$${IOVW_TEST_SCALE:-5} IOVW_TEST_NO_SCRIPTS=1 \
	    IOVW_TEST_WRAP="valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect --track-fds=no" \
	    sh tests/run.sh $(B)

HOST := $(shell hostname 2>/dev/null || echo host)
bench: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p results
	$(IOVBENCH) run --json results/$(HOST)-$$(date -u +%Y%m%dT%H%M%SZ).json

# everything: both thresholds, buffer with huge pages, fio and its twins
bench-full: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p results
	$(IOVBENCH) run --full --json results/$(HOST)-$$(date -u +%Y%m%dT%H%M%SZ).json

# what the installed files say where they are: rewritten when it changes,
# so that iovw.pc is made again (make deb installs with PREFIX=/usr)
$(B)/install-dirs: FORCE
	@mkdir -p $(@D)
	@echo '$(PREFIX) $(LIBDIR) $(INCDIR)' | cmp -s - $@ 2>/dev/null || \
	    echo '$(PREFIX) $(LIBDIR) $(INCDIR)' > $@

$(B)/iovw.pc: Makefile $(B)/install-dirs
	@mkdir -p $(@D)
	@printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCDIR)' '' \
	    'Name: iovw' 'Description: scatter-gather serialization writer' \
	    'Version: $(VERSION)' 'Libs: -L$${libdir} -liovw' \
	    'Libs.private: $(LIB_LIBS)' \
	    'Cflags: -I$${includedir}' > $@

# The man pages with iovw.h's version filled in.
MAN_SRC  := man/iovbench.1 man/iovw.3
MAN_OUT  := $(MAN_SRC:man/%=$(B)/man/%)
$(B)/man/%: man/% lib/include/iovw.h
	@mkdir -p $(@D)
	@sed 's/@VERSION@/$(VERSION)/g' $< > $@

# What iovbench plot and a report's reader need under DATADIR, in the
# checkout's layout (scripts/plots.sh finds plots/ beside it).
PLOT_FILES := $(sort $(wildcard plots/*.gp)) plots/figures.jq

install: lib $(IOVBENCH) $(B)/iovw.pc $(MAN_OUT)
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR) $(DESTDIR)$(PKGDIR) \
	    $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/scripts \
	    $(DESTDIR)$(DATADIR)/plots $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3
	install -m 644 $(B)/libiovw.a $(DESTDIR)$(LIBDIR)/libiovw.a
	install -m 755 $(B)/libiovw.so $(DESTDIR)$(LIBDIR)/libiovw.so.$(VERSION)
	ln -sf libiovw.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libiovw.so.$(SOMAJOR)
	ln -sf libiovw.so.$(SOMAJOR) $(DESTDIR)$(LIBDIR)/libiovw.so
	install -m 644 lib/include/iovw.h $(DESTDIR)$(INCDIR)/iovw.h
	install -m 644 $(B)/iovw.pc $(DESTDIR)$(PKGDIR)/iovw.pc
	install -m 755 $(IOVBENCH) $(DESTDIR)$(BINDIR)/iovbench
	install -m 644 results/schema.json $(DESTDIR)$(DATADIR)/schema.json
	install -m 755 scripts/plots.sh $(DESTDIR)$(DATADIR)/scripts/plots.sh
	install -m 644 $(PLOT_FILES) $(DESTDIR)$(DATADIR)/plots/
	install -m 644 $(B)/man/iovbench.1 $(DESTDIR)$(MANDIR)/man1/iovbench.1
	install -m 644 $(B)/man/iovw.3 $(DESTDIR)$(MANDIR)/man3/iovw.3

# Files by name; then the directories of our own, if empty.
uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libiovw.a $(DESTDIR)$(LIBDIR)/libiovw.so* \
	    $(DESTDIR)$(INCDIR)/iovw.h $(DESTDIR)$(PKGDIR)/iovw.pc \
	    $(DESTDIR)$(BINDIR)/iovbench $(DESTDIR)$(DATADIR)/schema.json \
	    $(DESTDIR)$(DATADIR)/scripts/plots.sh \
	    $(PLOT_FILES:plots/%=$(DESTDIR)$(DATADIR)/plots/%) \
	    $(DESTDIR)$(MANDIR)/man1/iovbench.1 $(DESTDIR)$(MANDIR)/man3/iovw.3
	-rmdir $(DESTDIR)$(DATADIR)/scripts $(DESTDIR)$(DATADIR)/plots \
	    $(DESTDIR)$(DATADIR) 2>/dev/null

CLANG_FORMAT ?= $(shell command -v clang-format || command -v clang-format-14)
SOURCES = lib/*.c lib/*.h lib/include/*.h tests/*.c tests/*.h harness/*.c \
    harness/*/*.c harness/*/*.h workloads/*.c workloads/*.h

# libFuzzer on the loader (clang): FUZZ_SECONDS of fuzzing from the
# committed corpus; new inputs go to build/fuzz/corpus.
FUZZ_SECONDS ?= 60
FUZZ_SRC := tests/fuzz_loader.c workloads/loader.c workloads/format.c \
            workloads/module.c workloads/tree.c workloads/blob.c $(LIB_SRC)

build/fuzz/fuzz_loader: $(FUZZ_SRC) $(wildcard workloads/*.h lib/*.h lib/include/*.h)
	@mkdir -p $(@D)
	clang $(CPPFLAGS) -Iworkloads -Ilib $(WARN) -g -O1 \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	    -o $@ $(FUZZ_SRC) -lxxhash -lm $(LIB_LIBS)

fuzz:
	@sh scripts/deps.sh clang libclang-rt-14-dev
	@$(MAKE) --no-print-directory build/fuzz/fuzz_loader
	@mkdir -p build/fuzz/corpus
	build/fuzz/fuzz_loader -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	    -print_final_stats=1 build/fuzz/corpus tests/corpus/loader

# Rewrite the golden files of the current format version (after a bump).
golden: $(B)/tests/test_format
	$(B)/tests/test_format --write-golden tests/golden

format:
	$(CLANG_FORMAT) -i $(SOURCES)

format-check:
	@$(CLANG_FORMAT) --dry-run --Werror $(SOURCES) && echo "format: clean"

clean:
	rm -rf build

# Each feature's targets (microbench, plots, tune, ...) live in mk/*.mk,
# each with its own `help::` lines.
include $(sort $(wildcard mk/*.mk))

-include $(LIB_OBJ:.o=.d) $(WL_OBJ:.o=.d) $(HX_OBJ:.o=.d) $(HX_MAIN:.o=.d) \
    $(TESTS:=.d) $(T_OBJ:.o=.d)
