#!/usr/bin/env bash
# Does every shipped board fill its link? (issue 11) For each profile in device-profiles/, a 4 MiB image
# over the emulator's 100 Mbit/s, 1 ms RTT link with --flash-timing none (the network alone), seeds
# 1..SEEDS, without loss and with 5% loss, against two server models:
#
#   emulated  the emulator's TFTP server as it ships: on an ACK inside a window it resends the block
#             after it alone and slides on, and restarts the window only when the client shows it kept
#             nothing past the hole (README, "Emulated link model")
#   restart   [tftp] restart-windows = yes: RFC 7440's plain recovery, as atftpd does it: every ACK short
#             of the window's end makes it send the window again from the block after that ACK
#
# Prints one Markdown row per profile and server: the window the board asked for, the loss-free median
# and its ratio to the line-rate time (4 MiB × 8 / 100 Mbit/s = 0.336 s; goal <= 1.10), the 5% median
# and worst and the median's ratio to the loss-free median (goal <= 1.30). Virtual time is deterministic
# per seed, so a rerun prints the same table.
#
#   bench/shipped-link.sh [SEEDS]      # default 5
set -euo pipefail
cd "$(dirname "$0")/.."
seeds="${1:-5}"
# A bad SEEDS is one line and exit 2 before any boot (before: the lossy rows ran no seed and ended in a Python traceback).
case "$seeds" in ''|*[!0-9]*|0) echo "bench/shipped-link.sh: SEEDS: a whole number of 1 or more, got '$seeds'" >&2; exit 2 ;; esac
[ $# -le 1 ] || { echo "bench/shipped-link.sh: one argument at most, SEEDS (got $#)" >&2; exit 2; }
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
head -c 4194304 /dev/zero | tr '\0' '\132' > "$work/img"   # 4 MiB; content does not change virtual time
printf '[tftp]\nrestart-windows = yes\n' > "$work/restart.scenario"
line=$(python3 -c 'print(4194304 * 8 / 100e6)')

runs() { # profile loss scenario... -> "seconds window" per seed
    local profile="$1" loss="$2"; shift 2
    for s in $(seq 1 "$seeds"); do
        ./netboot boot --profile "$profile" --image "$work/img" --bandwidth 100Mbit --rtt 1ms --flash-timing none \
            --loss "$loss" --seed "$s" --json "$@" |
            python3 -c 'import json,sys; j=json.load(sys.stdin); assert j["result"]=="ok", j; print(j["transferSeconds"], j["windowSize"])'
    done
}

echo "| profile | server | window | loss-free median s | / line rate ($(printf '%.3f' "$line") s) | 5% loss median s | worst | / loss-free |"
echo "|---|---|---|---|---|---|---|---|"
for f in device-profiles/*.profile; do
    p="$(basename "$f" .profile)"
    for server in emulated restart; do
        extra=()
        [ "$server" = restart ] && extra=(--scenario "$work/restart.scenario")
        clean="$(runs "$p" 0 "${extra[@]}")"
        lossy="$(runs "$p" 0.05 "${extra[@]}")"
        python3 - "$p" "$server" "$line" "$clean" "$lossy" <<'PY'
import statistics, sys
p, server, line, clean, lossy = sys.argv[1:]
line = float(line)
c = [float(l.split()[0]) for l in clean.splitlines()]
l = sorted(float(x.split()[0]) for x in lossy.splitlines())
w = sorted({x.split()[1] for x in (clean + "\n" + lossy).splitlines()})
cm, lm = statistics.median(c), statistics.median(l)
print(f"| {p} | {server} | {'/'.join(w)} | {cm:.3f} | {cm / line:.3f} | {lm:.3f} | {l[-1]:.3f} | {lm / cm:.3f} |")
PY
    done
done
