# The CI performance gate against the committed baseline (iovbench compare).
ARCH          := $(shell uname -m)
BASELINE      ?= results/baseline/ci-$(ARCH).json

.PHONY: bench-ci baseline

help::
	@echo "make bench-ci      short matrix compared with $(BASELINE) (markdown; fails on a regression)"
	@echo "make baseline      re-measure $(BASELINE) on purpose (then commit it)"

bench-ci: deps
	@$(MAKE) --no-print-directory $(IOVBENCH)
	@sh scripts/bench-ci.sh $(IOVBENCH) $(BASELINE) $(B)/bench-ci

baseline: deps
	@$(MAKE) --no-print-directory $(IOVBENCH)
	@mkdir -p $(dir $(BASELINE))
	$(IOVBENCH) run --quick --reps 7 --warmup 1 --json $(BASELINE)
	@echo "baseline: $(BASELINE); review 'git diff --stat' and commit it"
