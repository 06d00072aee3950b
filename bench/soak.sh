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
# Every argument checked before the build: a bad --threads, --first-seed or --seed value (or none) was a Java stack
# trace (NumberFormatException, ArrayIndexOutOfBoundsException) after the classes were compiled.
whole() { # NAME VALUE [MIN]
    [[ "$2" =~ ^-?[0-9]{1,18}$ ]] && { [ -z "${3-}" ] || [ "$2" -ge "$3" ]; } ||
        { echo "bench/soak.sh: $1 must be a whole number${3:+ of $3 or more}, got '$2' ($usage)" >&2; exit 2; }
}
if [ "$1" = "--seed" ]; then
    [ $# -eq 2 ] || { echo "$usage" >&2; exit 2; }
    whole S "$2"
else
    whole N "$1" 1
    rest=("${@:2}")
    while [ "${#rest[@]}" -gt 0 ]; do
        case "${rest[0]}" in
            --threads) whole T "${rest[1]-}" 1 ;;
            --first-seed) whole S "${rest[1]-}" ;;
            *) echo "bench/soak.sh: unknown argument '${rest[0]}' ($usage)" >&2; exit 2 ;;
        esac
        rest=("${rest[@]:2}")
    done
fi

. bench/lib.sh
bench_java soak

snapshot_classes soak
"$JAVA" -Xmx1g -XX:+UseParallelGC -cp "$CP" dev.netboot.soak.Soak "$@"
