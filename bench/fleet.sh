#!/usr/bin/env bash
# Fleet goals (issue 12) on the emulator: N boards boot one image at once from emulator/fleet.scenario
# (1 Gbit/s switch, one DHCP server with a pool, one TFTP server answering each client from its own port).
#
# Rows: one board alone (unicast and multicast), N boards unicast, N boards multicast (RFC 2090), and the
# N-board unicast run again with the same seed (its summary must be the same but for wall time).
# Goals, checked per row (virtual time unless said):
#   unicast    every board booted; the last within 1.2 x max(N x image / link rate, one board alone)
#   multicast  every board booted; the last within 2 x one board alone; the server's bytes (everything its
#              port sent: DHCP, ARP, OACKs, DATA) at most 1.5 x the image plus the DATA it sent again
#   both       wall time <= 60 s on this machine, peak resident memory <= 4 GiB (GNU time's maximum RSS)
# The emulator's own cost per simulated frame is printed as it is (wall time / frames on every segment).
#
# Usage: bench/fleet.sh [N]   (default 1000). LINK_BPS (default 1000000000) must match the scenario's
# link rate. Builds first if the sources changed (under the shared build lock).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-1000}"
LINK_BPS="${LINK_BPS:-1000000000}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# Build once (the launcher rebuilds when the sources changed), holding the lock other builds take.
flock /tmp/netboot-build.lock "$ROOT/netboot" --version > /dev/null

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

python3 - "$WORK" "$N" "$LINK_BPS" <<'EOF'
import json, sys
work, n, bps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def load(name):
    j = json.load(open(f"{work}/{name}.json"))
    j["rssKiB"] = int(open(f"{work}/{name}.rss").read().split()[-1])
    return j
alone, alone_mc, uni, mc, again = (load(x) for x in ("alone", "alone-mc", "unicast", "multicast", "unicast-again"))
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
                 f'{j["serverBytes"]:,}', f'{j["wallSeconds"]:.1f}', check(j["wallSeconds"] <= 60),
                 f'{j["rssKiB"] / 1024:,.0f}', check(j["rssKiB"] <= 4 * 1024 * 1024), f'{j["wallMicrosPerFrame"]:.1f}'))
row("1 board, unicast", alone, "(reference)", check(alone["booted"] == 1))
row("1 board, multicast", alone_mc, "(reference)", check(alone_mc["booted"] == 1))
bound = 1.2 * max(line_time, one)
row(f"{n:,} boards, unicast", uni, f"<= {bound:.3f} (1.2 x max({line_time:.3f}, {one:.3f}))",
    check(uni["booted"] == n and uni["lastBootedSeconds"] <= bound))
mc_bound = 2 * one
m = mc.get("multicastTransfers") or {}
one_pass = alone_mc["multicastTransfers"]["groupBytes"]  # the image's DATA frames once, headers included
full_frame = one_pass / alone_mc["multicastTransfers"]["groupData"]
retx_bytes = (m.get("groupData", 0) - alone_mc["multicastTransfers"]["groupData"]) * full_frame
byte_bound = 1.5 * image + retx_bytes
row(f"{n:,} boards, multicast", mc, f"<= {mc_bound:.3f} (2 x {one:.3f})",
    check(mc["booted"] == n and mc["lastBootedSeconds"] <= mc_bound))
strip = lambda j: {k: v for k, v in j.items() if k not in ("wallSeconds", "wallMicrosPerFrame", "rssKiB")}
same = strip(uni) == strip(again)
print("| case | booted | last booted (s, virtual) | goal | | server bytes | wall (s) | <= 60 s | peak RSS (MiB) | <= 4 GiB | us per frame |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")
print()
print(f"multicast image bytes: DATA to the group {m.get('groupData', 0):,} frames, {m.get('groupBytes', 0):,} bytes "
      f"({m.get('groupData', 0) / alone_mc['multicastTransfers']['groupData']:.2f} passes) against 1.5 x image + the DATA sent again "
      f"({retx_bytes:,.0f} bytes) = {byte_bound:,.0f}: {check(m.get('groupBytes', 0) <= byte_bound)}; master changed "
      f"{m.get('masterChanges', 0):,} times")
other = mc["serverBytes"] - m.get("groupBytes", 0)
print(f"multicast server bytes, all: {mc['serverBytes']:,} ({mc['serverBytes'] / image:.2f} x the image; besides the DATA "
      f"{other:,} bytes of DHCP, ARP and OACKs, {other / n:,.0f} per board): "
      f"{'within' if mc['serverBytes'] <= byte_bound else 'past'} the same bound")
print(f"emulator cost per poll: unicast {uni['wallSeconds'] * 1e6 / uni['polls']:.2f} us ({uni['polls']:,} polls), "
      f"multicast {mc['wallSeconds'] * 1e6 / mc['polls']:.2f} us ({mc['polls']:,} polls)")
print(f"unicast server bytes: {uni['serverBytes']:,} ({uni['serverBytesPerImage']:.2f} x the image); "
      f"first TFTP requests {uni['tftpRequests']['firstSeconds']:.3f}..{uni['tftpRequests']['lastSeconds']:.3f} s")
print(f"same seed, same summary (wall time aside): {check(same)}")
sys.exit(0 if ok_all else 1)
EOF
