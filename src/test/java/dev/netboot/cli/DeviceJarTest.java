package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.netboot.link.HostNet;
import java.io.IOException;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeModel;
import java.lang.classfile.MethodModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device-only jar (the pom's device-jar execution, made before the tests): it holds the board's stack
 * and nothing it cannot do without (that it needs nothing outside itself but java.base: ArtifactsTest), and a
 * board boots with it alone on the class path, in 16 MiB of heap. So does {@code netboot boot --interface} into a flash file.
 */
class DeviceJarTest {
    static final Path DEVICE_JAR = Path.of(System.getProperty("netboot.deviceJar", "target/netboot-device.jar"));

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        HostNet.requireTool("dnsmasq", "dnsmasq-base");
    }

    /** Returns the class files of the device jar, by name ("dev/netboot/wire/MacAddress"). */
    static List<String> classes() throws IOException {
        assertTrue(Files.isRegularFile(DEVICE_JAR), DEVICE_JAR + " missing: mvn process-classes makes it");
        try (ZipFile jar = new ZipFile(DEVICE_JAR.toFile())) {
            return jar.stream().map(ZipEntry::getName).filter(n -> n.endsWith(".class")).map(n -> n.substring(0, n.length() - 6))
                    .sorted().toList();
        }
    }

    @Test
    void holdsTheBoardsPackagesAndNoEmulatorCliPicocliSimulatorOrCapture() throws IOException {
        List<String> classes = classes();
        Set<String> packages = new TreeSet<>();
        for (String c : classes) {
            packages.add(c.substring(0, c.lastIndexOf('/')));
        }
        assertTrue(packages.containsAll(List.of("dev/netboot/wire", "dev/netboot/link", "dev/netboot/net", "dev/netboot/bootp",
                "dev/netboot/tftp", "dev/netboot/flash", "dev/netboot/device")), packages.toString());
        for (String c : classes) {
            assertFalse(c.startsWith("dev/netboot/emulator/") || c.startsWith("dev/netboot/cli/") || c.startsWith("picocli/")
                    || c.matches(".*/(Simulated\\w*|NandFaults|TimedFlash|PowerCutFlash|Flashes|Pcap\\w*)(\\$.*)?"), c);
        }
        assertTrue(classes.contains("dev/netboot/flash/FileFlash"), "a board needs a flash it can write");
        assertTrue(classes.contains("dev/netboot/link/RawSocketLink"), "and a link");
    }

    /**
     * The device jar's classes are the device packages compiled once more with line numbers and source file names but no
     * local variable tables (the pom's device-classes execution): stack traces from a board keep their file:line, and
     * each class declares exactly the fields and methods, with the same access, that its twin in target/classes does, so
     * the emulator and the test kit, compiled against target/classes, link against this jar.
     */
    @Test
    void carriesLineNumbersButNoLocalVariablesAndTheSameMembersAsTheBuildsClasses() throws IOException {
        Path built = Path.of(System.getProperty("netboot.buildDir", "target"), "classes");
        int methods = 0;
        int withLines = 0;
        int twinLocals = 0;
        try (ZipFile jar = new ZipFile(DEVICE_JAR.toFile())) {
            for (String c : classes()) {
                ClassModel shipped = ClassFile.of().parse(jar.getInputStream(jar.getEntry(c + ".class")).readAllBytes());
                ClassModel twin = ClassFile.of().parse(built.resolve(c + ".class"));
                assertEquals(members(twin), members(shipped), c);
                assertEquals(twin.flags().flagsMask(), shipped.flags().flagsMask(), c);
                assertTrue(shipped.findAttribute(Attributes.sourceFile()).isPresent(), c + " names its source file");
                for (MethodModel m : shipped.methods()) {
                    CodeModel code = m.code().orElse(null);
                    if (code == null) {
                        continue;
                    }
                    methods++;
                    assertTrue(code.findAttribute(Attributes.localVariableTable()).isEmpty(), c + "." + m.methodName() + " has local variables");
                    if (code.findAttribute(Attributes.lineNumberTable()).isPresent()) {
                        withLines++;
                    }
                }
                // target/classes, in contrast, keeps them (a build that dropped them everywhere would not pass here).
                twinLocals += (int) twin.methods().stream().filter(m -> m.code().isPresent()
                        && m.code().get().findAttribute(Attributes.localVariableTable()).isPresent()).count();
            }
        }
        assertTrue(methods > 1000, "methods with code: " + methods);
        assertEquals(methods, withLines, "every method with code has line numbers");
        assertTrue(twinLocals > methods / 2, "target/classes has local variable tables: " + twinLocals + " of " + methods);
    }

    /** Returns "access name descriptor" of each field and method of {@code c}. */
    private static SortedSet<String> members(ClassModel c) {
        SortedSet<String> out = new TreeSet<>();
        c.fields().forEach(f -> out.add(f.flags().flagsMask() + " " + f.fieldName() + " " + f.fieldType()));
        c.methods().forEach(m -> out.add(m.flags().flagsMask() + " " + m.methodName() + m.methodType()));
        return out;
    }

    /**
     * client ns ── veth ── server ns (dnsmasq BOOTP + TFTP): the example board, {@code examples/ExampleBoard.java}, compiled
     * against the device jar alone and run with it alone on the class path in 16 MiB of heap (its profile built in code);
     * then run as README shows it, the source file given to {@code java} (its profile from a file this time), into the
     * same flash file: the second boot writes slot B.
     */
    @Test
    void theExampleBoardBootsWithTheDeviceJarAloneOnTheClassPathIn16MiBOfHeap() throws Exception {
        // Only the example's own class files beside the jar: nothing else of the tests, or of netboot, can help it.
        Path boardClasses = Files.createDirectories(dir.resolve("board-classes"));
        Path example = Path.of("examples/ExampleBoard.java");
        int javac = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-proc:none", "-Xlint:all", "-Werror", "-cp",
                DEVICE_JAR.toString(), "-d", boardClasses.toString(), example.toString());
        assertEquals(0, javac, "examples/ExampleBoard.java compiles against the device jar alone, without a warning");
        RealWireTest wire = new RealWireTest();
        wire.dir = dir;
        try (HostNet net = new HostNet()) {
            RealWireTest.Segment lan = RealWireTest.segment(net);
            byte[] img = wire.image(5 << 20);
            wire.dnsmasq(net, lan.srv(), lan.s0(), true, "--bootp-dynamic", "--dhcp-range=203.0.113.50,203.0.113.60,255.255.255.0",
                    "--dhcp-boot=boot.img");
            Path flash = dir.resolve("flash.img");
            String first = board(lan, wire, "board.log", java(), "-Xmx16m", "--enable-native-access=ALL-UNNAMED", "-cp",
                    DEVICE_JAR.toAbsolutePath() + ":" + boardClasses, "ExampleBoard", lan.c0(), flash.toString());
            assertTrue(first.startsWith("booted: " + img.length + " bytes from 203.0.113.1 into slot A, sha256 " + BootCliTest.sha256(img)
                    + ", address 203.0.113."), first);
            RealWireTest.assertImageInFlash(img, flash);
            String second = board(lan, wire, "board-2.log", java(), "--enable-native-access=ALL-UNNAMED", "-cp",
                    DEVICE_JAR.toAbsolutePath().toString(), example.toString(), lan.c0(), flash.toString(),
                    "device-profiles/spi-nor-16m.profile");
            assertTrue(second.startsWith("booted: " + img.length + " bytes from 203.0.113.1 into slot B, sha256 " + BootCliTest.sha256(img)),
                    second);
        }
    }

    /**
     * The example says one line, "failed: ...", and exit 1 when it cannot start: no such interface, a profile file
     * that does not load. Not a stack trace.
     */
    @Test
    void theExampleBoardThatCannotStartSaysSoInOneLine() throws Exception {
        Path badProfile = Files.writeString(dir.resolve("bad.profile"), "[board]\nram = lots\n");
        for (List<String> args : List.of(List.of("nbnosuch0", dir.resolve("f.img").toString()),
                List.of("lo", dir.resolve("f.img").toString(), badProfile.toString()))) {
            List<String> argv = new java.util.ArrayList<>(List.of(java(), "--enable-native-access=ALL-UNNAMED", "-cp",
                    DEVICE_JAR.toAbsolutePath().toString(), "examples/ExampleBoard.java"));
            argv.addAll(args);
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(1, p.exitValue(), out);
            assertEquals(1, out.lines().count(), out);
            assertTrue(out.startsWith("failed: "), out);
        }
        assertTrue(!Files.exists(dir.resolve("f.img")), "no flash file was made for a board that never started");
    }

    /** Runs a board in the client namespace; returns its output once it exited 0. */
    private String board(RealWireTest.Segment lan, RealWireTest wire, String log, String... command) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of("ip", "netns", "exec", lan.cli()));
        argv.addAll(List.of(command));
        Process board = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile()).start();
        assertTrue(board.waitFor(120, TimeUnit.SECONDS), "the board did not end within 120 s");
        String out = Files.readString(dir.resolve(log));
        assertEquals(0, board.exitValue(), () -> out + "\n" + wire.log(lan.srv() + "-dnsmasq.log"));
        return out;
    }

    /** The same segment, the full CLI: {@code JAVA_OPTS=-Xmx16m netboot boot --interface ... --flash-file ...}. */
    @Test
    void theCliBootsOverARealInterfaceIntoAFlashFileIn16MiBOfHeap() throws Exception {
        RealWireTest wire = new RealWireTest();
        wire.dir = dir;
        try (HostNet net = new HostNet()) {
            RealWireTest.Segment lan = RealWireTest.segment(net);
            byte[] img = wire.image(5 << 20);
            wire.dnsmasq(net, lan.srv(), lan.s0(), true, "--bootp-dynamic", "--dhcp-range=203.0.113.50,203.0.113.60,255.255.255.0",
                    "--dhcp-boot=boot.img");
            Path flash = dir.resolve("flash.img");
            Process boot = new ProcessBuilder("ip", "netns", "exec", lan.cli(), java(), "-Xmx16m", "--enable-native-access=ALL-UNNAMED",
                    "-Dnetboot.home=" + Path.of("").toAbsolutePath(), "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "boot", "--interface", lan.c0(), "--flash-file", flash.toString(), "--json")
                    .redirectOutput(dir.resolve("boot.out").toFile()).redirectError(dir.resolve("boot.err").toFile()).start();
            assertTrue(boot.waitFor(120, TimeUnit.SECONDS), "the boot did not end within 120 s");
            String err = Files.readString(dir.resolve("boot.err"));
            assertEquals(0, boot.exitValue(), () -> err + "\n" + wire.log(lan.srv() + "-dnsmasq.log"));
            JsonNode j = BootCliTest.JSON.readTree(Files.readString(dir.resolve("boot.out")));
            assertEquals("ok", j.get("result").asText());
            assertEquals(img.length, j.get("bytes").asLong());
            assertEquals(BootCliTest.sha256(img), j.get("sha256").asText());
            RealWireTest.assertImageInFlash(img, flash);
        }
    }

    static String java() {
        return ProcessHandle.current().info().command().orElseThrow();
    }
}
