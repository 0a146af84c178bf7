# Targets that boot guests; included by the top-level Makefile.
KERNELS	?= 5.10 6.1 6.12 sid
KERNEL	?= 6.1
# Empty: the suite (t-*), plus the torture (x-*) on TORTURE_KERNELS.
TESTS	?=
TORTURE_KERNELS ?= 6.1

.PHONY: check torture demo vm-shell kernels setup bench

setup:
	scripts/setup.sh

check:
	KERNELS="$(KERNELS)" TESTS="$(TESTS)" TORTURE_KERNELS="$(TORTURE_KERNELS)" scripts/check.sh

torture:
	KERNELS="$(KERNELS)" TESTS='x-*' scripts/check.sh

demo: setup
	scripts/vm.sh demo $(KERNEL)

bench: setup
	KERNEL=$(KERNEL) scripts/bench.sh

vm-shell: setup
	scripts/vm.sh shell $(KERNEL)

kernels: setup
	scripts/kernels.sh prepare $(KERNELS)
