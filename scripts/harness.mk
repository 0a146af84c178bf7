# Targets that boot guests; included by the top-level Makefile.
# Empty: the matrix (5.10 6.1 6.12 sid), plus 6.1-debug in check and
# torture when its build is cached.
KERNELS	?=
KERNEL	?= 6.1
# Empty: the suite (t-*), plus the torture (x-*) on TORTURE_KERNELS.
TESTS	?=
TORTURE_KERNELS ?= 6.1

.PHONY: check check-debug torture demo vm-shell kernels setup bench

setup:
	scripts/setup.sh

check:
	KERNELS="$(KERNELS)" TESTS="$(TESTS)" TORTURE_KERNELS="$(TORTURE_KERNELS)" scripts/check.sh

# The suite and the torture on the debug kernel (built and cached first:
# about 30 minutes the first time). One guest runs both: two hours at most
# (about 40 minutes alone here, an hour beside another guest).
check-debug:
	TCPTL_TIMEOUT=$${TCPTL_TIMEOUT:-7200} KERNELS=6.1-debug TORTURE_KERNELS=6.1-debug PACKAGES=0 \
		scripts/check.sh

torture:
	KERNELS="$(KERNELS)" TESTS='x-*' scripts/check.sh

demo: setup
	scripts/vm.sh demo $(KERNEL)

bench: setup
	KERNEL=$(KERNEL) scripts/bench.sh

vm-shell: setup
	scripts/vm.sh shell $(KERNEL)

kernels: setup
	scripts/kernels.sh prepare $(or $(KERNELS),5.10 6.1 6.12 sid)
