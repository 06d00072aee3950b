#!/usr/bin/env bash
# Reports the size of the device-only jar (target/netboot-VERSION-device.jar: what a board runs; the pom's
# device-jar execution makes it), its class count, what each package weighs in it, and what the bytes are (constant
# pools, bytecode, line numbers, the rest of the class files, the zip entries), beside the full runnable jar; prints
# markdown tables.
#
#   bench/footprint.sh [--shrink] [--write-readme]
#
#   --shrink        also runs ProGuard (com.guardsquare:proguard-base, resolved with mvn) on the device jar, twice,
#                   and reports what it leaves: "library" keeps every public class and public member under its name
#                   (what netboot-emulator and a board's code link against) and the line numbers, and renames and
#                   shrinks the rest; "one board" keeps only examples/ExampleBoard's main and lets ProGuard rename,
#                   optimize and drop everything else, no debug information (the smallest jar that one board can run).
#                   Neither is what the build ships: the figures say how far a shrinking step gets. (Both jars, made
#                   this way, booted the example board from dnsmasq in a network namespace in -Xmx16m, checked by
#                   hand once; this script does not run them.)
#   --write-readme  writes the tables into README.md between <!-- footprint:begin --> and <!-- footprint:end -->.
#
# Needs: unzip, python3 (and what ./netboot needs to build; --shrink: mvn). On a shared machine run it under the build
# lock: flock /tmp/netboot-build.lock bench/footprint.sh
set -euo pipefail

ROOT="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WRITE_README=""
SHRINK=""
PROGUARD_VERSION=7.8.1
for arg in "$@"; do
    case "$arg" in
        --write-readme) WRITE_README=1 ;;
        --shrink) SHRINK=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "footprint: unknown argument $arg (try --help)" >&2; exit 2 ;;
    esac
done
die() { echo "footprint: $*" >&2; exit 1; }
command -v unzip >/dev/null || die "unzip not found (apt-get install unzip)"

"$ROOT/netboot" --version >/dev/null   # builds the jars when the sources changed
shopt -s nullglob
jars=("$ROOT"/target/netboot-*-device.jar)
[ "${#jars[@]}" -eq 1 ] || die "expected one target/netboot-*-device.jar, found ${#jars[@]} (mvn clean package)"
DEVICE="${jars[0]}"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# The class-file anatomy of a jar: one line per class file (JSON), read by the report below.
anatomy() {   # $1 = jar, $2 = output file
    python3 - "$1" >"$2" <<'PY'
import sys, zipfile, struct, json
SIZES = {3: 5, 4: 5, 5: 9, 6: 9, 7: 3, 8: 3, 9: 5, 10: 5, 11: 5, 12: 5, 15: 4, 16: 3, 17: 5, 18: 5, 19: 3, 20: 3}
def u2(b, p): return struct.unpack_from('>H', b, p)[0]
def u4(b, p): return struct.unpack_from('>I', b, p)[0]
with zipfile.ZipFile(sys.argv[1]) as z:
    for info in z.infolist():
        b = z.read(info)
        row = {'name': info.filename, 'raw': info.file_size, 'deflated': info.compress_size}
        if info.filename.endswith('.class'):
            n, p, i, utf8, named = u2(b, 8), 10, 1, {}, {}
            while i < n:
                t = b[p]
                if t == 1:
                    l = u2(b, p + 1); utf8[i] = b[p + 3:p + 3 + l].decode('utf-8', 'replace'); p += 3 + l
                else:
                    if t == 7: named[i] = u2(b, p + 1)
                    p += SIZES[t]
                i += 2 if t in (5, 6) else 1
            row['pool'] = p - 10
            kinds = {'code': 0, 'lines': 0, 'stackmaps': 0, 'locals': 0}
            def attributes(p):
                for _ in range(u2(b, p - 2)):
                    name, length = utf8[u2(b, p)], u4(b, p + 2)
                    if name == 'Code':
                        kinds['code'] += u4(b, p + 10)
                        q = p + 14 + u4(b, p + 10)
                        q += 2 + 8 * u2(b, q)
                        attributes(q + 2)
                    elif name == 'LineNumberTable': kinds['lines'] += 6 + length
                    elif name == 'StackMapTable': kinds['stackmaps'] += 6 + length
                    elif name in ('LocalVariableTable', 'LocalVariableTypeTable'): kinds['locals'] += 6 + length
                    p += 6 + length
                return p
            row['record'] = utf8.get(named.get(u2(b, p + 4))) == 'java/lang/Record'
            p += 8 + 2 * u2(b, p + 6)                 # access, this, super, interfaces
            for _ in range(2):                        # fields, then methods
                count, p = u2(b, p), p + 2
                for _ in range(count):
                    p = attributes(p + 8)
            attributes(p + 2)                         # the class's own attributes
            row.update(kinds)
        print(json.dumps(row))
PY
}

# What the class files of a jar take as one stream, deflated (zlib -9, a jar's own method) and with xz -9e (LZMA, the
# strongest compressor at hand): what any archive that ships these class files as they are could reach, since one
# stream pays once for the names and descriptors that a jar deflates again in every file.
solid() {   # $1 = jar; prints "deflated-KiB xz-KiB"
    python3 - "$1" <<'PY'
import sys, zipfile, zlib, lzma
with zipfile.ZipFile(sys.argv[1]) as z:
    data = b''.join(z.read(n) for n in sorted(z.namelist()) if n.endswith('.class'))
print(f"{len(zlib.compress(data, 9)) / 1024:.1f} {len(lzma.compress(data, preset=9 | lzma.PRESET_EXTREME)) / 1024:.1f}")
PY
}

# One line for the table: the jar's class files as one stream.
solid_line() {   # $1 = jar, $2 = what to call it
    local d x
    read -r d x < <(solid "$1")
    echo "All class files of $2 as one stream: $d KiB deflated, $x KiB with xz -9e (a jar deflates each file on its own)."
}

# What a jar weighs: the per-package table, then where its bytes are.
report() {   # $1 = anatomy file, $2 = jar size, $3 = jar name, $4 = "packages" to print the package table
    python3 - "$@" <<'PY'
import sys, json, collections
rows = [json.loads(l) for l in open(sys.argv[1])]
size, name, packages = int(sys.argv[2]), sys.argv[3], len(sys.argv) > 4
classes = [r for r in rows if r['name'].endswith('.class')]
kib = lambda v: f"{v / 1024:.1f}"
if packages:
    comp, raw, n = collections.Counter(), collections.Counter(), collections.Counter()
    for r in classes:
        pkg = '.'.join(r['name'].split('/')[:-1])
        raw[pkg] += r['raw']; comp[pkg] += r['deflated']; n[pkg] += 1
    print("| package | classes | compressed KiB | class files KiB |")
    print("|---|---:|---:|---:|")
    for p in sorted(comp, key=lambda p: -comp[p]):
        print(f"| `{p}` | {n[p]} | {kib(comp[p])} | {kib(raw[p])} |")
    print(f"| **{name}** | **{len(classes)}** | **{kib(size)}** (the whole jar) | {kib(sum(raw.values()))} |")
    print()
total = lambda k: sum(r.get(k, 0) for r in classes)
raw = total('raw')
parts = [("constant pools (names, descriptors, strings)", total('pool')),
         ("bytecode", total('code')),
         ("line number tables", total('lines')),
         ("local variable tables", total('locals')),
         ("stack map tables", total('stackmaps'))]
parts.append(("the rest (member tables, attributes, headers)", raw - sum(v for _, v in parts)))
records = sum(1 for r in classes if r['record'])
print(f"Where the bytes of {name} are: {len(classes)} class files ({records} of them records), "
      f"{kib(raw)} KiB as class files, {kib(total('deflated'))} KiB deflated, each file on its own:")
print()
print("| part | class files KiB | share |")
print("|---|---:|---:|")
for label, v in parts:
    print(f"| {label} | {kib(v)} | {100 * v / raw:.0f} % |")
print(f"| **deflated class files** in the jar | **{kib(total('deflated'))}** | |")
print(f"| zip entries (headers, each name twice, the manifest) | {kib(size - sum(r['deflated'] for r in rows))} | |")
print(f"| **the jar** | **{kib(size)}** | |")
PY
}

anatomy "$DEVICE" "$WORK/device.json"
DEVICE_SIZE="$(stat -c %s "$DEVICE")"
TABLE="$(report "$WORK/device.json" "$DEVICE_SIZE" "$(basename "$DEVICE")" packages)"
TABLE+=$'\n\n'"$(solid_line "$DEVICE" "the device jar")"
TABLE+=$'\n\n'"Goal: at most 100 KiB. For comparison, the runnable \`target/netboot.jar\` (emulator, CLI, picocli) is $(( $(stat -c %s "$ROOT/target/netboot.jar") / 1024 )) KiB."

if [ -n "$SHRINK" ]; then
    command -v mvn >/dev/null || die "--shrink needs mvn on PATH (to fetch ProGuard)"
    JAVA="$(NETBOOT_WHICH_JAVA=1 "$ROOT/netboot")"
    JDK="$(cd "$(dirname "$JAVA")/.." && pwd)"
    [ -x "$JDK/bin/jimage" ] && [ -x "$JDK/bin/javac" ] || die "--shrink needs a full JDK 25 (jimage, javac) at $JDK"
    cat >"$WORK/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>dev.netboot.bench</groupId><artifactId>footprint-proguard</artifactId><version>1</version>
  <dependencies><dependency><groupId>com.guardsquare</groupId><artifactId>proguard-base</artifactId><version>$PROGUARD_VERSION</version></dependency></dependencies>
</project>
EOF
    mvn -B -q -f "$WORK/pom.xml" dependency:build-classpath -Dmdep.outputFile="$WORK/proguard.cp" >"$WORK/mvn.log" 2>&1 ||
        die "could not resolve ProGuard $PROGUARD_VERSION: $(tail -n 5 "$WORK/mvn.log")"
    # ProGuard reads library classes from jars or folders; a JDK 25 ships no jmods, so java.base comes out of its image.
    "$JDK/bin/jimage" extract --dir "$WORK/jdk" --include 'regex:/java\.base/.*' "$JDK/lib/modules"
    mkdir -p "$WORK/board"
    "$JDK/bin/javac" -proc:none -nowarn -cp "$DEVICE" -d "$WORK/board" "$ROOT/examples/ExampleBoard.java"
    cat >"$WORK/common.pro" <<EOF
-injars $DEVICE(!META-INF/**)
-libraryjars $WORK/jdk/java.base
-dontnote
# Signature-polymorphic calls (MethodHandle.invokeExact, VarHandle.get) have no one descriptor ProGuard can find.
-dontwarn java.lang.invoke.MethodHandle,java.lang.invoke.VarHandle
-keepclassmembers enum * { public static **[] values(); public static ** valueOf(java.lang.String); }
EOF
    cat >"$WORK/library.pro" <<EOF
-include $WORK/common.pro
-outjars $WORK/library.jar
-keepattributes Signature,InnerClasses,EnclosingMethod,Record,PermittedSubclasses,NestHost,NestMembers,Exceptions,*Annotation*,MethodParameters,SourceFile,LineNumberTable
-keep public class dev.netboot.** { public protected *; }
EOF
    cat >"$WORK/board.pro" <<EOF
-include $WORK/common.pro
-injars $WORK/board
-outjars $WORK/board.jar
-keepattributes InnerClasses,Record,PermittedSubclasses,NestHost,NestMembers
-keep public class ExampleBoard { public static void main(java.lang.String[]); }
-repackageclasses ''
-optimizationpasses 5
-overloadaggressively
EOF
    # Not -allowaccessmodification (nor -mergeinterfacesaggressively): with it ProGuard $PROGUARD_VERSION wrote a static
    # interface method that is neither public nor private, which the JVM refused (ClassFormatError, illegal modifiers 0x8).
    for kind in library board; do
        "$JAVA" -cp "$(cat "$WORK/proguard.cp")" proguard.ProGuard @"$WORK/$kind.pro" >"$WORK/$kind.log" 2>&1 ||
            die "ProGuard failed ($kind): $(grep -v '^\s*at ' "$WORK/$kind.log" | tail -n 5)"
        anatomy "$WORK/$kind.jar" "$WORK/$kind.json"
    done
    TABLE+=$'\n\n'"With ProGuard $PROGUARD_VERSION (\`bench/footprint.sh --shrink\`; neither jar is what the build ships):"
    TABLE+=$'\n\n'"| | classes | the jar, KiB |"$'\n'"|---|---:|---:|"
    TABLE+=$'\n'"| the device jar as built | $(grep -c '\.class"' "$WORK/device.json") | $(python3 -c "print(f'{$DEVICE_SIZE / 1024:.1f}')") |"
    for kind in library board; do
        label="library: public names and line numbers kept, the rest renamed and shrunk"
        [ "$kind" = board ] && label="one board: ExampleBoard's main kept, all else renamed, optimized, shrunk, no debug information"
        TABLE+=$'\n'"| $label | $(grep -c '\.class"' "$WORK/$kind.json") | $(python3 -c "print(f'{$(stat -c %s "$WORK/$kind.jar") / 1024:.1f}')") |"
    done
    TABLE+=$'\n\n'"$(report "$WORK/board.json" "$(stat -c %s "$WORK/board.jar")" "the one-board jar")"
    TABLE+=$'\n\n'"$(solid_line "$WORK/board.jar" "the one-board jar")"
fi
echo "$TABLE"

if [ -n "$WRITE_README" ]; then
    README="$ROOT/README.md"
    grep -q '<!-- footprint:begin -->' "$README" && grep -q '<!-- footprint:end -->' "$README" ||
        die "README.md has no <!-- footprint:begin --> / <!-- footprint:end --> markers"
    {
        echo "<!-- footprint:begin -->"
        echo "Measured $(date -u +%Y-%m-%d) with $("$ROOT/netboot" --version) (\`bench/footprint.sh${SHRINK:+ --shrink}\`):"
        echo
        echo "$TABLE"
        echo "<!-- footprint:end -->"
    } >"$WORK/table"
    python3 - "$README" "$WORK/table" <<'PY'
import sys, re
readme, table = sys.argv[1], open(sys.argv[2]).read().rstrip('\n')
text = open(readme).read()
open(readme, 'w').write(re.sub(r'<!-- footprint:begin -->.*?<!-- footprint:end -->', lambda m: table, text, count=1, flags=re.S))
PY
    echo "footprint: table written to $README" >&2
fi
