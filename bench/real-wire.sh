#!/usr/bin/env bash
# The board on a real wire beside atftp's own client: a veth pair between two network namespaces it makes
# (and removes), atftpd and dnsmasq (BOOTP only) in the server's, 198.51.100.0/24 (TEST-NET-2) inside them.
# Each round, interleaved: `./netboot boot --interface` with profile spi-nor-64m fetches an image as large
# as its slot (24 MiB) at blksize 1428 and windowsize 16 into a flash file (the board's transferSeconds:
# RRQ to last block); then atftp fetches the same file with the same options from the same namespace
# (whole process, wall clock). Prints medians and the ratio as a markdown table.
#
#   bench/real-wire.sh [--rounds N] [--write-readme]
#
# Needs root, ip (iproute2), dnsmasq, atftpd, atftp, python3, setsid (util-linux).
set -euo pipefail

ROOT="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS=5
WRITE_README=""
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) ROUNDS="${2-}"; shift $(($# > 1 ? 2 : 1)) ;;
        --write-readme) WRITE_README=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "real-wire: unknown argument $1 (try --help)" >&2; exit 2 ;;
    esac
done
# A bad number is one line and exit 2 before any work (before, a missing one was bash's "$2: unbound variable", and a
# word went on to the benchmark).
case "$ROUNDS" in ''|*[!0-9]*|0) echo "real-wire: --rounds N: a whole number of 1 or more, got '$ROUNDS'" >&2; exit 2 ;; esac
die() { echo "real-wire: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, raw sockets)"
for c in ip dnsmasq atftpd atftp python3 setsid; do
    command -v "$c" >/dev/null || die "$c not found (apt-get install iproute2 dnsmasq-base atftpd atftp python3 util-linux)"
done

"$ROOT/netboot" --version >/dev/null   # build and train now, not inside a timed run

ID="$$"
SRV="nbrw-$ID-srv"
CLI="nbrw-$ID-cli"
C0="nbrw${ID}c"
S0="nbrw${ID}s"
WORK="$(mktemp -d /tmp/real-wire.XXXXXX)"
chmod 755 "$WORK"
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    ip netns del "$CLI" 2>/dev/null || true
    ip netns del "$SRV" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

for ns in "$SRV" "$CLI"; do
    ip netns add "$ns"
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$ns" link set lo up
done
ip link add "$C0" type veth peer name "$S0"
ip link set "$C0" netns "$CLI"
ip link set "$S0" netns "$SRV"
ip -n "$CLI" link set "$C0" up
ip -n "$SRV" link set "$S0" up
ip -n "$SRV" addr add 198.51.100.1/24 dev "$S0"

mkdir -p "$WORK/srv" "$WORK/out"
head -c $((24 << 20)) /dev/urandom >"$WORK/srv/image.bin"
chmod -R a+rX "$WORK/srv"
WANT="$(sha256sum "$WORK/srv/image.bin" | cut -d' ' -f1)"

# The servers run in a session of their own (setsid), as a daemon does (a systemd service has its own cgroup): with
# the kernel's autogroup scheduling (/proc/sys/kernel/sched_autogroup_enabled), a session is one scheduling group,
# and in the bench's own session atftpd would share its CPU time thread by thread with the board's JVM (the boot,
# C1 and C2 threads) on this host, which no board on a real network does with its server. atftp's rounds are not
# affected either way: no JVM runs beside them. README, "Real-wire benchmark", has the figures of both.
setsid ip netns exec "$SRV" atftpd --daemon --no-fork --port 69 --bind-address 198.51.100.1 --user root --group root \
    --logfile "$WORK/atftpd.log" "$WORK/srv" &
PIDS+=($!)
setsid ip netns exec "$SRV" dnsmasq --no-daemon --conf-file=/dev/null --port=0 --user=root --group=root --no-resolv --no-hosts \
    --log-facility="$WORK/dnsmasq.log" --pid-file= --interface="$S0" --bind-interfaces --dhcp-leasefile="$WORK/leases" \
    --bootp-dynamic --dhcp-range=198.51.100.50,198.51.100.60,255.255.255.0 --dhcp-boot=image.bin,,198.51.100.1 \
    2>>"$WORK/dnsmasq.log" &
PIDS+=($!)
for _ in $(seq 100); do
    ip netns exec "$SRV" grep -q ":0045 " /proc/net/udp && [ -s "$WORK/dnsmasq.log" ] && break
    sleep 0.1
done

TIMES="$WORK/times"
: >"$TIMES"
for r in $(seq "$ROUNDS"); do
    json="$(ip netns exec "$CLI" "$ROOT/netboot" boot --interface "$C0" --profile spi-nor-64m --flash-file "$WORK/flash.img" \
        --blksize 1428 --windowsize 16 --json 2>"$WORK/boot.err")" || die "round $r: the boot failed: $(cat "$WORK/boot.err")"
    python3 - "$json" "$WANT" "$TIMES" <<'PY'
import json, sys
j, want, times = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
assert j["result"] == "ok" and j["sha256"] == want and j["blockSize"] == 1428 and j["windowSize"] == 16, j
open(times, "a").write(f"board|{j['transferSeconds']}|{j['retransmissions']}\n")
PY
    ip -n "$CLI" addr add 198.51.100.2/24 dev "$C0"
    rm -f "$WORK/out/image.bin"
    t0=$(date +%s%N)
    ip netns exec "$CLI" atftp --option "blksize 1428" --option "windowsize 16" -g -r image.bin -l "$WORK/out/image.bin" \
        198.51.100.1 69 2>/dev/null || die "round $r: atftp failed"
    t1=$(date +%s%N)
    ip -n "$CLI" addr del 198.51.100.2/24 dev "$C0"
    [ "$(sha256sum "$WORK/out/image.bin" | cut -d' ' -f1)" = "$WANT" ] || die "round $r: atftp fetched wrong bytes"
    echo "atftp|$(python3 -c "print(($t1 - $t0) / 1e9)")|" >>"$TIMES"
    echo "real-wire: round $r of $ROUNDS done" >&2
done

TABLE="$(python3 - "$TIMES" "$ROUNDS" <<'PY'
import sys, statistics
rows = [l.rstrip('\n').split('|') for l in open(sys.argv[1])]
board = sorted(float(t) for who, t, _ in rows if who == 'board')
atftp = sorted(float(t) for who, t, _ in rows if who == 'atftp')
rtx = [int(x) for who, _, x in rows if who == 'board']
mb, ma = statistics.median(board), statistics.median(atftp)
print("| client | what | median s | min–max s | vs atftp |")
print("|---|---|---:|---:|---:|")
print(f"| board (`boot --interface`, spi-nor-64m) | transferSeconds, RRQ to last block | {mb:.3f} | {board[0]:.3f}–{board[-1]:.3f} | {mb / ma:.2f}× |")
print(f"| atftp | whole process | {ma:.3f} | {atftp[0]:.3f}–{atftp[-1]:.3f} | 1.00× |")
print()
print(f"24 MiB (spi-nor-64m's slot) from atftpd, blksize 1428, windowsize 16, over a veth pair between network namespaces; "
      f"median of {sys.argv[2]} interleaved rounds; the board retransmitted {min(rtx)}–{max(rtx)} packets per boot.")
PY
)"
echo "$TABLE"

if [ -n "$WRITE_README" ]; then
    README="$ROOT/README.md"
    grep -q '<!-- real-wire:begin -->' "$README" && grep -q '<!-- real-wire:end -->' "$README" ||
        die "README.md has no <!-- real-wire:begin --> / <!-- real-wire:end --> markers"
    {
        echo "<!-- real-wire:begin -->"
        echo "Measured $(date -u +%Y-%m-%d) on $(nproc) CPUs ($(uname -r)), $("$ROOT/netboot" --version):"
        echo
        echo "$TABLE"
        echo "<!-- real-wire:end -->"
    } >"$WORK/table.md"
    python3 - "$README" "$WORK/table.md" <<'PY'
import sys, re
readme, table = sys.argv[1], open(sys.argv[2]).read().rstrip('\n')
text = open(readme).read()
open(readme, 'w').write(re.sub(r'<!-- real-wire:begin -->.*?<!-- real-wire:end -->', lambda m: table, text, count=1, flags=re.S))
PY
    echo "real-wire: table written to $README" >&2
fi
