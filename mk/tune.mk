# make tune: iovbench tune sweeps pwritev's batch limit and coalescing
# threshold on the workloads where they matter, prints each workload's best
# setting and a recommendation for the library's defaults, and writes
# results/tune-<host>-<UTC time>.json. TUNE_ARGS passes options, e.g.
# make tune TUNE_ARGS="-w all --reps 9".
TUNE_ARGS ?=

.PHONY: tune

help::
	@echo "make tune          iovbench tune: batch limit and coalescing sweep, JSON in results/"

tune: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p results
	$(IOVBENCH) tune $(TUNE_ARGS) \
	    --json results/tune-$(HOST)-$$(date -u +%Y%m%dT%H%M%SZ).json
