# SPDX-License-Identifier: GPL-2.0
#
#   make                 module (against KDIR) and the reader
#   make install         both, honouring DESTDIR and PREFIX
#   make check           unit tests, then the guest suite on every kernel
#   make demo            a guest with the module, the reader and sample traffic
#   make vm-shell        a shell in that guest
#   make dkms-install    the module under DKMS (rebuilt on kernel upgrades)
#   make deb             Debian packages in build/deb (deb-test: install them
#                        in each matrix chroot, DKMS build, purge)
#
# The module is never loaded on the build machine by any of these.

KDIR	?= /lib/modules/$(shell uname -r)/build
PREFIX	?= /usr/local
DESTDIR	?=
KVER	?= $(shell uname -r)

VERSION	:= $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
DKMS_SRC := $(DESTDIR)/usr/src/tcp-timeline-$(VERSION)

.PHONY: all module userspace install install-module install-userspace clean sparse checkpatch \
	dkms-install dkms-uninstall deb deb-test

all: module userspace

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

userspace:
	$(MAKE) -C userspace

install: install-module install-userspace

install-module: module
	install -D -m 0644 tcp_timeline.ko \
		$(DESTDIR)/lib/modules/$(KVER)/extra/tcp_timeline.ko
	[ -n "$(DESTDIR)" ] || depmod -a $(KVER)

install-userspace: userspace
	$(MAKE) -C userspace install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

# The module's sources where DKMS wants them, then add, build, install for
# the running kernel (DKMS rebuilds it for every kernel installed later).
dkms-install:
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)/module/uapi
	install -m 0644 Kbuild dkms.conf $(DKMS_SRC)/
	install -m 0644 module/*.c module/*.h $(DKMS_SRC)/module/
	install -m 0644 module/uapi/*.h $(DKMS_SRC)/module/uapi/
	dkms add -m tcp-timeline -v $(VERSION)
	dkms install -m tcp-timeline -v $(VERSION)

dkms-uninstall:
	-dkms remove -m tcp-timeline -v $(VERSION) --all
	rm -rf $(DKMS_SRC)

deb:
	scripts/deb.sh

deb-test:
	scripts/deb-test.sh

sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 modules

checkpatch:
	$(KDIR)/scripts/checkpatch.pl --strict --no-tree --terse \
		-f module/*.c module/*.h module/uapi/*.h

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C userspace clean

-include scripts/harness.mk
