# microbench.mk - `make microbench`: google-benchmark through the C shim
# (microbench/gbench.h, gbench.cc), benchmarks in C (microbench/micro.c).

MICROBENCH      := $(B)/microbench
MB_OBJ          := $(B)/microbench-obj/micro.o $(B)/microbench-obj/gbench.o
GBENCH_CFLAGS   := $(shell pkg-config --cflags benchmark 2>/dev/null)
GBENCH_LIBS     := $(shell pkg-config --libs benchmark 2>/dev/null || echo -lbenchmark) -lpthread
# The C++ shim gets CFLAGS too (optimisation, -g, the sanitizers of
# test-asan), but not the C-only warnings of WARN.
MB_CXXFLAGS      = -std=c++17 -Wall -Wextra -Werror $(CFLAGS) $(CXXFLAGS)
# The default run: medians of 5 repetitions, about a minute in all.
MICROBENCH_RUN  ?= --benchmark_min_time=0.2 --benchmark_repetitions=5 \
                   --benchmark_display_aggregates_only=true
MICROBENCH_ARGS ?=
# The target: a borrowed append costs at most this many ns (README).
MICROBENCH_TARGET_NS ?= 10

.PHONY: microbench

help::
	@echo "make microbench    google-benchmark of appends, plans, gather, checksum, loader;"
	@echo "                   JSON in results/ (MICROBENCH_ARGS='--benchmark_filter=append')"

# `make tests` builds it where google-benchmark is installed; without it
# tests/test_microbench.sh skips.
ifneq ($(GBENCH_CFLAGS)$(wildcard /usr/include/benchmark/benchmark.h),)
tests: $(MICROBENCH)
endif

SOURCES += microbench/*.c microbench/*.h microbench/*.cc

$(B)/microbench-obj/micro.o: microbench/micro.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) -Iworkloads $(DEP_CFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/microbench-obj/gbench.o: microbench/gbench.cc
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CXX     $<")
	$(Q)$(CXX) $(CPPFLAGS) $(GBENCH_CFLAGS) $(MB_CXXFLAGS) -MMD -MP -c -o $@ $<

$(MICROBENCH): $(MB_OBJ) $(B)/libworkloads.a $(B)/libiovw.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CXX) $(CFLAGS) $(CXXFLAGS) -o $@ $^ $(LDFLAGS) $(DEP_LIBS) $(GBENCH_LIBS)

# Run, JSON to results/, then check the target on the median of
# BM_append_borrowed/16 (when the filter kept it). MICROBENCH_ARGS is split
# into words at blanks only: `|` or `*` in a filter stay as they are.
# A miss is reported, with the load average, but does not fail: this is a
# shared machine.
MB_JQ_NS = [.benchmarks[] | select(.run_name == "BM_append_borrowed/16") \
    | select(.aggregate_name == "median" or .repetitions == 1) \
    | .per_item * 1e9][0] // empty
microbench: deps
	@$(MAKE) --no-print-directory $(MICROBENCH)
	@mkdir -p results
	@out=results/microbench-$(HOST)-$$(date -u +%Y%m%dT%H%M%SZ).json; \
	args='$(subst ','\'',$(MICROBENCH_RUN) $(MICROBENCH_ARGS))'; \
	set -f; \
	set -- $$args --benchmark_out=$$out --benchmark_out_format=json; \
	set +f; \
	echo "$(MICROBENCH) $$*"; \
	$(MICROBENCH) "$$@" || exit $$?; \
	[ -s "$$out" ] || { echo "microbench: no report in $$out" >&2; exit 3; }; \
	echo "report: $$out"; \
	ns=$$(jq -r '$(MB_JQ_NS)' "$$out"); \
	load=$$(jq -r '.context.load_avg[0] // "?"' "$$out"); \
	if [ -z "$$ns" ]; then \
	    echo "target: BM_append_borrowed/16 did not run: not checked"; \
	elif awk "BEGIN { exit !($$ns <= $(MICROBENCH_TARGET_NS)) }"; then \
	    printf 'target: borrowed append %.2f ns <= %s ns (median): met\n' \
	        "$$ns" "$(MICROBENCH_TARGET_NS)"; \
	else \
	    printf 'target: borrowed append %.2f ns > %s ns (median): MISSED (load average %.2f)\n' \
	        "$$ns" "$(MICROBENCH_TARGET_NS)" "$$load"; \
	fi

-include $(MB_OBJ:.o=.d)
