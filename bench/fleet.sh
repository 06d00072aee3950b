#!/usr/bin/env bash
# Fleet goals (issue 12) on the emulator: N boards boot one image at once from emulator/fleet.scenario
# (1 Gbit/s switch, one DHCP server with a pool, one TFTP server answering each client from its own port).
#
# Rows: one board alone (unicast and multicast), N boards unicast, N boards multicast (RFC 2090), the N-board
# unicast run again with the same seed (its summary must be the same but for wall time), and N/3 boards by
# multicast from emulator/fleet-servers.scenario's three TFTP servers (one multicast pass each).
# Goals, checked per row (virtual time unless said):
#   unicast    every board booted; the last within 1.2 x max(N x image / link rate, one board alone)
#   multicast  every board booted; the last within 2 x one board alone; the server's DATA bytes (serverBytes:
#              the image on the wire, first or again) at most 1.5 x one pass (the lone multicast board's DATA)
#              plus the DATA sent again after a timeout (timeoutBytes: retransmissions proper; a rewind for a
#              late board is no retransmission and counts against the 1.5). DHCP, ARP and OACKs are reported apart
#              (serverOverheadBytes).
#   both       wall time <= 60 s on this machine, peak resident memory <= 4 GiB (GNU time's maximum RSS)
# The emulator's own cost per simulated frame is printed as it is (wall time / frames on every segment).
#
# Usage: bench/fleet.sh [N]   (default 1000). LINK_BPS (default 1000000000) must match the scenario's
# link rate. Holds the shared build lock (/tmp/netboot-build.lock) for the whole run, so that no build shares
# the CPUs with it, and builds first if the sources changed. Prints `uptime` before and after.
set -euo pipefail
# A bad N is one line and exit 2 before the lock and any fleet (before: the one-board rows ran first, then netboot
# fleet refused --boards and the bench said only that it exited 2).
n="${1:-1000}"
case "$n" in ''|*[!0-9]*) n=0 ;; esac
if [ "${#n}" -gt 6 ] || [ "$((10#$n))" -lt 1 ] || [ "$((10#$n))" -gt 100000 ]; then
    echo "bench/fleet.sh: N: a whole number of boards, 1..100000, got '${1-}'" >&2
    exit 2
fi
[ $# -le 1 ] || { echo "bench/fleet.sh: one argument at most, N (got $#)" >&2; exit 2; }
if [ -z "${NETBOOT_FLEET_LOCKED:-}" ]; then
    export NETBOOT_FLEET_LOCKED=1
    exec flock /tmp/netboot-build.lock "$0" "$@"
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-1000}"
LINK_BPS="${LINK_BPS:-1000000000}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# Build once (the launcher rebuilds when the sources changed); the lock is ours already.
"$ROOT/netboot" --version > /dev/null
echo "before: $(uptime)"

run() { # name args... -> $WORK/name.json, $WORK/name.rss (KiB)
    local name="$1"
    shift
    local rc=0
    /usr/bin/time -f '%M' -o "$WORK/$name.rss" "$ROOT/netboot" fleet "$@" --json > "$WORK/$name.json" || rc=$?
    if [ "$rc" -gt 1 ]; then
        echo "bench/fleet.sh: netboot fleet $* exited $rc" >&2
        exit 1
    fi
}

run alone --boards 1
run alone-mc --boards 1 --multicast
run unicast --boards "$N"
run multicast --boards "$N" --multicast
run unicast-again --boards "$N"
run servers-mc --boards "$((N / 3))" --multicast --scenario "$ROOT/emulator/fleet-servers.scenario"

echo "after:  $(uptime)"
python3 - "$WORK" "$N" "$LINK_BPS" <<'EOF'
import json, sys
work, n, bps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def load(name):
    j = json.load(open(f"{work}/{name}.json"))
    j["rssKiB"] = int(open(f"{work}/{name}.rss").read().split()[-1])
    return j
alone, alone_mc, uni, mc, again, srv = (load(x) for x in ("alone", "alone-mc", "unicast", "multicast", "unicast-again", "servers-mc"))
one = alone["lastBootedSeconds"]
image = uni["imageBytes"]
line_time = n * image * 8 / bps
ok_all = True
def check(cond):
    global ok_all
    ok_all &= bool(cond)
    return "met" if cond else "NOT met"
rows = []
def row(case, j, goal_text, goal_ok):
    rows.append((case, f'{j["booted"]:,}/{j["boards"]:,}', f'{j["lastBootedSeconds"]:.3f}', goal_text, goal_ok,
                 f'{j["serverBytes"]:,}', f'{j["serverOverheadBytes"]:,}', f'{j["wallSeconds"]:.1f}', check(j["wallSeconds"] <= 60),
                 f'{j["rssKiB"] / 1024:,.0f}', check(j["rssKiB"] <= 4 * 1024 * 1024), f'{j["wallMicrosPerFrame"]:.1f}'))
row("1 board, unicast", alone, "(reference)", check(alone["booted"] == 1))
row("1 board, multicast", alone_mc, "(reference)", check(alone_mc["booted"] == 1))
bound = 1.2 * max(line_time, one)
row(f"{n:,} boards, unicast", uni, f"<= {bound:.3f} (1.2 x max({line_time:.3f}, {one:.3f}))",
    check(uni["booted"] == n and uni["lastBootedSeconds"] <= bound))
mc_bound = 2 * one
m = mc.get("multicastTransfers") or {}
one_pass = alone_mc["serverBytes"]  # the image's DATA frames once, headers included
retx_bytes = m.get("timeoutBytes", 0)
byte_bound = 1.5 * one_pass + retx_bytes
row(f"{n:,} boards, multicast", mc, f"<= {mc_bound:.3f} (2 x {one:.3f})",
    check(mc["booted"] == n and mc["lastBootedSeconds"] <= mc_bound))
ns = srv["boards"]
sm = srv.get("multicastTransfers") or {}
row(f"{ns:,} boards, 3 servers, multicast", srv, f"<= {mc_bound:.3f} (2 x {one:.3f})",
    check(srv["booted"] == ns and srv["lastBootedSeconds"] <= mc_bound))
strip = lambda j: {k: v for k, v in j.items() if k not in ("wallSeconds", "wallMicrosPerFrame", "rssKiB")}
same = strip(uni) == strip(again)
print("| case | booted | last booted (s, virtual) | goal | | server DATA bytes | other server bytes | wall (s) | <= 60 s | peak RSS (MiB) | <= 4 GiB | us per frame |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")
print()
print(f"multicast server DATA bytes: {mc['serverBytes']:,} in {mc['serverFrames']:,} frames "
      f"({mc['serverBytes'] / one_pass:.2f} passes of {one_pass:,}) against 1.5 x one pass + the DATA sent again after a "
      f"timeout ({retx_bytes:,} bytes) = {byte_bound:,.0f}: {check(mc['serverBytes'] <= byte_bound)}; of it sent again "
      f"{mc['serverResentBytes']:,} bytes ({m.get('rewinds', 0)} rewinds for late boards took back {m.get('rewound', 0)} blocks; "
      f"{m.get('timeoutData', 0)} DATA after a timeout); master changed {m.get('masterChanges', 0):,} times")
other = mc["serverOverheadBytes"]
allb = mc["serverBytes"] + other
print(f"multicast server bytes, all frames: {allb:,} ({allb / image:.2f} x the image): besides the DATA {other:,} bytes of "
      f"DHCP, ARP, OACK and ERROR, {other / n:,.0f} per board")
print(f"{ns:,} boards from 3 servers by multicast: {sm.get('transfers', 0)} transfers, {srv['serverBytes']:,} DATA bytes "
      f"({srv['serverBytes'] / one_pass:.2f} passes: one a server), last booted {srv['lastBootedSeconds']:.3f} s")
print(f"emulator cost per poll: unicast {uni['wallSeconds'] * 1e6 / uni['polls']:.2f} us ({uni['polls']:,} polls), "
      f"multicast {mc['wallSeconds'] * 1e6 / mc['polls']:.2f} us ({mc['polls']:,} polls)")
print(f"unicast server DATA bytes: {uni['serverBytes']:,} ({uni['serverBytesPerImage']:.2f} x the image); "
      f"first TFTP requests {uni['tftpRequests']['firstSeconds']:.3f}..{uni['tftpRequests']['lastSeconds']:.3f} s")
print(f"same seed, same summary (wall time aside): {check(same)}")
sys.exit(0 if ok_all else 1)
EOF
