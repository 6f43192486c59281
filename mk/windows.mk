# make test-windows: libiovw and its portable tests built with mingw-w64
# and run under wine (correctness only: wine's timings mean nothing).
# Needs the Debian packages gcc-mingw-w64-x86-64 and wine64 (installed
# by scripts/deps.sh when missing). Everything goes to build/win, the wine
# prefix too (build/win/wineprefix), so nothing is written to $HOME.

WIN_CC      ?= x86_64-w64-mingw32-gcc
WIN_AR      ?= x86_64-w64-mingw32-ar
WINE        ?= /usr/lib/wine/wine64
WINESERVER  ?= /usr/lib/wine/wineserver64
WB          := build/win
# xxhash is header-only inlined there (XXH_INLINE_ALL): its header is
# copied from the Linux package into $(WB)/inc, nothing else of /usr/include
WIN_CPPFLAGS := -D_WIN32_WINNT=0x0602 -D__USE_MINGW_ANSI_STDIO=1 \
                -DXXH_INLINE_ALL -Ilib/include -Ilib -Iworkloads -I$(WB)/inc
WIN_CFLAGS  := $(WARN) -O2 -g
# Linked -static: the pipelined strategy's thread is winpthreads', and
# wine then needs no libwinpthread-1.dll beside the programs.
# every lib/*.c: a file of one platform guards itself (sys_win.c with
# _WIN32, Linux-only code with __linux__), so both builds take all of them
WIN_LIB_OBJ := $(LIB_SRC:%.c=$(WB)/%.o)
# the workloads and their loader (its read path: IOVM_MMAP is -ENOTSUP
# on Windows)
WIN_WL_SRC  := $(WL_SRC)
WIN_WL_OBJ  := $(WIN_WL_SRC:%.c=$(WB)/%.o)
WIN_TESTS   := test_platform test_platform_seam test_platform_faults
WIN_EXES    := $(WIN_TESTS:%=$(WB)/tests/%.exe)

.PHONY: test-windows windows-deps

help::
	@echo "make test-windows  libiovw and its portable tests built with mingw-w64, run under wine"

$(WB)/inc/xxhash.h: /usr/include/xxhash.h
	@mkdir -p $(@D)
	cp $< $@

$(WB)/%.o: %.c $(WB)/inc/xxhash.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  WINCC   $<")
	$(Q)$(WIN_CC) $(WIN_CPPFLAGS) $(WIN_CFLAGS) -MMD -MP -c -o $@ $<

$(WB)/libiovw.a: $(WIN_LIB_OBJ)
	@rm -f $@
	$(Q)$(WIN_AR) rcs $@ $^

$(WB)/libworkloads.a: $(WIN_WL_OBJ)
	@rm -f $@
	$(Q)$(WIN_AR) rcs $@ $^

$(WB)/tests/%.exe: $(WB)/tests/%.o $(WB)/tests/t_win.o $(WB)/libworkloads.a \
    $(WB)/libiovw.a
	@$(if $(Q),echo "  WINLD   $@")
	$(Q)$(WIN_CC) $(WIN_CFLAGS) -static -o $@ $^ -lpthread

windows-deps:
	@sh scripts/deps.sh gcc-mingw-w64-x86-64 wine64

test-windows: windows-deps
	@$(MAKE) --no-print-directory $(WIN_EXES)
	@WINE=$(WINE) WINESERVER=$(WINESERVER) sh tests/run_win.sh $(WB) $(WIN_EXES)

-include $(WIN_LIB_OBJ:.o=.d) $(WIN_WL_OBJ:.o=.d) $(WIN_EXES:.exe=.d) \
    $(WB)/tests/t_win.d
