#!/usr/bin/env bash
# Times whole processes that are mostly start-up: `java -version` of the JDK the launcher picks, beside
# `./netboot --version`, `./netboot tftp --help`, a 1-byte `./netboot tftp get` from atftpd on loopback
# (and atftp's and curl's own clients fetching the same byte), `./netboot boot --help` and an emulated
# `./netboot boot`; each netboot command also with NETBOOT_AOT=off, to show what the AOT cache gives.
# Commands run interleaved round by round (so drift in machine load hits all alike), after one warm-up
# round; prints medians, min–max, the median CPU time (user + system) and the ratio to `java -version`.
#
#   bench/startup-bench.sh [--rounds N] [--write-readme]
#
# Needs: apt-get install atftpd atftp curl. Runs as any user that may bind a UDP port on 127.0.0.1.
set -euo pipefail

ROOT="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS=20
WRITE_README=""
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) ROUNDS="${2-}"; shift $(($# > 1 ? 2 : 1)) ;;
        --write-readme) WRITE_README=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "startup-bench: unknown argument $1 (try --help)" >&2; exit 2 ;;
    esac
done
# A bad number is one line and exit 2 before any work (before, a missing one was bash's "$2: unbound variable", and a
# word went on to the benchmark).
case "$ROUNDS" in ''|*[!0-9]*|0) echo "startup-bench: --rounds N: a whole number of 1 or more, got '$ROUNDS'" >&2; exit 2 ;; esac

die() { echo "startup-bench: $*" >&2; exit 1; }
for c in atftpd atftp curl python3; do
    command -v "$c" >/dev/null || die "$c not found (apt-get install atftpd atftp curl)"
done

# Build the jar and train both AOT caches now, not inside a timed run.
"$ROOT/netboot" --version >/dev/null
"$ROOT/netboot" boot --flash-timing none >/dev/null   # boot --help runs on the tftp cache
JAVA="$(NETBOOT_WHICH_JAVA=1 "$ROOT/netboot")"

WORK="$(mktemp -d /tmp/startup-bench.XXXXXX)"
chmod 755 "$WORK"
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

mkdir -p "$WORK/srv" "$WORK/out"
printf 'x' >"$WORK/srv/one.bin"
chmod -R a+rX "$WORK/srv"
PORT="$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
atftpd --daemon --no-fork --port "$PORT" --bind-address 127.0.0.1 --user "$(id -un)" --group "$(id -gn)" \
    --logfile "$WORK/atftpd.log" "$WORK/srv" &
PIDS+=($!)
for _ in $(seq 200); do
    grep -q " $(printf '0100007F:%04X' "$PORT") " /proc/net/udp && break
    sleep 0.05
done

N="$ROOT/netboot"
OUT="$WORK/out/one.bin"
# label|command (run by bash -c, stdout and stderr discarded; a failing command stops the benchmark)
CASES=(
    "java -version|'$JAVA' -version"
    "netboot --version|'$N' --version"
    "netboot tftp --help|'$N' tftp --help"
    "netboot tftp get (1 byte)|'$N' tftp get 127.0.0.1:$PORT one.bin '$OUT'"
    "atftp get (1 byte)|atftp -g -r one.bin -l '$OUT' 127.0.0.1 $PORT"
    "curl tftp (1 byte)|curl -s -o '$OUT' tftp://127.0.0.1:$PORT/one.bin"
    "netboot boot --help|'$N' boot --help"
    "netboot boot (emulated, 1 MiB, --flash-timing none)|'$N' boot --flash-timing none"
    "NETBOOT_AOT=off netboot --version|NETBOOT_AOT=off '$N' --version"
    "NETBOOT_AOT=off netboot tftp --help|NETBOOT_AOT=off '$N' tftp --help"
    "NETBOOT_AOT=off netboot tftp get (1 byte)|NETBOOT_AOT=off '$N' tftp get 127.0.0.1:$PORT one.bin '$OUT'"
    "NETBOOT_AOT=off netboot boot (emulated)|NETBOOT_AOT=off '$N' boot --flash-timing none"
)

echo "startup-bench: $ROUNDS rounds (and one warm-up) × ${#CASES[@]} commands" >&2
TABLE="$(python3 - "$ROUNDS" "$OUT" "$WORK/srv/one.bin" "${CASES[@]}" <<'PY'
import os, sys, time, statistics, filecmp
rounds, out, want = int(sys.argv[1]), sys.argv[2], sys.argv[3]
cases = [c.split('|', 1) for c in sys.argv[4:]]
wall = {l: [] for l, _ in cases}
cpu = {l: [] for l, _ in cases}
devnull = os.open(os.devnull, os.O_RDWR)
for r in range(rounds + 1):
    for label, cmd in cases:
        if os.path.exists(out):
            os.unlink(out)
        t0 = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            os.execvp('bash', ['bash', '-c', cmd])
        _, status, ru = os.wait4(pid, 0)
        t1 = time.perf_counter()
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"startup-bench: '{label}' failed (exit {os.waitstatus_to_exitcode(status)}): {cmd}")
        if 'get' in label or 'tftp (1 byte)' in label:
            if not filecmp.cmp(out, want, shallow=False):
                sys.exit(f"startup-bench: '{label}' fetched wrong bytes")
        if r > 0:
            wall[label].append((t1 - t0) * 1000)
            cpu[label].append((ru.ru_utime + ru.ru_stime) * 1000)
    print(f"startup-bench: round {r} of {rounds} done" if r else "startup-bench: warm-up done", file=sys.stderr)
base = statistics.median(wall['java -version'])
print("| command | median ms | min–max ms | CPU ms (median) | vs `java -version` |")
print("|---|---:|---:|---:|---:|")
for label, _ in cases:
    w = wall[label]
    m = statistics.median(w)
    print(f"| {label} | {m:.0f} | {min(w):.0f}–{max(w):.0f} | {statistics.median(cpu[label]):.0f} | {m / base:.2f}× |")
print()
print(f"Whole processes, wall clock, median of {rounds} interleaved rounds; the 1-byte file comes from atftpd on 127.0.0.1.")
PY
)"
echo "$TABLE"

if [ -n "$WRITE_README" ]; then
    README="$ROOT/README.md"
    grep -q '<!-- startup-bench:begin -->' "$README" && grep -q '<!-- startup-bench:end -->' "$README" ||
        die "README.md has no <!-- startup-bench:begin --> / <!-- startup-bench:end --> markers"
    {
        echo "<!-- startup-bench:begin -->"
        echo "Measured $(date -u +%Y-%m-%d) on $(nproc) CPUs ($(uname -r)), $("$JAVA" -version 2>&1 | sed -n 2p):"
        echo
        echo "$TABLE"
        echo "<!-- startup-bench:end -->"
    } >"$WORK/table.md"
    python3 - "$README" "$WORK/table.md" <<'PY'
import sys, re
readme, table = sys.argv[1], open(sys.argv[2]).read().rstrip('\n')
text = open(readme).read()
new = re.sub(r'<!-- startup-bench:begin -->.*?<!-- startup-bench:end -->', lambda m: table, text, count=1, flags=re.S)
open(readme, 'w').write(new)
PY
    echo "startup-bench: table written to $README" >&2
fi
