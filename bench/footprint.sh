#!/usr/bin/env bash
# Reports the size of the device-only jar (target/netboot-VERSION-device.jar: what a board runs; the pom's
# device-jar execution makes it), its class count, and what each package weighs in it, beside the full
# runnable jar; prints a markdown table.
#
#   bench/footprint.sh [--write-readme]
#
# Needs: unzip, python3 (and what ./netboot needs to build).
set -euo pipefail

ROOT="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WRITE_README=""
case "${1:-}" in
    --write-readme) WRITE_README=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    "") ;;
    *) echo "footprint: unknown argument $1 (try --help)" >&2; exit 2 ;;
esac
die() { echo "footprint: $*" >&2; exit 1; }
command -v unzip >/dev/null || die "unzip not found (apt-get install unzip)"

"$ROOT/netboot" --version >/dev/null   # builds both jars when the sources changed
shopt -s nullglob
jars=("$ROOT"/target/netboot-*-device.jar)
[ "${#jars[@]}" -eq 1 ] || die "expected one target/netboot-*-device.jar, found ${#jars[@]} (mvn clean package)"
DEVICE="${jars[0]}"

LISTING="$(mktemp)"
trap 'rm -f "$LISTING"' EXIT
unzip -v "$DEVICE" >"$LISTING"
TABLE="$(python3 - "$LISTING" "$(stat -c %s "$DEVICE")" "$(stat -c %s "$ROOT/target/netboot.jar")" "$(basename "$DEVICE")" <<'PY'
import sys, collections
listing, size, full, name = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
comp, raw, n = collections.Counter(), collections.Counter(), collections.Counter()
for line in open(listing):
    f = line.split()
    if len(f) >= 8 and f[-1].endswith('.class') and f[0].isdigit():
        pkg = '.'.join(f[-1].split('/')[:-1])
        raw[pkg] += int(f[0]); comp[pkg] += int(f[2]); n[pkg] += 1
print("| package | classes | compressed KiB | class files KiB |")
print("|---|---:|---:|---:|")
for p in sorted(comp, key=lambda p: -comp[p]):
    print(f"| `{p}` | {n[p]} | {comp[p] / 1024:.1f} | {raw[p] / 1024:.1f} |")
print(f"| **{name}** | **{sum(n.values())}** | **{size / 1024:.1f}** (the whole jar) | {sum(raw.values()) / 1024:.1f} |")
print()
print(f"Goal: at most 100 KiB. For comparison, the runnable `target/netboot.jar` (emulator, CLI, picocli) is {full / 1024:.0f} KiB.")
PY
)"
echo "$TABLE"

if [ -n "$WRITE_README" ]; then
    README="$ROOT/README.md"
    grep -q '<!-- footprint:begin -->' "$README" && grep -q '<!-- footprint:end -->' "$README" ||
        die "README.md has no <!-- footprint:begin --> / <!-- footprint:end --> markers"
    tmp="$(mktemp)"
    trap 'rm -f "$LISTING" "$tmp"' EXIT
    {
        echo "<!-- footprint:begin -->"
        echo "Measured $(date -u +%Y-%m-%d) with $("$ROOT/netboot" --version):"
        echo
        echo "$TABLE"
        echo "<!-- footprint:end -->"
    } >"$tmp"
    python3 - "$README" "$tmp" <<'PY'
import sys, re
readme, table = sys.argv[1], open(sys.argv[2]).read().rstrip('\n')
text = open(readme).read()
open(readme, 'w').write(re.sub(r'<!-- footprint:begin -->.*?<!-- footprint:end -->', lambda m: table, text, count=1, flags=re.S))
PY
    echo "footprint: table written to $README" >&2
fi
