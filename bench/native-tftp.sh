#!/usr/bin/env bash
# Builds netboot as a native executable (SubstrateVM, ahead of time) and times `tftp get` of one file from
# atftpd on loopback at blksize 1428 × windowsize 16 with it, with ./netboot on the JVM and with atftp's own
# client, interleaved round by round; prints medians and ratios as a markdown table (issue 11).
# Opt-in: not part of `mvn verify` nor of .ci/run.
#
#   bench/native-tftp.sh [--rounds N] [--size BYTES] [--build-only] [--rebuild]
#
# The executable is target/native/netboot-native; it is built once (again with --rebuild; `mvn clean`
# removes it). Only `tftp get` and `--version` have been run with it: it is built without reflection
# configuration, so the command lines that go through picocli (all but FastPath's) are not expected to work.
#
# How it is built with no GraalVM on the machine, from Maven Central and the JDK 25 that ./netboot runs:
#  - the image builder itself is Maven's org.graalvm.nativeimage:svm (25.0.4) and what it depends on,
#    run on that JDK's JVMCI (JVMCI_VERSION_CHECK=warn: the builder asks for a JDK of 25.0.4 or later);
#    GraalVM's `native-image` launcher is not on Maven Central, so the builder's own main class is started
#    with the module path, exports and properties the launcher would give it;
#  - the builder runs on a copy of the JDK (target/native/jdk) because it loads a helper of its own from
#    $JAVA_HOME/lib/svm/builder/lib (built here from bench/native/reporterchelper.c);
#  - the C headers it reads (CPU feature structs, locale) are written here from the builder's own classes;
#  - it stops at the relocatable object (-H:+ExitAfterRelocatableImageWrite): a GraalVM JDK links that with
#    static JDK libraries (lib/static/linux-amd64/glibc/libjava.a, libnio.a, libnet.a, libzip.a) and
#    SubstrateVM's C helpers (libchelper.a, libjvm.a, libsvm_container.a), none of which this machine has.
#    This script links it instead with the JDK's own shared JNI libraries (libjava.so, libnio.so, libnet.so,
#    libzip.so, loaded at run time from that JDK) and with bench/native/svmhelpers.c and jvmshim.c, small
#    stand-ins for SubstrateVM's C helpers written from the builder's Java-side signatures (the JVM_*
#    functions that libjava.so names but SubstrateVM never reaches abort with a message). So the executable
#    needs that JDK at run time (its lib/*.so, not its JVM) and target/native/lib/libjvm.so beside it.
#
# Needs: cc, a JDK 25 with the jdk.internal.vm.ci module (Temurin's has it), Maven Central, 2-3 GB of free
# memory for the build (about 6 min on 2 CPUs), and for the timing `apt-get install atftp atftpd`.
# Takes the build lock (/tmp/netboot-build.lock) for each build step and for the timed rounds; run it without flock.
set -euo pipefail

ROOT="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS=7
SIZE=$((16 << 20))
BUILD_ONLY=""
REBUILD=""
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) ROUNDS="${2-}"; shift $(($# > 1 ? 2 : 1)) ;;
        --size) SIZE="${2-}"; shift $(($# > 1 ? 2 : 1)) ;;
        --build-only) BUILD_ONLY=1; shift ;;
        --rebuild) REBUILD=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "native-tftp: unknown argument $1 (try --help)" >&2; exit 2 ;;
    esac
done
# A bad number is one line and exit 2 before any work (before, a missing one was bash's "$2: unbound variable", and a
# word went on to the benchmark).
case "$ROUNDS" in ''|*[!0-9]*|0) echo "native-tftp: --rounds N: a whole number of 1 or more, got '$ROUNDS'" >&2; exit 2 ;; esac
case "$SIZE" in ''|*[!0-9]*|0) echo "native-tftp: --size BYTES: a whole number of 1 or more, got '$SIZE'" >&2; exit 2 ;; esac

die() { echo "native-tftp: $*" >&2; exit 1; }
command -v cc >/dev/null || die "needs a C compiler (cc)"

SVM_VERSION=25.0.4
N="$ROOT/target/native"
EXE="$N/netboot-native"
JAVA="$(NETBOOT_WHICH_JAVA=1 "$ROOT/netboot")" || die "needs a JDK 25 or newer (set JAVA_HOME)"
JDK="$(cd -P "$(dirname "$JAVA")/.." && pwd)"
"$JAVA" --list-modules | grep -q '^jdk.internal.vm.ci@' || die "$JDK has no jdk.internal.vm.ci (JVMCI) module"

build() {
    rm -rf "$N"
    mkdir -p "$N/clib/include" "$N/lib" "$N/tmp"
    flock /tmp/netboot-build.lock mvn -f "$ROOT/pom.xml" -B -q -Dstyle.color=never -DskipTests package

    # The builder's jars: org.graalvm.nativeimage:svm and its dependencies, from Maven Central.
    cat >"$N/svm-pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local</groupId><artifactId>netboot-native-builder</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.graalvm.nativeimage</groupId><artifactId>svm</artifactId><version>$SVM_VERSION</version></dependency>
  </dependencies>
</project>
POM
    JAVA_HOME="$JDK" mvn -B -q -f "$N/svm-pom.xml" dependency:copy-dependencies -DoutputDirectory="$N/svm-jars" >&2
    local compiler=("$N"/svm-jars/compiler-*.jar) modules="" j
    for j in "$N"/svm-jars/*.jar; do
        [ "$j" = "${compiler[0]}" ] || modules="$modules${modules:+:}$j"
    done

    # A copy of the JDK whose lib/svm/builder/lib holds the builder's helper (the JDK's java.home is where its libjvm.so is).
    cp -a "$JDK" "$N/jdk"
    mkdir -p "$N/jdk/lib/svm/builder/lib"
    cc -O2 -shared -fPIC -I"$JDK/include" -I"$JDK/include/linux" -o "$N/jdk/lib/svm/builder/lib/libreporterchelper.so" \
        "$ROOT/bench/native/reporterchelper.c"

    # The C headers the builder reads: a struct of one char per CPU feature, in the order of its CPUFeatures interfaces.
    mkdir -p "$N/classes"
    (cd "$N/classes" && "$JDK/bin/jar" xf "$N/svm-jars/svm-$SVM_VERSION.jar" \
        'com/oracle/svm/core/amd64/AMD64LibCHelper$CPUFeatures.class' \
        'com/oracle/svm/core/aarch64/AArch64LibCHelper$CPUFeatures.class' \
        'com/oracle/svm/core/riscv64/RISCV64LibCHelper$CPUFeatures.class')
    local arch cls
    for arch in amd64:AMD64 aarch64:AArch64 riscv64:RISCV64; do
        cls="$N/classes/com/oracle/svm/core/${arch%%:*}/${arch#*:}LibCHelper\$CPUFeatures.class"
        { echo "typedef struct {"
          "$JDK/bin/javap" -p "$cls" | sed -n 's/.*boolean \(f[A-Za-z0-9_]*\)();.*/  char \1;/p'
          echo "} CPUFeatures;"; } >"$N/clib/include/${arch%%:*}cpufeatures.h"
    done
    cp "$ROOT/bench/native/svm_locale.h" "$N/clib/include/"

    # What the native-image launcher would export to the builder's modules: every package of the JDK's modules.
    local targets=org.graalvm.nativeimage.builder,org.graalvm.nativeimage.base,org.graalvm.nativeimage.pointsto
    targets=$targets,org.graalvm.nativeimage.objectfile,org.graalvm.nativeimage.configure,org.graalvm.nativeimage.libgraal
    targets=$targets,org.graalvm.truffle.compiler,org.graalvm.espresso.shared.svm,jdk.graal.compiler,org.graalvm.nativeimage
    targets=$targets,org.graalvm.word,org.graalvm.collections
    cat >"$N/Exports.java" <<'JAVA'
import java.lang.module.ModuleFinder;
import java.util.Set;

class Exports {
    public static void main(String[] args) {
        Set<String> upgraded = Set.of("jdk.graal.compiler", "jdk.graal.compiler.management");
        for (var ref : ModuleFinder.ofSystem().findAll()) {
            String m = ref.descriptor().name();
            if (upgraded.contains(m) || ModuleLayer.boot().findModule(m).isEmpty()) continue;
            for (String p : ref.descriptor().packages()) System.out.println("--add-exports=" + m + "/" + p + "=" + args[0]);
        }
    }
}
JAVA
    # (run with the builder's module graph, so that it names exactly the modules the builder's JVM resolves)
    "$JAVA" -XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI --upgrade-module-path "${compiler[0]}" --module-path "$modules" \
        --add-modules=ALL-DEFAULT,org.graalvm.nativeimage.builder "$N/Exports.java" "$targets" >"$N/exports.args"

    echo "native-tftp: building the image (the builder prints its stages)" >&2
    JVMCI_VERSION_CHECK=warn flock /tmp/netboot-build.lock nice -n 10 "$N/jdk/bin/java" \
        -XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI -XX:-UseJVMCICompiler -Xmx6g \
        --upgrade-module-path "${compiler[0]}" --module-path "$modules" --add-modules=ALL-DEFAULT @"$N/exports.args" \
        -Djdk.internal.lambda.disableEagerInitialization=true -Dorg.graalvm.nativeimage.imagecode=buildtime \
        -Djava.system.class.loader=com.oracle.svm.hosted.NativeImageSystemClassLoader \
        -m org.graalvm.nativeimage.builder/com.oracle.svm.hosted.NativeImageGeneratorRunner \
        -imagecp "$ROOT/target/netboot.jar" -H:Class=dev.netboot.cli.Main -H:Name=netboot-native -H:Path="$N" \
        -H:ImageBuildID="$(cat /proc/sys/kernel/random/uuid)" -H:CLibraryPath="$N/clib" -H:TempDirectory="$N/tmp" \
        -H:EnableNativeAccess=ALL-UNNAMED,org.graalvm.nativeimage.builder '-H:IncludeResources=dev/netboot/.*' \
        -H:+ExitAfterRelocatableImageWrite 2>&1 | grep -v '^WARNING' >&2
    local obj dir
    obj="$(ls "$N"/tmp/SVM-*/netboot-native.o 2>/dev/null | head -1)"
    [ -n "$obj" ] || die "the builder wrote no relocatable object (its output is above)"
    dir="$(dirname "$obj")"

    # Link: the image, the stand-ins for SubstrateVM's C helpers, a stand-in libjvm.so, the JDK's shared JNI libraries.
    cc -O2 -fPIC -I"$JDK/include" -I"$JDK/include/linux" -I"$N/clib/include" -c "$ROOT/bench/native/svmhelpers.c" -o "$N/svmhelpers.o"
    # The JDK libraries the image treats as built in (it calls JNI_OnLoad_<lib>): java, nio, net, zip, extnet, ...
    nm -u "$obj" | sed -n 's/.* JNI_OnLoad_\([a-z0-9_]*\)$/\1/p' | sort -u >"$N/builtin.txt"
    local libs=() l
    { echo '#include <jni.h>'; echo 'jint netboot_onload(const char *so, JavaVM *vm, void *reserved);'
      while read -r l; do
          [ -f "$JDK/lib/lib$l.so" ] || die "the image needs lib$l, which $JDK/lib does not have"
          libs+=("-l$l")
          echo "JNIEXPORT jint JNI_OnLoad_$l(JavaVM *vm, void *reserved) { return netboot_onload(\"lib$l.so\", vm, reserved); }"
      done <"$N/builtin.txt"; } >"$N/onload.c"
    cc -O2 -fPIC -I"$JDK/include" -I"$JDK/include/linux" -c "$N/onload.c" -o "$N/onload.o"
    # jvmstubs.c: one aborting function for each JVM_* or jio_* name the JDK's JNI libraries import and jvmshim.c lacks.
    nm -D --undefined-only "$JDK"/lib/lib{java,nio,net,zip}.so | awk '{print $2}' \
        | sed -n 's/^\(JVM_[A-Za-z0-9_]*\|jio_[a-z]*\).*/\1/p' | sort -u >"$N/imports.txt"
    grep -o 'JVM_[A-Za-z0-9_]*\|jio_[a-z]*' "$ROOT/bench/native/jvmshim.c" | sort -u >"$N/defined.txt"
    { echo '#include <stdio.h>'; echo '#include <stdlib.h>'
      comm -23 "$N/imports.txt" "$N/defined.txt" | while read -r f; do
          echo "void $f(void) { fputs(\"netboot-native: $f is not available in this build\\n\", stderr); abort(); }"
      done; } >"$N/jvmstubs.c"
    cc -O2 -shared -fPIC -I"$JDK/include" -I"$JDK/include/linux" -Wl,--version-script="$ROOT/bench/native/jvm.map" \
        -Wl,-soname,libjvm.so -o "$N/lib/libjvm.so" "$ROOT/bench/native/jvmshim.c" "$N/jvmstubs.c"
    # Exported as the builder's own link exports them (its exported_symbols.list, not written when it stops at the object).
    printf '{\nglobal:\nmain;\n__svm_*;\ngraal_*;\nJNI_CreateJavaVM;\nJNI_GetCreatedJavaVMs;\nJNI_GetDefaultJavaVMInitArgs;\nIsolateEnterStub__*;\nlocal: *;\n};\n' \
        >"$N/exported_symbols.list"
    cc -z noexecstack -Wl,--gc-sections -Wl,--version-script,"$N/exported_symbols.list" -o "$EXE" "$obj" "$N/svmhelpers.o" \
        "$N/onload.o" -Wl,--export-dynamic -Wl,--allow-shlib-undefined -Wl,--no-as-needed -L"$N/lib" -L"$JDK/lib" \
        -ljvm "${libs[@]}" -Wl,-rpath,"$N/lib:$JDK/lib" -lz -ldl -lpthread -lrt
    rm -rf "$N/tmp" "$N/classes" "$N/jdk"
    "$EXE" --version >/dev/null || die "the executable does not run: $EXE --version"
    echo "native-tftp: built $EXE ($(stat -c %s "$EXE") bytes)" >&2
}

if [ -n "$REBUILD" ] || [ ! -x "$EXE" ]; then
    build
fi
[ -z "$BUILD_ONLY" ] || exit 0

command -v atftpd >/dev/null && command -v atftp >/dev/null || die "atftpd and atftp not found (apt-get install atftp atftpd)"
"$ROOT/netboot" --version >/dev/null   # build the jar and its AOT cache now, not in the first timed run
exec 9>>/tmp/netboot-build.lock        # the rounds hold the build lock: no build of anyone's runs beside them
flock 9

WORK="$(mktemp -d /tmp/native-tftp.XXXXXX)"
chmod 755 "$WORK"
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/srv" "$WORK/out"
head -c "$SIZE" /dev/urandom >"$WORK/srv/file.bin"
chmod 644 "$WORK/srv/file.bin"
PORT="$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
atftpd --daemon --no-fork --port "$PORT" --bind-address 127.0.0.1 --user "$(id -un)" --group "$(id -gn)" \
    --logfile "$WORK/atftpd.log" "$WORK/srv" &
PIDS+=($!)
for _ in $(seq 100); do
    grep -q " $(printf '0100007F:%04X' "$PORT") " /proc/net/udp && break
    sleep 0.05
done

OUT="$WORK/out/got.bin"
CASES=(
    "netboot native|'$EXE' tftp get 127.0.0.1:$PORT file.bin '$OUT' --blksize 1428 --windowsize 16"
    "netboot (JVM)|'$ROOT/netboot' tftp get 127.0.0.1:$PORT file.bin '$OUT' --blksize 1428 --windowsize 16"
    "atftp|atftp --option 'blksize 1428' --option 'windowsize 16' -g -r file.bin -l '$OUT' 127.0.0.1 $PORT 2>/dev/null"
)
TIMES="$WORK/times"
: >"$TIMES"
for r in $(seq "$ROUNDS"); do
    for c in "${CASES[@]}"; do
        rm -f "$OUT"
        t0=$(date +%s%N)
        eval "${c#*|}" >/dev/null || die "round $r: ${c%%|*} failed: ${c#*|}"
        t1=$(date +%s%N)
        cmp -s "$OUT" "$WORK/srv/file.bin" || die "round $r: ${c%%|*} downloaded wrong bytes"
        echo "${c%%|*}|$((t1 - t0))" >>"$TIMES"
    done
    echo "native-tftp: round $r of $ROUNDS done" >&2
done

python3 - "$TIMES" "$SIZE" "$ROUNDS" "$("$JAVA" -version 2>&1 | sed -n 's/.*Runtime Environment.*(build \(.*\))/\1/p')" <<'PY'
import statistics, sys
times, size, rounds, java = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
d = {}
for line in open(times):
    client, ns = line.rstrip('\n').rsplit('|', 1)
    d.setdefault(client, []).append(int(ns) / 1e9)
med = {k: statistics.median(v) for k, v in d.items()}
print("| client | median s | min–max s | vs atftp |")
print("|---|---:|---:|---:|")
for k in sorted(d, key=med.get):
    print(f"| {k} | {med[k]:.3f} | {min(d[k]):.3f}–{max(d[k]):.3f} | {med[k] / med['atftp']:.2f}× |")
print()
print(f"{size} bytes ({size / 1048576:g} MiB) from atftpd over 127.0.0.1 at blksize 1428 × windowsize 16, "
      f"median of {rounds} interleaved rounds, whole process; Java {java}.")
PY
