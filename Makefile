# SPDX-License-Identifier: GPL-2.0
#
#   make                 module (against KDIR) and the reader
#   make install         both, honouring DESTDIR and PREFIX
#   make check           unit tests, then the guest suite on every kernel
#   make demo            a guest with the module, the reader and sample traffic
#   make vm-shell        a shell in that guest
#
# The module is never loaded on the build machine by any of these.

KDIR	?= /lib/modules/$(shell uname -r)/build
PREFIX	?= /usr/local
DESTDIR	?=
KVER	?= $(shell uname -r)

.PHONY: all module userspace install install-module install-userspace clean sparse checkpatch

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

sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 modules

checkpatch:
	$(KDIR)/scripts/checkpatch.pl --strict --no-tree --terse \
		-f module/*.c module/*.h module/uapi/*.h

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C userspace clean

-include scripts/harness.mk
