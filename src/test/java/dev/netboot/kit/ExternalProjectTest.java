package dev.netboot.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.testkit.FlashContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * README's "Use netboot in your own board", done as a newcomer would: the library artifacts installed into a local
 * repository (one of this test's own, so the user's is left alone, and offline: whatever else the build needs is
 * already in the local repository this build uses), then a separate Maven project made of the section's files, which
 * implements a trivial Flash, passes the test kit's flash contract with it (power-cut sweep included), and boots a
 * board with it through the JUnit extension.
 */
class ExternalProjectTest {
    static final Path README = Path.of("README.md");
    static final Pattern FILE_BLOCK = Pattern.compile("\\*\\*`(my-board/[^`]+)`\\*\\*\\n\\n```\\w+\\n(.*?)```", Pattern.DOTALL);
    static final Pattern SH_BLOCK = Pattern.compile("```sh\\n(.*?)```", Pattern.DOTALL);

    @TempDir
    Path dir;

    static String section() throws IOException {
        String text = Files.readString(README);
        int from = text.indexOf("## Use netboot in your own board\n");
        assertTrue(from >= 0, "README has the section");
        int to = text.indexOf("\n## ", from + 1);
        return text.substring(from, to);
    }

    /** The section's files, by path, in order. */
    static Map<String, String> files(String section) {
        Map<String, String> files = new LinkedHashMap<>();
        Matcher m = FILE_BLOCK.matcher(section);
        while (m.find()) {
            files.put(m.group(1), m.group(2));
        }
        return files;
    }

    /**
     * A local repository of this test's own: the build's local repository linked in entry by entry, but for
     * dev/netboot, which is a real folder the install writes into.
     */
    Path localRepository() throws IOException {
        Path real = Path.of(System.getProperty("netboot.localRepository", System.getProperty("user.home") + "/.m2/repository"));
        Path repo = Files.createDirectories(dir.resolve("repository"));
        Path dev = Files.createDirectories(repo.resolve("dev"));
        try (Stream<Path> top = Files.list(real)) {
            for (Path e : top.toList()) {
                if (!e.getFileName().toString().equals("dev")) {
                    Files.createSymbolicLink(repo.resolve(e.getFileName().toString()), e);
                }
            }
        }
        if (Files.isDirectory(real.resolve("dev"))) {
            try (Stream<Path> devs = Files.list(real.resolve("dev"))) {
                for (Path e : devs.toList()) {
                    if (!e.getFileName().toString().equals("netboot")) {
                        Files.createSymbolicLink(dev.resolve(e.getFileName().toString()), e);
                    }
                }
            }
        }
        return repo;
    }

    /** Unlinks the local repository's links (JUnit would, warning about each one that points outside the folder). */
    @AfterEach
    void unlink() throws IOException {
        for (Path d : List.of(dir.resolve("repository"), dir.resolve("repository/dev"))) {
            if (Files.isDirectory(d)) {
                try (Stream<Path> entries = Files.list(d)) {
                    for (Path e : entries.filter(Files::isSymbolicLink).toList()) {
                        Files.delete(e);
                    }
                }
            }
        }
    }

    /** Returns the version of the install plugin the pom names. */
    static String installPluginVersion() throws Exception {
        NodeList plugins = ArtifactsTest.xml(Path.of("pom.xml")).getElementsByTagName("plugin");
        for (int i = 0; i < plugins.getLength(); i++) {
            Element p = (Element) plugins.item(i);
            if ("maven-install-plugin".equals(ArtifactsTest.child(p, "artifactId"))) {
                return ArtifactsTest.child(p, "version");
            }
        }
        throw new AssertionError("pom.xml names no maven-install-plugin");
    }

    static String mvn(Path in, Path log, List<String> args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("mvn", "-B", "-Dstyle.color=never"));
        argv.addAll(args);
        Process p = new ProcessBuilder(argv).directory(in.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), "mvn " + args + " did not end within 600 s");
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), () -> "mvn " + args + " in " + in + ":\n" + out);
        return out;
    }

    @Test
    void aSeparateProjectMadeFromTheReadmePassesTheFlashContractAndBootsABoardThroughTheExtension() throws Exception {
        String section = section();
        // The commands the section shows, and the ones run here: the same goals, offline, into this test's repository.
        List<String> commands = new ArrayList<>();
        Matcher sh = SH_BLOCK.matcher(section);
        while (sh.find()) {
            sh.group(1).lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(commands::add);
        }
        String version = System.getProperty("netboot.version", "0.1.0-SNAPSHOT");
        String deviceJar = "~/.m2/repository/dev/netboot/netboot-device/" + version + "/netboot-device-" + version + ".jar";
        assertEquals(List.of("mvn -q -DskipTests install",
                "java --enable-native-access=ALL-UNNAMED -cp " + deviceJar + " examples/ExampleBoard.java eth0 flash.img",
                "cd my-board", "mvn test"), commands);

        // mvn install's library artifacts: the pom's own install executions, on the jars this build made. Not offline: mvn
        // verify never ran the install plugin, so a fresh local repository may not hold it yet (a held one is not fetched).
        Path repo = localRepository();
        String install = "org.apache.maven.plugins:maven-install-plugin:" + installPluginVersion() + ":install-file@install-";
        mvn(Path.of("").toAbsolutePath(), dir.resolve("install.log"), List.of("-q", "-Dmaven.repo.local=" + repo,
                "-DbuildDir=" + Path.of(System.getProperty("netboot.buildDir", "target")).toAbsolutePath(),
                install + "device", install + "emulator", install + "testkit"));
        for (String a : List.of("device", "emulator", "testkit")) {
            Path at = repo.resolve("dev/netboot/netboot-" + a + "/" + version);
            for (String f : List.of(".jar", "-sources.jar", ".pom")) {
                assertTrue(Files.isRegularFile(at.resolve("netboot-" + a + "-" + version + f)), at + " holds netboot-" + a + f);
            }
        }
        assertTrue(Files.isRegularFile(repo.resolve(deviceJar.substring("~/.m2/repository/".length()))), "the jar README runs");

        Map<String, String> files = files(section);
        assertEquals(List.of("my-board/pom.xml", "my-board/src/main/java/com/example/board/RamFlash.java",
                "my-board/src/test/java/com/example/board/RamFlashTest.java",
                "my-board/src/test/java/com/example/board/BoardBootTest.java"), List.copyOf(files.keySet()));
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path file = dir.resolve(f.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, f.getValue());
        }
        Path project = dir.resolve("my-board");
        // Offline: everything else it needs (JUnit, the compiler, surefire and toolchains plugins) this build used.
        String out = mvn(project, dir.resolve("my-board.log"), List.of("-o", "-Dmaven.repo.local=" + repo, "test"));

        // Both test classes ran, every test passed, none skipped: the whole flash contract and the boot.
        Map<String, int[]> suites = new LinkedHashMap<>();
        try (Stream<Path> reports = Files.list(project.resolve("target/surefire-reports"))) {
            for (Path r : reports.filter(p -> p.getFileName().toString().matches("TEST-.*\\.xml")).sorted().toList()) {
                Element s = ArtifactsTest.xml(r).getDocumentElement();
                suites.put(s.getAttribute("name"), new int[] {Integer.parseInt(s.getAttribute("tests")),
                        Integer.parseInt(s.getAttribute("failures")) + Integer.parseInt(s.getAttribute("errors")),
                        Integer.parseInt(s.getAttribute("skipped"))});
            }
        }
        assertEquals(List.of("com.example.board.BoardBootTest", "com.example.board.RamFlashTest"), List.copyOf(suites.keySet()));
        assertEquals(List.of(1, 0, 0), List.of(suites.get("com.example.board.BoardBootTest")[0],
                suites.get("com.example.board.BoardBootTest")[1], suites.get("com.example.board.BoardBootTest")[2]));
        int kit = TestKitTest.tests(FlashContract.class).size();
        assertEquals(List.of(kit, 0, 0), List.of(suites.get("com.example.board.RamFlashTest")[0],
                suites.get("com.example.board.RamFlashTest")[1], suites.get("com.example.board.RamFlashTest")[2]));
        assertTrue(out.contains("power-cut sweep: RamFlashTest, two valid images: (plain 144 ops + skip-unchanged 144 ops) x 3 modes"
                + " = 864 cuts, survived all"), out);
        // The boot test drew its LAN: a well-formed SVG with the board's and the server's lanes.
        Document drawing = NetbootExtensionTest.svg(project.resolve("target/boot.svg"));
        assertEquals(List.of("board 02:4e:42:00:00:01", "server 10.0.0.1"), NetbootExtensionTest.lanes(drawing).subList(0, 2));
    }
}
