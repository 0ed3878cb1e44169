# SPDX-License-Identifier: GPL-2.0
#
# make            build module/nfipsec.ko and tools/ipsecctl/ipsecctl
# make check      set up and run every test (offline and in a VM)
# make demo       set up, boot a VM and run the two-site gateway demo
#
# KDIR: the running kernel's build tree when there is one, else the newest
# installed Debian linux-headers-*-amd64.
KDIR ?= $(shell if [ -d /lib/modules/$$(uname -r)/build ]; then \
		echo /lib/modules/$$(uname -r)/build; \
	else \
		ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1; \
	fi)

.PHONY: all module tools clean check demo

all: module tools

module:
	@test -n "$(KDIR)" || { echo "no kernel headers: install linux-headers-amd64" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools:
	$(MAKE) -C tools/ipsecctl

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C tools/ipsecctl clean

check:
	./selftests/check.sh

demo:
	./selftests/demo.sh
