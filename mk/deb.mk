# deb.mk - `make deb`: one Debian package, $(B)/iovw_VERSION_ARCH.deb, of
# the library (shared and static), its header and pkg-config file,
# iovbench with its schema and plot scripts, and the man pages: `make
# install` with PREFIX=/usr into a staging directory, then dpkg-deb. No
# debhelper. The version is iovw.h's; Depends come from the libraries the
# binaries load (scripts/deb-depends.sh), so a feature that links a new
# library adds its package by itself; Recommends are what `iovbench plot`
# runs (jq, gnuplot), Suggests what other options use (fio for --peers).

DEB_ARCH      := $(shell dpkg --print-architecture 2>/dev/null)
DEB_MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
DEB_NAME      ?= iovw
DEB_STAGE     := $(B)/deb/root
DEB           := $(B)/$(DEB_NAME)_$(VERSION)_$(DEB_ARCH).deb
DEB_MAINTAINER ?= iovw maintainers <iovw@localhost>
DEB_RECOMMENDS ?= jq, gnuplot-nox | gnuplot
DEB_SUGGESTS   ?= fio, pkg-config

.PHONY: deb

help::
	@echo "make deb           build/iovw_VERSION_ARCH.deb: library, header, iovw.pc, iovbench,"
	@echo "                   its data and man pages (dpkg-deb; dpkg -i to install it)"

deb: all $(MAN_OUT)
	@command -v dpkg-deb >/dev/null 2>&1 && [ -n "$(DEB_ARCH)" ] || \
	    { echo "make deb: needs dpkg and dpkg-deb (a Debian system)" >&2; exit 1; }
	@rm -rf $(DEB_STAGE) $(DEB)
	@$(MAKE) --no-print-directory -s install DESTDIR=$(abspath $(DEB_STAGE)) \
	    PREFIX=/usr LIBDIR=/usr/lib/$(DEB_MULTIARCH)
	@gzip -9n $(DEB_STAGE)/usr/share/man/man1/iovbench.1 \
	    $(DEB_STAGE)/usr/share/man/man3/iovw.3
	@mkdir -p $(DEB_STAGE)/DEBIAN
	@depends=$$(sh scripts/deb-depends.sh $(DEB_STAGE)/usr/bin/iovbench \
	    $(DEB_STAGE)/usr/lib/$(DEB_MULTIARCH)/libiovw.so.$(VERSION)) || exit 1; \
	size=$$(du -sk --exclude=DEBIAN $(DEB_STAGE) | cut -f1); \
	printf '%s\n' 'Package: $(DEB_NAME)' 'Version: $(VERSION)' \
	    'Architecture: $(DEB_ARCH)' 'Maintainer: $(DEB_MAINTAINER)' \
	    "Installed-Size: $$size" "Depends: $$depends" \
	    'Recommends: $(DEB_RECOMMENDS)' 'Suggests: $(DEB_SUGGESTS)' \
	    'Section: devel' 'Priority: optional' \
	    'Description: scatter-gather serialization writer and its benchmark' \
	    ' libiovw serializes data structures by recording pieces (borrowed' \
	    ' memory, small copies, padding, slots patched later) and writes them' \
	    ' with batched pwritev, in one pass through a bounded window, or into' \
	    ' a buffer or a mapping; files are replaced atomically.' \
	    ' .' \
	    ' iovbench measures every strategy on module-like workloads, verifies' \
	    ' that they write the same bytes, compares reports and draws them.' \
	    > $(DEB_STAGE)/DEBIAN/control
	@echo 'activate-noawait ldconfig' > $(DEB_STAGE)/DEBIAN/triggers
	@cd $(DEB_STAGE) && find usr -type f | LC_ALL=C sort | xargs md5sum \
	    > DEBIAN/md5sums
	@dpkg-deb --root-owner-group -Zxz --build $(DEB_STAGE) $(DEB) >/dev/null
	@echo "deb: $(DEB)"
