#!/usr/bin/env bash
# netascii stall benchmark: does one client's netascii request for a large file hold up another client?
# `netboot serve --root` in a network namespace (netascii-*, TEST-NET-1 addresses) serves a sparse file of SIZE bytes
# and a 1 MiB one (JVM heap: 256 MiB). Client A asks for the large file in mode netascii (curl, the netascii bytes as they come, to
# /dev/null); 0.2 s later client B fetches the 1 MiB file in mode octet (busybox tftp). B's time is printed alone and
# with A running, and the heap serve keeps once A has stopped. Run it under the build lock,
# so no build shares the CPUs:
#
#   flock /tmp/netboot-build.lock bench/netascii-stall.sh [SIZE] [JAR]    # default 4G and target/netboot.jar
#
# Needs root, ip (iproute2), curl, busybox, a JDK 25 (found as ./netboot finds it). Removes what it made.
set -euo pipefail
cd "$(dirname "$0")/.."
size="${1:-4G}"
jar="$(realpath "${2:-target/netboot.jar}")"
[ -f "$jar" ] || { echo "bench/netascii-stall.sh: no $jar (build it: ./netboot --version)" >&2; exit 2; }
java="$(NETBOOT_WHICH_JAVA=1 ./netboot)"
id="$$"
srv="netascii-$id-s"; cli="netascii-$id-c"
vs="netascii-s$((id % 10000))"; vc="netascii-c$((id % 10000))"   # 15 characters at most
work="$(mktemp -d)"
serve_pid=""
cleanup() {
    [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null || true
    ip netns del "$srv" 2>/dev/null || true
    ip netns del "$cli" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/root"
truncate -s "$size" "$work/root/big.txt"                  # sparse: reads cost no disk, the conversion's loop remains
head -c 1048576 /dev/urandom > "$work/root/small.bin"
cat > "$work/scenario" <<'EOF'
[server]
address = 192.0.2.1
netmask = 255.255.255.0
router = 192.0.2.1
[bootp]
client-address = 192.0.2.42
tftp-server = 192.0.2.1
boot-file = small.bin
[tftp]
timeout = 1s
served-file = small.bin
EOF
for ns in "$srv" "$cli"; do
    ip netns add "$ns"
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip -n "$ns" link set lo up
done
ip link add "$vs" type veth peer name "$vc"
ip link set "$vs" netns "$srv"; ip link set "$vc" netns "$cli"
ip -n "$srv" link set "$vs" up; ip -n "$cli" link set "$vc" up
ip -n "$cli" addr add 192.0.2.50/24 dev "$vc"

ip netns exec "$srv" "$java" -Xmx256m --enable-native-access=ALL-UNNAMED -jar "$jar" serve --interface "$vs" \
    --scenario "$work/scenario" --root "$work/root" --for 600s >"$work/serve.out" 2>"$work/serve.err" &
serve_pid=$!
for _ in $(seq 1 300); do grep -q "netboot: serving on" "$work/serve.err" 2>/dev/null && break; sleep 0.1; done
grep -q "netboot: serving on" "$work/serve.err" || { cat "$work/serve.err" >&2; exit 1; }
jpid="$(pgrep -P "$serve_pid" java || echo "$serve_pid")"

fetch_b() { # prints B's seconds for the 1 MiB octet fetch
    local t0 t1
    t0=$(date +%s.%N)
    ip netns exec "$cli" busybox tftp -g -r small.bin -l "$work/got.bin" 192.0.2.1
    t1=$(date +%s.%N)
    cmp -s "$work/got.bin" "$work/root/small.bin" || { echo "B's copy differs" >&2; exit 1; }
    python3 -c "print(f'{$t1 - $t0:.3f}')"
}

fetch_b >/dev/null                                          # warm up the JIT and ARP
alone=$(fetch_b)
ip netns exec "$cli" curl -s --tftp-no-options --max-time 120 -o /dev/null \
    "tftp://192.0.2.1/big.txt;mode=netascii" 2>/dev/null &
a_pid=$!
sleep 0.2
with_a=$(fetch_b)
sleep 1
kill "$a_pid" 2>/dev/null || true
wait "$a_pid" 2>/dev/null || true
# What serve keeps once A is gone: the heap in use after a full collection (main kept an index of the file per
# netascii request, 8 bytes per 4 KiB of file, until the file was served anew).
jcmd="$(dirname "$java")/jcmd"
"$jcmd" "$jpid" GC.run >/dev/null
heap=$("$jcmd" "$jpid" GC.heap_info | grep -o 'used [0-9]*K' | head -1 | sed 's/used //')
echo "| file | B alone (s) | B while A's netascii runs (s) | serve heap in use after A, after a GC | jar |"
echo "|---|---|---|---|---|"
echo "| $size sparse | $alone | $with_a | $heap | $jar |"
echo "($(uptime | sed 's/.*load/load/'))"
