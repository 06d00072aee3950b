package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.netboot.link.HostNet;
import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.constantpool.Utf8Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device-only jar (the pom's device-jar execution, made before the tests): it holds the board's stack
 * and nothing it cannot do without, needs nothing outside itself but java.base, and a board boots with
 * it alone on the class path, in 16 MiB of heap. So does {@code netboot boot --interface} into a flash file.
 */
class DeviceJarTest {
    static final Path DEVICE_JAR = Path.of(System.getProperty("netboot.deviceJar", "target/netboot-device.jar"));
    static final Pattern TYPE_IN_DESCRIPTOR = Pattern.compile("L([\\w/$]+);");

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
     * Every class, field and method type any class of the jar names (its constant pool's class entries and
     * descriptors) is in the jar or in java.base: no class of the jar can fail to link for want of another.
     */
    @Test
    void needsNothingButItselfAndJavaBase() throws IOException {
        Set<String> own = Set.copyOf(classes());
        Set<String> javaBase = ModuleLayer.boot().findModule("java.base").orElseThrow().getPackages();
        Set<String> missing = new TreeSet<>();
        int named = 0;
        try (ZipFile jar = new ZipFile(DEVICE_JAR.toFile())) {
            for (String c : own) {
                ClassModel m = ClassFile.of().parse(jar.getInputStream(jar.getEntry(c + ".class")).readAllBytes());
                List<String> refs = new ArrayList<>();
                for (PoolEntry e : m.constantPool()) {
                    if (e instanceof ClassEntry ce) {
                        refs.add(ce.asInternalName());
                    } else if (e instanceof Utf8Entry u) {
                        Matcher d = TYPE_IN_DESCRIPTOR.matcher(u.stringValue());
                        while (d.find()) {
                            refs.add(d.group(1));
                        }
                    }
                }
                for (String r : refs) {
                    String name = r.replaceFirst("^\\[+L?", "").replaceFirst(";$", "");
                    if (name.length() <= 1 || !name.contains("/")) {
                        continue; // a primitive array, or a word in a string constant
                    }
                    named++;
                    boolean ok = own.contains(name) || javaBase.contains(name.substring(0, name.lastIndexOf('/')).replace('/', '.'));
                    if (!ok) {
                        missing.add(c + " -> " + name);
                    }
                }
            }
        }
        assertTrue(named > 1000, "references checked: " + named);
        assertEquals(Set.of(), missing);
    }

    /** client ns ── veth ── server ns (dnsmasq BOOTP + TFTP): the board of {@code dev.netboot.board.DeviceJarBoard}. */
    @Test
    void aBoardBootsWithTheDeviceJarAloneOnTheClassPathIn16MiBOfHeap() throws Exception {
        // Only the board's own class files beside the jar: nothing else of the tests, or of netboot, can help it.
        Path boardClasses = dir.resolve("board-classes");
        Path own = Path.of("target/test-classes/dev/netboot/board");
        Files.createDirectories(boardClasses.resolve("dev/netboot/board"));
        try (Stream<Path> files = Files.list(own)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("DeviceJarBoard")).toList()) {
                Files.copy(f, boardClasses.resolve("dev/netboot/board").resolve(f.getFileName()));
            }
        }
        RealWireTest wire = new RealWireTest();
        wire.dir = dir;
        try (HostNet net = new HostNet()) {
            RealWireTest.Segment lan = RealWireTest.segment(net);
            byte[] img = wire.image(5 << 20);
            wire.dnsmasq(net, lan.srv(), lan.s0(), true, "--bootp-dynamic", "--dhcp-range=10.77.0.50,10.77.0.60,255.255.255.0",
                    "--dhcp-boot=boot.img");
            Path flash = dir.resolve("flash.img");
            Process board = new ProcessBuilder("ip", "netns", "exec", lan.cli(), java(), "-Xmx16m", "--enable-native-access=ALL-UNNAMED",
                    "-cp", DEVICE_JAR.toAbsolutePath() + ":" + boardClasses, "dev.netboot.board.DeviceJarBoard", lan.c0(),
                    Path.of("device-profiles/spi-nor-16m.profile").toAbsolutePath().toString(), flash.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("board.log").toFile()).start();
            assertTrue(board.waitFor(120, TimeUnit.SECONDS), "the board did not end within 120 s");
            String out = Files.readString(dir.resolve("board.log"));
            assertEquals(0, board.exitValue(), () -> out + "\n" + wire.log(lan.srv() + "-dnsmasq.log"));
            assertTrue(out.startsWith("ok " + img.length + " " + BootCliTest.sha256(img) + " A max-heap "), out);
            long maxHeap = Long.parseLong(out.strip().substring(out.lastIndexOf(' ') + 1));
            assertTrue(maxHeap <= 16L << 20, "ran in " + maxHeap + " bytes of heap");
            RealWireTest.assertImageInFlash(img, flash);
        }
    }

    /** The same segment, the full CLI: {@code JAVA_OPTS=-Xmx16m netboot boot --interface ... --flash-file ...}. */
    @Test
    void theCliBootsOverARealInterfaceIntoAFlashFileIn16MiBOfHeap() throws Exception {
        RealWireTest wire = new RealWireTest();
        wire.dir = dir;
        try (HostNet net = new HostNet()) {
            RealWireTest.Segment lan = RealWireTest.segment(net);
            byte[] img = wire.image(5 << 20);
            wire.dnsmasq(net, lan.srv(), lan.s0(), true, "--bootp-dynamic", "--dhcp-range=10.77.0.50,10.77.0.60,255.255.255.0",
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
