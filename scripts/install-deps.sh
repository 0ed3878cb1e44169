#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install, from Debian, everything needed to build nfipsec and run its
# selftests in a QEMU VM. Idempotent: only missing packages are installed,
# and it takes a second when everything is present.
set -euo pipefail

PKGS=(
	build-essential linux-headers-amd64 linux-image-amd64
	qemu-system-x86 busybox-static iproute2 iperf3 libmnl-dev pkg-config
	kmod python3 python3-scapy tcpdump jq cpio sparse socat procps
	iputils-ping ethtool python3-cryptography nftables conntrack
	linux-source-6.1 bc bison flex libelf-dev libssl-dev xz-utils
)

missing=()
for p in "${PKGS[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[[ $st == installed ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
	echo "install-deps: all ${#PKGS[@]} packages present"
	exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
	echo "install-deps: must run as root to install packages" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
