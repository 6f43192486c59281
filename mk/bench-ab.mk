# A/B in one run: the base revision's build against the working tree's, or
# two command lines of one build, alternating in rounds (scripts/bench-ab.sh).
BASE     ?=
ROUNDS   ?= 3
AB_MATRIX ?= --quick --reps 5 --warmup 1

.PHONY: bench-ab

help::
	@echo "make bench-ab      BASE=REV: REV's build against the working tree's, alternating"
	@echo "                   in ROUNDS (3) of AB_MATRIX; or A_ARGS=... B_ARGS=... of one build"

bench-ab: deps
	@$(MAKE) --no-print-directory $(IOVBENCH)
	@if [ -z "$(BASE)" ] && [ -z "$(A_ARGS)$(B_ARGS)" ]; then \
	    echo "bench-ab: say BASE=<git rev>, or A_ARGS / B_ARGS" >&2; exit 2; fi
	@sh scripts/bench-ab.sh $(if $(BASE),--base "$(BASE)") --bin $(IOVBENCH) \
	    --rounds "$(ROUNDS)" --matrix "$(AB_MATRIX)" --a-args "$(A_ARGS)" \
	    --b-args "$(B_ARGS)" --out $(B)/bench-ab
