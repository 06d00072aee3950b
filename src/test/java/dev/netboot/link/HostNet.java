package dev.netboot.link;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A fixture for tests on real Linux networking: network namespaces, veth pairs and the server processes
 * run in them, all named with one random id per fixture and all removed by {@link #close()}, or by a
 * shutdown hook if the JVM goes first. Addresses are only ever set inside namespaces it created.
 *
 * <p>Needs root and {@code ip} (iproute2): without them it fails the test and says what is missing,
 * never skips. {@code .ci/run} installs the tools.
 */
public final class HostNet implements AutoCloseable {
    private final String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt() & 0xFFFFFF, 6);
    private final Deque<List<String>> undo = new ArrayDeque<>();
    private final List<Process> processes = new ArrayList<>();
    private final Thread hook = new Thread(this::cleanUp, "hostnet-cleanup-" + id);
    private final String prefix;
    private final String nsPrefix;
    private boolean closed;

    /** Checks for root and {@code ip}, and registers the shutdown hook; names start with "nb". */
    public HostNet() {
        this("nb");
    }

    /**
     * Like {@link #HostNet()}, every namespace and interface name starting with {@code prefix} (two lowercase
     * letters), so fixtures of different test families never collide.
     */
    public HostNet(String prefix) {
        this(prefix, prefix);
    }

    /**
     * Like {@link #HostNet(String)}, interface names starting with {@code prefix} (two letters, or up to eight when the
     * suffixes given to {@link #name} are short: names have 15 characters at most) and namespace names with
     * {@code nsPrefix} (e.g. "serve").
     */
    public HostNet(String prefix, String nsPrefix) {
        if (!prefix.matches("[a-z]{2,8}") || !nsPrefix.matches("[a-z]{2,8}")) {
            throw new IllegalArgumentException("prefix '" + prefix + "', namespace prefix '" + nsPrefix
                    + "' (expected: 2..8 lowercase letters each)");
        }
        this.prefix = prefix;
        this.nsPrefix = nsPrefix;
        if (!run("id", "-u").strip().equals("0")) {
            fail("real-network tests need root (network namespaces, veth pairs, raw sockets): run the suite as root, as .ci/run does");
        }
        requireTool("ip", "iproute2");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Fails the test with an install hint unless {@code tool} runs. */
    public static void requireTool(String tool, String debianPackage) {
        try {
            Process p = new ProcessBuilder("sh", "-c", "command -v " + tool).redirectErrorStream(true).start();
            if (p.waitFor() == 0) {
                return;
            }
        } catch (IOException e) {
            // fall through to the failure
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        fail(missingTool(tool, "it runs apt-get install " + debianPackage));
    }

    /**
     * The one line every test fails with when a tool it drives is missing: what, and the command that installs
     * it. {@code how} says what that command does for this tool, e.g. "it runs apt-get install tshark".
     */
    public static String missingTool(String tool, String how) {
        return tool + " not found: install the test tools with '.ci/run --tools' as root (" + how + ")";
    }

    /** Returns this fixture's random id, part of every name it creates. */
    public String id() {
        return id;
    }

    /** Returns a name of at most 15 characters (an interface name's limit) unique to this fixture: prefix + id + suffix. */
    public String name(String suffix) {
        String n = prefix + id + suffix;
        if (n.length() > 15) {
            throw new IllegalArgumentException("interface name " + n + " is longer than 15 characters");
        }
        return n;
    }

    /** Creates network namespace {@code name(role)} with lo up and IPv6 off (no kernel chatter on raw sockets), and returns its name. */
    public String netns(String role) {
        String ns = nsPrefix + "-" + id + "-" + role;
        run("ip", "netns", "add", ns);
        undo.push(List.of("ip", "netns", "del", ns));
        run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
        run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
        run("ip", "-n", ns, "link", "set", "lo", "up");
        return ns;
    }

    /**
     * Creates a veth pair {@code a}–{@code b} with the given MACs (null: the kernel's), moves each end into
     * its namespace (null: stays in this one, then with IPv6 off), and brings both ends up.
     */
    public void veth(String a, String macA, String nsA, String b, String macB, String nsB) {
        List<String> add = new ArrayList<>(List.of("ip", "link", "add", a));
        if (macA != null) {
            add.addAll(List.of("address", macA));
        }
        add.addAll(List.of("type", "veth", "peer", "name", b));
        if (macB != null) {
            add.addAll(List.of("address", macB));
        }
        run(add.toArray(String[]::new));
        undo.push(List.of("ip", "link", "del", a)); // gone already when its namespace was deleted; the error is ignored
        place(a, nsA);
        place(b, nsB);
    }

    private void place(String dev, String ns) {
        if (ns != null) {
            run("ip", "link", "set", dev, "netns", ns);
            run("ip", "-n", ns, "link", "set", dev, "up");
        } else {
            run("sysctl", "-qw", "net.ipv6.conf." + dev + ".disable_ipv6=1");
            run("ip", "link", "set", dev, "up");
        }
    }

    /** Runs {@code cmd} in namespace {@code ns}; see {@link #run}. */
    public String exec(String ns, String... cmd) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(cmd));
        return run(full.toArray(String[]::new));
    }

    /** Runs {@code cmd}, fails the test with its output unless it exits 0 within 30 s, and returns its stdout. */
    public static String run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", cmd) + ": still running after 30 s");
            }
            if (p.exitValue() != 0) {
                fail(String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + out.strip());
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError(String.join(" ", cmd) + ": cannot run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Starts {@code cmd} in namespace {@code ns} with stdout and stderr in {@code log}; it is stopped by {@link #close()}. */
    public Process start(String ns, Path log, String... cmd) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(cmd));
        try {
            Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            synchronized (processes) {
                processes.add(p);
            }
            return p;
        } catch (IOException e) {
            throw new AssertionError(String.join(" ", full) + ": cannot start: " + e.getMessage(), e);
        }
    }

    /** Stops the processes it started and deletes what it created, newest first. */
    @Override
    public void close() {
        cleanUp();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down; the hook ran or runs cleanUp, which is idempotent
        }
    }

    private synchronized void cleanUp() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (processes) {
            for (Process p : processes) {
                p.destroy();
            }
            for (Process p : processes) {
                try {
                    if (!p.waitFor(5, TimeUnit.SECONDS)) {
                        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        while (!undo.isEmpty()) {
            List<String> cmd = undo.pop();
            try {
                new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
                        .waitFor(30, TimeUnit.SECONDS);
            } catch (IOException e) {
                // best effort: the next step may still succeed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
