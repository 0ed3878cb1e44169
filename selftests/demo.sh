#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo: install the dependencies, build, boot a QEMU VM and run the
# site-to-site gateway scenario (selftests/gateway.sh) verbosely: the
# topology, every ipsecctl / ip xfrm command, ping output, transfer rates,
# then `ipsecctl show` and `ipsecctl stats` of the nfipsec gateway.
# Options are passed to selftests/vm/run.sh.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."

./scripts/install-deps.sh
make
export NFIPSEC_DEMO=1 NFIPSEC_XFER_BYTES=${NFIPSEC_XFER_BYTES:-4194304}
exec ./selftests/vm/run.sh "$@" selftests/gateway.sh
