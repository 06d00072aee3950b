#!/usr/bin/env bash
# The soak (issue 10): boots N seeded emulated boards over random mixes of the emulator's faults (loss up to
# 30%, duplication, reordering, jitter, corruption, tampering with signed boards, the link down for up to 40 s,
# other hosts' traffic and floods, misbehaving TFTP servers, rogue DHCP servers, a power cut at a random flash
# operation, images under the 1 KiB minimum), every shipped profile in turn, in one JVM
# (dev.netboot.soak.Soak, in the test classes). Each run boots v1 on a clean LAN, then v2 over its mix, and
# must end with v2 committed, verified and selected, or with one line naming a stage and v1's slot active,
# checking out and selected (after a power cut: a slot that checks out holding v1 or v2); within 600 s of
# virtual time and 20 s of wall time; with no exception. Prints outcomes by fault kind and by profile, the
# slowest runs and every violation; exits 1 on a violation.
#
#   bench/soak.sh N [--threads T] [--first-seed S]   # seeds S .. S+N-1 (default 1), T threads (default: cores)
#   bench/soak.sh --seed S                           # one run, with its mix and how it ended
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: bench/soak.sh N [--threads T] [--first-seed S] | bench/soak.sh --seed S"
[ $# -ge 1 ] || { echo "$usage" >&2; exit 2; }
if [ "$1" != "--seed" ]; then
    case "$1" in ''|*[!0-9]*) echo "bench/soak.sh: N must be a whole number, got '$1' ($usage)" >&2; exit 2 ;; esac
fi

. bench/lib.sh
bench_java soak

snapshot_classes soak
"$JAVA" -Xmx1g -XX:+UseParallelGC -cp "$CP" dev.netboot.soak.Soak "$@"
