# The CI performance gate against the committed baseline (iovbench compare).
ARCH          := $(shell uname -m)
BASELINE      ?= results/baseline/ci-$(ARCH).json
# a history database to add bench-ci's report to (empty: none)
HISTORY       ?=

.PHONY: bench-ci baseline

help::
	@echo "make bench-ci      A/B of the merge-base with main against the working tree"
	@echo "                   (make bench-ab); without one, the short matrix against"
	@echo "                   $(BASELINE); HISTORY=DB adds the run to a history"
	@echo "make baseline      re-measure $(BASELINE) on purpose (then commit it)"

bench-ci: deps
	@$(MAKE) --no-print-directory $(IOVBENCH)
	@BENCH_CI_AB=auto BENCH_CI_HISTORY="$(HISTORY)" sh scripts/bench-ci.sh $(IOVBENCH) $(BASELINE) $(B)/bench-ci

baseline: deps
	@$(MAKE) --no-print-directory $(IOVBENCH)
	@mkdir -p $(dir $(BASELINE))
	$(IOVBENCH) run --quick --reps 7 --warmup 1 --json $(BASELINE)
	@echo "baseline: $(BASELINE); review 'git diff --stat' and commit it"
