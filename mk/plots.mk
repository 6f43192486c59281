# plots.mk - figures from reports (gnuplot) and whole-process timings
# (hyperfine). Included by the Makefile.
#
#   make plots         figures in plots/out: the newest run and tune reports
#                      in results/, results/reference/*.json for the platform
#                      figure; REPORT=, TUNE=, REPORTS='a.json b.json' override
#   make plots-readme  the README's figures (SVG) in docs/figures, from
#                      results/reference/
#   make bench-cli     hyperfine over `iovbench write`, each strategy on each
#                      workload, exports in results/, then the ranking
#                      against a run report (REPORT= or the newest);
#                      BENCH_CLI_WORKLOADS=tree,blob BENCH_CLI_ARGS=--quick

PLOTS_OUT ?= plots/out
PLOTS_ARGS = $(if $(REPORT),--run $(REPORT)) $(if $(TUNE),--tune $(TUNE)) \
             $(foreach f,$(REPORTS),--platform $(f))

.PHONY: plots plots-readme bench-cli

help::
	@echo "make plots         figures (SVG, PNG) in plots/out from the newest reports in results/"
	@echo "                   (REPORT=run.json TUNE=tune.json REPORTS='a.json b.json' override)"
	@echo "make plots-readme  the README's figures in docs/figures from results/reference/"
	@echo "make bench-cli     hyperfine over iovbench write per strategy and workload, checked"
	@echo "                   against iovbench run (BENCH_CLI_WORKLOADS=tree BENCH_CLI_ARGS=--quick)"

plots: deps
	@sh scripts/plots.sh -o $(PLOTS_OUT) $(PLOTS_ARGS)

plots-readme: deps
	@sh scripts/plots.sh -f svg -o docs/figures --results results/reference \
	    --reference results/reference $(PLOTS_ARGS)

bench-cli: deps
	@$(MAKE) --no-print-directory $(IOVBENCH)
	@sh scripts/bench-cli.sh --bin $(IOVBENCH) \
	    $(if $(BENCH_CLI_WORKLOADS),-w $(BENCH_CLI_WORKLOADS)) \
	    $(if $(REPORT),--report $(REPORT)) -- $(BENCH_CLI_ARGS)
