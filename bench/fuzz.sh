#!/usr/bin/env bash
# Coverage-guided fuzzing (issue 10): runs every Jazzer @FuzzTest in fuzzing mode for SECONDS each, one
# after the other, and prints one Markdown table row per target: runs, executions per second, coverage,
# corpus size and new findings. `mvn verify` only replays the committed corpus (regression mode); this
# is where new inputs are found.
#
#   bench/fuzz.sh SECONDS [FILTER]         # FILTER: a substring of Class::method, e.g. TftpFuzzTest or ::bootp
#   bench/fuzz.sh --save-corpus [FILTER]   # minimise what fuzzing found into the committed regression corpus
#
# Each target keeps its growing corpus in target/fuzz/corpus/<Class::method>/ (reused by the next run)
# and writes findings to target/fuzz/findings/<Class::method>/ (crash-<sha1>: the input, as raw bytes).
# A finding belongs in src/test/resources/<package>/<Class>Inputs/<method>/ under a name that says what
# it found, with its fix: from then on `mvn verify` replays it. --save-corpus merges (libFuzzer -merge=1:
# the fewest inputs that keep every feature) that folder and the target's fuzzing corpus, and puts the
# result there as <sha1> files beside the named findings, which it leaves alone. The full libFuzzer log
# of each target is target/fuzz/<Class::method>.log.
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: bench/fuzz.sh SECONDS [FILTER] | bench/fuzz.sh --save-corpus [FILTER]"
[ $# -ge 1 ] || { echo "$usage" >&2; exit 2; }
seconds="$1"
filter="${2:-}"
save=""
if [ "$seconds" = "--save-corpus" ]; then
    save=1
else
    # At least 1: libFuzzer takes -max_total_time=0 as no limit, so 0 fuzzed the first target for ever.
    case "$seconds" in ''|*[!0-9]*) ok=0 ;; *) ok=1 ;; esac
    if [ "$ok" = 0 ] || [ "${#seconds}" -gt 9 ] || [ "$((10#$seconds))" -lt 1 ]; then
        echo "bench/fuzz.sh: SECONDS must be a whole number of 1..999999999, got '$seconds' ($usage)" >&2
        exit 2
    fi
fi

. bench/lib.sh
bench_java fuzz

snapshot_classes fuzz
jvm=("$JAVA" -Xmx2g -XX:+EnableDynamicAgentLoading --enable-native-access=ALL-UNNAMED -cp "$CP")

classes=$(grep -rl '@FuzzTest' src/test/java | sed 's|src/test/java/||; s|\.java$||; s|/|.|g' | sort | paste -sd: -)
mapfile -t targets < <("${jvm[@]}" com.code_intelligence.jazzer.Jazzer --list_fuzz_tests="$classes" 2>/dev/null |
    grep '::' | grep -F -- "$filter" | sort)
[ "${#targets[@]}" -gt 0 ] || { echo "bench/fuzz.sh: no fuzz target matches '$filter'" >&2; exit 2; }

if [ -n "$save" ]; then
    for t in "${targets[@]}"; do
        class="${t%%::*}"
        method="${t##*::}"
        inputs="src/test/resources/$(dirname "${class//.//}")/$(basename "${class//.//}")Inputs/$method"
        merged="target/fuzz/merge/$t"
        rm -rf "$merged"
        mkdir -p "$merged" "$inputs" "target/fuzz/corpus/$t"
        "${jvm[@]}" com.code_intelligence.jazzer.Jazzer --target_class="$class" --target_method="$method" \
            -merge=1 "$merged" "$inputs" "target/fuzz/corpus/$t" >"target/fuzz/$t.merge.log" 2>&1
        # Replace the previous merge (files named by their SHA-1) with this one; named findings stay.
        find "$inputs" -maxdepth 1 -type f -regextype posix-extended -regex '.*/[0-9a-f]{40}' -delete
        named=$(find "$inputs" -maxdepth 1 -type f -exec sha1sum {} + | awk '{print $1}')
        kept=0
        for f in "$merged"/*; do
            [ -e "$f" ] || continue
            sum=$(sha1sum "$f" | awk '{print $1}')
            grep -qx "$sum" <<<"$named" && continue
            cp "$f" "$inputs/$sum"
            kept=$((kept + 1))
        done
        echo "$t: $kept inputs in $inputs"
    done
    exit 0
fi

echo "Fuzzing ${#targets[@]} targets for ${seconds} s each ($(nproc) CPUs, $("$JAVA" -version 2>&1 | head -n 1))"
echo
echo "| target | seconds | runs | exec/s | coverage (edges) | corpus | new findings |"
echo "|---|---:|---:|---:|---:|---:|---:|"
total_findings=0
for t in "${targets[@]}"; do
    class="${t%%::*}"
    method="${t##*::}"
    corpus="target/fuzz/corpus/$t"
    findings="target/fuzz/findings/$t"
    log="target/fuzz/$t.log"
    mkdir -p "$corpus" "$findings"
    before=$(find "$findings" -type f | wc -l)
    # keep_going: record every distinct finding and go on fuzzing until the time is up.
    "${jvm[@]}" com.code_intelligence.jazzer.Jazzer --target_class="$class" --target_method="$method" \
        --keep_going=1000 --reproducer_path="$findings" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=3072 \
        -artifact_prefix="$findings/" -print_final_stats=1 "$corpus" >"$log" 2>&1 || true
    after=$(find "$findings" -type f -name 'crash-*' -o -type f -name 'timeout-*' -o -type f -name 'oom-*' | wc -l)
    new=$((after - before))
    [ "$new" -lt 0 ] && new=0
    total_findings=$((total_findings + new))
    runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
    secs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$log" | tail -n 1)
    if [ -z "$runs" ]; then
        # Stopped early (a finding with no keep_going left, or a crash of the JVM): take the last status line.
        runs=$(grep -o '^#[0-9]*' "$log" | tail -n 1 | tr -d '#')
        secs="$seconds"
    fi
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | awk '{print $2}')
    corp=$(find "$corpus" -type f | wc -l)
    eps=$(( ${runs:-0} / ( ${secs:-1} > 0 ? ${secs:-1} : 1 ) ))
    echo "| \`$t\` | ${secs:-?} | ${runs:-?} | $eps | ${cov:-?} | $corp | $new |"
done
echo
echo "$total_findings new findings in total (target/fuzz/findings/)"
