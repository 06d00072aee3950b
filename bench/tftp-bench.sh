#!/usr/bin/env bash
# Times whole-process TFTP downloads on loopback: ./netboot tftp get against curl, busybox tftp, the
# tftp-hpa client and the atftp client, from the same server and the same file, interleaved round by
# round (so drift in machine load hits every client alike); prints medians and ratios as a markdown table.
#
#   bench/tftp-bench.sh [--rounds N] [--size BYTES] [--write-readme]
#
# Servers: tftpd-hpa (no RFC 7440 windowsize) and atftpd (windowsize), each on 127.0.0.1 and a free port.
# Settings: "512 lock-step" (every client at 512-byte blocks, window 1) and "1428 × 16" (blksize 1428,
# windowsize 16 where the client can ask for it: netboot and atftp; curl and busybox only ask blksize;
# tftp-hpa cannot negotiate and is left out).
# Each run is one whole process, JVM start included for netboot; the time is wall clock around it.
# Every download is compared with the served file; a wrong or failed download stops the benchmark.
#
# NETBOOT_VARIANTS="label=JAVA_OPTS;label2=JAVA_OPTS2" times ./netboot once per variant (default: the
# launcher's own settings), to measure what a JVM option gives.
#
# The floor: with a C compiler (cc), a minimal client built from the source below ("floor") times what any
# client needs at each server and setting: one request, one recv per block, an ACK per window, the data
# written and fdatasync'ed as netboot does ("floor, file") or thrown away ("floor, discard"). Floor rows are
# yardsticks, not peers. `java -version` of the JDK ./netboot runs is timed in the same rounds: the floor plus
# the JVM's own start is the least a JVM client can take, printed below the table.
#
# Needs (not installed by .ci/run: the benchmark is not part of CI):
#   apt-get install curl busybox tftp-hpa atftp atftpd
#   tftpd-hpa's own in.tftpd, unpacked as .ci/run does (/usr/local/lib/netboot/tftpd-hpa), or $NETBOOT_TFTPD_HPA
# Runs as any user that may bind UDP ports on 127.0.0.1 (atftpd and tftpd-hpa are started with --user/-u of
# the caller when run as root).
set -euo pipefail

ROOT="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS=7
SIZE=$((16 << 20))
WRITE_README=""
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) ROUNDS="${2-}"; shift $(($# > 1 ? 2 : 1)) ;;
        --size) SIZE="${2-}"; shift $(($# > 1 ? 2 : 1)) ;;
        --write-readme) WRITE_README=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "tftp-bench: unknown argument $1 (try --help)" >&2; exit 2 ;;
    esac
done
# A bad number is one line and exit 2 before any work (before, a missing one was bash's "$2: unbound variable", and a
# word went on to the benchmark).
case "$ROUNDS" in ''|*[!0-9]*|0) echo "tftp-bench: --rounds N: a whole number of 1 or more, got '$ROUNDS'" >&2; exit 2 ;; esac
case "$SIZE" in ''|*[!0-9]*|0) echo "tftp-bench: --size BYTES: a whole number of 1 or more, got '$SIZE'" >&2; exit 2 ;; esac

die() { echo "tftp-bench: $*" >&2; exit 1; }

HPA="${NETBOOT_TFTPD_HPA:-/usr/local/lib/netboot/tftpd-hpa/usr/sbin/in.tftpd}"
[ -x "$HPA" ] || die "tftpd-hpa's in.tftpd not found at $HPA (run .ci/run, or set NETBOOT_TFTPD_HPA)"
command -v atftpd >/dev/null || die "atftpd not found (apt-get install atftpd)"
for c in curl busybox tftp atftp; do
    command -v "$c" >/dev/null || die "$c not found (apt-get install curl busybox tftp-hpa atftp)"
done

# Build the jar now, not inside the first timed run.
"$ROOT/netboot" --version >/dev/null
JAVA="$(NETBOOT_WHICH_JAVA=1 "$ROOT/netboot")"

WORK="$(mktemp -d /tmp/tftp-bench.XXXXXX)"
chmod 755 "$WORK"
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

mkdir -p "$WORK/srv" "$WORK/out"
head -c "$SIZE" /dev/urandom >"$WORK/srv/file.bin"
chmod -R a+rX "$WORK/srv"

free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
bound() { grep -q " $(printf '0100007F:%04X' "$1") " /proc/net/udp; }
await_bound() {
    local i
    for i in $(seq 200); do bound "$1" && return 0; sleep 0.05; done
    die "server did not bind 127.0.0.1:$1"
}

me="$(id -un)"
P_HPA="$(free_port)"
"$HPA" -L -u "$me" -s "$WORK/srv" -a "127.0.0.1:$P_HPA" >"$WORK/hpa.log" 2>&1 &
PIDS+=($!)
await_bound "$P_HPA"
P_ATFTPD="$(free_port)"
atftpd --daemon --no-fork --port "$P_ATFTPD" --bind-address 127.0.0.1 --user "$me" --group "$(id -gn)" \
    --logfile "$WORK/atftpd.log" "$WORK/srv" &
PIDS+=($!)
await_bound "$P_ATFTPD"

FLOOR=""
if command -v cc >/dev/null; then
    cat >"$WORK/floor.c" <<'C'
/* The least a TFTP client can do (tftp-bench.sh's floor): one RRQ for blksize B and windowsize W (when W > 1)
   and tsize, then per block one recv, an ACK at each window's end and at the last block, and the data written
   to OUT (fdatasync at the end, as netboot does) or discarded ("-"). No option checks but windowsize. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int put(char *p, const char *s) { strcpy(p, s); return (int) strlen(s) + 1; }

int main(int argc, char **argv) {
    if (argc != 7) { fprintf(stderr, "usage: floor HOST PORT FILE OUT BLKSIZE WINDOW\n"); return 2; }
    int blksize = atoi(argv[5]), window = atoi(argv[6]);
    int out = strcmp(argv[4], "-") ? open(argv[4], O_WRONLY | O_CREAT | O_TRUNC, 0644) : -1;
    int s = socket(AF_INET, SOCK_DGRAM, 0), rcvbuf = 4 << 20;
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct timeval tv = {2, 0};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in srv = {0};
    srv.sin_family = AF_INET;
    srv.sin_port = htons(atoi(argv[2]));
    inet_pton(AF_INET, argv[1], &srv.sin_addr);
    char req[600], num[16];
    int n = 2;
    req[0] = 0; req[1] = 1;
    n += put(req + n, argv[3]); n += put(req + n, "octet");
    snprintf(num, sizeof num, "%d", blksize);
    n += put(req + n, "blksize"); n += put(req + n, num);
    if (window > 1) { snprintf(num, sizeof num, "%d", window); n += put(req + n, "windowsize"); n += put(req + n, num); }
    n += put(req + n, "tsize"); n += put(req + n, "0");
    sendto(s, req, n, 0, (struct sockaddr *) &srv, sizeof srv);
    static char buf[65536 + 4];
    struct sockaddr_in from;
    socklen_t fromlen = sizeof from;
    int r = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *) &from, &fromlen);
    if (r < 2 || buf[1] != 6) { fprintf(stderr, "floor: no OACK\n"); return 1; }
    int granted = 1;                               /* windowsize: as the OACK says, else lock-step */
    for (char *p = buf + 2; p < buf + r; ) {
        char *name = p; p += strlen(p) + 1;
        if (p >= buf + r) break;
        if (!strcasecmp(name, "windowsize")) granted = atoi(p);
        p += strlen(p) + 1;
    }
    connect(s, (struct sockaddr *) &from, sizeof from);
    unsigned char ack[4] = {0, 4, 0, 0};
    send(s, ack, 4, 0);
    unsigned expect = 1;
    int inwindow = 0, timeouts = 0;
    for (;;) {
        r = recv(s, buf, sizeof buf, 0);
        if (r < 0) {                               /* silence: say again where we are */
            if (++timeouts > 5) { fprintf(stderr, "floor: timed out\n"); return 1; }
            send(s, ack, 4, 0);
            inwindow = 0;
            continue;
        }
        if (r < 4 || buf[1] != 3) continue;
        unsigned block = (unsigned char) buf[2] << 8 | (unsigned char) buf[3];
        if (block != (expect & 0xFFFF)) continue;  /* out of order: wait for the server to go back */
        if (out >= 0 && write(out, buf + 4, r - 4) != r - 4) { perror("floor: write"); return 1; }
        int last = r - 4 < blksize;
        if (++inwindow == granted || last) {
            ack[2] = block >> 8; ack[3] = block;
            send(s, ack, 4, 0);
            inwindow = 0;
        }
        expect++;
        if (last) break;
    }
    if (out >= 0 && (fdatasync(out) != 0 || close(out) != 0)) { perror("floor: fdatasync"); return 1; }
    return 0;
}
C
    cc -O2 -o "$WORK/floor" "$WORK/floor.c" || die "cc could not build the floor client ($WORK/floor.c)"
    FLOOR="$WORK/floor"
else
    echo "tftp-bench: no C compiler (cc): the floor is not measured" >&2
fi

# Variants of ./netboot: label=JAVA_OPTS, separated by ';'.
IFS=';' read -r -a VARIANTS <<<"${NETBOOT_VARIANTS:-netboot=}"
LABELS=""
for v in "${VARIANTS[@]}"; do LABELS="$LABELS${LABELS:+;}${v%%=*}"; done

# Cases: "server|setting|client|command"; the command is eval'd with $PORT and $OUT set.
CASES=()
for srv in tftpd-hpa atftpd; do
    for v in "${VARIANTS[@]}"; do
        label="${v%%=*}"; opts="${v#*=}"
        CASES+=("$srv|512 lock-step|$label|JAVA_OPTS='$opts' '$ROOT/netboot' tftp get 127.0.0.1:\$PORT file.bin \$OUT --blksize 512 --windowsize 1")
        CASES+=("$srv|1428 × 16|$label|JAVA_OPTS='$opts' '$ROOT/netboot' tftp get 127.0.0.1:\$PORT file.bin \$OUT --blksize 1428 --windowsize 16")
    done
    CASES+=("$srv|512 lock-step|curl|curl -s -o \$OUT tftp://127.0.0.1:\$PORT/file.bin")
    CASES+=("$srv|512 lock-step|busybox tftp|busybox tftp -g -r file.bin -l \$OUT 127.0.0.1 \$PORT 2>/dev/null")
    CASES+=("$srv|512 lock-step|tftp-hpa|tftp 127.0.0.1 \$PORT -m binary -c get file.bin \$OUT")
    CASES+=("$srv|512 lock-step|atftp|atftp -g -r file.bin -l \$OUT 127.0.0.1 \$PORT")
    CASES+=("$srv|1428 × 16|curl|curl -s --tftp-blksize 1428 -o \$OUT tftp://127.0.0.1:\$PORT/file.bin")
    CASES+=("$srv|1428 × 16|busybox tftp|busybox tftp -b 1428 -g -r file.bin -l \$OUT 127.0.0.1 \$PORT 2>/dev/null")
    CASES+=("$srv|1428 × 16|atftp|atftp --option 'blksize 1428' --option 'windowsize 16' -g -r file.bin -l \$OUT 127.0.0.1 \$PORT 2>/dev/null")
    if [ -n "$FLOOR" ]; then
        for setting in "512 lock-step|512 1" "1428 × 16|1428 16"; do
            CASES+=("$srv|${setting%%|*}|floor, file|'$FLOOR' 127.0.0.1 \$PORT file.bin \$OUT ${setting#*|}")
            CASES+=("$srv|${setting%%|*}|floor, discard|'$FLOOR' 127.0.0.1 \$PORT file.bin - ${setting#*|}")
        done
    fi
done
CASES+=("jvm|start|java -version|'$JAVA' -version 2>/dev/null")

TIMES="$WORK/times"
: >"$TIMES"
echo "tftp-bench: $ROUNDS rounds × ${#CASES[@]} downloads of $SIZE bytes" >&2
for r in $(seq "$ROUNDS"); do
    for c in "${CASES[@]}"; do
        IFS='|' read -r srv setting client cmd <<<"$c"
        PORT=$([ "$srv" = tftpd-hpa ] && echo "$P_HPA" || echo "$P_ATFTPD")
        OUT="$WORK/out/got.bin"
        rm -f "$OUT"
        t0=$(date +%s%N)
        if ! eval "$cmd" >/dev/null; then
            die "round $r: $client from $srv ($setting) failed: $cmd"
        fi
        t1=$(date +%s%N)
        case "$client" in
            "floor, discard"|"java -version") ;;   # nothing written
            *) cmp -s "$OUT" "$WORK/srv/file.bin" || die "round $r: $client from $srv ($setting) downloaded wrong bytes" ;;
        esac
        printf '%s|%s|%s|%s\n' "$srv" "$setting" "$client" "$((t1 - t0))" >>"$TIMES"
    done
    echo "tftp-bench: round $r of $ROUNDS done" >&2
done

# Medians, and each netboot variant against the fastest peer (and against atftp) of the same server and setting.
TABLE="$(python3 - "$TIMES" "$SIZE" "$ROUNDS" "$LABELS" <<'PY'
import sys, statistics, collections
times, size, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ours = set(sys.argv[4].split(';'))  # the netboot variants; everything else is a peer, but for the floor
d = collections.defaultdict(list)
order = []
for line in open(times):
    srv, setting, client, ns = line.rstrip('\n').split('|')
    key = (srv, setting, client)
    if key not in d:
        order.append(key)
    d[key].append(int(ns) / 1e9)
med = {k: statistics.median(v) for k, v in d.items()}
print(f"| server | setting | client | median s | min–max s | vs fastest peer | vs atftp |")
print(f"|---|---|---|---:|---:|---:|---:|")
for srv in ('tftpd-hpa', 'atftpd'):
    for setting in ('512 lock-step', '1428 × 16'):
        rows = [k for k in order if k[0] == srv and k[1] == setting]
        peers = [k for k in rows if k[2] not in ours and not k[2].startswith('floor')]
        fastest = min(med[k] for k in peers)
        atftp = med.get((srv, setting, 'atftp'))
        for k in sorted(rows, key=lambda k: med[k]):
            v = d[k]
            name = f"**{k[2]}**" if k[2] in ours else f"_{k[2]}_" if k[2].startswith('floor') else k[2]
            vs = f"{med[k] / fastest:.2f}×"
            va = f"{med[k] / atftp:.2f}×" if atftp else "–"
            print(f"| {srv} | {setting} | {name} | {med[k]:.3f} | {min(v):.3f}–{max(v):.3f} | {vs} | {va} |")
print()
print(f"{size} bytes ({size / 1048576:.0f} MiB) over 127.0.0.1, median of {rounds} interleaved rounds, whole process (JVM start included).")
jvm = med.get(('jvm', 'start', 'java -version'))
floor = med.get(('atftpd', '1428 × 16', 'floor, discard'))
atftp = med.get(('atftpd', '1428 × 16', 'atftp'))
if jvm and floor and atftp:
    print(f"Floor from atftpd at 1428 × 16: the minimal C client, discarding, {floor:.3f} s; `java -version` {jvm:.3f} s;"
          f" together {floor + jvm:.3f} s = {(floor + jvm) / atftp:.2f}× atftp's {atftp:.3f} s.")
PY
)"
echo "$TABLE"

if [ -n "$WRITE_README" ]; then
    README="$ROOT/README.md"
    grep -q '<!-- tftp-bench:begin -->' "$README" && grep -q '<!-- tftp-bench:end -->' "$README" ||
        die "README.md has no <!-- tftp-bench:begin --> / <!-- tftp-bench:end --> markers"
    {
        echo "<!-- tftp-bench:begin -->"
        echo "Measured $(date -u +%Y-%m-%d) on $(nproc) CPUs ($(uname -r)), Java $("$ROOT/netboot" --version | sed 's/.* on Java //'):"
        echo
        echo "$TABLE"
        echo "<!-- tftp-bench:end -->"
    } >"$WORK/table.md"
    python3 - "$README" "$WORK/table.md" <<'PY'
import sys, re
readme, table = sys.argv[1], open(sys.argv[2]).read().rstrip('\n')
text = open(readme).read()
new = re.sub(r'<!-- tftp-bench:begin -->.*?<!-- tftp-bench:end -->', lambda m: table, text, count=1, flags=re.S)
open(readme, 'w').write(new)
PY
    echo "tftp-bench: table written to $README" >&2
fi
