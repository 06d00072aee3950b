package dev.netboot.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.constantpool.Utf8Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The library artifacts {@code mvn install} puts in the local repository (the pom's install-file executions): each
 * jar holds what its POM says it is, and needs nothing its POM does not bring. netboot-device needs java.base alone;
 * netboot-emulator needs netboot-device; netboot-testkit needs the emulator and JUnit 5. Checked on every class and
 * every type in a descriptor the jar names (its constant pool), so no class of it can fail to link for want of another.
 */
class ArtifactsTest {
    static final Path BUILD = Path.of(System.getProperty("netboot.buildDir", "target"));
    static final String FINAL_NAME = System.getProperty("netboot.finalName", "netboot-0.1.0-SNAPSHOT");
    static final String VERSION = System.getProperty("netboot.version", "0.1.0-SNAPSHOT");
    static final String JUNIT = System.getProperty("netboot.junitVersion", "5.13.4");
    static final Pattern TYPE_IN_DESCRIPTOR = Pattern.compile("L([\\w/$]+);");

    static Path jar(String artifact) {
        return BUILD.resolve(FINAL_NAME + "-" + artifact + ".jar");
    }

    /** Returns the class files of a jar, by internal name ("dev/netboot/wire/MacAddress"). */
    static Set<String> classes(Path jar) throws IOException {
        assertTrue(Files.isRegularFile(jar), jar + " missing: mvn process-test-classes makes it");
        try (ZipFile z = new ZipFile(jar.toFile())) {
            return z.stream().map(ZipEntry::getName).filter(n -> n.endsWith(".class")).map(n -> n.substring(0, n.length() - 6))
                    .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        }
    }

    /** Returns every "class -> class it names" of {@code jar} whose target is neither in {@code available} nor in java.base. */
    static Set<String> unresolved(Path jar, Set<String> available) throws IOException {
        Set<String> javaBase = ModuleLayer.boot().findModule("java.base").orElseThrow().getPackages();
        Set<String> own = classes(jar);
        Set<String> missing = new TreeSet<>();
        int named = 0;
        try (ZipFile z = new ZipFile(jar.toFile())) {
            for (String c : own) {
                ClassModel m = ClassFile.of().parse(z.getInputStream(z.getEntry(c + ".class")).readAllBytes());
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
                    if (!own.contains(name) && !available.contains(name)
                            && !javaBase.contains(name.substring(0, name.lastIndexOf('/')).replace('/', '.'))) {
                        missing.add(c + " -> " + name);
                    }
                }
            }
        }
        assertTrue(named > 100, jar + ": references checked: " + named);
        return missing;
    }

    /** Returns the classes of the test class path's jars whose path holds {@code part} (JUnit's, say). */
    static Set<String> classPathClasses(String... parts) throws IOException {
        Set<String> out = new HashSet<>();
        int jars = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.endsWith(".jar") && Stream.of(parts).anyMatch(entry::contains)) {
                out.addAll(classes(Path.of(entry)));
                jars++;
            }
        }
        assertEquals(parts.length, jars, "jars on the class path: " + String.join(", ", parts));
        return out;
    }

    @Test
    void theDeviceJarNeedsJavaBaseAlone() throws IOException {
        assertEquals(Set.of(), unresolved(jar("device"), Set.of()));
    }

    @Test
    void theEmulatorJarNeedsTheDeviceJar() throws IOException {
        assertEquals(Set.of(), unresolved(jar("emulator"), classes(jar("device"))));
    }

    @Test
    void theTestKitNeedsTheEmulatorTheDeviceAndJUnit() throws IOException {
        Set<String> available = new HashSet<>(classes(jar("device")));
        available.addAll(classes(jar("emulator")));
        // junit-jupiter's closure: jupiter api/params/engine, platform commons/engine, opentest4j, apiguardian (not the launcher).
        available.addAll(classPathClasses("/junit-jupiter-api/", "/junit-jupiter-params/", "/junit-jupiter-engine/",
                "/junit-platform-commons/", "/junit-platform-engine/", "/opentest4j/", "/apiguardian-api/"));
        assertEquals(Set.of(), unresolved(jar("testkit"), available));
    }

    /** The device and emulator jars split the stack and emulator between them, no class in both, none left out but the CLI's. */
    @Test
    void theDeviceAndEmulatorJarsHoldEveryClassButTheCliOnce() throws IOException {
        Set<String> device = classes(jar("device"));
        Set<String> emulator = classes(jar("emulator"));
        Set<String> both = new TreeSet<>(device);
        both.retainAll(emulator);
        assertEquals(Set.of(), both);
        Set<String> main = new TreeSet<>();
        Path classes = BUILD.resolve("classes");
        try (Stream<Path> files = Files.walk(classes)) {
            files.map(f -> classes.relativize(f).toString()).filter(n -> n.endsWith(".class") && !n.endsWith("package-info.class"))
                    .map(n -> n.substring(0, n.length() - 6)).filter(n -> !n.startsWith("dev/netboot/cli/")).forEach(main::add);
        }
        Set<String> union = new TreeSet<>(device);
        union.addAll(emulator);
        assertEquals(main, union);
        assertTrue(emulator.contains("dev/netboot/emulator/EmulatedLan") && emulator.contains("dev/netboot/flash/SimulatedNorFlash"));
        assertTrue(classes(jar("testkit")).containsAll(Set.of("dev/netboot/testkit/FlashContract", "dev/netboot/testkit/LinkContract",
                "dev/netboot/testkit/NetbootExtension")));
    }

    static Document xml(Path file) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
    }

    static String child(Element e, String name) {
        NodeList l = e.getElementsByTagName(name);
        return l.getLength() == 0 ? null : l.item(0).getTextContent().strip();
    }

    /** Returns "groupId:artifactId:version" of each dependency of a POM, and of the POM itself first. */
    static List<String> coordinates(Path pom) throws Exception {
        Element project = xml(pom).getDocumentElement();
        List<String> out = new ArrayList<>();
        out.add(child(project, "groupId") + ":" + child(project, "artifactId") + ":" + child(project, "version"));
        NodeList deps = project.getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            assertEquals(null, child(d, "scope"), "a library dependency is compile scope: the user's test scope carries it");
            out.add(child(d, "groupId") + ":" + child(d, "artifactId") + ":" + child(d, "version"));
        }
        return out;
    }

    @Test
    void eachPomNamesItsArtifactAndExactlyWhatItsJarNeeds() throws Exception {
        Path poms = BUILD.resolve("artifacts");
        assertEquals(List.of("dev.netboot:netboot-device:" + VERSION), coordinates(poms.resolve("netboot-device.pom")));
        assertEquals(List.of("dev.netboot:netboot-emulator:" + VERSION, "dev.netboot:netboot-device:" + VERSION),
                coordinates(poms.resolve("netboot-emulator.pom")));
        assertEquals(List.of("dev.netboot:netboot-testkit:" + VERSION, "dev.netboot:netboot-emulator:" + VERSION,
                "org.junit.jupiter:junit-jupiter:" + JUNIT), coordinates(poms.resolve("netboot-testkit.pom")));
    }

    /** The pom installs each library jar with its sources and its own POM, and the jars carry no other POM. */
    @Test
    void mvnInstallPutsEachJarWithItsSourcesAndItsPom() throws Exception {
        Element project = xml(Path.of("pom.xml")).getDocumentElement();
        NodeList executions = project.getElementsByTagName("execution");
        Set<String> installed = new TreeSet<>();
        for (int i = 0; i < executions.getLength(); i++) {
            Element e = (Element) executions.item(i);
            String id = child(e, "id");
            if (id != null && id.startsWith("install-")) {
                String artifact = id.substring("install-".length());
                assertEquals("install", child(e, "phase"));
                assertEquals("install-file", child(e, "goal"));
                assertEquals("${project.build.directory}/${project.build.finalName}-" + artifact + ".jar", child(e, "file"));
                assertEquals("${project.build.directory}/${project.build.finalName}-" + artifact + "-sources.jar", child(e, "sources"));
                assertEquals("${project.build.directory}/artifacts/netboot-" + artifact + ".pom", child(e, "pomFile"));
                installed.add(artifact);
            }
        }
        assertEquals(Set.of("device", "emulator", "testkit"), installed);
        for (String a : installed) {
            for (Path jar : List.of(jar(a), BUILD.resolve(FINAL_NAME + "-" + a + "-sources.jar"))) {
                try (ZipFile z = new ZipFile(jar.toFile())) {
                    assertFalse(z.stream().anyMatch(e -> e.getName().startsWith("META-INF/maven/")), jar + " carries a POM of its own");
                }
            }
        }
    }
}
