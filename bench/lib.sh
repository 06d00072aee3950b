# Shared by the bench scripts that run the test classes in a JVM of their own (soak.sh, fuzz.sh); sourced, not run.
#
#   bench_java NAME            sets JAVA to the JDK 25+ java that ./netboot runs (it looks where the launcher looks)
#   snapshot_classes NAME      compiles the main and test classes (holding the build lock), copies them to
#                              target/NAME/classes-PID (removed on exit) and sets CP to them and the test dependencies,
#                              so that a build during a long run cannot change the classes under its feet

bench_java() {
    JAVA="$(NETBOOT_WHICH_JAVA=1 ./netboot)" || { echo "bench/$1.sh: needs a JDK 25 or newer (set JAVA_HOME)" >&2; exit 1; }
}

snapshot_classes() {
    mkdir -p "target/$1"
    flock /tmp/netboot-build.lock mvn -B -q test-compile dependency:build-classpath \
        -Dmdep.outputFile="target/$1/classpath.txt" -Dmdep.includeScope=test >/dev/null
    SNAPSHOT="target/$1/classes-$$"
    trap 'rm -rf "$SNAPSHOT"' EXIT
    mkdir -p "$SNAPSHOT"
    cp -r target/classes "$SNAPSHOT/main"
    cp -r target/test-classes "$SNAPSHOT/test"
    CP="$SNAPSHOT/test:$SNAPSHOT/main:$(cat "target/$1/classpath.txt")"
}
