# plots.mk - figures from reports (gnuplot). Included by the Makefile.
#
#   make plots         figures in plots/out: the newest run and tune reports
#                      in results/, results/reference/*.json for the platform
#                      figure; REPORT=, TUNE=, REPORTS='a.json b.json' override
#   make plots-readme  the README's figures (SVG) in docs/figures, from
#                      results/reference/

PLOTS_OUT ?= plots/out
PLOTS_ARGS = $(if $(REPORT),--run $(REPORT)) $(if $(TUNE),--tune $(TUNE)) \
             $(foreach f,$(REPORTS),--platform $(f))

.PHONY: plots plots-readme

help::
	@echo "make plots         figures (SVG, PNG) in plots/out from the newest reports in results/"
	@echo "                   (REPORT=run.json TUNE=tune.json REPORTS='a.json b.json' override)"
	@echo "make plots-readme  the README's figures in docs/figures from results/reference/"

plots: deps
	@sh scripts/plots.sh -o $(PLOTS_OUT) $(PLOTS_ARGS)

plots-readme: deps
	@sh scripts/plots.sh -f svg -o docs/figures --results results/reference \
	    --reference results/reference $(PLOTS_ARGS)
