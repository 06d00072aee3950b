package dev.netboot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The bench scripts README names take their numbers as the CLI does: a bad one (missing, a word, 0, out of range) is one
 * line on stderr naming the script and the value, exit 2, before any work, as their own "unknown argument" already is.
 * Before, a missing --rounds value was bash's "$2: unbound variable" (exit 1), and a bad SEEDS or N went on to run
 * boots and ended in a Python traceback (emulated-link.sh x) or in a fleet refused by netboot after the one-board rows.
 */
class BenchArgumentsTest {
    private static final String SOAK_USAGE = "usage: bench/soak.sh N [--threads T] [--first-seed S] | bench/soak.sh --seed S";

    private static final String FUZZ_USAGE = "usage: bench/fuzz.sh SECONDS [FILTER] | bench/fuzz.sh --save-corpus [FILTER]";

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource(delimiter = '#', value = {
        "emulated-link.sh#x#bench/emulated-link.sh: SEEDS: a whole number of 1 or more, got 'x'",
        "emulated-link.sh#0#bench/emulated-link.sh: SEEDS: a whole number of 1 or more, got '0'",
        "shipped-link.sh#-1#bench/shipped-link.sh: SEEDS: a whole number of 1 or more, got '-1'",
        "fleet.sh#100001#bench/fleet.sh: N: a whole number of boards, 1..100000, got '100001'",
        "fleet.sh#ten#bench/fleet.sh: N: a whole number of boards, 1..100000, got 'ten'",
        "real-wire.sh#--rounds#real-wire: --rounds N: a whole number of 1 or more, got ''",
        "startup-bench.sh#--rounds x#startup-bench: --rounds N: a whole number of 1 or more, got 'x'",
        "first-discover.sh#--rounds x#first-discover: --rounds N: a whole number of 1 or more, got 'x'",
        "first-discover.sh#--rounds#first-discover: --rounds N: a whole number of 1 or more, got ''",
        "tftp-bench.sh#--rounds 3 --size#tftp-bench: --size BYTES: a whole number of 1 or more, got ''",
        "native-tftp.sh#--rounds 0#native-tftp: --rounds N: a whole number of 1 or more, got '0'",
        "soak.sh#10 --threads x#bench/soak.sh: T must be a whole number of 1 or more, got 'x' (" + SOAK_USAGE + ")",
        "soak.sh#10 --threads 0#bench/soak.sh: T must be a whole number of 1 or more, got '0' (" + SOAK_USAGE + ")",
        "soak.sh#10 --first-seed#bench/soak.sh: S must be a whole number, got '' (" + SOAK_USAGE + ")",
        "soak.sh#--seed x#bench/soak.sh: S must be a whole number, got 'x' (" + SOAK_USAGE + ")",
        "soak.sh#0#bench/soak.sh: N must be a whole number of 1 or more, got '0' (" + SOAK_USAGE + ")",
        "soak.sh#10 --thread 2#bench/soak.sh: unknown argument '--thread' (" + SOAK_USAGE + ")",
        // 0 was taken and passed to libFuzzer as -max_total_time=0, which is no limit: the first target fuzzed for ever.
        "fuzz.sh#0#bench/fuzz.sh: SECONDS must be a whole number of 1..999999999, got '0' (" + FUZZ_USAGE + ")",
        "fuzz.sh#x#bench/fuzz.sh: SECONDS must be a whole number of 1..999999999, got 'x' (" + FUZZ_USAGE + ")",
        "fuzz.sh#99999999999999999999#bench/fuzz.sh: SECONDS must be a whole number of 1..999999999, got '99999999999999999999' ("
            + FUZZ_USAGE + ")",
    })
    void aBadNumberIsOneLineAndExitTwoBeforeAnyWork(String script, String args, String line) throws Exception {
        List<String> command = new ArrayList<>(List.of("bench/" + script));
        command.addAll(List.of(args.split(" ")));
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        // NETBOOT_FLEET_LOCKED: fleet.sh would otherwise take the build lock first, which the build running this test holds.
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("NETBOOT_FLEET_LOCKED", "1");
        Process p = pb.start();
        boolean ended = p.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        assertTrue(ended, script + " " + args + " went on to the benchmark");
        assertEquals(line + "\n", read(err));
        assertEquals("", read(out));
        assertEquals(2, p.exitValue());
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
