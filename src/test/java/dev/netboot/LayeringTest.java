package dev.netboot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the layers honest by reading the sources under {@code src/main/java}.
 *
 * <p>Device-side packages (the code that would run on a board) depend only on {@code java.*} packages
 * of {@code java.base} and on lower netboot layers; only {@code emulator} and {@code cli} may use
 * anything else. Both {@code import} lines and fully qualified names in code ({@code dev.netboot.x.Y},
 * {@code java.sql.Date}, {@code javax.}, {@code jdk.}, {@code sun.}) are checked; comments and string
 * literals are ignored.
 */
class LayeringTest {
    /** Device-side package → the other netboot packages it may use. A package not listed here fails the test. */
    static final Map<String, Set<String>> DEVICE_SIDE = Map.of(
            "wire", Set.of(),
            "link", Set.of("wire"),
            "net", Set.of("wire", "link"),
            "bootp", Set.of("wire", "link", "net"),
            "dhcp", Set.of("wire", "link", "net", "bootp"),
            "tftp", Set.of("wire", "link", "net"),
            "flash", Set.of("wire"),
            "device", Set.of("wire", "link", "net", "bootp", "dhcp", "tftp", "flash"));
    /** Host-side packages: may use anything. */
    static final Set<String> HOST_SIDE = Set.of("emulator", "cli");

    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile("^\\s*import\\s+(static\\s+)?([\\w.]+)(\\.\\*)?\\s*;");
    private static final Pattern MODULE_IMPORT = Pattern.compile("^\\s*import\\s+module\\s+([\\w.]+)\\s*;");
    private static final Pattern QUALIFIED = Pattern.compile("(?<![\\w.])((?:dev\\.netboot|java|javax|jdk|sun)(?:\\.[a-z_][a-z0-9_]*)*)\\.[A-Z*]");

    @Test
    void mainSourcesRespectTheLayers() throws IOException {
        Path root = Path.of("src/main/java");
        assertTrue(Files.isDirectory(root), "run from the project folder: " + root.toAbsolutePath());
        Set<String> javaBase = javaBasePackages();
        List<String> problems = new ArrayList<>();
        int files = 0;
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path file : paths.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                problems.addAll(check(root.relativize(file).toString(), Files.readString(file), javaBase));
                files++;
            }
        }
        assertTrue(files > 0, "no sources found under " + root.toAbsolutePath());
        if (!problems.isEmpty()) {
            fail(problems.size() + " layering violation(s):\n  " + String.join("\n  ", problems));
        }
    }

    @Test
    void checkerFindsBadImportsAndQualifiedNames() {
        String source = """
                package dev.netboot.tftp;

                import dev.netboot.net.Udp;          // allowed: tftp -> net
                import dev.netboot.emulator.VirtualNetwork;
                import java.sql.Timestamp;
                import static dev.netboot.flash.Flash.write;
                import javax.crypto.Cipher;
                import java.util.List;
                import picocli.CommandLine;
                import module java.sql;
                import module java.base;

                /** Mentions dev.netboot.cli.Main in a comment, which is fine. */
                final class Bad {
                    String s = "dev.netboot.cli.Main in a string is fine too";
                    Object o = new dev.netboot.cli.Main();
                    java.awt.Point p;
                    List<String> ok;
                }
                """;
        List<String> problems = check("dev/netboot/tftp/Bad.java", source, javaBasePackages());
        assertEquals(List.of(
                "dev/netboot/tftp/Bad.java:4: dev.netboot.emulator.VirtualNetwork: tftp may not use emulator (allowed: link, net, wire)",
                "dev/netboot/tftp/Bad.java:5: java.sql.Timestamp: java.sql is not in java.base (device-side code uses java.base only)",
                "dev/netboot/tftp/Bad.java:6: dev.netboot.flash.Flash.write: tftp may not use flash (allowed: link, net, wire)",
                "dev/netboot/tftp/Bad.java:7: javax.crypto.Cipher: only java.* and dev.netboot.* packages are allowed in device-side code",
                "dev/netboot/tftp/Bad.java:9: picocli.CommandLine: only java.* and dev.netboot.* packages are allowed in device-side code",
                "dev/netboot/tftp/Bad.java:10: import module java.sql: device-side code uses java.base only",
                "dev/netboot/tftp/Bad.java:16: dev.netboot.cli: tftp may not use cli (allowed: link, net, wire)",
                "dev/netboot/tftp/Bad.java:17: java.awt: java.awt is not in java.base (device-side code uses java.base only)"),
                problems);
    }

    @Test
    void checkerAllowsHostSideAndFlagsUnknownPackages() {
        Set<String> base = javaBasePackages();
        assertEquals(List.of(), check("Cli.java", "package dev.netboot.cli;\nimport picocli.CommandLine;\nimport java.sql.Date;\n", base));
        assertEquals(List.of("X.java:1: package dev.netboot.storage is not in LayeringTest's layer table"
                        + " (add it to DEVICE_SIDE with its allowed packages, or to HOST_SIDE)"),
                check("X.java", "package dev.netboot.storage;\n", base));
        assertEquals(List.of("W.java:2: dev.netboot.link.Link: wire may not use link (allowed: nothing)"),
                check("W.java", "package dev.netboot.wire;\nimport dev.netboot.link.Link;\n", base));
    }

    /** Returns the packages java.base exports to everyone, e.g. java.util, java.lang.foreign. */
    static Set<String> javaBasePackages() {
        Module base = ModuleLayer.boot().findModule("java.base").orElseThrow();
        return base.getDescriptor().exports().stream().filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * Returns one "file:line: what: why" for every dependency of {@code source} that breaks the layers.
     *
     * @param file     the name to report
     * @param source   Java source text
     * @param javaBase packages exported by java.base
     */
    static List<String> check(String file, String source, Set<String> javaBase) {
        String code = blankCommentsAndStrings(source);
        Matcher pm = PACKAGE.matcher(code);
        if (!pm.find()) {
            return List.of(file + ":1: no package declaration");
        }
        String pkg = pm.group(1);
        if (!pkg.startsWith("dev.netboot.")) {
            return List.of(file + ":" + lineOf(code, pm.start(1)) + ": package " + pkg + " is outside dev.netboot");
        }
        String layer = pkg.substring("dev.netboot.".length()).split("\\.")[0];
        if (HOST_SIDE.contains(layer)) {
            return List.of();
        }
        Set<String> allowed = DEVICE_SIDE.get(layer);
        if (allowed == null) {
            return List.of(file + ":" + lineOf(code, pm.start(1)) + ": package " + pkg
                    + " is not in LayeringTest's layer table (add it to DEVICE_SIDE with its allowed packages, or to HOST_SIDE)");
        }
        List<String> problems = new ArrayList<>();
        String[] lines = code.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String where = file + ":" + (i + 1) + ": ";
            Matcher mm = MODULE_IMPORT.matcher(lines[i]);
            if (mm.find()) {
                if (!mm.group(1).equals("java.base")) {
                    problems.add(where + "import module " + mm.group(1) + ": device-side code uses java.base only");
                }
                continue;
            }
            Matcher im = IMPORT.matcher(lines[i]);
            if (im.find()) {
                String name = im.group(2);
                checkName(name, packageOf(name, im.group(3) != null), layer, allowed, javaBase)
                        .ifPresent(why -> problems.add(where + name + ": " + why));
                continue;
            }
            Matcher qm = QUALIFIED.matcher(lines[i]);
            while (qm.find()) {
                String name = qm.group(1);
                checkName(name, name, layer, allowed, javaBase).ifPresent(why -> problems.add(where + name + ": " + why));
            }
        }
        return problems;
    }

    /** Returns why {@code layer} may not use {@code pkg}, or empty when it may. */
    private static Optional<String> checkName(String name, String pkg, String layer, Set<String> allowed,
                                                        Set<String> javaBase) {
        if (pkg.startsWith("dev.netboot.")) {
            String target = pkg.substring("dev.netboot.".length()).split("\\.")[0];
            if (target.equals(layer) || allowed.contains(target)) {
                return Optional.empty();
            }
            return Optional.of(layer + " may not use " + target + " (allowed: "
                    + (allowed.isEmpty() ? "nothing" : String.join(", ", allowed.stream().sorted().toList())) + ")");
        }
        if (!pkg.startsWith("java.")) {
            return Optional.of("only java.* and dev.netboot.* packages are allowed in device-side code");
        }
        if (!javaBase.contains(pkg)) {
            return Optional.of(pkg + " is not in java.base (device-side code uses java.base only)");
        }
        return Optional.empty();
    }

    /**
     * Returns the package part of an imported name: everything before the first capitalised segment
     * ({@code java.util.Map.Entry} → {@code java.util}), or the whole name for {@code import pkg.*}.
     */
    private static String packageOf(String name, boolean wildcard) {
        String[] parts = name.split("\\.");
        List<String> pkg = new ArrayList<>();
        for (String p : parts) {
            if (!p.isEmpty() && Character.isUpperCase(p.charAt(0))) {
                return String.join(".", pkg);
            }
            pkg.add(p);
        }
        return wildcard ? name : String.join(".", pkg.subList(0, Math.max(0, pkg.size() - 1)));
    }

    private static int lineOf(String text, int index) {
        int line = 1;
        for (int i = 0; i < index; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    /** Replaces comments, string and text-block literals and char literals by spaces, keeping line breaks. */
    static String blankCommentsAndStrings(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            String end;
            if (s.startsWith("//", i)) {
                end = "\n";
            } else if (s.startsWith("/*", i)) {
                end = "*/";
            } else if (s.startsWith("\"\"\"", i)) {
                end = "\"\"\"";
            } else if (c == '"') {
                end = "\"";
            } else if (c == '\'') {
                end = "'";
            } else {
                out.append(c);
                i++;
                continue;
            }
            int open = end.equals("\n") ? 2 : end.equals("*/") ? 2 : end.length();
            int j = i + open;
            while (j < s.length() && !s.startsWith(end, j)) {
                j += (s.charAt(j) == '\\' && !end.equals("\n") && !end.equals("*/")) ? 2 : 1;
            }
            int stop = Math.min(s.length(), end.equals("\n") ? j : j + end.length());
            for (int k = i; k < stop; k++) {
                out.append(s.charAt(k) == '\n' ? '\n' : ' ');
            }
            i = stop;
        }
        return out.toString();
    }
}
