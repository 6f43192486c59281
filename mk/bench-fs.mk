# bench-fs.mk - the file-system matrix (scripts/bench-fs.sh): iovbench run
# on loop-mounted ext4, xfs and btrfs images and a tmpfs, as root; one
# report each in OUT, then compare --platforms and the platform figure.
#
#   make bench-fs FS=ext4,xfs,btrfs,tmpfs BENCH_FS_ARGS=--quick OUT=results/fs
#   (FIGURES=dir: the figure's directory, default OUT/figures)

FS            ?= ext4,xfs,btrfs,tmpfs
BENCH_FS_ARGS ?=
OUT           ?= results/fs
FIGURES       ?=

.PHONY: bench-fs

help::
	@echo "make bench-fs      as root: iovbench run on loop-mounted ext4, xfs, btrfs and a tmpfs"
	@echo "                   (FS=ext4,xfs,btrfs,tmpfs), one report each in OUT (results/fs),"
	@echo "                   then the platform table and figure; BENCH_FS_ARGS=--quick: run's options"

bench-fs: deps
	@$(MAKE) --no-print-directory $(IOVBENCH)
	@sh scripts/bench-fs.sh --bin $(IOVBENCH) --fs "$(FS)" --out "$(OUT)" \
	    $(if $(FIGURES),--figures "$(FIGURES)") -- $(BENCH_FS_ARGS)
