#!/usr/bin/env bash
# How soon a board on a real interface says its first word: the time from exec to the first DHCPDISCOVER on the
# wire, of `./netboot boot --interface` (profile spi-nor-16m, its flash in a file, as a board keeps it) beside
# busybox's udhcpc (a native DHCP client) and `java -version` of the JDK the launcher picks (the JVM's own start).
# A veth pair inside one network namespace it makes (and removes, also on failure): the client on one end, on the
# other a packet socket that stamps the first frame to UDP port 67 whose DHCP message type is DISCOVER; the client
# is then stopped. Nothing answers, so nothing else is measured. Commands run interleaved round by round after one
# warm-up round; prints medians and min–max as a markdown table. With --beside DIR (another checkout of netboot, e.g.
# a worktree of the commit before a change) its `boot --interface` runs in the same rounds, and each round's pair of
# the two boards is compared too.
#
#   bench/first-discover.sh [--rounds N] [--beside DIR]
#
# Needs root, ip (iproute2), busybox (udhcpc), python3.
set -euo pipefail

ROOT="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS=15
BESIDE=""
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) ROUNDS="${2-}"; shift $(($# > 1 ? 2 : 1)) ;;
        --beside) BESIDE="${2-}"; shift $(($# > 1 ? 2 : 1)) ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "first-discover: unknown argument $1 (try --help)" >&2; exit 2 ;;
    esac
done
case "$ROUNDS" in ''|*[!0-9]*|0) echo "first-discover: --rounds N: a whole number of 1 or more, got '$ROUNDS'" >&2; exit 2 ;; esac
die() { echo "first-discover: $*" >&2; exit 1; }
if [ -n "$BESIDE" ]; then
    [ -x "$BESIDE/netboot" ] || { echo "first-discover: --beside DIR: no netboot launcher in '$BESIDE'" >&2; exit 2; }
    BESIDE="$(cd -P "$BESIDE" && pwd)"
fi
[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, packet sockets)"
for c in ip busybox python3; do
    command -v "$c" >/dev/null || die "$c not found (apt-get install iproute2 busybox python3)"
done

"$ROOT/netboot" --version >/dev/null                      # build and train now, not inside a timed run
"$ROOT/netboot" boot --flash-timing none >/dev/null 2>&1 # the boot cache too
if [ -n "$BESIDE" ]; then
    "$BESIDE/netboot" --version >/dev/null
    "$BESIDE/netboot" boot --flash-timing none >/dev/null 2>&1
fi
JAVA="$(NETBOOT_WHICH_JAVA=1 "$ROOT/netboot")"

ID="$$"
NS="lsfd-$ID"
BOARD="lsfd${ID}b"
PEER="lsfd${ID}p"
WORK="$(mktemp -d /tmp/first-discover.XXXXXX)"
cleanup() {
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

ip netns add "$NS"
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n "$NS" link set lo up
ip -n "$NS" link add "$BOARD" type veth peer name "$PEER"
ip -n "$NS" link set "$BOARD" up
ip -n "$NS" link set "$PEER" up

# label|command (run by bash -c in the namespace, output discarded; "java -version" is timed to its exit instead)
CASES=(
    "java -version|'$JAVA' -version"
    "netboot boot --interface|'$ROOT/netboot' boot --interface $BOARD --flash-file '$WORK/flash.img' --flash-timing none"
    "busybox udhcpc|busybox udhcpc -f -q -n -t 3 -T 3 -i $BOARD -s /bin/true"
)
if [ -n "$BESIDE" ]; then
    CASES=("netboot boot --interface, $BESIDE|'$BESIDE/netboot' boot --interface $BOARD --flash-file '$WORK/beside.img' --flash-timing none"
           "${CASES[@]}")
fi

echo "first-discover: $ROUNDS rounds (and one warm-up) × ${#CASES[@]} commands, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
ip netns exec "$NS" python3 - "$ROUNDS" "$PEER" "${CASES[@]}" <<'PY'
import os, signal, socket, statistics, sys, time
rounds, peer = int(sys.argv[1]), sys.argv[2]
cases = [c.split('|', 1) for c in sys.argv[3:]]
ETH_P_ALL = 3
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
s.bind((peer, 0))
s.settimeout(0.05)
devnull = os.open(os.devnull, os.O_RDWR)

def discover(f):
    # Ethernet II, IPv4, UDP to port 67, BOOTREQUEST, DHCP option 53 = 1 (the options after the magic cookie).
    if len(f) < 14 + 20 + 8 + 240 or f[12:14] != b'\x08\x00' or f[23] != 17:
        return False
    ihl = (f[14] & 0x0F) * 4
    udp = 14 + ihl
    if int.from_bytes(f[udp + 2:udp + 4], 'big') != 67:
        return False
    bootp = udp + 8
    if f[bootp] != 1 or f[bootp + 236:bootp + 240] != b'\x63\x82\x53\x63':
        return False
    i = bootp + 240
    while i + 1 < len(f) and f[i] != 255:
        if f[i] == 0:
            i += 1
            continue
        if f[i] == 53:
            return f[i + 2] == 1
        i += 2 + f[i + 1]
    return False

times = {l: [] for l, _ in cases}
child = None  # the client running now, stopped on the way out whatever happens (Ctrl-C, an error, SIGTERM)


def stop(signum, frame):
    sys.exit(f"first-discover: stopped by signal {signum}")


def run(label, cmd):
    """Returns the seconds from fork to the first DHCPDISCOVER (java -version: to its exit)."""
    global child
    while True:  # drain what came before
        try:
            s.recv(65535)
        except socket.timeout:
            break
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.setsid()
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.execvp('bash', ['bash', '-c', 'exec ' + cmd])
    child = pid
    got = None
    if label == 'java -version':
        os.waitpid(pid, 0)
        child = None
        return time.perf_counter() - t0
    deadline = t0 + 20
    while got is None and time.perf_counter() < deadline:
        try:
            f = s.recv(65535)
        except socket.timeout:
            continue
        if discover(f):
            got = time.perf_counter() - t0
    os.killpg(pid, signal.SIGTERM)
    os.waitpid(pid, 0)
    child = None
    if got is None:
        sys.exit(f"first-discover: no DHCPDISCOVER from '{label}' within 20 s")
    return got


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started in the background, where it was ignored
try:
    for r in range(rounds + 1):
        for label, cmd in cases:
            got = run(label, cmd)
            if r > 0:
                times[label].append(got * 1000)
        print(f"first-discover: round {r} of {rounds} done" if r else "first-discover: warm-up done", file=sys.stderr)
except KeyboardInterrupt:
    sys.exit("first-discover: interrupted")
finally:
    if child is not None:
        try:
            os.killpg(child, signal.SIGTERM)
            os.waitpid(child, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
print("| command | exec to first DHCPDISCOVER, median ms | min–max ms |")
print("|---|---:|---:|")
for label, _ in cases:
    t = times[label]
    what = label + (" (to its exit)" if label == 'java -version' else "")
    print(f"| {what} | {statistics.median(t):.0f} | {min(t):.0f}–{max(t):.0f} |")
if cases[0][0].startswith("netboot boot --interface, "):  # --beside: the two boards round by round
    d = [b - a for a, b in zip(times[cases[0][0]], times["netboot boot --interface"])]
    print()
    print(f"This checkout against {cases[0][0][len('netboot boot --interface, '):]}: sooner in {sum(x < 0 for x in d)} of "
          f"{len(d)} rounds, by {-statistics.median(d):.0f} ms in the median round.")
print()
print(f"Median of {rounds} interleaved rounds; a veth pair in a network namespace, the frame stamped by a packet socket on its other end.")
PY
echo "first-discover: load after $(cut -d' ' -f1-3 /proc/loadavg)" >&2
