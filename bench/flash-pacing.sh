#!/usr/bin/env bash
# Boot-to-commit time against max(network, flash), on the emulator, for a NOR and a NAND board.
#
# For each profile and link latency: one boot with --flash-timing none gives the network time (the
# boot as if the flash took no time), one with typical (or max) datasheet times gives the flash's busy
# time (flashSeconds) and the boot-to-commit time (simulatedSeconds). Pacing works when the boot takes
# about max(network, flash), not their sum; the goal is a ratio <= 1.05. Times count from the RRQ: the
# lease before it (DHCP, and the RFC 5227 ARP probe of the address, 0.4 s in the shipped profiles) is
# the same in both runs and no flash work can overlap it.
#
# Usage: bench/flash-pacing.sh [image-file]   (default: the emulator's generated 1 MiB image)
# BANDWIDTHS="0 2Mbit 100Mbit" (the default) sets the emulated link rates to try; 0 is an infinitely
# fast wire. 2 Mbit/s makes the network about as slow as the NOR flash, where pacing matters most.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
IMAGE=()
if [ $# -ge 1 ]; then IMAGE=(--image "$1"); fi

scenario() { # latency bandwidth -> scenario file
    local f="$WORK/lat-$1-bw-$2.scenario"
    printf '[segment]\nlatency = %s\nbandwidth = %s\n' "$1" "$2" > "$f"
    echo "$f"
}

boot() { # profile scenario timing -> JSON line
    rm -f "$WORK/flash.img"
    "$ROOT/netboot" boot --profile "$1" --scenario "$2" --flash-timing "$3" --flash-file "$WORK/flash.img" "${IMAGE[@]}" --json
}

printf '%-12s %-8s %-8s %-8s %9s %9s %9s %9s %8s %8s\n' profile latency link timing network flash boot sum boot/max acksHeld
for profile in ${PROFILES:-spi-nor-16m nand-128m}; do
    for latency in 100us 1ms; do
      for bw in ${BANDWIDTHS:-0 2Mbit 100Mbit}; do
        sc="$(scenario "$latency" "$bw")"
        # The network time, and the time before the RRQ (the lease), from the run whose flash takes no time.
        read -r net startup < <(boot "$profile" "$sc" none | python3 -c '
import json, sys
j = json.load(sys.stdin)
print(j["transferSeconds"], j["simulatedSeconds"] - j["transferSeconds"])')
        for timing in typical max; do
            boot "$profile" "$sc" "$timing" | python3 -c '
import json, sys
j = json.load(sys.stdin)
assert j["result"] == "ok", j
net, flash, boot = float(sys.argv[4]), j["flashSeconds"], j["simulatedSeconds"] - float(sys.argv[6])
print("%-12s %-8s %-8s %-8s %9.3f %9.3f %9.3f %9.3f %8.3f %8d" % (sys.argv[1], sys.argv[2], sys.argv[5], sys.argv[3], net, flash,
      boot, net + flash, boot / max(net, flash), j["acksHeld"]))
' "$profile" "$latency" "$timing" "$net" "$bw" "$startup"
        done
      done
    done
done
