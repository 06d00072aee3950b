#!/usr/bin/env bash
# Emulated link benchmark (issue 3): a 16 MiB image over the emulator's 100 Mbit/s, 1 ms RTT link.
# Prints one Markdown table row per configuration: transferSeconds (median and worst over seeds),
# the line-rate time (16 MiB of payload at the link rate), and the ratios. Virtual time is
# deterministic per seed, so a rerun prints the same table.
#
#   bench/emulated-link.sh [SEEDS]        # default 5 seeds for the lossy rows
set -euo pipefail
cd "$(dirname "$0")/.."
seeds="${1:-5}"
# A bad SEEDS is one line and exit 2 before any boot (before: the lossy rows ran no seed and ended in a Python traceback).
case "$seeds" in ''|*[!0-9]*|0) echo "bench/emulated-link.sh: SEEDS: a whole number of 1 or more, got '$seeds'" >&2; exit 2 ;; esac
[ $# -le 1 ] || { echo "bench/emulated-link.sh: one argument at most, SEEDS (got $#)" >&2; exit 2; }
img="$(mktemp)"; trap 'rm -f "$img"' EXIT
head -c 16777216 /dev/zero | tr '\0' '\132' > "$img"   # 16 MiB; content does not change virtual time
rate=100000000
# --flash-timing none: the flash takes no time, so the table measures the network alone.
common=(boot --profile bench/link-bench.profile --image "$img" --bandwidth 100Mbit --rtt 1ms --flash-timing none --json)
line=$(python3 -c "print(16777216*8/$rate)")

row() { # label, loss, extra args...
    local label="$1" loss="$2"; shift 2
    local n=1 ts=()
    [ "$loss" != 0 ] && n="$seeds"
    for s in $(seq 1 "$n"); do
        ts+=("$(./netboot "${common[@]}" --loss "$loss" --seed "$s" "$@" |
            python3 -c 'import json,sys; j=json.load(sys.stdin); assert j["result"]=="ok", j; print(j["transferSeconds"])')")
    done
    python3 - "$label" "$loss" "$line" "${ts[@]}" <<'PY'
import statistics, sys
label, loss, line, *t = sys.argv[1:]
t = sorted(float(x) for x in t); line = float(line)
med, worst = statistics.median(t), t[-1]
print(f"| {label} | {float(loss)*100:.0f}% | {len(t)} | {med:.3f} | {worst:.3f} | {line:.3f} | {med/line:.3f} | {worst/line:.3f} |")
PY
}

echo "| configuration | loss | seeds | transferSeconds median | worst | line-rate s | median / line rate | worst / line rate |"
echo "|---|---|---|---|---|---|---|---|"
row "512, stop-and-wait (window 1)" 0 --blksize 512 --windowsize 1
row "1468 x window 16" 0 --windowsize 16
row "1468 x window 64" 0 --windowsize 64
row "1468 x window 256" 0
row "1468 x window 16" 0.05 --windowsize 16
row "1468 x window 64" 0.05 --windowsize 64
row "1468 x window 256" 0.05
